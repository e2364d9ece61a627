"""Books on disk: which files are books, their bytes through a memory map, and batches.

A book is never read into memory whole: one streaming pass checks it is
UTF-8 text and hashes it, then training gathers each batch's few kilobytes
straight from the memory map, so a 1 GB book costs what a 1 MB one does.
That pass is remembered by the file's path, size and modification time: the
window's check of a dropped book is the trainer's too, so a book is read once.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import itertools
import mmap
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import torch

from .config import FIELDS, block_misfit, split_sizes
from .control import TaskControl
from .errors import UserError

BOM = codecs.BOM_UTF8
_CHUNK = 1 << 22
# Splits above this size unmap what each batch touched; smaller ones cost at most their size.
_RELEASE_ABOVE = 64 << 20


class CorpusError(UserError):
    """A folder or book that cannot be trained on; the message names it and says why."""


class BadBooks(CorpusError):
    """Books that cannot be trained, found before a run starts: all of them, one a line.

    ``skip`` says how to leave them out where the message is read (the command
    line has a flag for it).
    """

    def __init__(self, problems: dict[Path, str], total: int, skip: str | None = None):
        self.problems, self.total = problems, total
        them, others = "it" if len(problems) == 1 else "them", total - len(problems)
        remedy = (f"fix {them}, or {skip or f'leave {them} out'} to train the other {others}"
                  if others else f"fix or replace {them}")
        super().__init__(f"{len(problems)} of {total} book(s) cannot be trained, so nothing "
                         f"was started; {remedy}:\n"
                         + "\n".join(f"  {problem}" for problem in problems.values()))


@dataclass(frozen=True)
class BookInfo:
    """What the books list shows before training: a file, and why it cannot be used if so."""
    path: Path
    size: int
    problem: str | None = None
    text_bytes: int | None = None  # its size less a byte-order mark, once it is checked

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def usable(self) -> bool:
        return self.problem is None


def is_book_file(path: Path) -> bool:
    return path.suffix.lower() == ".txt" and not path.name.startswith(".")


def find_books(folder: str | Path) -> list[Path]:
    """The ``.txt`` files directly in ``folder``, sorted by name; a clear error if there are none."""
    folder = Path(folder).expanduser()
    if not folder.exists():
        raise CorpusError(f"{folder}: no such folder; pick a folder of .txt books")
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder; pick the folder that holds the .txt books")
    try:  # a .txt that is no plain file (a FIFO, a broken link) is listed, to say why not
        books = sorted((p for p in folder.iterdir() if is_book_file(p) and not p.is_dir()),
                       key=lambda p: p.name.lower())
    except OSError as exc:
        raise CorpusError(f"{folder}: cannot list it ({exc.strerror}); check its permissions") from None
    if not books:
        raise CorpusError(f"{folder}: no .txt books in it; put plain-text books (UTF-8, .txt) there")
    return books


def not_a_plain_file(path: Path) -> str | None:
    """Why ``path`` is no file to read a book from, found without opening it (reading a
    FIFO waits for a writer, maybe forever), or None for a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return (f"a symbolic link that loops ({exc.strerror}); point it at the book "
                    f"or remove it")
        if isinstance(exc, FileNotFoundError) and path.is_symlink():
            return (f"a symbolic link to {os.readlink(path)}, which does not exist; point it "
                    f"at the book or remove it")
        return f"cannot read it ({exc.strerror or exc}); check that it exists and is readable"
    if stat.S_ISREG(mode):
        return None
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a folder"
            if stat.S_ISDIR(mode) else "not a regular file")
    return f"{kind}, not a file of text; books are plain UTF-8 .txt files (it was not opened)"


def _key(path: Path) -> Path:
    """The path that tells two names of one file apart, even for a link that loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # Python before 3.13 raises RuntimeError for a loop
        return path.absolute()


_checked: dict[tuple[str, int, int], tuple[str, int]] = {}  # identity -> (sha256, size)


def _identity(path: Path) -> tuple[str, int, int]:
    """What tells a file's contents apart without reading them: path, size, mtime."""
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _scan(path: Path, control: TaskControl | None = None) -> tuple[str, int]:
    """sha256 and size of a UTF-8 text file, read once per version of it; raises CorpusError.

    ``control`` may pause or cancel between two 4 MiB chunks.
    """
    problem = not_a_plain_file(path)
    if problem is not None:
        raise CorpusError(f"{path.name}: {problem}")
    try:
        identity = _identity(path)
    except OSError as exc:
        raise CorpusError(f"{path.name}: cannot read it ({exc.strerror or exc}); "
                          f"check that it exists and is readable") from None
    if identity not in _checked:
        _checked[identity] = _read(path, control)
    return _checked[identity]


def _read(path: Path, control: TaskControl | None) -> tuple[str, int]:
    """One pass over the file: sha256 and whether it is UTF-8 text; raises CorpusError."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                if control is not None:
                    control.check()
                digest.update(chunk)
                nul = chunk.find(b"\0")
                if nul >= 0:
                    raise CorpusError(f"{path.name}: not a text file (a NUL byte at byte "
                                      f"{offset + nul:,}); books must be plain UTF-8 text")
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise CorpusError(
                        f"{path.name}: not UTF-8 (byte 0x{chunk[exc.start]:02x} at byte "
                        f"{offset + exc.start:,}); re-save it as UTF-8 text") from None
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise CorpusError(f"{path.name}: not UTF-8 (it ends inside a character); "
                          f"re-save it as UTF-8 text") from None
    except OSError as exc:
        raise CorpusError(f"{path.name}: cannot read it ({exc.strerror or exc}); "
                          f"check that it exists and is readable") from None
    if offset == 0:
        raise CorpusError(f"{path.name}: the file is empty")
    return digest.hexdigest(), offset


def _smallest_book() -> int:
    """The bytes of text the smallest block and its next byte need in both splits of a book,
    at the default validation share: a shorter book is too short to train at all."""
    low, val_fraction = FIELDS["block_size"].metadata["low"], FIELDS["val_fraction"].default
    return next(n for n in itertools.count(1) if block_misfit(n, low, val_fraction) is None)


MIN_BOOK_BYTES = _smallest_book()


def text_length(path: Path, size: int) -> int:
    """The bytes of a book that are text: its size less a UTF-8 byte-order mark."""
    with open(path, "rb") as f:
        return size - len(BOM) if f.read(len(BOM)) == BOM else size


def inspect(path: str | Path, control: TaskControl | None = None) -> BookInfo:
    """A book's size and, if it cannot be used, the reason; raises only Cancelled."""
    path = Path(path)
    try:
        _, size = _scan(path, control)
        length = text_length(path, size)
    except CorpusError as exc:
        size = path.stat().st_size if path.is_file() else 0
        return BookInfo(path, size, str(exc).removeprefix(f"{path.name}: "))
    except OSError as exc:
        return BookInfo(path, 0, f"cannot read it ({exc.strerror or exc}); check that it "
                                 f"exists and is readable")
    if length < MIN_BOOK_BYTES:
        return BookInfo(path, size, f"too short to train on ({length:,} bytes of text; a book "
                                    f"needs at least {MIN_BOOK_BYTES})")
    return BookInfo(path, size, text_bytes=length)


def check_books(paths: Iterable[str | Path], block_size: int,
                val_fraction: float) -> dict[Path, str]:
    """Each book that cannot be trained with this block and split, with why, naming the file.

    A run asks this before it creates anything, so a bad book stops it before it starts.
    """
    bad = {}
    for path in map(Path, paths):
        info = inspect(path)
        if not info.usable:
            bad[path] = f"{path.name}: {info.problem}"
        elif misfit := fit_problem(path, text_length(path, info.size), block_size,
                                   val_fraction):
            bad[path] = misfit
    return bad


def fit_problem(path: Path, length: int, block_size: int, val_fraction: float) -> str | None:
    """Why a block does not fit in a book of ``length`` text bytes, naming the file."""
    misfit = block_misfit(length, block_size, val_fraction)
    return f"{path.name}: too short for block_size {block_size}: {misfit}" if misfit else None


def listed(paths: Iterable[str | Path]) -> list[BookInfo]:
    """The files of any mix of folders and files (as dropped on the window), each once, with
    their sizes; nothing is read yet, so a book listed here may still prove unusable.
    """
    seen: dict[Path, BookInfo] = {}
    for path in map(Path, paths):
        files = find_books(path) if path.is_dir() else [path]
        for file in files:
            key = _key(file)
            if key not in seen:
                size = file.stat().st_size if file.is_file() else 0
                seen[key] = BookInfo(file, size) if is_book_file(file) else BookInfo(
                    file, size, "not a .txt file; books are plain UTF-8 .txt files")
    return list(seen.values())


class Book:
    """One book's bytes (memory-mapped, byte-order mark dropped), split into train and val."""

    def __init__(self, path: str | Path, val_fraction: float = 0.1):
        self.path = Path(path)
        self.sha256, self.size = _scan(self.path)
        self.val_fraction = val_fraction
        data = np.memmap(self.path, dtype=np.uint8, mode="r")
        start = len(BOM) if bytes(data[:3]) == BOM else 0
        self.data = data[start:]
        n_train, _ = split_sizes(len(self.data), val_fraction)
        self.train = self.data[:n_train]
        self.val = self.data[n_train:]

    @property
    def name(self) -> str:
        return self.path.stem

    def meta(self) -> dict:
        return {"name": self.name, "file": self.path.name, "size": self.size, "sha256": self.sha256}

    def check_fits(self, block_size: int) -> None:
        """A block plus its next-byte target must fit in both splits."""
        problem = fit_problem(self.path, len(self.data), block_size, self.val_fraction)
        if problem:
            raise CorpusError(problem)


class BatchSampler:
    """Fresh random (x, y) batches every step, from a seeded generator.

    ``stream`` separates independent streams of the same seed: a resumed book
    continues from its step, and each torchrun rank draws its own batches.
    """

    def __init__(self, split: np.ndarray, block_size: int, batch_size: int, seed: int,
                 stream: tuple[int, ...] = (), device: torch.device | str = "cpu"):
        self.split, self.block_size, self.batch_size = split, block_size, batch_size
        self.device = torch.device(device)
        self.rng = np.random.default_rng([seed, *stream])
        self._offsets = np.arange(block_size + 1)

    def sample(self) -> tuple[torch.Tensor, torch.Tensor]:
        starts = self.rng.integers(0, len(self.split) - self.block_size, self.batch_size)
        return self.gather(starts)

    def gather(self, starts: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        rows = torch.from_numpy(self.split[starts[:, None] + self._offsets].astype(np.int64))
        self._release()
        if self.device.type == "cuda":
            rows = rows.pin_memory().to(self.device, non_blocking=True)
        else:
            rows = rows.to(self.device)
        return rows[:, :-1], rows[:, 1:]

    def fixed_batches(self, count: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The same ``count`` batches every time: validation losses stay comparable."""
        return [self.sample() for _ in range(count)]

    def _release(self) -> None:
        """Unmap the pages of a big book that the last batch touched.

        Linux maps a whole large folio of the page cache, up to megabytes, around
        each byte read through a memory map: without this a 1 GB book's resident
        memory grew 7 MB a step towards the whole book (benchmarks/memory_big_book.py).
        The bytes stay in the page cache; only this process's mapping of them goes.
        """
        view = getattr(self.split, "_mmap", None)  # np.memmap's own mmap object
        advice = getattr(mmap, "MADV_DONTNEED", None)
        if view is not None and advice is not None and len(self.split) > _RELEASE_ABOVE:
            view.madvise(advice)

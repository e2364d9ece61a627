"""Books on disk: which files are books, their bytes through a memory map, and batches.

A book is never read into memory whole: one streaming pass checks it is
UTF-8 text and hashes it, then training gathers each batch's few kilobytes
straight from the memory map, so a 1 GB book costs what a 1 MB one does.
That pass is remembered by the file's path, size and modification time: the
window's check of a dropped book is the trainer's too, so a book is read once.
"""

from __future__ import annotations

import codecs
import hashlib
import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import torch

from .control import TaskControl
from .errors import UserError

BOM = codecs.BOM_UTF8
_CHUNK = 1 << 22
# Splits above this size unmap what each batch touched; smaller ones cost at most their size.
_RELEASE_ABOVE = 64 << 20


class CorpusError(UserError):
    """A folder or book that cannot be trained on; the message names it and says why."""


@dataclass(frozen=True)
class BookInfo:
    """What the books list shows before training: a file, and why it cannot be used if so."""
    path: Path
    size: int
    problem: str | None = None

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
    try:
        books = sorted((p for p in folder.iterdir() if is_book_file(p) and p.is_file()),
                       key=lambda p: p.name.lower())
    except OSError as exc:
        raise CorpusError(f"{folder}: cannot list it ({exc.strerror}); check its permissions") from None
    if not books:
        raise CorpusError(f"{folder}: no .txt books in it; put plain-text books (UTF-8, .txt) there")
    return books


_checked: dict[tuple[str, int, int], tuple[str, int]] = {}  # identity -> (sha256, size)


def _identity(path: Path) -> tuple[str, int, int]:
    """What tells a file's contents apart without reading them: path, size, mtime."""
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _scan(path: Path, control: TaskControl | None = None) -> tuple[str, int]:
    """sha256 and size of a UTF-8 text file, read once per version of it; raises CorpusError.

    ``control`` may pause or cancel between two 4 MiB chunks.
    """
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


def inspect(path: str | Path, control: TaskControl | None = None) -> BookInfo:
    """A book's size and, if it cannot be used, the reason; raises only Cancelled."""
    path = Path(path)
    try:
        _scan(path, control)
    except CorpusError as exc:
        size = path.stat().st_size if path.is_file() else 0
        return BookInfo(path, size, str(exc).removeprefix(f"{path.name}: "))
    return BookInfo(path, path.stat().st_size)


def listed(paths: Iterable[str | Path]) -> list[BookInfo]:
    """The files of any mix of folders and files (as dropped on the window), each once, with
    their sizes; nothing is read yet, so a book listed here may still prove unusable.
    """
    seen: dict[Path, BookInfo] = {}
    for path in map(Path, paths):
        files = find_books(path) if path.is_dir() else [path]
        for file in files:
            key = file.resolve()
            if key not in seen:
                size = file.stat().st_size if file.is_file() else 0
                seen[key] = BookInfo(file, size) if is_book_file(file) else BookInfo(
                    file, size, "not a .txt file; books are plain UTF-8 .txt files")
    return list(seen.values())


def scan(paths: Iterable[str | Path]) -> list[BookInfo]:
    """The books of ``listed(paths)``, each inspected."""
    return [inspect(info.path) if info.usable else info for info in listed(paths)]


class Book:
    """One book's bytes (memory-mapped, byte-order mark dropped), split into train and val."""

    def __init__(self, path: str | Path, val_fraction: float = 0.1):
        self.path = Path(path)
        self.sha256, self.size = _scan(self.path)
        data = np.memmap(self.path, dtype=np.uint8, mode="r")
        start = len(BOM) if bytes(data[:3]) == BOM else 0
        self.data = data[start:]
        n_val = int(len(self.data) * val_fraction)
        self.train = self.data[: len(self.data) - n_val]
        self.val = self.data[len(self.data) - n_val:]

    @property
    def name(self) -> str:
        return self.path.stem

    def meta(self) -> dict:
        return {"name": self.name, "file": self.path.name, "size": self.size, "sha256": self.sha256}

    def check_fits(self, block_size: int) -> None:
        """A block plus its next-byte target must fit in both splits."""
        shortest = min(len(self.train), len(self.val))
        if shortest < block_size + 1:
            raise CorpusError(
                f"{self.path.name}: too short for block_size {block_size} ({len(self.data):,} "
                f"bytes, {len(self.val):,} of them held out for validation); lower block_size "
                f"to at most {max(shortest - 1, 0)} or leave this book out")


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

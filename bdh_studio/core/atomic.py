"""Writing a file whole or not at all: a temporary beside it, renamed over it.

A rename replaces the name, never the bytes behind it, so a failed write
leaves the previous file as it was, and a hard link to the target elsewhere
(a run's file, an input) keeps its bytes whatever is written here.  Folders
made for the file are removed again when the write fails: nothing half-made
is left behind.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from .errors import WriteFailed

TMP_SUFFIX = ".tmp"
# mkstemp's names: ".<target name>.<8 of [a-z0-9_]>.tmp"; the only ones the app may remove.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TMP_SUFFIX))


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is named as ``write_whole`` names its temporaries."""
    return _TEMPORARY.fullmatch(path.name) is not None


def missing_folders(folder: Path) -> list[Path]:
    """The folders from ``folder`` up that do not exist yet, outermost first."""
    missing = []
    for each in (folder, *folder.parents):
        if each.exists():
            break
        missing.append(each)
    return missing[::-1]


def remove_folders(folders: list[Path]) -> None:
    """Remove these folders, innermost first, as long as they are empty."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def new_file_mode() -> int:
    """0o666 less the user's umask: the mode ``open()`` gives a new file.

    mkstemp makes its files 0600, so every file written through a temporary
    (an exported model, a CSV) was readable by its owner alone; people expect
    their umask's mode.  Linux says the umask in /proc; elsewhere it is read
    by setting it and back.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            mask = next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def new_temporary(path: Path) -> tuple[int, Path]:
    """An open temporary beside ``path`` (its fd and name), with a new file's mode."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    # No fchmod (Windows), or a file system without modes: the file keeps mkstemp's mode.
    with contextlib.suppress(OSError, AttributeError):
        os.fchmod(fd, new_file_mode())
    return fd, Path(name)


def write_whole(path: str | Path, write: Callable[[Path], None], sync: bool = False,
                make_folders: bool = False) -> None:
    """Call ``write(temporary)`` on a new file beside ``path``, then rename it over ``path``.

    ``sync`` flushes the bytes, then the rename, to the disk (for files worth
    hours of work); ``make_folders`` makes the missing folders on the way.  An
    OSError (torch's RuntimeError for one included) becomes a WriteFailed that
    says what errno says; anything else is raised as it is, the temporary and
    the folders made removed either way.
    """
    path = Path(path)
    made = missing_folders(path.parent) if make_folders else []
    tmp = None
    try:
        base = made[0].parent if made else path.parent
        if not base.is_dir():
            code = errno.ENOTDIR if base.exists() else errno.ENOENT
            raise OSError(code, os.strerror(code))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = new_temporary(path)
        os.close(fd)
        write(tmp)
        if sync:
            _fsync(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        remove_folders(made)
        cause = write_error(exc)
        if cause is not None:
            raise WriteFailed(path, cause, "(nothing was written there; a previous file is "
                                           "intact)") from None
        raise
    if sync:
        _fsync_folder(path.parent)


def write_error(exc: BaseException) -> OSError | None:
    """The OSError behind a failed write, torch's included: torch.save reports a failed
    write of its zip writer as a RuntimeError ("inline_container.cc ... unexpected pos")
    raised while handling the OSError."""
    if isinstance(exc, OSError):
        return exc
    if isinstance(exc, RuntimeError) and isinstance(exc.__context__, OSError):
        return exc.__context__
    return None


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the system lets a folder be synced."""
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_csv(path: str | Path, header: list[str], rows: Iterable[Iterable],
              make_folders: bool = False) -> None:
    """A CSV file (UTF-8, the csv module's quoting), written whole or not at all."""
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    write_whole(path, write, make_folders=make_folders)

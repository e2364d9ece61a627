"""The window's file dialogs start where the person last was, never in the process's
working directory.

A dialog given no folder opens in the working directory: wherever the app
was launched from, a folder the person never chose.  Each dialog here starts
in the folder last used in any of them (else the one given, e.g. the runs
root, else home) and remembers the folder it ends in.  The window keeps that
folder between launches (window_state).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

_last: Path | None = None  # the folder the last dialog ended in, for the whole window


def last_folder() -> Path | None:
    return _last


def set_last_folder(folder: str | Path | None) -> None:
    """Where the next dialog starts; None, or a folder that is gone: home again."""
    global _last
    _last = Path(folder) if folder and Path(folder).is_dir() else None


def _start(start: Path | None, name: str = "") -> str:
    folder = start or _last or Path.home()
    return str(folder / name) if name else str(folder)


def save_file(parent: QWidget, title: str, name: str, filters: str,
              start: Path | None = None) -> str:
    """A file to write, offered as ``name`` in the last folder used; "" if cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, _start(start, name), filters)
    if path:
        set_last_folder(Path(path).parent)
    return path


def open_file(parent: QWidget, title: str, filters: str, start: Path | None = None) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, _start(start), filters)
    if path:
        set_last_folder(Path(path).parent)
    return path


def open_files(parent: QWidget, title: str, filters: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, _start(None), filters)
    if paths:
        set_last_folder(Path(paths[0]).parent)
    return paths


def folder(parent: QWidget, title: str, start: Path | None = None) -> str:
    """A folder, starting in ``start`` (else the last folder used); "" if cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, title, _start(start))
    if chosen:
        set_last_folder(Path(chosen).parent)  # its siblings are the likeliest next choice
    return chosen

"""A folder removed file by file, saying how far it is: a run of many checkpoints takes a while."""

from __future__ import annotations

import os
from pathlib import Path

from .control import TaskControl
from .errors import UserError

REPORTS = 100  # progress reports over a whole removal, at most


def remove_tree(folder: Path, control: TaskControl | None = None) -> None:
    """Delete ``folder`` and everything in it; a cancel stops between two files.

    Symbolic links are removed, never followed.  What could not be deleted is
    said with the reason, and what is left stays as it is.
    """
    control = control or TaskControl()
    entries: list[Path] = []
    for root, dirs, files in os.walk(folder, topdown=False):  # a folder after what it holds
        entries += [Path(root, name) for name in files + dirs]
    entries.append(Path(folder))
    every = max(1, len(entries) // REPORTS)
    try:
        for done, path in enumerate(entries):
            if done % every == 0:
                control.check()
                control.progress(done / len(entries), f"deleting {Path(folder).name}…")
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
    except OSError as exc:
        raise UserError(f"Could not delete {folder}: {exc.strerror or exc}") from None

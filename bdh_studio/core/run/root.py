"""The runs root: ``<user data>/BDH Studio/runs``, where new runs go unless a person picks
another.

Computed as Qt's ``QStandardPaths.GenericDataLocation`` computes the user's data
folder, so ``bdh-studio runs list`` finds the window's runs without importing
Qt.  Runs used to go to Qt's AppDataLocation, whose name is the organization's
and the application's, both "BDH Studio" (``~/.local/share/BDH Studio/BDH
Studio/runs``): ``carry_legacy_runs`` moves them across once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

ORGANIZATION = APPLICATION = "BDH Studio"


def user_data_folder() -> Path:
    """QStandardPaths.writableLocation(GenericDataLocation): the user's data folder."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"


def app_data_folder() -> Path:
    """QStandardPaths.writableLocation(AppDataLocation) for this application: the
    organization's folder, then the application's (both "BDH Studio")."""
    return user_data_folder() / ORGANIZATION / APPLICATION


def default_runs_root() -> Path:
    """Where runs go unless a person picks another root."""
    return user_data_folder() / APPLICATION / "runs"


def legacy_runs_root() -> Path:
    """Where runs went before: the doubled app-data folder's ``runs``."""
    return app_data_folder() / "runs"


def carry_legacy_runs(legacy: Path | None = None, root: Path | None = None) -> list[Path]:
    """Move the runs of the legacy root into the runs root; returns the runs moved.

    A run whose name the new root has already stays where it is (nothing is
    written over); the legacy folders are removed once empty.
    """
    legacy, root = legacy or legacy_runs_root(), root or default_runs_root()
    if not legacy.is_dir() or legacy.resolve() == root.resolve():
        return []
    moved = []
    for run in sorted(p for p in legacy.iterdir() if p.is_dir()):
        target = root / run.name
        if target.exists():
            continue
        try:
            root.mkdir(parents=True, exist_ok=True)
            shutil.move(str(run), str(target))
        except OSError:
            continue  # left where it was: Runs folder… still reaches it
        moved.append(target)
    for folder in (legacy, legacy.parent, legacy.parent.parent):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
    return moved

"""The runs root: the app-data folder's ``runs``, where new runs go unless a person picks
another.

Computed as Qt's ``QStandardPaths.AppDataLocation`` computes it (the window
names itself with ORGANIZATION and APPLICATION), so ``bdh-studio runs list``
finds the window's runs without importing Qt.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ORGANIZATION = APPLICATION = "BDH Studio"


def app_data_folder() -> Path:
    """QStandardPaths.writableLocation(AppDataLocation) for this application."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / ORGANIZATION / APPLICATION


def default_runs_root() -> Path:
    """Where runs go unless a person picks another root."""
    return app_data_folder() / "runs"

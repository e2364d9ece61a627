"""Where the window keeps things by default, named as the application names itself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths

ORGANIZATION = APPLICATION = "BDH Studio"


def name_application() -> None:
    """The names QSettings and QStandardPaths build their paths from."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


def default_runs_root() -> Path:
    """The app-data ``runs`` folder: where runs go unless a person picks another root."""
    name_application()
    return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)) / "runs"

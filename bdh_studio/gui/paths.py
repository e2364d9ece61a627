"""The names the application gives itself, which QSettings builds its paths from."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..core.run.root import APPLICATION, ORGANIZATION


def name_application() -> None:
    """The names QSettings and QStandardPaths build their paths from."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


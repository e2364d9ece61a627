"""The window's size at a first launch, within the screen's free area."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication

WANTED = QSize(1280, 820)


def first_size() -> QSize:
    """Without a window manager to fit it (Xvfb, some kiosks), a window taller than a
    1280x800 screen hides its status bar below the edge: so never more than the screen."""
    screen = QGuiApplication.primaryScreen()
    return WANTED.boundedTo(screen.availableGeometry().size()) if screen else WANTED

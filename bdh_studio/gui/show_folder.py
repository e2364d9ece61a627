"""Show a folder in the system's file manager, or say where it is when none opens it.

Where no file manager is registered (a bare X session, a container, a kiosk)
Qt's openUrl fails with a line on stderr only; a person pressing the button
saw nothing happen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def show_folder(folder: Path, problem: Callable[[str], None]) -> bool:
    """Open ``folder`` in the file manager; else tell ``problem`` its path, to copy."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    problem(f"No file manager opened the folder (none is set up here). Its path, to copy: "
            f"{folder}")
    return False

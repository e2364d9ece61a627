"""Start the window: the application object, its names (for QSettings) and its icon."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import torch  # noqa: F401  torch before PySide6: the other order fails on Windows

import shiboken6
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .. import __version__, resources
from ..core.run.root import carry_legacy_runs
from ..core.runtime import preload
from .main_window import MainWindow
from .paths import name_application


# How long Python code in the GUI thread (pyqtgraph's paints) may keep the GIL
# from a training step that wants it back (default 5 ms): at 0.5 ms a redraw
# delays the step by about its own CPU time, not by several switch intervals.
GIL_SWITCH_SECONDS = 0.0005


def make_app(argv: list[str] | None = None) -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    name_application()
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("bdh-studio")
    app.setWindowIcon(QIcon(str(resources.icon())))
    return app


def run_app(demo: bool = False, argv: list[str] | None = None,
            runs_dir: str | None = None) -> int:
    app = make_app(argv)
    if not runs_dir:
        carry_legacy_runs()  # runs of the doubled-name folder of earlier versions
    window = MainWindow(runs_root=Path(runs_dir).expanduser() if runs_dir else None)
    app.aboutToQuit.connect(window.stop_and_wait)
    if demo:
        window.load_demo()
    window.show()
    threading.Thread(target=preload, name="preload", daemon=True).start()
    code = app.exec()
    # Delete the window while Qt is still whole: left to interpreter shutdown,
    # pyqtgraph's items are freed after the application and crash on exit.
    shiboken6.delete(window)
    return code

"""GUI tests run offscreen with settings in a temporary INI file.

The platform is set before anything imports Qt; torch is imported first, as
the application's entry point does.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import torch  # noqa: E402,F401
from PySide6.QtCore import QSettings  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def window(qtbot, settings, tmp_path):
    import shiboken6

    from bdh_studio.gui.main_window import MainWindow
    win = MainWindow(settings, runs_root=tmp_path / "runs")
    win.show()
    yield win
    win.stop_and_wait()
    win.close()
    shiboken6.delete(win)

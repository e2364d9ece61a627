"""GUI tests run offscreen with settings in a temporary INI file.

The platform is set before anything imports Qt; torch is imported first, as
the application's entry point does.
"""

import gc
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


@pytest.fixture(scope="session", autouse=True)
def freeze_what_was_imported():
    """Keep the modules' objects (torch's, Qt's: ~a million) out of every collection.

    Without this each test's collection below walks all of them: ~0.4 s a GUI
    test, 40 s of the fast suite.
    """
    import bdh_studio.gui.main_window  # noqa: F401
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def collect_widgets_on_the_gui_thread():
    """Free the widgets a test left in reference cycles here, on the GUI thread.

    Python's cycle collector runs in whichever thread happens to allocate: left
    to it, a later test's worker thread can free them, and PySide then hands
    their deletion to the GUI thread while the worker still holds a QObject lock
    and waits for the GIL the GUI thread holds, a deadlock (seen: the classifier
    test hung in sklearn while a previous test's widgets were collected).
    """
    yield
    gc.collect()

"""GUI tests run offscreen with settings in a temporary INI file.

The platform is set before anything imports Qt; torch is imported first, as
the application's entry point does.  The window's modules are imported here,
at collection, so that their objects are frozen with the rest (tests/conftest.py).
"""

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import torch  # noqa: E402,F401
from PySide6.QtCore import QSettings  # noqa: E402

from bdh_studio.gui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def runs_root(tmp_path):
    """The window's runs folder; a module overrides it to launch the window on runs."""
    return tmp_path / "runs"


@pytest.fixture
def window(qtbot, settings, runs_root):
    import shiboken6

    win = MainWindow(settings, runs_root=runs_root)
    win.show()
    yield win
    win.stop_and_wait()
    win.close()
    shiboken6.delete(win)


@pytest.fixture(scope="session", autouse=True)
def freeze_what_earlier_tests_imported():
    """Freeze again as the GUI tests begin (the first freeze: tests/conftest.py).

    What the tests before them imported on the way (torch._dynamo, the rest of
    scikit-learn) would else be walked by every GUI test's collection below:
    ~0.1 s a test, 10 s of the fast suite.
    """
    gc.collect()
    gc.freeze()


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


@pytest.fixture(autouse=True)
def no_widget_in_tasks(monkeypatch):
    """Fail any GUI test in which a background task touches a widget from its worker thread.

    Every task runs under a profile hook in its worker: a call of a Qt method of
    a QWidget (``QLineEdit.text``, ``QSpinBox.value``…) or of a Python method
    whose ``self`` is a widget (a panel's helper reading or setting its state)
    is recorded, and the test fails at its end, naming them.
    """
    import sys

    from PySide6.QtWidgets import QWidget

    from bdh_studio.gui import background

    touched: list[str] = []

    def guard(frame, event, arg):
        if event == "c_call" and isinstance(getattr(arg, "__self__", None), QWidget):
            touched.append(f"{type(arg.__self__).__name__}.{arg.__name__}")
        elif event == "call" and frame.f_code.co_argcount and isinstance(
                frame.f_locals.get(frame.f_code.co_varnames[0]), QWidget):
            touched.append(frame.f_code.co_qualname)

    real = background.run_task

    def guarded(task, control):
        sys.setprofile(guard)
        try:
            return real(task, control)
        finally:
            sys.setprofile(None)

    monkeypatch.setattr(background, "run_task", guarded)
    yield touched
    assert not touched, f"background tasks touched widgets: {sorted(set(touched))}"

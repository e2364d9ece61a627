"""The Qt binding itself: a long training run emits hundreds of thousands of signals.

PySide6 6.12.0 drops a reference to True on every ``Signal.emit`` and to None
on every call of a void method; on Python < 3.12 the process then dies with
"Fatal Python error: bool_dealloc" after about ten thousand signals.  This
test runs in a child process so such a death fails it instead of the suite.
"""

import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import torch
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QLabel

    class Emitter(QObject):
        reported = Signal(object)

    app = QApplication([])
    emitter, label = Emitter(), QLabel()
    emitter.reported.connect(lambda value: None)
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20_000):
        emitter.reported.emit(1)
        label.setText("step")
    print(sys.getrefcount(None) - before[0], sys.getrefcount(True) - before[1])
""")


@pytest.mark.slow
def test_signals_and_void_calls_keep_none_and_true_alive():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    drift_none, drift_true = map(int, done.stdout.split())
    assert abs(drift_none) < 100 and abs(drift_true) < 100

"""Run an engine call in a QThread and hear back through queued signals.

The engine knows nothing of Qt; a task is a plain function that receives a
``report`` callback.  Signals carry everything back to the GUI thread, so no
widget is ever touched from the worker.  ``Background`` keeps the Python
references to the worker and its thread until the thread has finished —
dropping them earlier is the classic way to crash a PySide application.

Listeners connect to the ``Background`` once, before any task starts: a job's
signals are forwarded from the moment it exists.  Connecting to a job after
starting it lost the signals of a task that failed at once.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..core.errors import UserError

Task = Callable[[Callable[[Any], None]], Any]


class Job(QObject):
    reported = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, task: Task):
        super().__init__()
        self._task = task

    @Slot()
    def run(self) -> None:
        try:
            result = self._task(self.reported.emit)
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: say so, keep the window alive
            traceback.print_exc()
            self.failed.emit(f"Unexpected error ({type(exc).__name__}): {exc}. "
                             f"Please report it with the traceback printed on the console.")
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


class Background(QObject):
    """One task at a time in its own thread; ``idle`` once the thread is gone."""

    reported = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    idle = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._job: Job | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, task: Task) -> None:
        if self.running:
            raise RuntimeError("a task is already running")
        thread, job = QThread(), Job(task)
        for source, target in ((job.reported, self.reported), (job.succeeded, self.succeeded),
                               (job.failed, self.failed)):
            source.connect(target)  # queued: the job lives in the worker thread
        job.moveToThread(thread)
        thread.started.connect(job.run)
        # Direct: quit from the worker itself, so a GUI thread blocked in wait() is released.
        job.finished.connect(thread.quit, Qt.DirectConnection)
        thread.finished.connect(self._forget)
        self._thread, self._job = thread, job
        thread.start()

    def wait(self, msecs: int = 30_000) -> bool:
        """Join the thread; True when it has finished."""
        if self._thread is None:
            return True
        done = self._thread.wait(msecs)
        if done:
            self._forget()
        return done

    @Slot()
    def _forget(self) -> None:
        if self._thread is not None:
            self._thread.wait()  # finished is emitted just before the thread really ends
            self._thread, self._job = None, None
            self.idle.emit()

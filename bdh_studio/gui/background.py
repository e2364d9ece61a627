"""Background work in a QThread, heard back through queued signals.

The engine knows nothing of Qt: a task is a plain function given a
core.control.TaskControl.  ``BackgroundTask`` runs one at a time in a QThread
of its own, forwards the control's progress and partial results as signals
(so no widget is ever touched from the worker), and ends every task with
exactly one of ``succeeded``, ``cancelled`` or ``failed``, then ``idle`` once
the thread is gone.  It keeps the Python references to the worker and its
thread until then: dropping them earlier is the classic way to crash a PySide
application.

``replace=True`` gives "the latest request wins": starting while a task runs
cancels it and runs the new one as soon as the old has ended.  Each task names
what it does (``what``), so closing the window can say what still runs; work
that is cheap to redo (``ask_on_close=False``) is cancelled without asking.

Listeners connect to the ``BackgroundTask`` once, before any task starts: a
task's signals are forwarded from the moment it exists.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..core.control import Ending, TaskControl, run_task

Task = Callable[[TaskControl], Any]


class _Job(QObject):
    """Lives in the worker thread; its signals cross to the GUI thread queued."""

    progressed = Signal(float, str)
    partial = Signal(object)
    ended = Signal()

    def __init__(self, task: Task):
        super().__init__()
        self._task = task
        self.control = TaskControl(self.progressed.emit, self.partial.emit)
        self.ending: Ending | None = None

    @Slot()
    def run(self) -> None:
        self.ending = run_task(self._task, self.control)
        self.ended.emit()


class BackgroundTask(QObject):
    progressed = Signal(float, str)
    partial = Signal(object)
    succeeded = Signal(object)
    cancelled = Signal()
    failed = Signal(str)
    idle = Signal()

    def __init__(self, what: str, parent: QObject | None = None, replace: bool = False,
                 ask_on_close: bool = True):
        super().__init__(parent)
        self.what = what
        self.ask_on_close = ask_on_close
        self._replace = replace
        self._thread: QThread | None = None
        self._job: _Job | None = None
        self._next: Task | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def control(self) -> TaskControl | None:
        """The running task's control (pause, resume, paused); None when idle."""
        return self._job.control if self._job is not None else None

    def start(self, task: Task) -> None:
        if self.running:
            if not self._replace:
                raise RuntimeError(f"{self.what} is already running")
            self._next = task
            self.cancel()
            return
        thread, job = QThread(), _Job(task)
        job.progressed.connect(self.progressed)  # queued: the job lives in the worker thread
        job.partial.connect(self.partial)
        job.moveToThread(thread)
        thread.started.connect(job.run)
        # Direct: quit from the worker itself, so a GUI thread blocked in wait() is released.
        job.ended.connect(thread.quit, Qt.DirectConnection)
        thread.finished.connect(self._forget)
        self._thread, self._job = thread, job
        thread.start()

    def cancel(self) -> None:
        """Ask the running task to end after its current unit of work."""
        if self._job is not None:
            self._job.control.stop()

    def wait(self, msecs: int = 30_000) -> bool:
        """Join the thread; True when it has finished (a task queued behind it is dropped)."""
        if self._thread is None:
            return True
        self._next = None
        done = self._thread.wait(msecs)
        if done:
            self._forget()
        return done

    @Slot()
    def _forget(self) -> None:
        """The thread is over: say how the task ended, then start the next or go idle.

        The ending is said here, not by a signal of its own, so it comes after
        the task's progress and partial results and before ``idle`` whether the
        thread ended by itself or was joined by ``wait``.
        """
        if self._thread is None:
            return
        self._thread.wait()  # finished is emitted just before the thread really ends
        ending = self._job.ending
        self._thread, self._job = None, None
        if ending.status == "done":
            self.succeeded.emit(ending.value)
        elif ending.status == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(ending.message)
        task, self._next = self._next, None
        if task is not None:
            self.start(task)
        else:
            self.idle.emit()

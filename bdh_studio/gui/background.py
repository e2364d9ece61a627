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

A task's progress and partial results reach the GUI thread in batches, at
most one wake-up every ``MAILBOX_MS``: the GUI thread's CPU and GIL time are
taken from the training's threads (benchmarks/README.md §1), and one wake-up
for a batch costs less of both than one for each of tiny's ~20 events a second.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from ..core.control import Ending, TaskControl, run_task

Task = Callable[[TaskControl], Any]
Mail = tuple[str, tuple]  # ("progressed" | "partial", the signal's arguments)
MAILBOX_MS = 250


class _Job(QObject):
    """Lives in the worker thread; its signals cross to the GUI thread queued.

    What the task reports waits in a mailbox; ``mail`` is signalled when the
    first item arrives, and the GUI thread, once it has taken the items out,
    looks again only ``MAILBOX_MS`` later: until then nothing wakes it.
    """

    mail = Signal()
    ended = Signal()

    def __init__(self, task: Task):
        super().__init__()
        self._task = task
        self._lock = threading.Lock()
        self._box: list[Mail] = []
        self._called = False  # a "mail" signal or a later look is on its way
        self.control = TaskControl(lambda fraction, message: self._post("progressed",
                                                                         (fraction, message)),
                                   lambda value: self._post("partial", (value,)))
        self.ending: Ending | None = None

    def _post(self, kind: str, args: tuple) -> None:
        with self._lock:
            self._box.append((kind, args))
            if self._called:
                return
            self._called = True
        self.mail.emit()

    def take(self) -> list[Mail]:
        """The items so far; none means the GUI thread stops looking until the next one."""
        with self._lock:
            box, self._box = self._box, []
            self._called = bool(box)
        return box

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
        # A child timer, not QTimer.singleShot: it dies with this object, and is not
        # connected anew at every look.
        self._look_again = QTimer(self, singleShot=True, interval=MAILBOX_MS,
                                  timeout=self._deliver)

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
        job.mail.connect(self._deliver)  # queued: the job lives in the worker thread
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
    def _deliver(self) -> None:
        """Hand on the running task's reports, then look again in ``MAILBOX_MS``."""
        if self._job is not None and self._hand_on(self._job):
            self._look_again.start()

    def _hand_on(self, job: _Job) -> bool:
        box = job.take()
        for kind, args in box:
            getattr(self, kind).emit(*args)
        return bool(box)

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
        self._hand_on(self._job)  # the last reports come before the ending
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


def stop_and_join(tasks: list[BackgroundTask], seconds: float) -> list[str]:
    """Cancel every task, then join them all within one deadline: what closing needs.

    Returns what could not be joined in time (empty when all ended).
    """
    for task in tasks:
        task.cancel()
    deadline = time.monotonic() + seconds
    return [task.what for task in tasks
            if not task.wait(max(0, round(1000 * (deadline - time.monotonic()))))]

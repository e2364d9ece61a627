"""One shape for every long engine call: progress, partial results, pause and cancel.

A task is a plain function given a ``TaskControl``.  It reports how far it is
(``progress``), hands over what it has so far (``partial``), and calls
``check`` once per unit of work (a training step, a chunk batch, a generated
byte): there a pause waits and a cancel ends the task.  Whoever runs the task
(the window's worker thread, a command line) asks for pause or cancel from any
thread and listens through two callbacks.  ``run_task`` turns the task's end
into an ``Ending``: done, cancelled or failed, so a cancel is an outcome like
the others and never an exception a caller must tell from a failure.
"""

from __future__ import annotations

import copy
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Literal

from .errors import UserError

ProgressListener = Callable[[float, str], None]
PartialListener = Callable[[Any], None]


class Cancelled(BaseException):
    """Unwinds a task from the unit of work where ``check`` saw a cancel.

    A BaseException, like asyncio's CancelledError, so a task's own
    ``except Exception`` does not take it for a failure; ``run_task`` ends it.
    """


class TaskControl:
    """Thread-safe switches a task polls, and the two channels it reports through.

    A paused task blocks in ``check`` (or ``wait_while_paused``) without
    spinning; a cancel also releases a pause, so cancelling a paused task
    never hangs.  Tasks that must end in their own way (the trainer saves a
    partial checkpoint) read ``stop_requested`` instead of calling ``check``.
    """

    def __init__(self, on_progress: ProgressListener | None = None,
                 on_partial: PartialListener | None = None) -> None:
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()
        self._on_progress = on_progress or (lambda fraction, message: None)
        self._on_partial = on_partial or (lambda value: None)

    # --- asked from any thread ----------------------------------------------

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    # --- called by the task -------------------------------------------------

    def wait_while_paused(self, timeout: float | None = None) -> None:
        self._running.wait(timeout)

    def check(self) -> None:
        """Between two units of work: wait out a pause, end the task if it was cancelled."""
        self._running.wait()
        if self._stop.is_set():
            raise Cancelled

    def progress(self, fraction: float, message: str) -> None:
        self._on_progress(fraction, message)

    def partial(self, value: Any) -> None:
        self._on_partial(value)

    def relay(self, on_progress: ProgressListener) -> "TaskControl":
        """The same switches and partial results, the progress through ``on_progress``."""
        stage = copy.copy(self)
        stage._on_progress = on_progress
        return stage

    def within(self, start: float, end: float) -> "TaskControl":
        """The same switches for one stage of a task, its 0..1 progress mapped to start..end."""
        return self.relay(lambda fraction, message: self._on_progress(
            start + (end - start) * fraction, message))


@dataclass(frozen=True)
class Ending:
    """How a task ended: its value when done, a message for a person when it failed."""
    status: Literal["done", "cancelled", "failed"]
    value: Any = None
    message: str = ""


def run_task(task: Callable[[TaskControl], Any], control: TaskControl) -> Ending:
    """Run ``task`` to its end; never raises for what the task does.

    A task that returns after a cancel (the trainer, with its partial
    checkpoint) ended cancelled too: its value is kept for whoever wants it.
    """
    try:
        value = task(control)
    except Cancelled:
        return Ending("cancelled")
    except UserError as exc:
        return Ending("failed", message=str(exc))
    except Exception as exc:  # a bug: say so, keep the caller alive
        traceback.print_exc()
        return Ending("failed", message=f"Unexpected error ({type(exc).__name__}): {exc}. "
                                        f"Please report it with the traceback printed on the "
                                        f"console.")
    return Ending("cancelled" if control.stop_requested else "done", value)

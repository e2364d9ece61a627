"""The one fold of a run's events: per-book curves, the progress of the book in
training, how each book ended, and the facts a run's summary is made of.

The window (live and when it opens a run), the runs panel, ``runs list``,
``runs compare``, ``export-tensorboard`` and ``train``'s progress bars all
take events through ``RunState.handle``, so a past run replays through the
same code that followed it live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from .. import events as ev
from .progress import Progress
from .series import BookSeries


@dataclass
class Sessions:
    """What a run's sessions (one per ``train`` into the folder) say of the run as a whole."""
    books: list[str] = field(default_factory=list)
    book_paths: list[str] = field(default_factory=list)
    last: ev.RunStarted | None = None  # the last session's start
    finished: ev.RunFinished | None = None  # the last session's end, if it ended
    failure: str = ""  # the last session's first failure
    stopped_step: int | None = None  # where the last session stopped a book
    val_loss: dict[str, float | None] = field(default_factory=dict)  # last, per book
    duration: float = 0.0  # seconds of the sessions that ended, pauses included
    last_time: float = 0.0  # Unix time of the last step or validation


class RunState:
    """A run's events as one series per book and kind, on three x axes, and what they say.

    Training time runs on across the books of a run (each book starts where
    the last one ended); wall-clock time counts from the run's first start.
    A book resumed from a checkpoint forgets the points after it.
    """

    def __init__(self) -> None:
        self.books: dict[str, BookSeries] = {}
        self.start = 0.0  # Unix time the run began: the wall clock's zero
        self.last_step = 0  # planned of the books started, or the most any book took
        self.progress = Progress()
        self.outcomes: dict[str, tuple[str, str]] = {}  # finished book -> (state, detail)
        self.sessions = Sessions()

    @classmethod
    def of(cls, events: Iterable[ev.Event]) -> "RunState":
        state = cls()
        for event in events:
            state.handle(event)
        return state

    def handle(self, event: ev.Event) -> str | None:
        """Take ``event`` in; the book whose curves it changed, if any."""
        fold = FOLDS.get(type(event))
        return fold(self, event) if fold is not None else None

    def book(self, name: str) -> BookSeries:
        """The book's curves, made at its first event (not at each: setdefault would build
        seven empty series per event, most of what listing a runs root cost)."""
        book = self.books.get(name)
        if book is None:
            book = self.books[name] = BookSeries()
        return book

    def end_time(self) -> float:
        ends = [b.series["train"].elapsed[-1] for b in self.books.values()
                if b.series["train"].size]
        return max(ends, default=0.0)

    def _wall(self, unix_time: float) -> float | None:
        """Seconds since the run began; None for logs from before events kept the time."""
        return unix_time - self.start if unix_time and self.start else None

    # --- one method per kind of event -----------------------------------------

    def _run_started(self, event: ev.RunStarted) -> None:
        self.start = self.start or event.started
        p = self.progress
        p.device, p.precision, p.state, p.total = (event.device, event.precision, "training",
                                                   len(event.books))
        p.threads = event.threads
        s = self.sessions
        s.books = list(dict.fromkeys([*s.books, *event.books]))
        s.book_paths = list(event.book_paths) or s.book_paths
        s.last, s.finished, s.failure, s.stopped_step = event, None, "", None

    def _book_started(self, event: ev.BookStarted) -> str:
        book = self.book(event.book)
        if book.series["train"].size == 0:
            book.offset = self.end_time()
        book.keep_through(event.start_step)  # a resumed book redoes what followed its save
        if event.budget == "steps":  # trained by time, a book's last step is not known
            self.last_step = max(self.last_step, event.max_iters)
        p = self.progress
        p.book, p.index, p.total, p.max_iters = event.book, event.index, event.total, \
            event.max_iters
        p.start_step = p.step = event.start_step
        p.budget, p.max_seconds = event.budget, event.max_seconds
        p.loss = p.val_loss = None
        p.tokens_per_s = 0.0  # the book before's pace is not this one's
        p.start_elapsed = p.elapsed = event.start_elapsed
        return event.book

    def _step(self, event: ev.StepLogged) -> str:
        book = self.book(event.book)
        self.last_step = max(self.last_step, event.step)
        t, wall = book.offset + event.elapsed, self._wall(event.time)
        book.series["train"].append(event.step, t, event.train_loss, wall)
        book.series["tokens"].append(event.step, t, event.tokens_per_s, wall)
        book.logged["lr"].append(event.step, t, event.lr, wall)
        if event.x_sparsity is not None:
            book.series["x_sparsity"].append(event.step, t, event.x_sparsity, wall)
            book.series["y_sparsity"].append(event.step, t, event.y_sparsity, wall)
        p = self.progress
        p.step, p.loss, p.tokens_per_s, p.elapsed = event.step, event.train_loss, \
            event.tokens_per_s, event.elapsed
        self.sessions.last_time = max(self.sessions.last_time, event.time)
        return event.book

    def _validation(self, event: ev.ValidationLogged) -> str:
        book = self.book(event.book)
        t, wall = book.offset + event.elapsed, self._wall(event.time)
        book.series["val"].append(event.step, t, event.val_loss, wall)
        book.logged["bits_per_byte"].append(event.step, t, event.bits_per_byte, wall)
        p = self.progress
        p.val_loss = event.val_loss
        if event.book == p.book and event.step >= p.step:  # the clock moves between log steps
            p.step, p.elapsed = event.step, max(p.elapsed, event.elapsed)
        self.sessions.last_time = max(self.sessions.last_time, event.time)
        self.sessions.val_loss[event.book] = event.val_loss
        return event.book

    def _book_finished(self, event: ev.BookFinished) -> None:
        if event.status == "partial":
            self.sessions.stopped_step = event.step
        if event.book == self.progress.book and event.step:
            self.progress.step = event.step  # saved where it stopped, past the last logged step
        if event.val_loss is not None:
            self.sessions.val_loss[event.book] = event.val_loss
        self.outcomes[event.book] = book_outcome(event)

    def _failed(self, event: ev.BookFailed | ev.RunFailed) -> None:
        self.sessions.failure = self.sessions.failure or event.message

    def _run_finished(self, event: ev.RunFinished) -> None:
        self.progress.state = "stopped" if event.stopped else "finished"
        self.sessions.finished = event
        self.sessions.duration += event.elapsed


def book_outcome(event: ev.BookFinished) -> tuple[str, str]:
    """The state a finished book is shown in ("trained", "partial"…), and its detail."""
    state = {"finished": "trained"}.get(event.status, event.status)
    detail = f"val loss {event.val_loss:.3f}" if event.val_loss is not None else ""
    if event.status == "failed":
        detail = event.message
    elif event.status == "finished" and event.message:  # why it ended before its budget
        detail = f"{detail}; {event.message}" if detail else event.message
    elif event.status == "partial":
        detail = f"stopped at step {event.step}" + (f", {detail}" if detail else "")
    return state, detail


FOLDS: dict[type, Callable[[RunState, ev.Event], str | None]] = {
    ev.RunStarted: RunState._run_started,
    ev.BookStarted: RunState._book_started,
    ev.StepLogged: RunState._step,
    ev.ValidationLogged: RunState._validation,
    ev.BookFinished: RunState._book_finished,
    ev.BookFailed: RunState._failed,
    ev.RunFailed: RunState._failed,
    ev.RunFinished: RunState._run_finished,
}

"""Growing point buffers and a run's events as curves.

numpy only, no Qt: tests and the background threads that read a run use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core import events as ev
from ..core.run.buffer import with_room

KINDS = ("train", "val", "tokens", "x_sparsity", "y_sparsity")


class Series:
    """x (step), t (training seconds), wall (seconds since the run began) and y, in arrays
    that double when full.

    Appending is O(1) amortised and reading is a view, so a curve of 100k
    points costs nothing per event and nothing to hand to pyqtgraph.
    """

    def __init__(self, capacity: int = 256):
        self._data = np.empty((4, capacity), dtype=np.float64)
        self.size = 0

    def append(self, step: float, elapsed: float, value: float,
               wall: float | None = None) -> None:
        """A point; without a wall time (a log from before they were kept) it is ``elapsed``."""
        self._data = with_room(self._data, self.size + 1)
        self._data[:, self.size] = (step, elapsed, elapsed if wall is None else wall, value)
        self.size += 1

    def keep_through(self, step: float) -> None:
        """Forget the points after ``step``: a book resumed from an earlier checkpoint
        trains them again."""
        self.size = int(np.searchsorted(self.steps, step, side="right"))

    @property
    def steps(self) -> np.ndarray:
        return self._data[0, : self.size]

    @property
    def elapsed(self) -> np.ndarray:
        return self._data[1, : self.size]

    @property
    def wall(self) -> np.ndarray:
        return self._data[2, : self.size]

    @property
    def values(self) -> np.ndarray:
        return self._data[3, : self.size]


@dataclass
class BookSeries:
    offset: float = 0.0  # training seconds of the run before this book started
    series: dict[str, Series] = field(default_factory=lambda: {k: Series() for k in KINDS})


class RunSeries:
    """A run's events as one series per book and kind, on three x axes.

    Training time runs on across the books of a run (each book starts where
    the last one ended); wall-clock time counts from the run's first start.
    """

    def __init__(self) -> None:
        self.books: dict[str, BookSeries] = {}
        self.start = 0.0  # Unix time the run began: the wall clock's zero
        self.last_step = 0  # planned of the books started, or the most any book took

    def handle(self, event: ev.Event) -> str | None:
        """Take ``event`` in; the book whose series it changed, if any."""
        if isinstance(event, ev.RunStarted):
            self.start = self.start or event.started
        elif isinstance(event, ev.BookStarted):
            book = self.book(event.book)
            if book.series["train"].size == 0:
                book.offset = self.end_time()
            for series in book.series.values():  # a resumed book redoes what followed its save
                series.keep_through(event.start_step)
            if event.budget == "steps":  # trained by time, a book's last step is not known
                self.last_step = max(self.last_step, event.max_iters)
            return event.book
        elif isinstance(event, ev.StepLogged):
            book = self.book(event.book)
            self.last_step = max(self.last_step, event.step)
            t, wall = book.offset + event.elapsed, self._wall(event.time)
            book.series["train"].append(event.step, t, event.train_loss, wall)
            book.series["tokens"].append(event.step, t, event.tokens_per_s, wall)
            if event.x_sparsity is not None:
                book.series["x_sparsity"].append(event.step, t, event.x_sparsity, wall)
                book.series["y_sparsity"].append(event.step, t, event.y_sparsity, wall)
            return event.book
        elif isinstance(event, ev.ValidationLogged):
            book = self.book(event.book)
            book.series["val"].append(event.step, book.offset + event.elapsed, event.val_loss,
                                      self._wall(event.time))
            return event.book
        return None

    def book(self, name: str) -> BookSeries:
        return self.books.setdefault(name, BookSeries())

    def end_time(self) -> float:
        ends = [b.series["train"].elapsed[-1] for b in self.books.values()
                if b.series["train"].size]
        return max(ends, default=0.0)

    def _wall(self, unix_time: float) -> float | None:
        """Seconds since the run began; None for logs from before events kept the time."""
        return unix_time - self.start if unix_time and self.start else None


def run_series(events) -> RunSeries:
    run = RunSeries()
    for event in events:
        run.handle(event)
    return run


def index_at(x: np.ndarray, at: float) -> int | None:
    """The last point of ascending ``x`` at or before ``at`` (never a later one), if any."""
    i = int(np.searchsorted(x, at, side="right")) - 1
    return i if i >= 0 else None

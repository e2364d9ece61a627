"""Growing point buffers: a book's curves as numpy arrays on three x axes.

numpy only: the window draws these arrays as they are, and the command line
writes them out (``runs compare --out x.csv``, ``export-tensorboard``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .buffer import with_room

KINDS = ("train", "val", "tokens", "x_sparsity", "y_sparsity")  # the curves a book draws
LOGGED = ("lr", "bits_per_byte")  # logged too, not drawn: export-tensorboard writes them


class Series:
    """x (step), t (training seconds), wall (seconds since the run began) and y, in arrays
    that double when full.

    Appending is O(1) amortised and reading is a view, so a curve of 100k
    points costs nothing per event and nothing to hand to pyqtgraph.
    """

    def __init__(self, capacity: int = 256):
        self._data = np.empty((4, capacity), dtype=np.float64)
        self.size = 0

    def append(self, step: float, elapsed: float, value: float | None,
               wall: float | None = None) -> None:
        """A point; without a wall time (a log from before they were kept) it is ``elapsed``.

        A value logged as null (a non-finite loss) is NaN again.
        """
        self._data = with_room(self._data, self.size + 1)
        self._data[:, self.size] = (step, elapsed, elapsed if wall is None else wall,
                                    math.nan if value is None else value)
        self.size += 1

    @classmethod
    def of(cls, steps: np.ndarray, elapsed: np.ndarray, values: np.ndarray,
           wall: np.ndarray) -> Series:
        """A series holding these points (a seed group's mean)."""
        series = cls(max(1, steps.size))
        series._data[:, : steps.size] = (steps, elapsed, wall, values)
        series.size = steps.size
        return series

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


def _series_of(kinds: tuple[str, ...]):
    return lambda: {k: Series() for k in kinds}


@dataclass
class BookSeries:
    offset: float = 0.0  # training seconds of the run before this book started
    series: dict[str, Series] = field(default_factory=_series_of(KINDS))
    logged: dict[str, Series] = field(default_factory=_series_of(LOGGED))

    def keep_through(self, step: float) -> None:
        """Forget every point after ``step`` (the book resumes from its checkpoint there)."""
        for series in (*self.series.values(), *self.logged.values()):
            series.keep_through(step)

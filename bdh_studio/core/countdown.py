"""How long a task has run and about how long it has left: what a person waiting on
minutes of work (a classifier run, a scan of a book) wants beside its progress bar.

The time left is told at the pace so far, and only once a few percent are done: a
task's first moments (loading the book models, sampling a book) show a fraction that
says nothing of its pace.
"""

from __future__ import annotations

import time
from typing import Callable

Clock = Callable[[], float]
ProgressListener = Callable[[float, str], None]
SETTLING = 0.05  # the fraction done before a pace is told


def duration(seconds: float) -> str:
    """m:ss, or h:mm:ss past an hour: a status line's clock."""
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Countdown:
    """Started with the task; ``clock`` is a monotonic clock (a test passes its own)."""

    def __init__(self, clock: Clock = time.monotonic, settling: float = SETTLING) -> None:
        self._clock = clock
        self._settling = settling
        self._start = clock()

    def elapsed(self) -> float:
        return self._clock() - self._start

    def left(self, fraction: float) -> float | None:
        """Seconds left at the pace so far; None until ``settling`` of the work is done."""
        if fraction >= 1.0:
            return 0.0
        if fraction < self._settling:
            return None
        return self.elapsed() * (1.0 - fraction) / fraction

    def text(self, fraction: float) -> str:
        """"0:42 elapsed, about 1:10 left"; the elapsed time alone before a pace is told,
        and at the end, where it says how long the task took."""
        elapsed, left = f"{duration(self.elapsed())} elapsed", self.left(fraction)
        return elapsed if left is None or fraction >= 1.0 else \
            f"{elapsed}, about {duration(left)} left"


def timed(listener: ProgressListener, clock: Clock = time.monotonic) -> ProgressListener:
    """``listener`` with the time elapsed and left after each message; the countdown starts
    now, so make it where the task starts."""
    countdown = Countdown(clock)
    return lambda fraction, message: listener(fraction,
                                              f"{message} · {countdown.text(fraction)}")

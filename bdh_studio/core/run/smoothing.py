"""How a noisy loss curve is smoothed: TensorBoard's debiased EMA, a centred moving window,
or the min–max envelope of the raw points around that window's mean.

Every kind is extended by a live curve's new points only, and none moves a
point once it is drawn: the EMA looks back only, and a centred window draws a
point only once the points after it that its window needs have arrived (the
line stops ``half`` points short of the newest; nothing at the right edge is
guessed and then redrawn).  Non-finite values (a diverging run's) are shown
as they are and passed over by their neighbours' smoothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d
from scipy.signal import lfilter

from .buffer import with_room

EMA, WINDOW, ENVELOPE = "ema", "window", "envelope"
KINDS = {EMA: "EMA (debiased)", WINDOW: "Centred window", ENVELOPE: "Min–max envelope"}
MAX_AMOUNT = 99  # the EMA weight in hundredths; a window's half-width in points


@dataclass(frozen=True)
class Smoothing:
    kind: str = EMA
    amount: int = 60

    def describe(self) -> str:
        """"0.60", "±12 points": the amount as its kind means it."""
        return f"{self.amount / 100:.2f}" if self.kind == EMA else f"±{self.amount} points"


@dataclass
class Smooth:
    """The drawn line and, for an envelope, its bounds; as long as the points drawn so far."""
    line: np.ndarray
    low: np.ndarray | None = None
    high: np.ndarray | None = None


class Smoother:
    """One curve's smoothing of any kind, extended by the new points of a growing series."""

    def __init__(self) -> None:
        self._ema = Smoothed()
        self._window = Windowed()

    def of(self, values: np.ndarray, smoothing: Smoothing) -> Smooth:
        """Views valid until the next call; ``values`` only grows between calls."""
        if smoothing.kind == EMA:
            return Smooth(self._ema.of(values, smoothing.amount / 100))
        mean, low, high = self._window.of(values, smoothing.amount)
        return Smooth(mean, low, high) if smoothing.kind == ENVELOPE else Smooth(mean)


class Smoothed:
    """TensorBoard's smoothing of a growing series, extended by the new points only.

    With weight w, s_i = w*s_{i-1} + (1-w)*v_i from s_{-1} = 0, shown as
    s_i / (1 - w^(i+1)): the start-up bias toward 0 is divided out, so the
    first point is the first value.  A live curve gains a few points a
    redraw, so smoothing them alone (lfilter carries the EMA over, in C)
    keeps a 100k-point curve's redraw as cheap as a short one's; a new weight
    smooths the whole series again, once.
    """

    def __init__(self) -> None:
        self._out = np.empty(256)
        self._restart(0.0)

    def _restart(self, weight: float) -> None:
        self.weight = weight
        self.size = 0  # points of the series smoothed so far
        self._ema = 0.0  # s_i of the last finite value, biased
        self._count = 0  # finite values so far

    def of(self, values: np.ndarray, weight: float) -> np.ndarray:
        """The smoothed ``values``; only points past those of the last call are computed.

        ``values`` must start with the points of the last call (a Series only
        grows); the result is a view, valid until the next call.
        """
        if weight != self.weight or values.size < self.size:
            self._restart(weight)
        if values.size > self.size:
            self._out = with_room(self._out, values.size)
            self._out[self.size: values.size] = self._extend(values[self.size:])
            self.size = values.size
        return self._out[: self.size]

    def _extend(self, new: np.ndarray) -> np.ndarray:
        """The smoothed ``new`` points; a loss is finite but for a diverging run's."""
        finite = np.isfinite(new)
        if self.weight <= 0 or not finite.any():
            return new
        w = self.weight
        values = new if finite.all() else new[finite]
        ema, (carry,) = lfilter([1 - w], [1, -w], values, zi=[w * self._ema])
        self._debias(ema)
        self._ema, self._count = carry / w, self._count + ema.size
        if values is new:
            return ema
        out = new.copy()
        out[finite] = ema
        return out

    def _debias(self, ema: np.ndarray) -> None:
        """Divide the start-up bias 1 - w^i out of ``ema`` (its i-th finite value counting from 1).

        Past w^i < 1e-16 the bias is 1.0 in doubles, so only the first points
        of a series are divided.
        """
        log_w = np.log(self.weight)
        horizon = int(np.ceil(37 / -log_w))  # w^horizon < e^-37 ~ 1e-16
        i = np.arange(self._count + 1, min(self._count + ema.size, horizon) + 1)
        ema[: i.size] /= -np.expm1(i * log_w)


class Windowed:
    """The mean, min and max of each point's centred window of 2*half+1 raw points.

    Near the start the window holds the points there are; a point is given
    only once its whole window to the right has arrived, so it never changes.
    """

    def __init__(self) -> None:
        self._out = np.empty((3, 256))
        self.half, self.size = 0, 0

    def of(self, values: np.ndarray, half: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if half != self.half or values.size < self.size:
            self.half, self.size = half, 0
        ready = max(values.size - half, 0)  # points whose window is complete
        if ready > self.size:
            start = max(self.size - half, 0)  # the first value the new points' windows hold
            stats = window_stats(values[start: ready + half], half)
            self._out = with_room(self._out, ready)
            self._out[:, self.size: ready] = stats[:, self.size - start: ready - start]
            self.size = ready
        return self._out[0, : self.size], self._out[1, : self.size], self._out[2, : self.size]


def window_stats(values: np.ndarray, half: int) -> np.ndarray:
    """Rows mean, min, max of each point's window, cut at both ends of ``values``.

    O(n) whatever the width: running sums for the mean, van Herk's filter for
    the extremes (padding with the edge value cuts the window for min and max).
    """
    finite = np.isfinite(values)
    clean = np.where(finite, values, 0.0)
    sums = np.concatenate(([0.0], np.cumsum(clean)))
    counts = np.concatenate(([0], np.cumsum(finite)))
    i = np.arange(values.size)
    lo, hi = np.maximum(i - half, 0), np.minimum(i + half + 1, values.size)
    n = counts[hi] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (sums[hi] - sums[lo]) / n
    size = 2 * half + 1
    low = minimum_filter1d(np.where(finite, values, np.inf), size, mode="nearest")
    high = maximum_filter1d(np.where(finite, values, -np.inf), size, mode="nearest")
    stats = np.stack([mean, low, high])
    stats[:, n == 0] = np.nan
    stats[:, ~finite] = values[~finite]  # a diverged point is shown as it is
    return stats

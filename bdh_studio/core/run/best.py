"""The best validation loss a book reached and the step it reached it at: a run's worth is
its best point, not its last (a run that overfits ends worse than it was)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Best:
    loss: float
    step: int


def best_so_far(steps: np.ndarray, values: np.ndarray) -> Best | None:
    """The lowest finite value and its step (the earliest, on a tie); None without one."""
    finite = np.isfinite(values)
    if not finite.any():
        return None
    i = int(np.argmin(np.where(finite, values, np.inf)))
    return Best(float(values[i]), int(steps[i]))


def running_best(values: np.ndarray) -> np.ndarray:
    """The best finite value up to each point (NaN before the first finite one)."""
    finite = np.where(np.isfinite(values), values, np.nan)
    return np.fmin.accumulate(finite) if finite.size else finite

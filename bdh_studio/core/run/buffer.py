"""Arrays that grow by doubling, so a live curve appends in O(1) and hands out views."""

from __future__ import annotations

import numpy as np


def with_room(data: np.ndarray, size: int) -> np.ndarray:
    """``data`` if its last axis holds ``size`` columns, else a copy at least twice as wide.

    Doubling makes appending O(1) amortised, and the arrays handed out
    before stay valid: they view the old buffer, whose points never change.
    """
    capacity = data.shape[-1]
    if size <= capacity:
        return data
    grown = np.empty(data.shape[:-1] + (max(size, 2 * capacity),), dtype=data.dtype)
    grown[..., :capacity] = data
    return grown

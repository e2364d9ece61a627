"""Where the cursor is on a curve (core.run.series holds the curves).

numpy only, no Qt.
"""

from __future__ import annotations

import numpy as np


def index_at(x: np.ndarray, at: float) -> int | None:
    """The last point of ascending ``x`` at or before ``at`` (never a later one), if any."""
    i = int(np.searchsorted(x, at, side="right")) - 1
    return i if i >= 0 else None

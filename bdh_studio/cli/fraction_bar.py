"""A tqdm bar on stderr fed by the engine's (fraction, message) reports, with time left.

``classify`` and ``inspect`` report fractions of a task that can take minutes;
their bars said the time elapsed alone.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

FORMAT = "{percentage:3.0f}%|{bar:24}| {elapsed}<{remaining} {desc}"


class FractionBar:
    """Made at the first report, so an input refused before any work stays one line."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.bar: tqdm | None = None

    def __call__(self, fraction: float, message: str) -> None:
        if self.bar is None:
            self.bar = tqdm(total=100, file=sys.stderr, dynamic_ncols=True, bar_format=FORMAT)
        self.bar.update(round(100 * fraction) - self.bar.n)
        self.bar.set_description_str(self.prefix + message)

    def __enter__(self) -> "FractionBar":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()

"""How an inspection says how far it is, and where its caller may stop it.

Every inspection calls ``progress(fraction, message)`` once per unit of its
work (a batch of chunks, a layer, a block of the graph).  A caller that runs
it as a task passes a callback that calls ``TaskControl.check`` first: a
cancel raises there, and the inspection ends within one unit.
"""

from __future__ import annotations

from typing import Callable

Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """The progress callback of a caller that does not listen."""

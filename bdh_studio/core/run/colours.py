"""A colour per run, the same in every view and across launches.

A run's colour is chosen once, when it is created (the one its siblings use
least), and stored in its notes; a run that never had one (made before colours
were kept) gets one from its start time, which never changes, not from its
position in a list, which does.
"""

from __future__ import annotations

import contextlib
import zlib
from pathlib import Path

from ..errors import UserError
from .notes import NOTES, read_notes, write_notes

# Tableau 10: distinct, colour-blind-friendly enough, readable on white.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def fallback_colour(key: str) -> str:
    """A palette colour fixed by ``key`` (a run's start time): stable, no file written."""
    return PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def run_colour(stored: str | None, started: float, name: str) -> str:
    """The run's colour: stored, else fixed by when it started (or its name, if it never did)."""
    return stored or fallback_colour(repr(float(started)) if started else name)


def new_colour(used: list[str]) -> str:
    """The palette colour the fewest of ``used`` (the other runs' colours) have, first first."""
    counts = {c: 0 for c in PALETTE}
    for colour in used:
        if colour in counts:
            counts[colour] += 1
    return min(PALETTE, key=lambda c: counts[c])


def give_colour(folder: Path) -> None:
    """Store a colour for a new run (one its siblings in the runs root use least).

    A run that has notes keeps them; a folder that cannot be written keeps
    no colour and still trains (it is drawn in its fallback colour).
    """
    if (folder / NOTES).exists():
        return
    with contextlib.suppress(OSError, UserError):
        used = [read_notes(p)[0].colour for p in folder.parent.iterdir()
                if p != folder and (p / NOTES).is_file()]
        notes, _ = read_notes(folder)
        notes.colour = new_colour([c for c in used if c])
        write_notes(folder, notes)

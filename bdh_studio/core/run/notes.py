"""A run's notes, tags and colour: what a researcher writes about a run, kept in its folder.

They live in ``notes.json`` beside ``config.json``, so they follow the folder
through a rename, a copy or another machine.  The file is replaced whole
(temp file, fsync, rename), never rewritten in place, so a writer killed at
any instant leaves the old notes or the new ones, never a torn file.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import TMP_SUFFIX, is_temporary, write_whole
from ..errors import UserError

NOTES = "notes.json"
STALE_TEMP_SECONDS = 60.0  # a temp file this old was left by a killed writer


@dataclass
class RunNotes:
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    colour: str | None = None  # "#rrggbb", kept so the run looks the same in every view

    def to_dict(self) -> dict:
        return {"notes": self.notes, "tags": list(self.tags), "colour": self.colour}


class NotesError(ValueError):
    """The notes file exists but cannot be used; its text says why and what to do."""


def clean_tags(tags) -> list[str]:
    """Tags as typed ("a, b  c" or a list): stripped, no blanks, no repeats, in order."""
    if isinstance(tags, str):
        tags = tags.replace(",", " ").split()
    return list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))


def parse_notes(values) -> RunNotes:
    """RunNotes from a notes file's JSON, or NotesError naming what is wrong."""
    if not isinstance(values, dict):
        raise NotesError("not a JSON object")
    notes, tags, colour = values.get("notes", ""), values.get("tags", []), values.get("colour")
    if not isinstance(notes, str):
        raise NotesError('"notes" is not text')
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise NotesError('"tags" is not a list of text')
    if colour is not None and not (isinstance(colour, str) and is_colour(colour)):
        raise NotesError('"colour" is not a #rrggbb colour')
    return RunNotes(notes, clean_tags(tags), colour)


def is_colour(text: str) -> bool:
    return len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF"
                                                     for c in text[1:])


def read_notes(folder: str | Path) -> tuple[RunNotes, str]:
    """A run's notes, and what is wrong with its notes file ("" when nothing).

    A damaged file gives empty notes and the reason; it never hides the run.
    """
    path = Path(folder) / NOTES
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return RunNotes(), ""
    except (OSError, UnicodeDecodeError) as exc:
        return RunNotes(), f"{NOTES}: cannot be read ({getattr(exc, 'strerror', None) or exc})"
    try:
        return parse_notes(json.loads(text)), ""
    except (ValueError, NotesError) as exc:
        reason = exc if isinstance(exc, NotesError) else "not JSON"
        return RunNotes(), (f"{NOTES} is damaged ({reason}); saving the notes again "
                            f"replaces it")


def write_notes(folder: str | Path, notes: RunNotes) -> None:
    """Replace the run's notes file whole, synced to the disk before the rename (UserError
    naming the file when it cannot be written, the old notes intact)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such run folder; the notes were not saved")
    data = json.dumps(notes.to_dict(), indent=2, ensure_ascii=False) + "\n"
    write_whole(folder / NOTES, lambda tmp: tmp.write_text(data, encoding="utf-8"), sync=True)
    _remove_stale_temps(folder)


def _remove_stale_temps(folder: Path) -> None:
    """Temporaries that killed writers left; a live writer's is younger than a minute."""
    now = time.time()
    for temp in folder.glob(f".{NOTES}.*{TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if is_temporary(temp) and now - temp.stat().st_mtime > STALE_TEMP_SECONDS:
                temp.unlink()

"""What a new run folder is called, on every system."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from ..config import TrainConfig
from .settings import preset_name


SKIPPED_WORDS = {"the", "a", "an", "le", "la", "les", "der", "die", "das"}
TAG_LETTERS = 10  # of each book's word in the tag
TAG_BOOKS = 2  # named in the tag; the others are counted


def book_tag(books: list[str]) -> str:
    """"Glass, Salt +1": each book's first telling word, short, so a name stays readable
    in a legend, a list and a title bar."""
    words = []
    for book in books[:TAG_BOOKS]:
        telling = [w for w in re.findall(r"\w+", book) if w.lower() not in SKIPPED_WORDS]
        words.append((telling or [book or "book"])[0][:TAG_LETTERS])
    more = f" +{len(books) - TAG_BOOKS}" if len(books) > TAG_BOOKS else ""
    return ", ".join(words) + more


def default_run_name(books: list[str], config: TrainConfig, now: float) -> str:
    """"tiny · 2026-11-29 18-30 · Glass, Salt +1": what a new run is called unless renamed;
    the preset and date first, where a list or a legend cut short still tells runs apart."""
    stamp = datetime.datetime.fromtimestamp(now).strftime("%Y-%m-%d %H-%M")
    return safe_name(f"{preset_name(config)} · {stamp} · {book_tag(books)}")


def safe_name(name: str) -> str:
    """A folder name on every system: no separators or characters Windows refuses."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip().rstrip(".")
    return cleaned[:120] or "run"


def new_run_folder(root: Path, name: str) -> Path:
    """``root/name``, or ``root/name (2)``… if that is taken."""
    base, n = safe_name(name), 1
    folder = root / base
    while folder.exists():
        n += 1
        folder = root / f"{base} ({n})"
    return folder

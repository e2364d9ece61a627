"""How surprising each character of a text is to its book's model: what the window shades.

The model reads bytes, a person reads characters.  A character of several
UTF-8 bytes gets the sum of its bytes' losses: by the chain rule that is
-log p(character), so an accented letter is as comparable as a plain one
(its continuation bytes are nearly free; the first byte carries the choice).
"""

from __future__ import annotations

import re

import numpy as np

from .control import TaskControl
from .features import BookModel, byte_surprise


def per_character(text: str, byte_losses: np.ndarray) -> np.ndarray:
    """Byte losses summed over each character's UTF-8 bytes: one value per character."""
    if not text:
        return np.zeros(0, dtype=np.float32)
    widths = np.array([len(ch.encode("utf-8")) for ch in text])
    if widths.sum() != len(byte_losses):
        raise ValueError(f"{len(byte_losses)} losses for a text of {widths.sum()} bytes")
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    return np.add.reduceat(np.asarray(byte_losses, dtype=np.float32), starts)


def char_surprise(book: BookModel, text: str, control: TaskControl | None = None) -> np.ndarray:
    """Each character's loss in nats under the book's model; a cancel ends it between batches."""
    with book.runtime.autocast():
        return per_character(text, byte_surprise(book.model, text, book.block_size, control))


def surprising_words(text: str, char_nats: np.ndarray, n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` words that cost the model most in all (nats), dearest first.

    A whole word's cost, not its mean: an unexpected name or place is where a
    backstory is most likely to part from its book.
    """
    words = [(m.group(), float(char_nats[m.start():m.end()].sum()))
             for m in re.finditer(r"\w+", text)]
    return sorted(words, key=lambda word: -word[1])[:n]

"""Text in, text out: sampling from a book model for people, not tensors.

The text streams: it comes in pieces a reader can show as they arrive, a
piece every ``every`` seconds rather than one per byte, so a window's event
queue or a terminal is not flooded with single bytes.
"""

from __future__ import annotations

import codecs
import contextlib
import math
import time
from dataclasses import dataclass
from typing import Iterator

import torch

from .control import TaskControl
from .model import BDH
from .runtime import Runtime

EVERY = 0.05  # seconds between two pieces of a stream


@dataclass(frozen=True)
class Piece:
    """The text generated since the last piece, and how far the whole sample has come."""
    text: str
    bytes_done: int
    seconds: float

    @property
    def bytes_per_second(self) -> float:
        return self.bytes_done / max(self.seconds, 1e-9)


def check_settings(model: BDH, length: int, temperature: float, top_k: int | None) -> None:
    """Raise ValueError, with what is allowed, for settings sampling cannot use."""
    if length < 0:
        raise ValueError(f"length must be 0 or more, not {length}")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a finite number above 0, not {temperature}")
    if top_k is not None and not 1 <= top_k <= model.config.vocab_size:
        raise ValueError(f"top-k must be between 1 and {model.config.vocab_size}, not {top_k}")


def text_bytes(text: str) -> bytes:
    """A text's UTF-8, with the bytes a command line could not decode given back as they were.

    Python decodes arguments that are not UTF-8 to lone surrogates
    ("surrogateescape"); a byte-level model reads the bytes themselves.  Any
    other lone surrogate is not text: ValueError says where it is.
    """
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        raise ValueError(f"the text holds a lone surrogate U+{ord(text[exc.start]):04X} at "
                         f"character {exc.start}, which is not text; remove it") from None


def prompt_bytes(prompt: str) -> bytes:
    """What the model continues: the prompt's bytes, or a new line for an empty prompt."""
    return text_bytes(prompt) or b"\n"


def shown(data: bytes) -> str:
    """Bytes as a person reads them: UTF-8, and any byte that is not as a \\x.. escape."""
    return data.decode("utf-8", "backslashreplace")


def stream_text(model: BDH, prompt: str, length: int, temperature: float = 0.8,
                top_k: int | None = None, generator: torch.Generator | None = None,
                runtime: Runtime | None = None, control: TaskControl | None = None,
                every: float = EVERY) -> Iterator[Piece]:
    """The ``length`` bytes sampled after ``prompt`` (the prompt itself not repeated), in pieces.

    A byte-level model can stop in the middle of a UTF-8 character or invent
    an invalid one; those bytes show as ``\\x..`` escapes, so a person sees
    what the model wrote instead of "\\ufffd".  ``control`` may pause or
    cancel between two bytes; the model runs under ``runtime``'s precision.
    """
    check_settings(model, length, temperature, top_k)
    device = next(model.parameters()).device
    idx = torch.tensor([list(prompt_bytes(prompt))], dtype=torch.long, device=device)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="backslashreplace")
    pending, done = bytearray(), 0
    start = last = time.perf_counter()
    with runtime.autocast() if runtime is not None else contextlib.nullcontext():
        for byte in model.stream(idx, length, temperature, top_k, generator):
            if control is not None:
                control.check()
            pending.append(int(byte[0, 0]))
            done += 1
            now = time.perf_counter()
            if now - last >= every:
                yield Piece(decoder.decode(bytes(pending)), done, now - start)
                pending.clear()
                last = now
    yield Piece(decoder.decode(bytes(pending), final=True), done, time.perf_counter() - start)


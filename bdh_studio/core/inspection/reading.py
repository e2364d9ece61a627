"""A book sample read by a model: fixed chunks spread over the book, streamed in batches.

Each chunk is read on its own, as training reads a block, so a neuron's
activation at a byte depends only on the chunk's bytes before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from ..corpus import Book
from ..errors import UserError
from ..model import BDH
from .activity import KINDS, LayerTap, device_of
from .progress import Progress, no_progress

DEFAULT_SAMPLE_BYTES = 200_000
DEFAULT_BLOCK = 512


@dataclass(frozen=True)
class BookSample:
    """``chunks[c]`` is the book's bytes from ``starts[c]``; all chunks one length."""
    name: str
    sha256: str
    chunks: np.ndarray  # (C, T) uint8
    starts: np.ndarray  # (C,) int64 offsets in the book (after any byte-order mark)

    @property
    def block(self) -> int:
        return self.chunks.shape[1]

    @property
    def n_bytes(self) -> int:
        return self.chunks.size

    def locate(self, flat: int) -> tuple[int, int]:
        """(chunk, offset in it) of a position counted over the flattened chunks."""
        return divmod(int(flat), self.block)

    def context(self, flat: int, before: int = 48, after: int = 16) -> tuple[bytes, int, bytes]:
        """The bytes the model had read at ``flat``, that byte, and a few that follow."""
        c, t = self.locate(flat)
        row = self.chunks[c].tobytes()
        return row[max(0, t - before): t], row[t], row[t + 1: t + 1 + after]


def sample_book(path: str | Path, n_bytes: int = DEFAULT_SAMPLE_BYTES,
                block: int = DEFAULT_BLOCK) -> BookSample:
    """About ``n_bytes`` of a book in chunks of ``block`` bytes, evenly spread over it."""
    if n_bytes < 1 or block < 2:
        raise UserError(f"a book sample needs at least one byte and a block of 2 or more "
                        f"(got {n_bytes} bytes, block {block})")
    book = Book(path, val_fraction=0.0)
    data = book.data
    block = min(block, len(data))
    count = max(1, min(n_bytes // block, len(data) // block))
    starts = np.linspace(0, len(data) - block, count).round().astype(np.int64)
    chunks = np.stack([np.asarray(data[s: s + block]) for s in starts])
    return BookSample(book.name, book.sha256, chunks, starts)


def check_layer_kind(model: BDH, layer: int, kind: str) -> None:
    if not 0 <= layer < model.config.n_layer:
        raise UserError(f"layer {layer} does not exist; this model has layers 0 to "
                        f"{model.config.n_layer - 1}")
    if kind not in KINDS:
        raise UserError(f"unknown activation {kind!r}; choose one of {', '.join(KINDS)}")


def read_chunks(model: BDH, sample: BookSample, chunk_ids: np.ndarray, layer: int, kind: str,
                batch: int = 16, progress: Progress = no_progress,
                message: str = "reading the book") -> Iterator[tuple[np.ndarray, torch.Tensor]]:
    """(chunk ids, activations (len(ids) * T, n)) batch by batch, without gradients.

    Row ``i * T + t`` of a batch's activations is byte t of chunk ``ids[i]``;
    column j is neuron j = h * N + k.  A layer depends only on the layers before
    it, so each forward stops at ``layer``.
    """
    check_layer_kind(model, layer, kind)
    device = device_of(model)
    total = len(chunk_ids)
    for start in range(0, total, batch):
        ids = chunk_ids[start: start + batch]
        tap = LayerTap(layer, kind)
        idx = torch.from_numpy(sample.chunks[ids].astype(np.int64)).to(device)
        with torch.no_grad():
            model.hidden(idx, probe=tap, layers=layer + 1)
        yield ids, tap.value.permute(0, 2, 1, 3).flatten(0, 1).flatten(1)  # B*T, H*N
        done = min(start + batch, total)
        progress(done / total, f"{message}: {done:,} of {total:,} chunks")

"""What a neuron means: its top contexts over a book sample, how and on what it fires.

One streamed pass over the sample keeps, per neuron, the top-k activations
with where they were, a histogram of its activations on quarter-octave bins,
and how often it fired on each byte value; nothing per position is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..model import BDH
from . import cache
from .progress import Progress, no_progress
from .reading import BookSample, read_chunks

# The histogram's bins are read off a float32's bits: its exponent and the two
# leading mantissa bits, so each octave splits into four bins (edges at 1, 1.25,
# 1.5, 1.75 times a power of two) and a value's bin is one shift of its bits,
# no logarithm.  Bucket 0 holds exact zeros (a ReLU that did not fire), bucket
# 1 the values in (0, EDGES[1]), bucket i in 2..len(EDGES)-1 holds
# [EDGES[i-1], EDGES[i]), and the last bucket everything from EDGES[-1] up.
_SHIFT = 21  # 23 mantissa bits less the two kept
_LOW, _HIGH = (127 - 14) << 2, (127 + 7) << 2  # bins 2**-14 .. 2**7
EDGES = torch.cat([torch.zeros(1),
                   (torch.arange(_LOW, _HIGH + 1, dtype=torch.int32) << _SHIFT).view(torch.float32)])


def _bins(acts: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Each activation's bucket, except that zeros share bucket 1 with (0, EDGES[1]).

    A shift and a clamp of the float bits cost a tenth of a logarithm, which
    made the scan's own work as large as half a forward.
    """
    torch.bitwise_right_shift(acts.view(torch.int32), _SHIFT, out=out)
    return out.clamp_(_LOW - 1, _HIGH).sub_(_LOW - 2)


@dataclass(frozen=True)
class ScanSettings:
    layer: int
    kind: str = "x"
    top_k: int = 10

    def to_dict(self) -> dict:
        return {"layer": self.layer, "kind": self.kind, "top_k": self.top_k}


@dataclass(frozen=True)
class Context:
    before: bytes
    byte: int
    after: bytes
    value: float
    book_offset: int

    def text(self, marker: str = "[]") -> str:
        """The context as text with the firing byte between the two marker characters."""
        fired = bytes([self.byte]).decode("utf-8", "replace")
        return (self.before.decode("utf-8", "replace") + marker[0] + fired + marker[1]
                + self.after.decode("utf-8", "replace"))


@dataclass
class NeuronScan:
    """Per neuron j (= head * N + index): its top activations and firing statistics."""
    settings: ScanSettings
    sample: BookSample
    n_sparse: int
    top_values: np.ndarray     # (n, k), descending
    top_positions: np.ndarray  # (n, k), flat positions in the sample
    histogram: np.ndarray      # (n, len(EDGES) + 1) counts
    byte_fires: np.ndarray     # (n, 256) how often the neuron fired on each byte value

    @property
    def n_neurons(self) -> int:
        return self.top_values.shape[0]

    def firing_rate(self) -> np.ndarray:
        """Per neuron, the share of the sample's bytes where it was above zero."""
        return 1.0 - self.histogram[:, 0] / self.sample.n_bytes

    def selectivity(self) -> np.ndarray:
        """Per neuron, the share of its firings on the byte value it fires on most: 1 when
        it fires on one byte value only, 0 when it never fires."""
        fires = self.byte_fires.sum(axis=1)
        return np.divide(self.byte_fires.max(axis=1), fires, out=np.zeros(len(fires)),
                         where=fires > 0)

    def contexts(self, neuron: int) -> list[Context]:
        out = []
        for value, flat in zip(self.top_values[neuron], self.top_positions[neuron]):
            if value <= 0:
                break  # fewer firings than k
            before, byte, after = self.sample.context(flat)
            c, t = self.sample.locate(flat)
            out.append(Context(before, byte, after, float(value), int(self.sample.starts[c] + t)))
        return out

    def top_bytes(self, neuron: int, m: int = 5) -> list[tuple[int, int]]:
        """The byte values it fired on most, with how often."""
        counts = self.byte_fires[neuron]
        order = np.argsort(-counts, kind="stable")[:m]
        return [(int(b), int(counts[b])) for b in order if counts[b] > 0]

    def to_dict(self) -> dict:
        """Tensors and plain values only, so the cache reads it back with weights_only."""
        s = self.sample
        return {"settings": self.settings.to_dict(), "n_sparse": self.n_sparse,
                "book": {"name": s.name, "sha256": s.sha256},
                "chunks": torch.from_numpy(s.chunks), "starts": torch.from_numpy(s.starts),
                **{name: torch.from_numpy(getattr(self, name)) for name in
                   ("top_values", "top_positions", "histogram", "byte_fires")}}

    @classmethod
    def from_dict(cls, d: dict) -> "NeuronScan":
        sample = BookSample(d["book"]["name"], d["book"]["sha256"], d["chunks"].numpy(),
                            d["starts"].numpy())
        return cls(ScanSettings(**d["settings"]), sample, d["n_sparse"],
                   *(d[name].numpy() for name in
                     ("top_values", "top_positions", "histogram", "byte_fires")))

    def neuron_json(self, neuron: int) -> dict:
        return {"neuron": neuron, "head": neuron // self.n_sparse,
                "index": neuron % self.n_sparse,
                "firing_rate": float(self.firing_rate()[neuron]),
                "top_bytes": [{"byte": b, "fires": c} for b, c in self.top_bytes(neuron)],
                "histogram": self.histogram[neuron].tolist(),
                "top_contexts": [{"value": c.value, "book_offset": c.book_offset,
                                  "before": c.before.decode("utf-8", "replace"),
                                  "byte": c.byte,
                                  "after": c.after.decode("utf-8", "replace")}
                                 for c in self.contexts(neuron)]}

    def to_json(self) -> dict:
        """The ``inspect --neurons`` document."""
        return {"book": self.sample.name, "book_sha256": self.sample.sha256,
                "sample_bytes": self.sample.n_bytes, "block": self.sample.block,
                **self.settings.to_dict(),
                "histogram_edges": EDGES.tolist(),
                "neurons": [self.neuron_json(j) for j in range(self.n_neurons)]}


class _Accumulator:
    """The running top-k and counts of a scan, updated one batch at a time.

    A pass over a batch's (R, n) activations costs about a fiftieth of its
    forward, so each statistic takes one or two: the top-k looks only at the
    neurons where something beat their k-th best (after the first batches, a
    few); the zero bucket is worked out at the end from the firing counts.
    The (R, n) temporaries are written into two buffers kept for the whole
    scan: a fresh 4 MB tensor a batch is a fresh mapping whose pages fault in.
    """

    def __init__(self, n: int, k: int, device: torch.device):
        self.rows = 0
        self.values = torch.full((k, n), -1.0, device=device)  # descending; -1: none yet
        self.positions = torch.zeros((k, n), dtype=torch.long, device=device)
        self.counts = torch.zeros((len(EDGES) + 1) * n, dtype=torch.long, device=device)
        self.byte_fires = torch.zeros(256, n, dtype=torch.float32, device=device)
        self.columns = torch.arange(n, device=device, dtype=torch.int32)
        self._bins = self._fired = torch.empty(0, device=device)

    def add(self, acts: torch.Tensor, positions: torch.Tensor, byte_values: torch.Tensor) -> None:
        """``acts`` (R, n), float32 and non-negative, at flat ``positions`` (R,) reading
        ``byte_values`` (R,)."""
        self.rows += acts.size(0)
        if self._bins.shape != acts.shape:  # the first batch, or a short last one
            self._bins = torch.empty_like(acts, dtype=torch.int32)
            self._fired = torch.empty_like(acts)
        self._merge_top(acts, positions)
        flat = _bins(acts, self._bins).mul_(acts.size(1)).add_(self.columns)
        self.counts += torch.bincount(flat.flatten(), minlength=self.counts.numel())
        self.byte_fires.index_add_(0, byte_values, torch.sign(acts, out=self._fired))

    def _merge_top(self, acts: torch.Tensor, positions: torch.Tensor) -> None:
        columns = (acts.amax(0) > self.values[-1]).nonzero().squeeze(1)
        if columns.numel() == 0:
            return
        acts = acts.index_select(1, columns)
        values, rows = torch.topk(acts, min(len(self.values), len(acts)), dim=0)
        values = torch.cat((self.values[:, columns], values))
        where = torch.cat((self.positions[:, columns], positions[rows]))
        best, keep = torch.topk(values, len(self.values), dim=0)
        self.values[:, columns] = best
        self.positions[:, columns] = where.gather(0, keep)

    def histogram(self) -> torch.Tensor:
        """(n, len(EDGES) + 1) counts, with the zeros taken out of bucket 1."""
        counts = self.counts.view(len(EDGES) + 1, -1).clone()
        zeros = self.rows - self.byte_fires.sum(0).round().long()
        counts[0] = zeros
        counts[1] -= zeros
        return counts.T


@torch.no_grad()
def scan_neurons(model: BDH, sample: BookSample, settings: ScanSettings, batch: int = 16,
                 progress: Progress = no_progress) -> NeuronScan:
    """Read the whole sample once, keeping each neuron's top-k contexts and statistics."""
    n = model.config.n_head * model.config.n_sparse
    T = sample.block
    acc = None
    offsets = None
    chunk_ids = np.arange(len(sample.chunks))
    for ids, acts in read_chunks(model, sample, chunk_ids, settings.layer, settings.kind, batch,
                                 progress, "scanning the neurons"):
        if acc is None:
            acc = _Accumulator(n, settings.top_k, acts.device)
            offsets = torch.arange(T, device=acts.device)
        ids_t = torch.from_numpy(ids).to(acts.device)
        positions = (ids_t[:, None] * T + offsets).flatten()
        byte_values = torch.from_numpy(sample.chunks[ids].astype(np.int64)).to(acts.device)
        acc.add(acts.float(), positions, byte_values.flatten())
    return NeuronScan(settings, sample, model.config.n_sparse,
                      acc.values.T.cpu().numpy(), acc.positions.T.cpu().numpy(),
                      acc.histogram().cpu().numpy(),
                      acc.byte_fires.T.cpu().numpy().round().astype(np.int64))


def cached_scan(model: BDH, model_digest: str, sample: BookSample, settings: ScanSettings,
                folder=None, batch: int = 16, progress: Progress = no_progress) -> NeuronScan:
    """``scan_neurons``, or its stored result for the same checkpoint, book sample and settings."""
    name = cache.key("neurons", model=model_digest, book=sample.sha256, block=sample.block,
                     sample_bytes=sample.n_bytes, **settings.to_dict())
    stored = cache.load(folder, name)
    if stored is not None:
        progress(1.0, "the scan of this model and book was cached")
        return NeuronScan.from_dict(stored)
    result = scan_neurons(model, sample, settings, batch, progress)
    cache.store(folder, name, result.to_dict())
    return result

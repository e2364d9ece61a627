"""What a neuron means: its top contexts over a book sample, how and on what it fires.

One streamed pass over the sample keeps, per neuron, the top-k activations
with where they were, a histogram of its activations on log-spaced bins,
and how often it fired on each byte value; nothing per position is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..model import BDH
from . import cache
from .reading import BookSample, Progress, no_progress, read_chunks

# Bucket 0 holds exact zeros (a ReLU that did not fire); bucket i > 0 holds
# (EDGES[i-1], EDGES[i]]; the last bucket everything above EDGES[-1].
LOG_LOW, LOG_HIGH, PER_DECADE = -4, 2, 10
EDGES = torch.cat([torch.zeros(1),
                   torch.logspace(LOG_LOW, LOG_HIGH, (LOG_HIGH - LOG_LOW) * PER_DECADE + 1)])


def buckets(acts: torch.Tensor) -> torch.Tensor:
    """Each activation's histogram bucket, computed from its logarithm.

    The same buckets as ``torch.bucketize(acts, EDGES)`` (up to rounding at an
    edge), at a tenth of the cost: bucketize's binary search was half the
    scan's own time.
    """
    k = torch.ceil((torch.log10(acts) - LOG_LOW) * PER_DECADE).clamp_(0, len(EDGES) - 1)
    return (k + 1).long().masked_fill_(acts <= 0, 0)


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
    """The running top-k and counts of a scan, updated one batch at a time."""

    def __init__(self, n: int, k: int, device: torch.device):
        self.values = torch.full((k, n), -1.0, device=device)
        self.positions = torch.zeros((k, n), dtype=torch.long, device=device)
        self.histogram = torch.zeros(len(EDGES) + 1, n, dtype=torch.long, device=device)
        self.byte_fires = torch.zeros(256, n, dtype=torch.float32, device=device)
        self.columns = torch.arange(n, device=device)

    def add(self, acts: torch.Tensor, positions: torch.Tensor, byte_values: torch.Tensor) -> None:
        """``acts`` (R, n) at flat ``positions`` (R,) reading ``byte_values`` (R,)."""
        n = acts.size(1)
        k = min(self.values.size(0), acts.size(0))
        values, rows = torch.topk(acts, k, dim=0)
        values = torch.cat((self.values, values))
        positions = torch.cat((self.positions, positions[rows]))
        self.values, keep = torch.topk(values, self.values.size(0), dim=0)
        self.positions = positions.gather(0, keep)
        flat = buckets(acts) * n + self.columns
        self.histogram += torch.bincount(flat.flatten(),
                                         minlength=self.histogram.numel()).view_as(self.histogram)
        self.byte_fires.index_add_(0, byte_values, (acts > 0).float())


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
                      acc.histogram.T.cpu().numpy(),
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

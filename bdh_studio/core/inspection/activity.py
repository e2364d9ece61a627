"""Per-layer, per-byte active fractions of a text, and the top neurons at one byte.

The active fraction of layer l at byte t is the share of the n = H * N
neurons whose activation is above zero: x_sparse, y_sparse or their product
xy (BDH_SPEC.md).  The model reads the whole text as one sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import UserError
from ..model import BDH
from .progress import Progress, no_progress

KINDS = ("x", "y", "xy")
# One forward over the whole text keeps an H x T x T score matrix per layer: 4 KB of text
# is 256 MB at the paper's four heads.
MAX_TEXT_BYTES = 4096


@dataclass(frozen=True)
class Activity:
    """What reading ``data`` did: ``fractions[kind]`` is (layers, bytes)."""
    data: bytes
    fractions: dict[str, np.ndarray]

    @property
    def n_layer(self) -> int:
        return self.fractions["x"].shape[0]

    def mean_per_layer(self, kind: str) -> np.ndarray:
        return self.fractions[kind].mean(axis=1)

    def to_json(self) -> dict:
        """The ``inspect --text`` document: bytes in reading order, fractions per layer."""
        return {"bytes": list(self.data),
                "layers": [{f"{kind}_active": self.fractions[kind][layer].tolist()
                            for kind in KINDS} for layer in range(self.n_layer)]}


def select(kind: str, x_sparse: torch.Tensor, y_sparse: torch.Tensor) -> torch.Tensor:
    """The activation a kind names, (B, H, T, N)."""
    if kind == "x":
        return x_sparse
    if kind == "y":
        return y_sparse
    if kind == "xy":
        return x_sparse * y_sparse
    raise UserError(f"unknown activation {kind!r}; choose one of {', '.join(KINDS)}")


class LayerTap:
    """A model probe that keeps one layer's activation of one kind, (B, H, T, N)."""

    def __init__(self, layer: int, kind: str):
        self.layer, self.kind, self.calls = layer, kind, 0
        self.value: torch.Tensor | None = None

    def __call__(self, x_sparse: torch.Tensor, y_sparse: torch.Tensor) -> None:
        if self.calls == self.layer:
            self.value = select(self.kind, x_sparse, y_sparse)
        self.calls += 1


def check_text(data: bytes) -> None:
    if not data:
        raise UserError("the text is empty; give at least one byte to read")
    if len(data) > MAX_TEXT_BYTES:
        raise UserError(f"the text is {len(data):,} bytes; the activity view reads at most "
                        f"{MAX_TEXT_BYTES:,} bytes at once, so give a shorter passage")


def device_of(model: BDH) -> torch.device:
    return next(model.parameters()).device


@torch.inference_mode()
def text_activity(model: BDH, data: bytes) -> Activity:
    """Active fractions of every layer at every byte of ``data``, one forward pass."""
    check_text(data)
    n = model.config.n_head * model.config.n_sparse
    counts: dict[str, list[torch.Tensor]] = {kind: [] for kind in KINDS}

    def probe(x_sparse: torch.Tensor, y_sparse: torch.Tensor) -> None:
        x_on, y_on = x_sparse[0] > 0, y_sparse[0] > 0  # (H, T, N)
        for kind, on in (("x", x_on), ("y", y_on), ("xy", x_on & y_on)):
            counts[kind].append(on.sum(dim=(0, 2)))

    idx = torch.tensor(list(data), dtype=torch.long, device=device_of(model)).unsqueeze(0)
    model.hidden(idx, probe=probe)
    return Activity(data, {kind: torch.stack(c).cpu().double().numpy() / n
                           for kind, c in counts.items()})


@dataclass(frozen=True)
class NeuronValue:
    neuron: int
    head: int
    index: int
    value: float


@torch.inference_mode()
def top_neurons(model: BDH, data: bytes, layer: int, position: int, kind: str = "x",
                k: int = 20, progress: Progress = no_progress) -> list[NeuronValue]:
    """The ``k`` most active neurons of ``layer`` at byte ``position`` of ``data``.

    Attention is causal, so reading the text up to ``position`` gives that
    byte's activations, and a layer's depend only on the layers before it,
    so the forward stops at ``layer``.  ``progress`` hears of each layer read: a
    caller cancels there, one layer (not a whole forward) before the next task.
    """
    check_text(data)
    n_layer = model.config.n_layer
    if not 0 <= layer < n_layer or not 0 <= position < len(data):
        raise UserError(f"layer {layer} at byte {position} is outside the text "
                        f"({n_layer} layers, {len(data)} bytes)")
    tap, depth = LayerTap(layer, kind), layer + 1

    def probe(x_sparse: torch.Tensor, y_sparse: torch.Tensor) -> None:
        tap(x_sparse, y_sparse)
        progress(tap.calls / depth, f"reading layer {tap.calls} of {depth}")

    idx = torch.tensor(list(data[: position + 1]), dtype=torch.long, device=device_of(model))
    model.hidden(idx.unsqueeze(0), probe=probe, layers=depth)
    acts = tap.value[0, :, -1].flatten()  # H*N at the byte
    values, neurons = torch.topk(acts, min(k, acts.numel()))
    N = model.config.n_sparse
    return [NeuronValue(j, j // N, j % N, v) for j, v in zip(neurons.tolist(), values.tolist())]

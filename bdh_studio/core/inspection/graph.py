"""The neuron graph read off the weights: G_x = decoder @ E, G_y = decoder @ E_v.

E is ``encoder`` laid out as (D, H*N) in the decoder's neuron order, so
G[i, j] is how much neuron i firing drives neuron j through the residual
stream.  An edge i -> j exists where G[i, j] > tau, tau set so that a
fraction q of all n^2 entries are edges.  G is never held whole (the paper
preset's has 10^9 entries): a few sampled rows bracket tau, then one pass
over blocks of rows counts the degrees above the bracket exactly and keeps
the few entries inside it, among which tau is found exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import UserError
from ..model import BDH, BDHConfig
from .progress import Progress, no_progress

SAMPLE_ENTRIES = 1 << 22  # entries of G in the rows that bracket tau
BLOCK_ENTRIES = 1 << 23   # entries of G computed at once (32 MB in float32)
TAIL = 0.1                # the Hill estimate reads the top 10% of degrees
GRAPHS = {"G_x": "encoder", "G_y": "encoder_v"}


@dataclass
class Degrees:
    """Out- and in-degree of every neuron at threshold ``tau`` (q n^2 edges)."""
    q: float
    tau: float
    out: np.ndarray
    into: np.ndarray

    def summary(self, which: np.ndarray) -> dict:
        return {"max": int(which.max()), "mean": float(which.mean()),
                "hill_alpha": hill_alpha(which)}

    def hubs(self, m: int = 20) -> list[int]:
        """Neurons with the most edges, in and out together."""
        return np.argsort(-(self.out + self.into), kind="stable")[:m].tolist()

    def to_json(self, n_sparse: int) -> dict:
        return {"q": self.q, "tau": self.tau, "edges": int(self.out.sum()),
                "out_degree": self.out.tolist(), "in_degree": self.into.tolist(),
                "out_summary": self.summary(self.out), "in_summary": self.summary(self.into),
                "hubs": [{"neuron": j, "head": j // n_sparse, "index": j % n_sparse,
                          "out": int(self.out[j]), "in": int(self.into[j])}
                         for j in self.hubs()]}


def hill_alpha(degrees: np.ndarray, tail: float = TAIL) -> float | None:
    """Hill's estimate of the tail exponent from the top ``tail`` share of the degrees.

    alpha = 1 / mean(log(d_i / d_(k+1))) over the k largest d_i; None when
    the tail cannot say (too few neurons, or no spread above its threshold).
    """
    ordered = np.sort(degrees)[::-1].astype(np.float64)
    k = int(len(ordered) * tail)
    if k < 2 or ordered[k] <= 0:
        return None
    logs = np.log(ordered[:k] / ordered[k])
    return float(1.0 / logs.mean()) if logs.mean() > 0 else None


def ccdf(degrees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct positive degrees d and the share of neurons with degree >= d."""
    values, counts = np.unique(degrees[degrees > 0], return_counts=True)
    above = counts[::-1].cumsum()[::-1]
    return values, above / len(degrees)


def layout(model: BDH, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(decoder (n, D), E (D, n)) with E's columns in the decoder's row order h * N + k."""
    encoder = getattr(model, GRAPHS[name]).detach()  # H, D, N
    return model.decoder.detach(), encoder.permute(1, 0, 2).flatten(1)


def _bracket(decoder: torch.Tensor, E: torch.Tensor, q: float, width: float,
             generator: torch.Generator) -> tuple[float, float]:
    """Values of G around its top-q quantile, from whole rows drawn at random."""
    n = decoder.size(0)
    rows = torch.randperm(n, generator=generator)[: max(1, min(n, SAMPLE_ENTRIES // n))]
    values = (decoder[rows.to(decoder.device)] @ E).flatten().float().cpu().numpy()
    lo_q, hi_q = max(0.0, 1 - q * width), min(1.0, 1 - q / width)
    lo, hi = np.quantile(values, [lo_q, hi_q])
    return (float("-inf") if lo_q <= 0 else float(lo)), (float("inf") if hi_q >= 1 else float(hi))


class _Inside:
    """The entries of G inside the bracket, (row, column, value), in buffers allocated once.

    Thousands of small tensors kept between the blocks' large temporary ones
    fragmented the heap: the paper preset's resident memory grew by ~1 GB over
    one pass.  One buffer, grown by doubling if ever too small, does not.
    """

    def __init__(self, capacity: int):
        self.rows = torch.empty(capacity, dtype=torch.int32)
        self.cols = torch.empty(capacity, dtype=torch.int32)
        self.values = torch.empty(capacity)
        self.size = 0

    def add(self, rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor) -> None:
        end = self.size + len(values)
        if end > len(self.values):
            grown = max(end, 2 * len(self.values))
            for name in ("rows", "cols", "values"):
                old = getattr(self, name)
                setattr(self, name, torch.cat((old[: self.size],
                                               old.new_empty(grown - self.size))))
        self.rows[self.size: end] = rows
        self.cols[self.size: end] = cols
        self.values[self.size: end] = values
        self.size = end


@torch.no_grad()
def degrees(model: BDH, name: str, q: float = 0.01, progress: Progress = no_progress,
            seed: int = 0) -> Degrees:
    """Exact degrees of G at its top-q threshold, in memory bounded by a block of rows."""
    if not 0 < q < 1:
        raise UserError(f"q = {q}: the share of entries that are edges must be between 0 and 1")
    decoder, E = layout(model, name)
    n = decoder.size(0)
    k = max(1, round(q * n * n))
    rows_at_once = max(1, BLOCK_ENTRIES // n)
    generator = torch.Generator().manual_seed(seed)
    width = 1.25
    while True:
        lo, hi = _bracket(decoder, E, q, width, generator)
        out = torch.zeros(n, dtype=torch.long)
        into = torch.zeros(n, dtype=torch.long)
        inside = _Inside(int(2 * n * n * min(1.0, q * (width - 1 / width))) + 1024)
        for r in range(0, n, rows_at_once):
            block = decoder[r: r + rows_at_once] @ E
            above = block > hi
            out[r: r + rows_at_once] += above.sum(1).cpu()
            into += above.sum(0).cpu()
            i, j = torch.nonzero((block > lo) & ~above, as_tuple=True)
            inside.add((i + r).cpu(), j.cpu(), block[i, j].cpu())
            progress(min(r + rows_at_once, n) / n, f"{name}: {min(r + rows_at_once, n):,} of "
                                                   f"{n:,} rows")
        need = k - int(out.sum())
        if 0 <= need < inside.size:
            break
        width *= 2  # the sampled rows missed the quantile: widen and count again
    values = inside.values[: inside.size]
    tau = float(torch.sort(values, descending=True).values[need])
    edge = values > tau
    out += torch.bincount(inside.rows[: inside.size][edge].long(), minlength=n)
    into += torch.bincount(inside.cols[: inside.size][edge].long(), minlength=n)
    return Degrees(q, tau, out.numpy(), into.numpy())


def initial_model(config: BDHConfig, seed: int) -> BDH:
    """The same architecture as the trainer initialises it from ``seed``: the control."""
    torch.manual_seed(seed)
    return BDH(config).eval()


def graph_report(model: BDH, control: BDH, q: float = 0.01,
                 progress: Progress = no_progress) -> dict[str, dict[str, Degrees]]:
    """Degrees of G_x and G_y for the trained model and its initialisation."""
    report: dict[str, dict[str, Degrees]] = {}
    steps = [(which, m, name) for which, m in (("trained", model), ("init", control))
             for name in GRAPHS]
    for s, (which, m, name) in enumerate(steps):
        report.setdefault(which, {})[name] = degrees(
            m, name, q, lambda f, msg, s=s: progress((s + f) / len(steps), f"{which} {msg}"))
    return report

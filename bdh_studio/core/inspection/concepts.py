"""Concept search: which neurons fire where a word occurs, against a shuffled control.

The positives are the positions of the last byte of each occurrence of the
word in the book sample (where the model has read all of it), the negatives
a random sample of the other positions.  A neuron's selectivity is the AUC
of its activation at positives against negatives (ties count half), and the
mean difference.  The control ranks the same neurons with as many positives
drawn at random positions: its best AUC is what chance alone reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import rankdata

from ..errors import UserError
from ..model import BDH
from .progress import Progress, no_progress
from .reading import BookSample, read_chunks

DEFAULT_NEGATIVES = 20_000
MATRIX_BYTES = 256 << 20  # the gathered activations are kept under this


@dataclass
class Selectivity:
    """Per neuron: AUC and mean difference of activation, positives against negatives."""
    auc: np.ndarray
    mean_diff: np.ndarray

    def ranking(self) -> np.ndarray:
        """Neurons by AUC, ties broken by the larger mean difference."""
        return np.lexsort((-self.mean_diff, -self.auc))


@dataclass
class ConceptResult:
    word: str
    layer: int
    kind: str
    n_sparse: int
    n_positives: int
    n_negatives: int
    concept: Selectivity
    control: Selectivity

    def beats_control(self) -> bool:
        return bool(self.concept.auc.max() > self.control.auc.max())

    def top(self, which: Selectivity, m: int = 20) -> list[dict]:
        return [{"neuron": int(j), "head": int(j) // self.n_sparse,
                 "index": int(j) % self.n_sparse, "auc": float(which.auc[j]),
                 "mean_diff": float(which.mean_diff[j])} for j in which.ranking()[:m]]

    def to_json(self, m: int = 20) -> dict:
        """The ``inspect --concept`` document."""
        return {"word": self.word, "layer": self.layer, "kind": self.kind,
                "positives": self.n_positives, "negatives": self.n_negatives,
                "top": self.top(self.concept, m),
                "control": {"best_auc": float(self.control.auc.max()),
                            "top": self.top(self.control, m)},
                "beats_control": self.beats_control()}


def occurrences(sample: BookSample, word: bytes) -> np.ndarray:
    """Flat positions of the last byte of each occurrence lying wholly inside one chunk."""
    if not word:
        raise UserError("the word to search is empty; type a word or phrase")
    T = sample.block
    found = []
    for c, row in enumerate(sample.chunks):
        text = row.tobytes()
        at = text.find(word)
        while at >= 0:
            found.append(c * T + at + len(word) - 1)
            at = text.find(word, at + 1)
    return np.asarray(found, dtype=np.int64)


def selectivity(pos: np.ndarray, neg: np.ndarray, columns: int = 1024) -> Selectivity:
    """AUC (Mann-Whitney, average ranks for ties) and mean difference for every column at once."""
    n_pos, n_neg = len(pos), len(neg)
    auc = np.empty(pos.shape[1])
    for j in range(0, pos.shape[1], columns):
        ranks = rankdata(np.concatenate((pos[:, j: j + columns], neg[:, j: j + columns])), axis=0)
        auc[j: j + columns] = (ranks[:n_pos].sum(0) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    return Selectivity(auc, pos.mean(0) - neg.mean(0))


def gather(model: BDH, sample: BookSample, positions: np.ndarray, layer: int, kind: str,
           batch: int, progress: Progress) -> np.ndarray:
    """Activations (len(positions), n) at the given flat positions, reading only their chunks."""
    T = sample.block
    chunks = np.unique(positions // T)
    row_of = {c: i for i, c in enumerate(chunks)}
    out = np.empty((len(positions), model.config.n_head * model.config.n_sparse), np.float32)
    order = np.argsort(positions, kind="stable")
    sorted_pos = positions[order]
    for ids, acts in read_chunks(model, sample, chunks, layer, kind, batch, progress,
                                 "reading the book at the word and elsewhere"):
        lo, hi = np.searchsorted(sorted_pos, (ids[0] * T, (ids[-1] + 1) * T))
        rows = [(row_of[p // T] - row_of[ids[0]]) * T + p % T for p in sorted_pos[lo:hi]]
        out[order[lo:hi]] = acts[torch.as_tensor(rows, dtype=torch.long)].float().cpu().numpy()
    return out


def search_concept(model: BDH, sample: BookSample, word: str, layer: int, kind: str = "x",
                   negatives: int = DEFAULT_NEGATIVES, seed: int = 0, batch: int = 16,
                   progress: Progress = no_progress) -> ConceptResult:
    """Rank every neuron by how selectively it fires at ``word``, beside a shuffled control."""
    positives = occurrences(sample, word.encode("utf-8"))
    if len(positives) == 0:
        raise UserError(f"{word!r} does not occur in the {sample.n_bytes:,}-byte sample of "
                        f"{sample.name}; try another word or a larger sample")
    n = model.config.n_head * model.config.n_sparse
    budget = max(MATRIX_BYTES // (4 * n), 64)
    rng = np.random.default_rng(seed)
    if len(positives) > budget // 4:
        positives = np.sort(rng.choice(positives, budget // 4, replace=False))
    others = np.setdiff1d(np.arange(sample.n_bytes), positives)
    n_neg = min(negatives, budget - 2 * len(positives), len(others) - len(positives))
    if n_neg < 1:
        raise UserError(f"{word!r} is nearly everywhere in the sample; nothing is left to "
                        f"compare it with")
    drawn = rng.choice(others, n_neg + len(positives), replace=False)
    neg, control = drawn[:n_neg], drawn[n_neg:]
    acts = gather(model, sample, np.concatenate((positives, control, neg)), layer, kind,
                  batch, progress)
    p, c = len(positives), len(control)
    return ConceptResult(word, layer, kind, model.config.n_sparse, p, n_neg,
                         selectivity(acts[:p], acts[p + c:]),
                         selectivity(acts[p: p + c], acts[p + c:]))

"""What a book model says about a text: per-byte surprise and pooled hidden states.

Texts longer than a block are cut into overlapping chunks; every chunk of
every text goes through the model in padded batches, never one at a time.
BDH's attention is causal, so right-padding changes nothing before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .backstories import normalise
from .checkpoints import CheckpointError, DamagedCheckpoint, build_model, load
from .control import TaskControl
from .errors import UserError
from .model import BDH
from .run.folder import CHECKPOINTS
from .runtime import Runtime

CPU = Runtime(torch.device("cpu"), "fp32")

PREFIX = b"\n"  # so the first byte of a text is predicted too, as at a paragraph start


@dataclass
class BookModel:
    """A book's model, on the device and in the precision it is to be run with."""
    name: str
    path: Path
    model: BDH
    block_size: int
    step: int = 0  # how far it was trained, and whether it had finished
    partial: bool = False
    runtime: Runtime = CPU


def find_checkpoints(folder: str | Path) -> dict[str, Path]:
    """Finished or partial book models in a run folder (or a folder of .pt files), by key."""
    folder = Path(folder)
    inner = folder / CHECKPOINTS
    where = inner if inner.is_dir() else folder
    if not where.is_dir():
        raise UserError(f"{folder}: no such folder; give a training run folder or a folder "
                        f"of book checkpoints")
    found = {normalise(p.stem): p for p in sorted(where.glob("*.pt"))}
    if not found:
        raise UserError(f"{folder}: no book models (.pt) in it; train the books first "
                        f"(bdh-studio train BOOKS_DIR --out {folder})")
    return found


class BookModels(dict):
    """The book models of a folder by normalised name, and why each other .pt file is none.

    ``unusable`` (normalised name -> the file and why) lets a row whose book has
    only such a file say so, instead of matching no book model.
    """

    def __init__(self) -> None:
        super().__init__()
        self.unusable: dict[str, str] = {}


def load_book_models(folder: str | Path, runtime: Runtime = CPU) -> BookModels:
    models = BookModels()
    for key, path in find_checkpoints(folder).items():
        try:
            ckpt = load(path)
        except DamagedCheckpoint:
            raise
        except CheckpointError as exc:  # a bare export or a foreign file is not a book model
            models.unusable[key] = str(exc)
            continue
        block = (ckpt.get("train_config") or {}).get("block_size", 512)
        models[key] = BookModel(ckpt["book"].get("name", path.stem), path,
                                build_model(ckpt, runtime.device, path), block,
                                (ckpt.get("training") or {}).get("step", 0),
                                bool(ckpt.get("partial")), runtime)
    if not models:
        first = next(iter(models.unusable.values()))
        raise UserError(f"{folder}: none of its .pt files is a readable BDH Studio book model "
                        f"({first})")
    return models


def chunks(n_inputs: int, block: int) -> list[tuple[int, int, int]]:
    """(start, end, first scored) windows over n_inputs positions, a quarter-block overlap."""
    overlap = block // 4
    spans, start = [], 0
    while True:
        end = min(start + block, n_inputs)
        spans.append((start, end, start if start == 0 else start + overlap))
        if end == n_inputs:
            return spans
        start = end - overlap


@torch.no_grad()
def score(model: BDH, texts: list[str], block: int, batch_size: int = 32,
          control: TaskControl | None = None) -> tuple[list[np.ndarray], np.ndarray]:
    """Per-byte loss (nats) of every byte of each text, and each text's mean hidden state.

    Chunks are batched longest first, so a batch pads little
    (benchmarks/classifier_batching.py measures the batch sizes).
    ``batch_size`` 1 is the original's one-chunk-at-a-time way, kept for
    that benchmark.  A cancel ends it between two batches.
    """
    device = next(model.parameters()).device
    data = [PREFIX + t.encode("utf-8") for t in texts]
    jobs = [(i, s, e, f) for i, d in enumerate(data) for s, e, f in chunks(len(d) - 1, block)]
    jobs.sort(key=lambda job: job[1] - job[2])
    losses = [np.zeros(len(d) - 1, dtype=np.float32) for d in data]
    hidden_sum = np.zeros((len(data), model.config.n_embd), dtype=np.float64)
    for b in range(0, len(jobs), batch_size):
        if control is not None:
            control.check()
        batch = jobs[b: b + batch_size]
        width = max(e - s for _, s, e, _ in batch)
        x = torch.zeros(len(batch), width, dtype=torch.long)
        y = torch.zeros(len(batch), width, dtype=torch.long)
        for row, (i, s, e, _) in enumerate(batch):
            x[row, : e - s] = torch.tensor(list(data[i][s:e]))
            y[row, : e - s] = torch.tensor(list(data[i][s + 1: e + 1]))
        x, y = x.to(device), y.to(device)
        h = model.hidden(x)
        nll = F.cross_entropy((h @ model.lm_head).transpose(1, 2), y, reduction="none")
        nll, h = nll.float().cpu().numpy(), h.float().cpu().numpy()
        for row, (i, s, e, first) in enumerate(batch):
            losses[i][first:e] = nll[row, first - s: e - s]
            hidden_sum[i] += h[row, first - s: e - s].sum(axis=0)
    hidden = hidden_sum / np.array([[len(d) - 1] for d in data])
    return losses, hidden.astype(np.float32)


SURPRISE = ("own_mean", "own_p90", "own_max", "other_mean", "other_p90", "diff_mean",
            "diff_p90")
# How much more familiar a text is to its own book's model than to the other books': a
# backstory that reuses the novel's names, places and turns of phrase costs its own model
# less.  Differences and ratios of two models read at once, so they hold whatever the
# models' training length (README, "Why better book models classified worse").
FAMILIARITY = ("word_diff_mean", "ratio_mean", "diff_below_1")
WORD = re.compile(rb"\w+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Byte spans of the text's words (UTF-8, as the models read it)."""
    return [m.span() for m in WORD.finditer(text.encode("utf-8"))]


def familiarity(text: str, own: np.ndarray, other: np.ndarray) -> tuple[float, float, float]:
    """Own-minus-other loss summed per word and averaged over words; own over other
    mean loss; the fraction of bytes the own model finds a nat cheaper."""
    diff = own - other
    words = [diff[a:b].sum() for a, b in word_spans(text)] or [diff.sum()]
    return float(np.mean(words)), float(own.mean() / max(other.mean(), 1e-6)), \
        float((diff < -1.0).mean())


def featurize(texts: list[str], book_keys: list[str], models: dict[str, BookModel],
              batch_size: int = 32,
              control: TaskControl | None = None) -> tuple[np.ndarray, list[str]]:
    """One row per text: its own book's surprise, the other books', their difference, how
    much more familiar it is to its own model, and its own book model's mean hidden state."""
    n = len(texts)
    per_model = {}
    for done, (key, bm) in enumerate(models.items()):
        with bm.runtime.autocast():
            per_model[key] = score(bm.model, texts, bm.block_size, batch_size, control)
        if control is not None:
            control.progress((done + 1) / len(models), f"scored the texts with {bm.name}")
    dim = max(bm.model.config.n_embd for bm in models.values())
    scalar = SURPRISE + FAMILIARITY
    out = np.zeros((n, len(scalar) + dim), dtype=np.float32)
    for i, key in enumerate(book_keys):
        own = per_model[key][0][i]
        others = [per_model[k][0][i] for k in models if k != key] or [own]
        other = np.mean(others, axis=0)
        out[i, : len(scalar)] = (own.mean(), np.percentile(own, 90), own.max(),
                                 other.mean(), np.percentile(other, 90), (own - other).mean(),
                                 np.percentile(own - other, 90),
                                 *familiarity(texts[i], own, other))
        hidden = per_model[key][1][i]
        out[i, len(scalar): len(scalar) + len(hidden)] = hidden
    names = list(scalar) + [f"hidden_{j}" for j in range(dim)]
    return out, names


def byte_surprise(model: BDH, text: str, block: int,
                  control: TaskControl | None = None) -> np.ndarray:
    """Each byte's loss under the model: what the results panel shades."""
    return score(model, [text], block, control=control)[0][0]

"""The book model being inspected: its weights, where they came from, its defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import torch

from .. import checkpoints
from ..model import BDH
from . import cache, graph
from .reading import DEFAULT_BLOCK, DEFAULT_SAMPLE_BYTES, BookSample, sample_book


@dataclass
class Subject:
    """A checkpoint loaded for inspection, in eval mode on ``device``."""
    path: Path
    model: BDH
    ckpt: dict = field(repr=False)

    @classmethod
    def load(cls, path: str | Path, device: str | torch.device = "cpu") -> "Subject":
        model, ckpt = checkpoints.load_model(path, device)
        return cls(Path(path), model, ckpt)

    @cached_property
    def digest(self) -> str:
        """The checkpoint file's sha256: what cached scans of it are keyed by."""
        return cache.file_sha256(self.path)

    @property
    def name(self) -> str:
        return self.ckpt.get("book", {}).get("name") or self.path.stem

    @property
    def last_layer(self) -> int:
        return self.model.config.n_layer - 1

    @property
    def block(self) -> int:
        """The block the model was trained on: the length of context a scan reads."""
        config = checkpoints.train_config(self.ckpt)
        return config.block_size if config is not None else DEFAULT_BLOCK

    @property
    def seed(self) -> int:
        config = checkpoints.train_config(self.ckpt)
        return config.seed if config is not None else 0

    def sample(self, book: str | Path, n_bytes: int = DEFAULT_SAMPLE_BYTES) -> BookSample:
        return sample_book(book, n_bytes, self.block)

    def control(self) -> BDH:
        """This architecture as training initialised it: the graph's control."""
        device = next(self.model.parameters()).device
        return graph.initial_model(self.model.config, self.seed).to(device)

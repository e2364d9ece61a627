"""Who this process is in a torchrun job, and the few collectives the trainer needs.

A single process is the world of size one: every method is then a no-op, so
the trainer has one code path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .runtime import Runtime


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    world_size: int = 1

    @classmethod
    def single(cls) -> "Distributed":
        return cls()

    @classmethod
    def from_environment(cls, config: object = None, spread_books: bool = False) -> "Distributed":
        """The process group torchrun describes in the environment, or a single process."""
        return cls.single()

    def close(self) -> None:
        pass

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world_size > 1

    def adjust(self, runtime: Runtime) -> Runtime:
        return runtime

    def wrap(self, model: nn.Module) -> nn.Module:
        return model

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        return value

    def barrier(self) -> None:
        pass

    def broadcast(self, obj: Any) -> Any:
        return obj

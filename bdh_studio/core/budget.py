"""How much of a book's training is done: steps of max_iters, or seconds of max_seconds.

The loop asks its budget three things after every step: how far along it is
(the fraction the learning rate decays by), whether to validate now, and
whether that step was the last.  Training by time, the budget keeps back
enough of the wall-clock for the last validation and the final save, so the
book ends within max_seconds with its schedule at min_lr.
"""

from __future__ import annotations

import math

from torch import nn

from .config import TrainConfig
from .distributed import Distributed

# A slow disk's write speed: the final save's share of the budget before one was timed.
SAVE_BYTES_PER_SECOND = 100e6
# A checkpoint holds the weights and AdamW's two moments of each.
SAVED_COPIES = 3


class StepBudget:
    """max_iters optimizer steps, a validation every eval_interval steps and after the last.

    Time plays no part: the learning rate decays by steps (``fraction`` is
    None) and the measured durations are not needed.
    """

    fraction: float | None = None

    def __init__(self, config: TrainConfig):
        self.config = config

    def start(self, elapsed: float) -> None:
        """The seconds a (possibly resumed) book starts from."""

    def advance(self, step: int, elapsed: float) -> None:
        """Take note of a step done."""

    def done(self, step: int) -> bool:
        return step >= self.config.max_iters

    def validation_now(self, step: int) -> bool:
        """Whether to validate after this step; asked once a step."""
        return step % self.config.eval_interval == 0 or self.done(step)

    def validated(self, seconds: float) -> None:
        """How long a validation took."""

    def saved(self, seconds: float) -> None:
        """How long a checkpoint save took."""


class TimeBudget(StepBudget):
    """max_seconds of wall-clock, validations at eval_points equal fractions of it.

    The fraction is elapsed / (max_seconds - reserve), never going back,
    where the reserve is the last validation's duration and the last save's.
    Before a validation, it counts eval_batches of the fastest training step
    (a validation batch is a forward pass alone; a session's first step pays
    one-time costs and is no pace); before a save, the checkpoint's bytes at
    a slow disk's speed.  Ranks sharing a book agree on the largest fraction
    at log intervals and hold it between them, so they stop at the same step
    and validate together; a single process reads the clock every step.
    """

    def __init__(self, config: TrainConfig, dist: Distributed, model: nn.Module):
        super().__init__(config)
        self.dist = dist
        state_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
        self.save_seconds = SAVED_COPIES * state_bytes / SAVE_BYTES_PER_SECOND
        self.validation_seconds: float | None = None
        self.fastest_step = math.inf
        self.fraction, self.next_point = 0.0, 1
        self.last_elapsed: float | None = None  # where the last step ended; None before one
        self.validated_step: int | None = None  # the step of this session's last validation

    def start(self, elapsed: float) -> None:
        self.fraction = self.dist.maximum(self._fraction(elapsed))
        self.next_point = math.floor(self.fraction * self.config.eval_points) + 1

    def advance(self, step: int, elapsed: float) -> None:
        if self.last_elapsed is not None:
            self.fastest_step = min(self.fastest_step, elapsed - self.last_elapsed)
        self.last_elapsed = elapsed
        if not self.dist.active or step % self.config.log_interval == 0:
            self.fraction = max(self.fraction, self.dist.maximum(self._fraction(elapsed)))

    def done(self, step: int) -> bool:
        return self.fraction >= 1.0

    def validation_now(self, step: int) -> bool:
        """Whether the fraction reached the next validation point; then aim at the one after.

        Between two validations (the last excepted) come log_interval steps at least: on a
        loaded machine one validation can outlast the time between points, and the book
        would validate after every step and hardly train (seen: steps 80, 84, 87, 88).
        """
        points = self.config.eval_points
        too_soon = self.validated_step is not None and \
            step - self.validated_step < self.config.log_interval
        if not self.done(step) and (self.fraction * points < self.next_point or too_soon):
            return False
        self.next_point = math.floor(self.fraction * points) + 1
        self.validated_step = step
        return True

    def validated(self, seconds: float) -> None:
        self.validation_seconds = seconds

    def saved(self, seconds: float) -> None:
        self.save_seconds = seconds

    def _fraction(self, elapsed: float) -> float:
        usable = self.config.max_seconds - self._reserve()
        return min(elapsed / usable, 1.0) if usable > 0 else 1.0

    def _reserve(self) -> float:
        """Seconds kept back for the last validation and the final save."""
        validation = self.validation_seconds
        if validation is None:
            validation = self.config.eval_batches * (
                self.fastest_step if math.isfinite(self.fastest_step) else 0.0)
        return validation + self.save_seconds


def make_budget(config: TrainConfig, dist: Distributed, model: nn.Module) -> StepBudget:
    """The budget the config asks for."""
    return TimeBudget(config, dist, model) if config.budget == "seconds" else StepBudget(config)

"""The status bar's words: where the run is, how fast, when it ends, what it costs."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

import torch

from ..core import events as ev


def memory_in_use(device: str) -> str:
    """GPU allocated/reserved on CUDA, the process's resident memory otherwise."""
    if device.startswith("cuda") and torch.cuda.is_available():
        gib = 2**30
        return (f"GPU {torch.cuda.memory_allocated() / gib:.2f} GiB allocated, "
                f"{torch.cuda.memory_reserved() / gib:.2f} GiB reserved")
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # peak, not current
    return f"RSS {rss / 2**20:,.0f} MiB"


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass
class Progress:
    """What the engine has said so far, reduced to what the status bar shows.

    A book trained by time (budget "seconds") counts its progress and ETA in
    seconds of max_seconds; one trained by steps, in steps of max_iters at
    the pace measured since the book (re)started.
    """
    device: str = ""
    precision: str = ""
    book: str = ""
    index: int = 0
    total: int = 0
    max_iters: int = 0
    budget: str = "steps"
    max_seconds: float = 0.0
    start_step: int = 0
    start_elapsed: float = 0.0
    step: int = 0
    loss: float | None = None
    val_loss: float | None = None
    tokens_per_s: float = 0.0
    elapsed: float = 0.0
    state: str = "idle"

    def update(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):
            self.device, self.precision, self.state = event.device, event.precision, "training"
            self.total = len(event.books)
        elif isinstance(event, ev.BookStarted):
            self.book, self.index, self.total = event.book, event.index, event.total
            self.max_iters, self.start_step, self.step = event.max_iters, event.start_step, \
                event.start_step
            self.budget, self.max_seconds = event.budget, event.max_seconds
            self.loss = self.val_loss = None
            self.start_elapsed = self.elapsed = event.start_elapsed
        elif isinstance(event, ev.StepLogged):
            self.step, self.loss, self.tokens_per_s = event.step, event.train_loss, \
                event.tokens_per_s
            self.elapsed = event.elapsed
        elif isinstance(event, ev.ValidationLogged):
            self.val_loss = event.val_loss
        elif isinstance(event, ev.RunFinished):
            self.state = "stopped" if event.stopped else "finished"

    @property
    def by_time(self) -> bool:
        return self.budget == "seconds"

    def fraction(self) -> float:
        """How much of this book's budget is used, 0 to 1."""
        done, whole = (self.elapsed, self.max_seconds) if self.by_time else (self.step,
                                                                              self.max_iters)
        return min(done / whole, 1.0) if whole > 0 else 0.0

    def seconds_per_step(self) -> float | None:
        done, took = self.step - self.start_step, self.elapsed - self.start_elapsed
        return took / done if done > 0 and took > 0 else None

    def book_seconds(self) -> float | None:
        """A whole book's seconds: its budget, or its steps at this book's pace."""
        if self.by_time:
            return self.max_seconds
        rate = self.seconds_per_step()
        return None if rate is None else self.max_iters * rate

    def eta_book(self) -> float | None:
        if self.by_time:
            return max(self.max_seconds - self.elapsed, 0.0)
        rate = self.seconds_per_step()
        return None if rate is None else (self.max_iters - self.step) * rate

    def eta_run(self) -> float | None:
        """This book's rest plus the books after it, each a whole book's seconds."""
        book, whole = self.eta_book(), self.book_seconds()
        if book is None or whole is None:
            return None
        return book + (self.total - self.index - 1) * whole

    def text(self) -> str:
        if not self.book:
            return self.state
        parts = [f"book {self.index + 1} of {self.total}: {self.book}"]
        if self.by_time:
            parts.append(f"{duration(self.elapsed)} of {duration(self.max_seconds)} "
                         f"({self.fraction():.0%}), step {self.step:,}")
        else:
            parts.append(f"step {self.step:,}/{self.max_iters:,}")
        if self.loss is not None:
            parts.append(f"loss {self.loss:.3f}")
        if self.val_loss is not None:
            parts.append(f"val {self.val_loss:.3f}")
        if self.tokens_per_s:
            parts.append(f"{self.tokens_per_s:,.0f} tokens/s")
        if self.state == "training":
            eta_book, eta_run = self.eta_book(), self.eta_run()
            if eta_book is not None:
                parts.append(f"ETA book {duration(eta_book)}, run {duration(eta_run)}")
        else:
            parts.append(self.state)
        return " · ".join(parts)

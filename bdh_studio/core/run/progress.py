"""Where a run is, how fast it goes and when it ends: what a status line or a progress
bar shows (``state.RunState`` keeps it up to date)."""

from __future__ import annotations

from dataclasses import dataclass

from ..countdown import duration


def hms(seconds: float) -> str:
    """h:mm:ss, as run durations and the wall-clock axis are written."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass
class Progress:
    """What the engine has said so far of the book in training.

    A book trained by time (budget "seconds") counts its progress and ETA in
    seconds of max_seconds; one trained by steps, in steps of max_iters at
    the pace measured since the book (re)started.
    """
    device: str = ""
    precision: str = ""
    threads: int = 0  # intra-op threads of a CPU run (0: a GPU run, or a log from before)
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
    seed_index: int = 0  # this run is the seed_index-th (from 0) of seeds runs of one setting
    seeds: int = 1

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
        parts = [f"seed {self.seed_index + 1} of {self.seeds}"] if self.seeds > 1 else []
        if not self.book:
            return " · ".join([*parts, self.state])
        parts.append(f"book {self.index + 1} of {self.total}: {self.book}")
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

"""What the engine tells whoever listens: the window, the command line, metrics.jsonl.

Every event is a small frozen dataclass.  ``to_dict`` gives the line written
to metrics.jsonl and ``from_dict`` reads it back, so a past run replays
through the same code that drew it live.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, ClassVar


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = "event"

    def to_dict(self) -> dict:
        return {"event": self.kind, **dataclasses.asdict(self)}


@dataclass(frozen=True)
class RunStarted(Event):
    kind: ClassVar[str] = "run_started"
    run_dir: str
    books: tuple[str, ...]
    config: dict
    device: str
    precision: str
    world_size: int = 1
    started: float = 0.0  # Unix time: where a wall-clock axis starts
    book_paths: tuple[str, ...] = ()  # so a window that opens the run can train it on
    pid: int = 0  # with host: whether a run without run_finished still runs
    host: str = ""
    threads: int = 0  # intra-op threads on a CPU (0: not chosen, a GPU run)
    threads_why: str = ""  # what chose them: the setting, OMP_NUM_THREADS or cores and load


@dataclass(frozen=True)
class BookStarted(Event):
    kind: ClassVar[str] = "book_started"
    book: str
    index: int
    total: int
    max_iters: int
    start_step: int = 0
    train_bytes: int = 0
    val_bytes: int = 0
    budget: str = "steps"  # or "seconds": the book trains for max_seconds, not max_iters
    max_seconds: float = 0.0
    start_elapsed: float = 0.0  # seconds trained before a resume
    time: float = 0.0  # Unix time


@dataclass(frozen=True)
class StepLogged(Event):
    kind: ClassVar[str] = "step"
    book: str
    step: int
    train_loss: float
    lr: float
    tokens_per_s: float
    elapsed: float
    x_sparsity: float | None = None
    y_sparsity: float | None = None
    time: float = 0.0  # Unix time, pauses included (``elapsed`` leaves them out)


@dataclass(frozen=True)
class ValidationLogged(Event):
    kind: ClassVar[str] = "validation"
    book: str
    step: int
    val_loss: float
    bits_per_byte: float
    elapsed: float = 0.0
    time: float = 0.0  # Unix time, pauses included


@dataclass(frozen=True)
class CheckpointSaved(Event):
    kind: ClassVar[str] = "checkpoint"
    book: str
    step: int
    path: str
    partial: bool


@dataclass(frozen=True)
class BookFinished(Event):
    """A book is done with: ``status`` is finished, partial (stopped), skipped or failed.

    ``message`` says why a book failed or was skipped, and why a finished one
    ended before its budget (it ran out of patience)."""
    kind: ClassVar[str] = "book_finished"
    book: str
    status: str
    step: int
    val_loss: float | None = None
    message: str = ""
    time: float = 0.0  # Unix time


@dataclass(frozen=True)
class BookFailed(Event):
    """One book could not go on (NaN loss, out of memory, a bad file); the run continues."""
    kind: ClassVar[str] = "book_failed"
    book: str
    message: str


@dataclass(frozen=True)
class BookWarning(Event):
    """Something a person should know about a book that does not stop the run:
    a damaged checkpoint set aside, a book left out."""
    kind: ClassVar[str] = "book_warning"
    book: str
    message: str


@dataclass(frozen=True)
class RunFinished(Event):
    kind: ClassVar[str] = "run_finished"
    stopped: bool
    elapsed: float
    books_finished: int = 0
    books_failed: int = 0


@dataclass(frozen=True)
class RunFailed(Event):
    """The run as a whole could not go on; ``message`` says what to do."""
    kind: ClassVar[str] = "run_failed"
    message: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls for cls in (RunStarted, BookStarted, StepLogged, ValidationLogged,
                              CheckpointSaved, BookFinished, BookFailed, BookWarning, RunFinished,
                              RunFailed)
}

# Each kind's field names, asked once: dataclasses.fields() per line was half the time
# of listing a runs root.
FIELD_NAMES: dict[type[Event], frozenset[str]] = {
    cls: frozenset(f.name for f in dataclasses.fields(cls)) for cls in EVENT_TYPES.values()}

EventCallback = Callable[[Event], None]


def from_dict(data: object) -> Event | None:
    """The event a metrics.jsonl line holds, or None for a line that is no event of ours.

    A line of a known kind missing a field raises TypeError, as a constructor does.
    """
    if not isinstance(data, dict):
        return None
    cls = EVENT_TYPES.get(data.get("event", ""))
    if cls is None:
        return None
    names = FIELD_NAMES[cls]
    values = {k: v for k, v in data.items() if k in names}
    for name in ("books", "book_paths"):
        if name in values:
            values[name] = tuple(values[name])
    return cls(**values)

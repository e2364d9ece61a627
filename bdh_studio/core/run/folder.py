"""A run's folder: config.json, metrics.jsonl, checkpoints/<book>.pt, and what to resume.

metrics.jsonl gets one line per event, appended and flushed as it comes, so
a crash keeps everything up to it and "Open run…" can redraw any run.  When
torchrun ranks spread the books, rank r > 0 logs its own books' events to
metrics.rank<r>.jsonl (one writer per file, even on a network filesystem);
``log.read_run`` reads them all.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
from pathlib import Path

from .. import events as ev
from ..atomic import is_temporary, missing_folders, remove_folders
from ..config import TrainConfig, from_dict
from ..errors import UserError, WriteFailed

CONFIG, METRICS, CHECKPOINTS = "config.json", "metrics.jsonl", "checkpoints"
RANK_METRICS = re.compile(r"metrics\.rank(\d+)\.jsonl")

# Settings that change what a book model is, and its budget (the schedule follows it,
# and a finished book is finished for its budget, or for its patience); the others
# (intervals, device) may change between runs on the same folder.
IDENTITY = ("n_layer", "n_embd", "n_head", "mlp_internal_dim_multiplier", "dropout",
            "block_size", "batch_size", "lr", "weight_decay", "lr_schedule", "warmup_iters",
            "min_lr", "grad_clip", "val_fraction", "seed", "budget", "patience")
BUDGET_LIMIT = {"steps": "max_iters", "seconds": "max_seconds"}


class RunFolderError(UserError):
    pass


def metrics_name(rank: int) -> str:
    return METRICS if rank == 0 else f"metrics.rank{rank}.jsonl"


def identity(config: TrainConfig | dict) -> dict:
    """The settings a run folder keeps: IDENTITY, and the limit of its budget."""
    values = config.to_dict() if isinstance(config, TrainConfig) else config
    limit = BUDGET_LIMIT.get(values.get("budget"), "max_iters")
    return {k: values.get(k) for k in (*IDENTITY, limit)}


def _json_safe(value):
    """NaN and infinity are not JSON; write them as null so every line parses."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


class RunFolder:
    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        self._metrics = None

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG

    @property
    def checkpoint_dir(self) -> Path:
        return self.path / CHECKPOINTS

    def checkpoint_path(self, book_name: str) -> Path:
        return self.checkpoint_dir / f"{book_name}.pt"

    def checkpoints(self) -> list[Path]:
        return sorted(self.checkpoint_dir.glob("*.pt")) if self.checkpoint_dir.is_dir() else []

    def saved_config(self) -> TrainConfig | None:
        if not self.config_path.is_file():
            return None
        if self.config_path.stat().st_size == 0 and not self.checkpoints():
            return None  # torn at a start that wrote nothing else: nothing to keep
        try:
            return from_dict(json.loads(self.config_path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise RunFolderError(f"{self.config_path}: unreadable ({exc}); "
                                 f"use a new output folder or --retrain") from None

    def open(self, config: TrainConfig, retrain: bool = False) -> None:
        """Make the folder, or reuse it if it was made with the same settings and budget.

        Nothing is created until the settings are written whole, and what this
        call made is removed if the log cannot be started: a full disk leaves
        no half-made folder to be refused the next time.
        """
        if self.path.is_dir():
            self._probe(self.path)  # a read-only folder says so, whatever it holds
        old = None if retrain else self.saved_config()
        if old is not None and identity(old) != identity(config):
            before, after = identity(old), identity(config)
            changed = [f"{k} {before.get(k)} -> {after.get(k)}"
                       for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
            raise RunFolderError(
                f"{self.path} holds a run with other settings ({', '.join(changed)}); "
                f"choose a new output folder, or pass --retrain to replace its models")
        made = missing_folders(self.checkpoint_dir)
        fresh = [p for p in (self.config_path, self.path / METRICS) if not p.exists()]
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            config.save(self.config_path)
            self.start_log()
        except (OSError, UserError) as exc:
            self.close()
            for path in fresh:
                path.unlink(missing_ok=True)
            remove_folders(made)
            raise self._unwritable(exc) if isinstance(exc, OSError) else exc from None
        remove_temporaries(self.path, self.checkpoint_dir)

    def start_log(self, rank: int = 0) -> None:
        """Append this process's events from now on; rank 0's go to metrics.jsonl.

        Makes the folder if need be: a rank on another machine may not share rank 0's disk.
        """
        try:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(f"cannot create the run folder {self.path}: "
                                 f"{exc.strerror or exc}; choose another --out") from None
        log = self.path / metrics_name(rank)
        try:
            end_torn_line(log)
            self._metrics = open(log, "ab", buffering=0)
        except OSError as exc:
            self.close()
            raise self._unwritable(exc) from None
        self._probe(self.checkpoint_dir)  # where the models go

    def _probe(self, folder: Path) -> None:
        try:
            tempfile.TemporaryFile(dir=folder).close()
        except OSError as exc:
            self.close()
            raise self._unwritable(exc) from None

    def _unwritable(self, exc: OSError) -> RunFolderError:
        return RunFolderError(f"cannot write in the run folder {self.path}: "
                              f"{exc.strerror or exc}; make it writable or choose another --out")

    def append(self, event: ev.Event) -> None:
        """One line, unbuffered.  A write that fails (a full disk) closes the log and raises
        WriteFailed; the line it may have torn is ended by the next run's start_log."""
        if self._metrics is None:
            return
        line = (json.dumps(_json_safe(event.to_dict())) + "\n").encode("utf-8")
        try:
            while line:
                line = line[self._metrics.write(line):]
        except OSError as exc:
            name = self._metrics.name
            self.close()
            raise WriteFailed(name, exc) from None

    def close(self) -> None:
        if self._metrics is not None:
            with contextlib.suppress(OSError):
                self._metrics.close()
            self._metrics = None


def remove_temporaries(*folders: Path) -> None:
    """Remove what a save killed mid-write left (the app's own temporaries' names only)."""
    for folder in folders:
        for path in folder.iterdir() if folder.is_dir() else ():
            if is_temporary(path) and path.is_file():
                path.unlink(missing_ok=True)


def end_torn_line(log: Path) -> None:
    """End a last line a crash left half-written, so the next event starts a line of its own."""
    if not log.is_file() or log.stat().st_size == 0:
        return
    with open(log, "rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) != b"\n":
            f.write(b"\n")


def rank_logs(folder: Path) -> list[Path]:
    """The other ranks' logs of a run that spread its books, in rank order."""
    found = {int(m.group(1)): p for p in folder.glob("metrics.rank*.jsonl")
             if (m := RANK_METRICS.fullmatch(p.name))}
    return [found[rank] for rank in sorted(found)]

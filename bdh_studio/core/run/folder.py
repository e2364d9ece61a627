"""A run's folder: config.json, metrics.jsonl, checkpoints/<book>.pt, and what to resume.

metrics.jsonl gets one line per event, appended and flushed as it comes, so
a crash keeps everything up to it and "Open run…" can redraw any run.  When
torchrun ranks spread the books, rank r > 0 logs its own books' events to
metrics.rank<r>.jsonl (one writer per file, even on a network filesystem);
``log.read_run`` reads them all.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path

from .. import events as ev
from ..config import TrainConfig, from_dict
from ..errors import UserError

CONFIG, METRICS, CHECKPOINTS = "config.json", "metrics.jsonl", "checkpoints"
RANK_METRICS = re.compile(r"metrics\.rank(\d+)\.jsonl")

# Settings that change what a book model is; the others (steps, intervals,
# device) may change between runs on the same folder, and more steps resume.
IDENTITY = ("n_layer", "n_embd", "n_head", "mlp_internal_dim_multiplier", "dropout",
            "block_size", "batch_size", "lr", "weight_decay", "lr_schedule", "warmup_iters",
            "min_lr", "grad_clip", "val_fraction", "seed")


class RunFolderError(UserError):
    pass


def metrics_name(rank: int) -> str:
    return METRICS if rank == 0 else f"metrics.rank{rank}.jsonl"


def identity(config: TrainConfig | dict) -> dict:
    values = config.to_dict() if isinstance(config, TrainConfig) else config
    return {k: values.get(k) for k in IDENTITY}


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
        try:
            return from_dict(json.loads(self.config_path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise RunFolderError(f"{self.config_path}: unreadable ({exc}); "
                                 f"use a new output folder or --retrain") from None

    def open(self, config: TrainConfig, retrain: bool = False) -> None:
        """Make the folder, or reuse it if it was made with the same model and training."""
        old = None if retrain else self.saved_config()
        if old is not None and identity(old) != identity(config):
            changed = [f"{k} {identity(old)[k]} -> {identity(config)[k]}"
                       for k in IDENTITY if identity(old)[k] != identity(config)[k]]
            raise RunFolderError(
                f"{self.path} holds a run with other settings ({', '.join(changed)}); "
                f"choose a new output folder, or pass --retrain to replace its models")
        self.start_log()
        try:
            self.config_path.write_text(json.dumps(config.to_dict(), indent=2) + "\n",
                                        encoding="utf-8")
        except OSError as exc:
            self.close()
            raise self._unwritable(exc) from None

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
            self._metrics = open(log, "a", encoding="utf-8")
            probe = tempfile.TemporaryFile(dir=self.checkpoint_dir)  # where the models go
        except OSError as exc:
            self.close()
            raise self._unwritable(exc) from None
        probe.close()

    def _unwritable(self, exc: OSError) -> RunFolderError:
        return RunFolderError(f"cannot write in the run folder {self.path}: "
                              f"{exc.strerror or exc}; make it writable or choose another --out")

    def append(self, event: ev.Event) -> None:
        if self._metrics is None:
            return
        self._metrics.write(json.dumps(_json_safe(event.to_dict())) + "\n")
        self._metrics.flush()

    def close(self) -> None:
        if self._metrics is not None:
            self._metrics.close()
            self._metrics = None


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

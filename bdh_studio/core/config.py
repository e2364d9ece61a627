"""The one training configuration, its presets, and what makes it impossible.

The configuration is flat so that ``--set key=value``, a JSON file and the
window's form all name a field the same way; each field carries its group,
a one-line help and its bounds as metadata, so the window and the command line
build their forms and messages from here instead of repeating them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_whole
from .errors import UserError

if TYPE_CHECKING:  # the model module imports torch, which describing presets needs not
    from .model import BDHConfig

MODEL, TRAINING, RUNTIME = "Model", "Training", "Runtime"
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
LR_SCHEDULES = ("constant", "cosine")
BUDGETS = ("steps", "seconds")
# The settings only one budget uses: a form greys out the others'.
BUDGET_FIELDS = {"steps": ("max_iters", "eval_interval"),
                 "seconds": ("max_seconds", "eval_points")}
# The backstory classifier's modes (classifier.py), here so that the command line offers
# them without importing scikit-learn.
CLASSIFIER_MODES = ("features", "finetune")


class ConfigError(UserError, ValueError):
    """A configuration a person must fix; the message says which field and why."""


def _f(default: Any, group: str, help: str, low: float | None = None,
       high: float | None = None, choices: tuple | None = None) -> Any:
    meta = {"group": group, "help": help, "low": low, "high": high, "choices": choices}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class TrainConfig:
    # Model: the BDH architecture (BDH_SPEC.md)
    n_layer: int = _f(6, MODEL, "Times the one shared block is applied", 1, 64)
    n_embd: int = _f(256, MODEL, "D, the residual width", 2, 8192)
    n_head: int = _f(4, MODEL, "H, attention heads; must divide n_embd", 1, 64)
    mlp_internal_dim_multiplier: int = _f(128, MODEL, "M; sparse width per head N = M*D/H", 1, 1024)
    dropout: float = _f(0.1, MODEL, "Dropout on the sparse product", 0.0, 0.99)
    # Training
    block_size: int = _f(512, TRAINING, "Bytes of context per sample", 2, 1 << 20)
    batch_size: int = _f(32, TRAINING, "Samples per step (per process under torchrun)", 1, 1 << 16)
    budget: str = _f("steps", TRAINING,
                     "Train each book for max_iters steps or for max_seconds of wall-clock",
                     choices=BUDGETS)
    max_iters: int = _f(500, TRAINING, "Optimizer steps per book", 1, 1 << 30)
    max_seconds: float = _f(0.0, TRAINING, "Wall-clock seconds per book, validation and saving "
                            "included, when budget is seconds", 0.0, 1e9)
    lr: float = _f(1e-3, TRAINING, "Peak learning rate (AdamW)", 1e-9, 10.0)
    weight_decay: float = _f(0.1, TRAINING, "AdamW weight decay", 0.0, 10.0)
    lr_schedule: str = _f("constant", TRAINING, "constant, or cosine decay to min_lr",
                          choices=LR_SCHEDULES)
    warmup_iters: int = _f(0, TRAINING, "Linear warmup steps (0: none)", 0, 1 << 30)
    min_lr: float = _f(1e-4, TRAINING, "Floor of the cosine schedule", 0.0, 10.0)
    grad_clip: float = _f(0.0, TRAINING, "Clip the gradient norm to this (0: off)", 0.0, 1e6)
    log_interval: int = _f(10, TRAINING, "Steps between loss readings", 1, 1 << 30)
    eval_interval: int = _f(100, TRAINING, "Steps between validation losses", 1, 1 << 30)
    eval_points: int = _f(10, TRAINING, "Validations per book when training by time, at equal "
                          "fractions of max_seconds", 1, 10000)
    eval_batches: int = _f(8, TRAINING, "Fixed held-out batches per validation", 1, 10000)
    patience: int = _f(0, TRAINING, "Validations in a row without a lower validation loss "
                       "after which a book stops early, as finished (0: never)", 0, 1 << 30)
    checkpoint_interval: int = _f(0, TRAINING, "Steps between checkpoints (0: at the end only)",
                                  0, 1 << 30)
    val_fraction: float = _f(0.1, TRAINING, "Tail of each book held out for validation",
                             0.01, 0.9)
    seed: int = _f(1337, TRAINING, "Seed for weights and batches", 0, 2**63 - 1)
    # Runtime
    device: str = _f("auto", RUNTIME, "auto: cuda, then mps, then cpu", choices=DEVICES)
    precision: str = _f("auto", RUNTIME, "auto: bf16 or fp16 on a GPU; bf16 on a CPU that "
                        "has it in hardware, else fp32", choices=PRECISIONS)
    compile: bool = _f(False, RUNTIME, "torch.compile the model (slow first step)")
    checkpoint_layers: bool = _f(False, RUNTIME, "Recompute each layer in the backward: "
                                 "~40% more FLOPs, a fraction of the memory")
    threads: int = _f(0, RUNTIME, "Intra-op threads on a CPU; 0: OMP_NUM_THREADS if set, "
                      "else the cores the load average leaves free", 0, 1024)

    def model_config(self) -> BDHConfig:
        """The model's shape; imports torch, so only what builds a model calls it."""
        from .model import BDHConfig
        return BDHConfig(n_layer=self.n_layer, n_embd=self.n_embd, n_head=self.n_head,
                         mlp_internal_dim_multiplier=self.mlp_internal_dim_multiplier,
                         dropout=self.dropout)

    def to_dict(self) -> dict:
        # Every field is a number, a string or a bool: a shallow copy is a whole one, and
        # 20x cheaper than dataclasses.asdict (the window's form parses a field at a time).
        return {name: getattr(self, name) for name in FIELDS}

    def replace(self, **changes: Any) -> "TrainConfig":
        return from_dict({**self.to_dict(), **changes})

    def save(self, path: str | Path) -> None:
        """As JSON, whole or not at all (UserError naming the file if it cannot be written)."""
        text = json.dumps(self.to_dict(), indent=2) + "\n"
        write_whole(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


FIELDS = {f.name: f for f in dataclasses.fields(TrainConfig)}

PRESETS: dict[str, TrainConfig] = {
    # The original script's configuration: the paper's model, 500 steps a book.
    "paper": TrainConfig(),
    # The lowest validation loss a 2-core CPU reaches in 80 s a book, validation and
    # saving included: two layers (they share their weights, so depth only costs
    # time), two heads, short blocks in big batches, a high learning rate
    # (benchmarks/tune_preset.py; on a KDSH novel 1.36 nats/byte where the
    # preset before reached 1.68 in 87 s).
    "cpu": TrainConfig(n_layer=2, n_embd=64, n_head=2, mlp_internal_dim_multiplier=16,
                       dropout=0.0, block_size=64, batch_size=32, budget="seconds",
                       max_seconds=80.0, max_iters=1600, lr=3e-3, lr_schedule="cosine",
                       warmup_iters=50, min_lr=1e-4, log_interval=10, eval_interval=100,
                       eval_points=10, eval_batches=8),
    # A first look in about 10 s a book on 2 cores, and the tests: counted in steps so
    # that runs repeat exactly.  Its shape keeps steps cheap for the tests; the learning
    # rate and schedule are the 10-second sweep's (benchmarks/tune_preset.py).  It logs
    # every 10 steps, as the others do: a log (the sparsity statistics, the loss read, the
    # event) costs ~5% of a step this small, and 140 points a book draw the same curves.
    "tiny": TrainConfig(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8,
                        dropout=0.0, block_size=64, batch_size=8, max_iters=1400, lr=3e-3,
                        lr_schedule="cosine", min_lr=1e-4,
                        log_interval=10, eval_interval=25, eval_batches=4),
}


def _coerce(name: str, value: Any) -> Any:
    """Turn a JSON or command-line value into the field's type, or say why not."""
    kind = FIELDS[name].type
    try:
        if kind == "bool":
            if isinstance(value, str):
                if value.strip().lower() in ("1", "true", "yes", "on"):
                    return True
                if value.strip().lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            return bool(value)
        if kind == "int":
            if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
                return int(value)  # exactly, however long: a float would round it
            number = float(value) if isinstance(value, str) else value
            if isinstance(number, bool) or float(number) != int(number):
                raise ValueError
            if isinstance(number, float) and abs(number) > 2**53:  # not a whole number exactly
                meta = FIELDS[name].metadata
                raise ConfigError(f"{name}: {value} must be between {number_text(meta['low'])} "
                                  f"and {number_text(meta['high'])}")
            return int(number)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        return str(value)
    except ConfigError:
        raise
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{name}: {value!r} is not a valid {kind}") from None


def from_dict(data: dict, base: TrainConfig | None = None) -> TrainConfig:
    """Build a config from ``base`` (default: the paper preset) overridden by ``data``."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}; "
                          f"known: {', '.join(FIELDS)}")
    values = (base or TrainConfig()).to_dict()
    values.update({k: _coerce(k, v) for k, v in data.items()})
    return TrainConfig(**values)


def load(path: str | Path, base: TrainConfig | None = None) -> TrainConfig:
    """Read a JSON configuration, as written by ``TrainConfig.save`` or the window."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path} is not a JSON configuration: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object of settings")
    return from_dict(data, base)


def parse_assignments(pairs: list[str], base: TrainConfig) -> TrainConfig:
    """Apply ``key=value`` strings from the command line."""
    data = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--set {pair!r}: expected key=value, for example n_layer=4")
        data[key.strip()] = value.strip()
    return from_dict(data, base)


def split_sizes(n_bytes: int, val_fraction: float) -> tuple[int, int]:
    """The bytes a book of ``n_bytes`` trains on, and those of its tail held out for validation."""
    n_val = int(n_bytes * val_fraction)
    return n_bytes - n_val, n_val


def block_misfit(n_bytes: int, block_size: int, val_fraction: float) -> str | None:
    """Why a block and its next byte do not fit in both splits of a book, or None if they do.

    The advice never proposes a block_size below the smallest one allowed: a
    book too short even for that is to be left out.
    """
    train, val = split_sizes(n_bytes, val_fraction)
    most = min(train, val) - 1
    if block_size <= most:
        return None
    advice = (f"lower block_size to at most {most} or leave the book out"
              if most >= FIELDS["block_size"].metadata["low"]
              else "leave the book out, it is too short for any block")
    return f"{n_bytes:,} bytes, {val:,} of them held out for validation; {advice}"


def number_text(value: float) -> str:
    """A number as a person reads it: a whole one in full with separators (1,073,741,824,
    never 1.07374e+09), unless it is a float past the integers floats hold exactly; any
    other as %g."""
    if isinstance(value, int) or (value.is_integer() and abs(value) <= 2**53):
        return f"{int(value):,}"
    return f"{value:g}"


def problems(config: TrainConfig, shortest_book: tuple[str, int] | None = None
             ) -> dict[str, str]:
    """Every reason this configuration cannot train, keyed by the field to fix.

    ``shortest_book`` is the name and text length in bytes of the shortest book
    that will be trained; a block must fit in it (and in its validation tail).
    """
    found: dict[str, str] = {}
    for name, f in FIELDS.items():
        value, meta = getattr(config, name), f.metadata
        if meta["choices"] and value not in meta["choices"]:
            found[name] = f"must be one of {', '.join(meta['choices'])}"
        elif meta["low"] is not None and not meta["low"] <= value <= meta["high"]:
            found[name] = (f"{number_text(value)} must be between {number_text(meta['low'])} and "
                           f"{number_text(meta['high'])}")
    if "n_head" not in found and "n_embd" not in found and config.n_embd % config.n_head:
        found["n_head"] = f"n_embd {config.n_embd} is not divisible by n_head {config.n_head}"
    elif not found.keys() & {"n_head", "n_embd", "mlp_internal_dim_multiplier"}:
        n = config.model_config().n_sparse
        if n % 2:
            found["mlp_internal_dim_multiplier"] = (
                f"the sparse width N = M*D/H = {n} must be even (RoPE rotates pairs)")
    if config.lr_schedule == "cosine" and config.min_lr > config.lr:
        found["min_lr"] = f"{config.min_lr:g} is above the peak lr {config.lr:g}"
    if config.budget == "seconds" and config.max_seconds <= 0 and "max_seconds" not in found:
        found["max_seconds"] = "must be above 0 to train by time (budget seconds)"
    if config.budget == "steps" and config.warmup_iters > config.max_iters:
        found["warmup_iters"] = f"{config.warmup_iters} is more than max_iters {config.max_iters}"
    if shortest_book is not None and not found.keys() & {"block_size", "val_fraction"}:
        name, size = shortest_book
        misfit = block_misfit(size, config.block_size, config.val_fraction)
        if misfit:
            found["block_size"] = f"{config.block_size} is too long for {name!r}: {misfit}"
    return found


def check(config: TrainConfig, shortest_book: tuple[str, int] | None = None) -> None:
    """Raise one ConfigError listing every problem, or return."""
    found = problems(config, shortest_book)
    if found:
        raise ConfigError("; ".join(f"{k}: {v}" for k, v in found.items()))


def parameter_count(config: TrainConfig) -> int:
    m = config.model_config()
    D, H, N, V = m.n_embd, m.n_head, m.n_sparse, m.vocab_size
    return V * D + 2 * H * D * N + H * N * D + D * V

"""A run's curves as TensorBoard event files, for people who read their curves there.

Each book is a tag group (``<book>/train_loss``, ``<book>/val_loss``, ...), one
point per logged step, from the run's ``metrics.jsonl`` (every rank's log).
TensorBoard is an optional extra: ``torch.utils.tensorboard`` needs the
``tensorboard`` package, which the studio itself never does.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import events as ev
from .errors import UserError
from .runs import read_events

INSTALL_HINT = "pip install 'bdh-studio[tensorboard]' (or: pip install tensorboard)"

STEP_SCALARS = ("train_loss", "lr", "tokens_per_s", "x_sparsity", "y_sparsity")
VALIDATION_SCALARS = ("val_loss", "bits_per_byte")


def scalars(event: ev.Event) -> dict[str, float]:
    """The tag (``book/name``) and value of every curve point an event carries."""
    if isinstance(event, ev.StepLogged):
        names = STEP_SCALARS
    elif isinstance(event, ev.ValidationLogged):
        names = VALIDATION_SCALARS
    else:
        return {}
    return {f"{event.book}/{name}": getattr(event, name) for name in names
            if getattr(event, name) is not None}


def export_run(run_dir: str | Path, out_dir: str | Path) -> Counter:
    """Write the curves of ``run_dir`` under ``out_dir``; returns the points per tag."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as exc:
        raise UserError(f"TensorBoard is not installed: {INSTALL_HINT}") from exc
    written: Counter = Counter()
    events = list(read_events(run_dir))
    try:
        writer = SummaryWriter(log_dir=str(out_dir))
    except OSError as exc:
        raise UserError(f"cannot write to {out_dir}: {exc}") from exc
    with writer:
        for event in events:
            for tag, value in scalars(event).items():
                writer.add_scalar(tag, value, global_step=event.step)
                written[tag] += 1
    return written

"""What every benchmark shares: contestants alternated round by round, medians, the machine.

The benchmark machine is shared with other people's jobs, so no figure is
measured alone: each round runs every contestant once, in ABBA order (the
order flips every round), and a benchmark reports the median of the rounds
and the ratio of medians.  Noise then hits every contestant alike.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import torch

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BDH_SHARED", REPO.parent / "shared"))
CASTAWAYS = SHARED / "data" / "kdsh" / "books" / "In search of the castaways.txt"

sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured, even piped


def alternate(contestants: dict[str, Callable[[], float]], rounds: int,
              label: str = "", warm_up: bool = True) -> dict[str, list[float]]:
    """Every contestant's figure in each of ``rounds`` rounds, contestants taking turns.

    With ``warm_up`` each contestant first runs once unrecorded, so one-time
    costs (imports, first allocations, caches) fall on no round.
    """
    figures: dict[str, list[float]] = {name: [] for name in contestants}
    names = list(contestants)
    if warm_up:
        for name in names:
            contestants[name]()
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            figures[name].append(contestants[name]())
        if label:
            print(f"  {label} round {r + 1}/{rounds}: " + ", ".join(
                f"{name} {values[-1]:.4g}" for name, values in figures.items()), flush=True)
    return figures


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    """The median with the lowest and highest round, so a reader sees the noise."""
    return f"{median(values):.4g} (rounds {min(values):.4g}..{max(values):.4g})"


def paired(a: list[float], b: list[float]) -> str:
    """The round-by-round ratios a/b: contestants of one round shared the machine's mood."""
    ratios = [x / y for x, y in zip(a, b)]
    return f"per-round ratios median {median(ratios):.3f}, {min(ratios):.3f}..{max(ratios):.3f}"


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    met = value >= target if higher_is_better else value < target
    return "MEETS" if met else "MISSES"


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn`` took."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def machine() -> str:
    """One line naming what the figures were measured on, and how busy it was."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.machine()} {os.cpu_count()} cores, load average {load}; "
            f"Python {platform.python_version()}, torch {torch.__version__}, "
            f"{torch.get_num_threads()} intra-op threads")


def header(title: str) -> None:
    print(title)
    print(f"  machine: {machine()}")
    print(f"  command: python {' '.join(sys.argv)}")


def cpu_preset_model(**changes):
    """The cpu preset's model (``changes`` to its model config), seeded, in eval mode: what
    the inspector benchmarks read."""
    from dataclasses import replace

    from bdh_studio.core.config import PRESETS
    from bdh_studio.core.model import BDH
    config = PRESETS["cpu"]
    torch.manual_seed(config.seed)
    return BDH(replace(config.model_config(), **changes)).eval()

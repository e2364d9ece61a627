"""Runs that differ only in their seed, seen as one curve: the mean with a band of spread.

Whether runs are seeds of one experiment is read from their settings (the
config diff ignoring ``seed``) and their books, never from their names.  The
band is taken step by step over the runs that logged that step, so a seed
still training does not cut the others short; the count says how many.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..config import ConfigError, TrainConfig

SEED = "seed"
SPREADS = ("minmax", "sem")  # min to max of the seeds; mean ± standard error of the mean


def seed_groups(configs: dict[str, dict | None],
                books: dict[str, list[str]] | None = None) -> list[list[str]]:
    """The names grouped by everything but the seed, in the order they first come.

    A run without readable settings is a group of its own.
    """
    groups: dict[str, list[str]] = {}
    for name, config in configs.items():
        if config is None:
            key = f"\0{name}"
        else:
            rest = {k: v for k, v in config.items() if k != SEED}
            key = json.dumps([rest, (books or {}).get(name, [])], sort_keys=True, default=str)
        groups.setdefault(key, []).append(name)
    return list(groups.values())


def seed_runs(config: TrainConfig, out: Path,
              seeds: int | None) -> list[tuple[TrainConfig, Path]]:
    """The (settings, run folder) of each run to train: one, or one per seed.

    ``seeds`` runs have the seeds S, S+1, … (S: the settings' own) and the
    folders ``out``-seedS, ``out``-seedS+1, …, beside ``out``.
    """
    if seeds is None:
        return [(config, out)]
    if seeds < 1:
        raise ConfigError(f"--seeds {seeds}: give 1 or more runs")
    return [(config.replace(seed=s), out.with_name(f"{out.name}-seed{s}"))
            for s in range(config.seed, config.seed + seeds)]


class Ended(Protocol):
    """How a run's training ended (core.trainer.RunResult)."""
    stopped: bool
    error: str | None


def ends_seeds(result: Ended) -> bool:
    """Whether the seeds after this run do not start: it was stopped, or something ended it
    that would end the next seed's run the same way (a full disk, no memory, a lost peer)."""
    return result.stopped or result.error is not None


class SeededRun(Protocol):
    """A run as Compare holds it: a name, its settings, and its books' curves."""
    name: str
    config: dict | None
    series: object  # RunSeries: .books[book].series[kind] has steps and values


def group_runs(runs: list[SeededRun]) -> list[list[SeededRun]]:
    """``runs`` in seed groups (a run alone is a group of one), settings and books compared."""
    by_name = {run.name: run for run in runs}
    names = seed_groups({run.name: run.config for run in runs},
                        {run.name: list(run.series.books) for run in runs})
    return [[by_name[n] for n in group] for group in names]


def group_label(names: list[str]) -> str:
    """"exp (3 seeds)": the seeds' common name without its seed suffix; a lone run's name."""
    if len(names) == 1:
        return names[0]
    base = re.sub(r"[-_ ]?seed ?\d+$", "", names[0]) or names[0]
    return f"{base} ({len(names)} seeds)"


@dataclass
class Band:
    steps: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    count: np.ndarray  # runs that logged each step
    runs: int  # runs in the group


def align(steps: list[np.ndarray], arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every step any run logged, and each run's value there (NaN where it has none)."""
    union = np.unique(np.concatenate(steps)) if steps else np.empty(0)
    table = np.full((len(arrays), union.size), np.nan)
    for row, (s, values) in enumerate(zip(steps, arrays)):
        table[row, np.searchsorted(union, s)] = values
    return union, table


def band(steps: list[np.ndarray], values: list[np.ndarray], spread: str = "minmax") -> Band:
    """The runs' mean at each step with min–max or ± standard-error bounds.

    A run's steps are ascending and unique (a resumed book's retrained points
    replace the old ones before they get here).
    """
    if spread not in SPREADS:
        raise ValueError(f"spread must be one of {SPREADS}, not {spread!r}")
    union, table = align(steps, values)
    count = np.isfinite(table).sum(axis=0)
    with warnings.catch_warnings():  # a step where every run diverged is NaN, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(table, axis=0)
        if spread == "minmax":
            low, high = np.nanmin(table, axis=0), np.nanmax(table, axis=0)
        else:
            sem = np.nanstd(table, axis=0, ddof=1) / np.sqrt(count)
            sem = np.where(count > 1, sem, 0.0)
            low, high = mean - sem, mean + sem
    return Band(union, mean, low, high, count, len(values))


def mean_x(steps: list[np.ndarray], xs: list[np.ndarray], at: np.ndarray) -> np.ndarray:
    """The runs' mean of another x (training time, wall clock) at the band's steps."""
    union, table = align(steps, xs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(table, axis=0)
    return mean[np.searchsorted(union, at)]

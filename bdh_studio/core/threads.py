"""How many intra-op threads a CPU run trains with, chosen once as it starts.

Two OpenMP threads on two cores that other jobs also use spin, are
descheduled and wait for each other: a step then costs several times what it
costs on one thread, while on an idle machine two threads buy the cpu preset
~1.6x the steps of one (benchmarks/README.md, "Process-wide settings").  So a
run takes the cores that other processes leave free by the 1-minute load
average, and at least one.  A ``threads`` setting wins, then OMP_NUM_THREADS
as the person set it.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Mapping

import torch

# Torch's own choice for this machine (its physical cores), read before a run changes it.
TORCH_DEFAULT = torch.get_num_threads()
LOAD_WINDOW = 60.0  # seconds: the time constant of the 1-minute load average


@dataclass(frozen=True)
class ThreadChoice:
    threads: int
    why: str  # for the run's start line and log: how a researcher tells how the run was made


def pick_threads(setting: int, cores: int, others_load: float | None,
                 env: Mapping[str, str]) -> ThreadChoice:
    """The thread count for a run: ``setting`` if above 0, else OMP_NUM_THREADS in ``env``,
    else the ``cores`` that other processes' 1-minute load (None where the system keeps
    none) leaves free, at least one."""
    if setting > 0:
        return ThreadChoice(setting, "the threads setting")
    omp = omp_threads(env)
    if omp is not None:
        return ThreadChoice(omp, "OMP_NUM_THREADS")
    if others_load is None:
        return ThreadChoice(cores, f"{cores} cores")
    free = max(1, min(cores, cores - round(others_load)))
    return ThreadChoice(free, f"{cores} cores, load average {others_load:.1f} from other "
                              f"processes")


def omp_threads(env: Mapping[str, str]) -> int | None:
    """The outer level of OMP_NUM_THREADS ("4" or "4,2"), or None when unset or not a count."""
    first = env.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(first) if first.isdigit() and int(first) > 0 else None


def threads_text(threads: int) -> str:
    return f"{threads} intra-op thread{'' if threads == 1 else 's'}"


def usable_cores() -> int:
    """The cores torch would use, of those this process may run on."""
    try:
        allowed = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        allowed = os.cpu_count() or 1
    return max(1, min(allowed, TORCH_DEFAULT))


def cpu_seconds() -> float:
    """CPU time this process has used, every thread's."""
    times = os.times()
    return times.user + times.system


class LoadMeter:
    """The 1-minute load average less this process's own part in it.

    A run trained a moment ago by this process (a second seed, the window's
    next run) still weighs in the average; counting it as another job's would
    halve the threads of every run after the first.  The process's CPU use
    since the last reading is taken as even over that time, and weighed as the
    average weighs it.
    """

    def __init__(self) -> None:
        self.when, self.cpu = time.monotonic(), cpu_seconds()

    def others(self) -> float | None:
        now, cpu = time.monotonic(), cpu_seconds()
        elapsed = max(now - self.when, 1e-3)
        own = (cpu - self.cpu) / elapsed * (1 - math.exp(-elapsed / LOAD_WINDOW))
        self.when, self.cpu = now, cpu
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # Windows keeps none
            return None
        return max(0.0, load - own)


LOAD = LoadMeter()  # made as the engine is imported: the process's start, near enough


def use_threads(setting: int) -> ThreadChoice:
    """Choose for this machine now and set it, process-wide, for the thread that trains."""
    choice = pick_threads(setting, usable_cores(), LOAD.others(), os.environ)
    torch.set_num_threads(choice.threads)
    return choice

"""The status bar's memory figure (where the run is comes from core.run.progress)."""

from __future__ import annotations

import os
import resource

import torch


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

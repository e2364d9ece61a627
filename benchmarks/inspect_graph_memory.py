"""Benchmark 11: extra memory of the neuron graph of the paper preset (n = 32,768).

A paper-preset BDH at random initialisation (the graph's cost does not
depend on training) has its G_x degree-counted blockwise, or with --all the
whole report: G_x and G_y, for it and for its initialisation control, one
after the other (each pass frees what it used; about 4x the time).  The
figure is the process's peak resident set size (VmHWM) minus its resident
size just before, the models already built.  Target: under 2 GiB.

    python benchmarks/inspect_graph_memory.py [--q 0.01] [--all]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from common import header, verdict

from bdh_studio.core.config import PRESETS
from bdh_studio.core.inspection.graph import degrees, graph_report, initial_model

TARGET_MB = 2048


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status: this benchmark needs Linux")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--q", type=float, default=0.01)
    parser.add_argument("--all", action="store_true", help="G_x and G_y, trained and init")
    args = parser.parse_args()
    header("Benchmark 11: neuron graph of the paper preset, extra peak memory")
    config = PRESETS["paper"].model_config()
    model = initial_model(config, 1)
    control = initial_model(config, PRESETS["paper"].seed)
    n = config.n_head * config.n_sparse
    before = status_mb("VmRSS")
    start = time.perf_counter()
    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.05:
            last[0] = fraction
            print(f"  {100 * fraction:3.0f}% {message} ({time.perf_counter() - start:.0f} s)")

    with torch.no_grad():
        report = (graph_report(model, control, args.q, progress) if args.all
                  else {"trained": {"G_x": degrees(model, "G_x", args.q, progress)}})
    extra = status_mb("VmHWM") - before
    print(f"  n = {n:,} neurons, G has {n * n:,} entries; q = {args.q}")
    for which, graphs in report.items():
        for name, d in graphs.items():
            print(f"  {which} {name}: tau {d.tau:.4g}, edges {int(d.out.sum()):,}, "
                  f"out {d.summary(d.out)}, in {d.summary(d.into)}")
    print(f"  resident before {before:.0f} MiB; peak extra {extra:.0f} MiB in "
          f"{time.perf_counter() - start:.0f} s; target < {TARGET_MB} MiB: "
          f"{verdict(extra, TARGET_MB, higher_is_better=False)}")


if __name__ == "__main__":
    main()

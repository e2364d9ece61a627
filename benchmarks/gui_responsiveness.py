"""Benchmark 3: gaps between ticks of a 10 ms QTimer in the GUI thread while the cpu preset trains.

The window is the real MainWindow, offscreen, training through its worker
thread with the live plots redrawing.  A precise 10 ms timer in the GUI
thread stamps every tick; a gap much above 10 ms is the window freezing.
Training rounds alternate with rounds of the same window sitting idle, so
the noise of the shared machine shows in the idle figures too.

    python benchmarks/gui_responsiveness.py [--rounds 3] [--steps 150]
"""

from __future__ import annotations

import gui_harness  # noqa: F401  (first: offscreen Qt, torch before PySide6)

import argparse
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import QEventLoop, Qt, QTimer

from common import alternate, header
from loops import demo_book

from bdh_studio.core.config import PRESETS

TICK_MS = 10
P99_TARGET_MS, MAX_TARGET_MS = 50, 200


def gaps_during(action: Callable[[], float]) -> np.ndarray:
    """Milliseconds between the ticks of a 10 ms timer while ``action`` runs the event loop."""
    stamps: list[float] = []
    timer = QTimer(interval=TICK_MS, timeout=lambda: stamps.append(time.perf_counter()))
    timer.setTimerType(Qt.PreciseTimer)
    timer.start()
    action()
    timer.stop()
    return np.diff(stamps) * 1000


def idle_for(seconds: float) -> float:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    return seconds


def describe(gaps: np.ndarray) -> str:
    return (f"{len(gaps)} gaps: median {np.median(gaps):.1f} ms, p99 "
            f"{np.percentile(gaps, 99):.1f} ms, max {gaps.max():.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=150, help="training steps per round")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds per idle round")
    args = parser.parse_args()
    header("Benchmark 3: GUI responsiveness while the cpu preset trains (10 ms QTimer)")
    book = demo_book()
    config = PRESETS["cpu"].replace(max_iters=args.steps, device="cpu")
    gaps: dict[str, list[np.ndarray]] = {"training": [], "idle": []}
    with tempfile.TemporaryDirectory() as tmp:
        window = gui_harness.Window(Path(tmp), book)
        redraws_before = window.redraws
        try:
            def training() -> float:
                gaps["training"].append(gaps_during(
                    lambda: window.train(config, Path(tmp) / "run")))
                return float(np.percentile(gaps["training"][-1], 99))

            def idle() -> float:
                gaps["idle"].append(gaps_during(lambda: idle_for(args.idle)))
                return float(np.percentile(gaps["idle"][-1], 99))

            alternate({"training": training, "idle": idle}, args.rounds, label="p99 ms",
                      warm_up=False)  # the first run, with its one-time costs, counts too
        finally:
            redraws = window.redraws - redraws_before
            window.close()
    print(f"  {args.rounds} rounds of {args.steps} cpu-preset steps, plots redrawn {redraws} "
          f"times in all")
    for name, rounds in gaps.items():
        for i, g in enumerate(rounds):
            print(f"  {name} round {i + 1}: {describe(g)}")
    pooled = np.concatenate(gaps["training"])
    p99, worst = np.percentile(pooled, 99), pooled.max()
    print(f"  idle, all rounds:     {describe(np.concatenate(gaps['idle']))}")
    print(f"  training, all rounds: {describe(pooled)}")
    print(f"  p99 {p99:.1f} ms  target < {P99_TARGET_MS} ms  "
          f"{'MEETS' if p99 < P99_TARGET_MS else 'MISSES'};  max {worst:.1f} ms  target < "
          f"{MAX_TARGET_MS} ms  {'MEETS' if worst < MAX_TARGET_MS else 'MISSES'}")


if __name__ == "__main__":
    main()

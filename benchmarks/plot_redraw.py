"""Benchmark 4: redrawing the training plots while they hold 4 books of 100k points each.

TrainingPlots, offscreen and shown at the size the window gives it, is fed 4
books of 100k logged steps (and a validation every 10, as the defaults do)
through ``handle``, the path the window's events take; the last book is
near the end of its planned steps, so every curve spans the plot.  Then each redraw is timed
with the repaint it causes, the event loop painting the canvas:

- live: the last book gains a few points (what a timer tick finds while a
  book trains), then ``redraw()`` and the paint;
- full: every curve drawn again (what moving the smoothing slider costs);
  the smoothing alternates between two weights so each redraw has work.

The two alternate, ABBA, over rounds of many redraws.  Wall time is what a
person waits; the GUI thread's CPU time is what the redraw takes from training.

    python benchmarks/plot_redraw.py [--rounds 4] [--redraws 50] [--points 100000]
"""

from __future__ import annotations

import gui_harness  # noqa: F401  (first: offscreen Qt, torch before PySide6)

import argparse
import time
from typing import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from common import alternate, header, verdict

from bdh_studio.core import events as ev
from bdh_studio.gui.app import make_app
from bdh_studio.gui.plots import TrainingPlots

BOOKS = 4
TARGET_MS = 16.0
LIVE_POINTS = 5  # what a ~10 Hz tick finds while the tiny preset logs every 5 steps
VAL_EVERY = 10  # logged points per validation: the defaults log every 10 steps, validate every 100
SIZE = (960, 720)  # about the Training tab of a 1280 × 820 window


class PaintCounter(QObject):
    """Counts the paint events of the widget it watches, to know a repaint happened."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Paint:
            self.paints += 1
        return False


class Book:
    """One book's logged steps, as the trainer would emit them: a loss falling with noise."""

    def __init__(self, name: str, rng: np.random.Generator):
        self.name, self.rng = name, rng
        self.step = 0

    def events(self, n: int) -> list[ev.Event]:
        steps = np.arange(self.step + 1, self.step + n + 1)
        self.step += n
        loss = 1.2 + 4.3 / np.sqrt(steps / 50 + 1) + self.rng.normal(0, 0.08, n)
        out: list[ev.Event] = []
        for s, v in zip(steps.tolist(), loss.tolist()):
            t = s * 0.012
            out.append(ev.StepLogged(self.name, s, v, 1e-3, 70_000 + 500 * np.sin(s / 300), t,
                                     0.08 + 0.02 * np.exp(-s / 5000), 0.03))
            if s % VAL_EVERY == 0:
                out.append(ev.ValidationLogged(self.name, s, v + 0.05, (v + 0.05) / 0.693, t))
        return out


def fed_plots(points: int) -> tuple[TrainingPlots, list[Book]]:
    plots = TrainingPlots()
    plots.resize(*SIZE)
    plots.show()
    rng = np.random.default_rng(0)
    books = [Book(f"book {i + 1}", rng) for i in range(BOOKS)]
    start = time.perf_counter()
    for i, book in enumerate(books):
        planned = points + (points // 20 if i == BOOKS - 1 else 0)  # the last is near its end
        plots.handle(ev.BookStarted(book.name, i, BOOKS, planned))
        for event in book.events(points):
            plots.handle(event)
    fed = time.perf_counter() - start
    print(f"  fed {BOOKS} books x {points:,} steps through handle() in {fed:.2f} s "
          f"({fed / (BOOKS * points) * 1e6:.1f} us an event)")
    return plots, books


def timed_redraws(counter: PaintCounter, before: Callable[[], None], redraw: Callable[[], None],
                  redraws: int, wall: list[float], cpu: list[float]) -> float:
    """Milliseconds of each redraw and its paint; returns the round's median wall time."""
    app = QApplication.instance()
    times = []
    for _ in range(redraws):
        before()
        painted = counter.paints
        start, start_cpu = time.perf_counter(), time.thread_time()
        redraw()
        for _ in range(5):  # the scene's update reaches the view through a queued call
            app.processEvents()
            if counter.paints > painted:
                break
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        if counter.paints == painted:
            raise SystemExit("a redraw painted nothing: the benchmark would time nothing")
    wall.extend(times)
    return float(np.median(times))


def describe(name: str, wall: list[float], cpu: list[float]) -> float:
    p50, p90 = np.percentile(wall, [50, 90])
    c50, c90 = np.percentile(cpu, [50, 90])
    print(f"  {name}: {len(wall)} redraws, wall median {p50:.1f} ms, p90 {p90:.1f} ms, "
          f"max {max(wall):.1f} ms; GUI-thread CPU median {c50:.1f} ms, p90 {c90:.1f} ms")
    return float(p50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--redraws", type=int, default=50, help="redraws per round")
    parser.add_argument("--points", type=int, default=100_000, help="steps per book")
    args = parser.parse_args()
    header("Benchmark 4: redrawing the training plots, "
           f"{BOOKS} books x {args.points:,} points (offscreen)")
    make_app([])
    plots, books = fed_plots(args.points)
    counter = PaintCounter()
    plots.canvas.viewport().installEventFilter(counter)
    plots.redraw()
    QApplication.processEvents()
    weights = iter(np.tile([55, 60], 10_000).tolist())
    figures: dict[str, tuple[list[float], list[float]]] = {"live": ([], []), "full": ([], [])}

    def grow() -> None:
        for event in books[-1].events(LIVE_POINTS):
            plots.handle(event)

    def slide() -> None:
        plots.smoothing.setValue(next(weights))  # redraws every curve, as a person's drag does

    alternate({
        "live": lambda: timed_redraws(counter, grow, plots.redraw, args.redraws,
                                      *figures["live"]),
        "full": lambda: timed_redraws(counter, lambda: None, slide, args.redraws,
                                      *figures["full"]),
    }, args.rounds, label="median ms")
    warm = args.redraws  # the unrecorded warm-up run's redraws come first
    live = describe("live (new points on one book)", *(f[warm:] for f in figures["live"]))
    full = describe("full (every curve set again)", *(f[warm:] for f in figures["full"]))
    for name, value in (("live", live), ("full", full)):
        print(f"  {name}: median {value:.1f} ms  target < {TARGET_MS:.0f} ms  "
              f"{verdict(value, TARGET_MS, higher_is_better=False)}")


if __name__ == "__main__":
    main()

"""Benchmark 1: tokens/s of a book trained through the window, against the bare loop.

The window is the real MainWindow, offscreen: Train is pressed, the engine
runs in the window's QThread worker, events cross to the GUI thread as
signals, and the live plots redraw on their timer while the event loop runs.
The bare loop (loops.py) runs in the same process, in a thread of its own
as the window's worker does (see loops.in_fresh_thread), on the same model,
batches and optimizer; the two alternate, ABBA, over several rounds, with the
tiny and the cpu presets.  Both do the same training work: the window's
checkpoint ends with exactly the bare loop's weights.

    python benchmarks/window_throughput.py [--presets tiny cpu] [--rounds 5]
"""

from __future__ import annotations

import gui_harness  # noqa: F401  (first: offscreen Qt, torch before PySide6)

import argparse
import tempfile
from pathlib import Path

from common import alternate, header, median, paired, spread, verdict
from loops import bare_loop, demo_book, in_fresh_thread, same_weights

from bdh_studio.core.config import PRESETS

# tiny: a whole book as the preset trains it (~10 s here); cpu: 100 of its steps (~8 s), its
# whole 80 s budget being too long to alternate.  Shorter runs measure the window's fixed
# costs of starting and ending a run (settings saved, form locked and repainted) as much as
# its training: at 200 tiny steps (1.6 s) those are ~1.5% of a run.
RUN_STEPS = {"tiny": PRESETS["tiny"].max_iters, "cpu": 100}
TARGET = 0.97


def compare(window: gui_harness.Window, preset: str, book: Path, rounds: int,
            out: Path) -> float:
    config = PRESETS[preset].replace(budget="steps", max_iters=RUN_STEPS[preset], device="cpu",
                                     precision="fp32")  # the bare loop trains in fp32
    tokens = config.max_iters * config.batch_size * config.block_size
    print(f"\n[{preset}] whole runs of {config.max_iters} steps ({tokens:,} tokens)")
    models, redraws = {}, []

    def through_window() -> float:
        before = window.redraws
        seconds = window.train(config, out / "run")
        redraws.append(window.redraws - before)
        return tokens / seconds

    def bare() -> float:
        seconds, models["bare"] = in_fresh_thread(lambda: bare_loop(config, book, out))
        return tokens / seconds

    window.gui_cpu.clear()
    figures = alternate({"window": through_window, "bare loop": bare}, rounds, label=preset)
    same = same_weights(next((out / "run").rglob("*.pt")), models["bare"])
    for name, values in figures.items():
        print(f"  {name:10s} tokens/s {spread(values)}")
    ratio = median(figures["window"]) / median(figures["bare loop"])
    print(f"  window / bare loop = {ratio:.3f}  target >= {TARGET}  {verdict(ratio, TARGET)}  "
          f"({paired(figures['window'], figures['bare loop'])}; plot redraws per window run: "
          f"{redraws}; final weights {'identical' if same else 'DIFFERENT'})")
    print("  " + where_the_gui_thread_went(window.gui_cpu))
    return ratio


def where_the_gui_thread_went(cpu: dict[str, float]) -> str:
    """The GUI thread's CPU seconds while training, by handler, and as a share of a core."""
    total, wall = cpu["(all, while training)"], cpu["(wall seconds training)"]
    handlers = {k: v for k, v in cpu.items() if not k.startswith("(")}
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in sorted(handlers.items(), key=lambda kv: -kv[1]))
    return (f"GUI thread CPU while training: {total:.2f} s in {wall:.1f} s of runs "
            f"({100 * total / max(wall, 1e-9):.1f}% of a core): {parts}, the rest (Qt's own "
            f"event handling, timers, signals) {total - sum(handlers.values()):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presets", nargs="+", default=["tiny", "cpu"], choices=["tiny", "cpu"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    header("Benchmark 1: training through the window against a bare loop (tokens/s, CPU, fp32)")
    book = demo_book()
    print(f"  book: {book.name} ({book.stat().st_size:,} bytes); window offscreen, live plots")
    with tempfile.TemporaryDirectory() as tmp:
        window = gui_harness.Window(Path(tmp), book)
        try:
            for preset in args.presets:
                compare(window, preset, book, args.rounds, Path(tmp))
        finally:
            window.close()


if __name__ == "__main__":
    main()

"""The Runs panel and ``runs list`` with 200 runs in the root: listing and filtering.

Targets (issue 25): the panel lists and filters in under 200 ms on the GUI
thread (reading the run folders happens in a background thread and is not
counted there); ``bdh-studio runs list --json`` answers in under 2 s, the
process's start and imports included.  The runs are written by the tests'
fixture (tests/fake_runs.py): two books each, a step line every 10 steps.

    python benchmarks/runs_listing.py [--runs 200] [--steps 2000] [--rounds 5] [--checkpoints]

``--checkpoints`` puts a real tiny book model in each run (as a trained run has), which
the first listing loads and verifies (torch); later ones, in any process, keep the
verdicts of the files that did not change (core/run/verdicts.py, in a cache folder of
the benchmark's own).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import REPO, header, spread, timed, verdict, median  # noqa: E402

sys.path[:0] = [str(REPO), str(REPO / "tests")]
from fake_runs import write_runs  # noqa: E402

from bdh_studio.cli import main as cli_main  # noqa: E402
from bdh_studio.core.run.filter import parse_filter  # noqa: E402
from bdh_studio.core.run.summary import list_runs  # noqa: E402


def cli_process(root: Path, argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a whole ``python -m bdh_studio`` process (start and imports)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bdh_studio", *argv], capture_output=True,
                   check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli_in_process(root: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the command itself: list, summarise, print the JSON."""
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out):
        assert cli_main(["runs", "list", "--json", "--runs-dir", str(root)]) == 0
    figures = time.perf_counter() - start, time.process_time() - cpu
    assert json.loads(out.getvalue())
    return figures


def panel_figures(root: Path, rounds: int) -> tuple[list[float], list[float]]:
    """GUI-thread seconds to show the listed runs, and to apply a filter and clear it."""
    from bdh_studio.gui.app import make_app
    from bdh_studio.gui.runs_panel import RunsPanel
    make_app([])
    panel = RunsPanel(root)
    panel.show()
    panel.wait()
    runs = list_runs(root)
    shows, filters = [], []
    sweep, everything = parse_filter("sweep -lr2"), parse_filter("")
    for _ in range(rounds):
        shows.append(timed(lambda: panel._show(runs)))
        filters.append(timed(lambda: (panel.apply_filter(sweep), panel.apply_filter(everything))))
    assert len(panel.shown()) == len(runs)
    panel.close()
    return shows, filters


def listing_figures(root: Path, rounds: int) -> tuple[list[float], ...]:
    """Seconds to list every run read anew, again with nothing changed, and again after
    one run's log grew by a line (a validation of the run the window trains)."""
    from bdh_studio.core.run import summary as summaries

    def anew() -> None:
        summaries._listed_before.clear()
        list_runs(root)

    reads = [timed(anew) for _ in range(rounds)]
    again = [timed(lambda: list_runs(root)) for _ in range(rounds)]
    log = next(root.iterdir()) / "metrics.jsonl"
    line = log.read_text().splitlines()[-2] + "\n"  # a step line: the run stays finished
    grown = []
    for _ in range(rounds):
        with open(log, "a") as f:
            f.write(line)
        grown.append(timed(lambda: list_runs(root)))
    return reads, again, grown


def add_checkpoints(root: Path, tmp: Path) -> None:
    """A tiny model of each book, trained once for 2 steps, copied into every run."""
    import shutil

    from bdh_studio.core.config import PRESETS
    from bdh_studio.core.trainer import train_run
    from fake_runs import BOOKS
    from textgen import make_text
    books = tmp / "books"
    books.mkdir()
    for i, name in enumerate(BOOKS):
        (books / f"{name}.txt").write_text(make_text(5_000, i))
    trained = tmp / "trained"
    config = PRESETS["tiny"].replace(max_iters=2, log_interval=1, eval_interval=2,
                                     eval_batches=1)
    assert train_run(config, sorted(books.glob("*.txt")), trained).ok
    for run in root.iterdir():
        shutil.copytree(trained / "checkpoints", run / "checkpoints")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=2000, help="steps per book")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--checkpoints", action="store_true")
    args = parser.parse_args()
    header(f"Runs listing: {args.runs} runs of 2 books x {args.steps} steps"
           + (", each with its book models" if args.checkpoints else ""))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        write_runs(root, args.runs, steps=args.steps)
        if args.checkpoints:
            add_checkpoints(root, Path(tmp))
        lines = sum(1 for p in root.glob("*/metrics.jsonl") for _ in open(p))
        print(f"  {lines:,} log lines in all")
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # not the user's
        first = [cli_process(root, ["runs", "list", "--json", "--runs-dir", str(root)])]
        reads, again, grown = listing_figures(root, args.rounds)
        commands = [cli_in_process(root) for _ in range(args.rounds)]
        processes = [cli_process(root, ["runs", "list", "--json", "--runs-dir", str(root)])
                     for _ in range(args.rounds)]
        empty = root.parent / "empty"
        empty.mkdir()
        starts = [cli_process(empty, ["runs", "list", "--json", "--runs-dir", str(empty)])
                  for _ in range(args.rounds)]
        shows, filters = panel_figures(root, args.rounds)
    print(f"  list_runs (the panel's background read), every run read: {spread(reads)} s")
    print(f"  list_runs again, nothing changed: {spread(again)} s; one run's log grown: "
          f"{spread(grown)} s ({median(reads) / median(grown):.0f}x less than reading all; "
          f"the window lists again at each validation of its run)")
    for what, figures in (("runs list --json, the first process (nothing cached)", first),
                          ("runs list --json, the command", commands),
                          ("runs list --json, whole process", processes),
                          ("  of which: the same process on an empty root", starts)):
        walls, cpus = [f[0] for f in figures], [f[1] for f in figures]
        print(f"  {what}: wall {spread(walls)} s, CPU {spread(cpus)} s; target < 2 s: "
              f"wall {verdict(median(walls), 2.0, higher_is_better=False)}, "
              f"CPU {verdict(median(cpus), 2.0, higher_is_better=False)}")
    print(f"  panel shows the list (GUI thread): {spread([s * 1000 for s in shows])} ms; "
          f"target < 200 ms: {verdict(median(shows), 0.2, higher_is_better=False)}")
    print(f"  panel filters and clears (GUI thread): {spread([f * 1000 for f in filters])} ms; "
          f"target < 200 ms: {verdict(median(filters), 0.2, higher_is_better=False)}")


if __name__ == "__main__":
    main()

"""``bdh-studio train``: train one model per book, headless, with a progress bar per book
(progress lines in a log)."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from .. import resources
from ..core import config as cfg
from ..core import events as ev
from ..core.control import TaskControl
from ..core.corpus import BadBooks, CorpusError, find_books
from ..core.distributed import Distributed
from ..core.outputs import check_folder
from ..core.run.seeds import ends_seeds, seed_runs
from ..core.run.state import RunState
from ..core.threads import threads_text
from ..core.trainer import RunResult, train_run


def register(p: argparse.ArgumentParser) -> None:
    p.description = ("Train one BDH model per .txt book in BOOKS_DIR into "
                     "the run folder RUN_DIR. Ctrl-C stops cleanly, keeping "
                     "a partial checkpoint; run again to resume.")
    p.add_argument("books", nargs="?", metavar="BOOKS_DIR", help="folder of .txt books")
    p.add_argument("--demo", action="store_true", help="train on the bundled demo books")
    p.add_argument("--out", required=True, metavar="RUN_DIR", help="run folder to write")
    p.add_argument("--preset", choices=sorted(cfg.PRESETS), default="cpu",
                   help="starting configuration (default: cpu)")
    p.add_argument("--config", metavar="FILE.json", help="settings from a JSON file")
    p.add_argument("--iters", type=int, metavar="N", help="steps per book (max_iters)")
    p.add_argument("--max-seconds", type=float, metavar="S",
                   help="train each book for S seconds of wall-clock instead, validation and "
                        "saving included (budget seconds)")
    p.add_argument("--patience", type=int, metavar="K",
                   help="stop a book early, as finished, after K validations in a row without "
                        "a lower validation loss (the patience setting; default 0: never)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="any setting, e.g. --set n_layer=4 --set lr=3e-4 (repeatable)")
    p.add_argument("--device", choices=cfg.DEVICES, help="default: auto")
    p.add_argument("--precision", choices=cfg.PRECISIONS, help="default: auto")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--threads", type=int, metavar="N",
                   help="intra-op threads on a CPU (default: OMP_NUM_THREADS if set, else the "
                        "cores the load average leaves free)")
    p.add_argument("--retrain", action="store_true",
                   help="train every book again, replacing finished checkpoints")
    p.add_argument("--skip-bad-books", action="store_true",
                   help="leave out the books that cannot be trained (a warning line each) and "
                        "train the others; without it any such book stops the run before it "
                        "starts, all of them listed")
    p.add_argument("--seeds", type=int, metavar="N",
                   help="train the same settings N times as N runs, with seeds S, S+1, … "
                        "(S: the seed setting), into RUN_DIR-seedS, RUN_DIR-seedS+1, …; "
                        "Compare groups them as one curve with a band")
    p.add_argument("--spread-books", action="store_true",
                   help="under torchrun: each rank trains its share of whole books "
                        "instead of sharing every book's batches")
    p.set_defaults(run=run)


def build_config(args: argparse.Namespace) -> cfg.TrainConfig:
    """Preset, then the JSON file, then --iters/--max-seconds/--patience/--device/..., then
    --set."""
    if args.iters is not None and args.max_seconds is not None:
        raise cfg.ConfigError("give --iters (steps per book) or --max-seconds (seconds per "
                              "book), not both")
    config = cfg.PRESETS[args.preset]
    if args.config:
        config = cfg.load(args.config, base=config)
    flags = {"device": args.device, "precision": args.precision, "threads": args.threads,
             "patience": args.patience, "compile": True if args.compile else None}
    if args.iters is not None:
        flags.update(budget="steps", max_iters=args.iters)
    if args.max_seconds is not None:
        flags.update(budget="seconds", max_seconds=args.max_seconds)
    config = config.replace(**{k: v for k, v in flags.items() if v is not None})
    config = cfg.parse_assignments(args.set, config)
    cfg.check(config)
    return config


def book_paths(args: argparse.Namespace) -> list[Path]:
    if args.demo == bool(args.books):
        raise CorpusError("give either BOOKS_DIR or --demo")
    return find_books(resources.demo_books() if args.demo else args.books)


LOG_LINE_SECONDS = 30.0  # how often a log (stderr not a terminal) gets a progress line


class ProgressBars:
    """One tqdm bar per book, drawn from the run's state as each event folds into it; quiet
    unless this is rank 0.

    When stderr is not a terminal (``train ... 2> log``, a scheduler's log file) a bar's
    carriage returns would make each book one unreadable line of the log: there the
    progress is a plain line every LOG_LINE_SECONDS and at each validation instead.
    """

    def __init__(self, live: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.run = RunState()
        self.bar: tqdm | None = None
        self.live = sys.stderr.isatty() if live is None else live
        self.clock, self.last_line = clock, -math.inf

    def __call__(self, event: ev.Event) -> None:
        self.run.handle(event)
        if not self.live and isinstance(event, (ev.BookStarted, ev.StepLogged,
                                                ev.ValidationLogged)):
            self._log_line(due=not isinstance(event, ev.StepLogged))
            return
        p = self.run.progress
        if isinstance(event, ev.RunStarted):
            tqdm.write(f"run folder {event.run_dir} · {len(event.books)} book(s) · "
                       f"{event.device}, {event.precision}"
                       + (f", {threads_text(event.threads)} ({event.threads_why})"
                          if event.threads else "")
                       + (f" · {event.world_size} processes, effective batch "
                          f"{event.world_size} x {event.config['batch_size']}"
                          if event.world_size > 1 else ""), file=sys.stderr)
        elif isinstance(event, ev.BookStarted):
            self.close()
            total, start, unit = (p.max_seconds, round(p.start_elapsed), "s") if p.by_time \
                else (p.max_iters, p.start_step, "step")
            self.bar = tqdm(total=total, initial=start, unit=unit,
                            desc=f"[{p.index + 1}/{p.total}] {p.book[:32]}",
                            file=sys.stderr, dynamic_ncols=True)
        elif isinstance(event, ev.StepLogged) and self.bar is not None:
            done = round(p.elapsed) if p.by_time else p.step
            self.bar.update(done - self.bar.n)
            self.bar.set_postfix(self._postfix(), refresh=False)
        elif isinstance(event, ev.BookFinished) and event.status != "failed":  # BookFailed said it
            self.close()
            tail = f" val loss {event.val_loss:.3f}" if event.val_loss is not None else ""
            tqdm.write(f"{event.book}: {event.status} at step {event.step}{tail}"
                       + (f" ({event.message})" if event.message else ""), file=sys.stderr)
        elif isinstance(event, ev.CheckpointSaved) and event.partial and self.bar is None:
            tqdm.write(f"{event.book}: partial checkpoint at step {event.step}", file=sys.stderr)
        elif isinstance(event, ev.BookFailed):
            self.close()
            tqdm.write(f"error: {event.message}", file=sys.stderr)
        elif isinstance(event, ev.RunFailed):
            self.close()  # the summary's last line says it, or a traceback a bug
        elif isinstance(event, ev.BookWarning):
            tqdm.write(f"warning: {event.message}", file=sys.stderr)

    def _postfix(self) -> dict:
        p = self.run.progress
        post = {"loss": f"{p.loss:.3f}", "tok/s": f"{p.tokens_per_s:,.0f}"}
        if p.by_time:
            post["step"] = f"{p.step:,}"
        if p.val_loss is not None:
            post["val"] = f"{p.val_loss:.3f}"
        return post

    def _log_line(self, due: bool) -> None:
        now = self.clock()
        if due or now - self.last_line >= LOG_LINE_SECONDS:
            self.last_line = now
            print(self.run.progress.text(), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def failures(dist: Distributed) -> ev.EventCallback:
    """What a rank other than 0 still says: the failures rank 0 cannot report for it.  A
    rank that writes results says what ended its run in its summary line instead."""
    kinds = (ev.BookFailed,) if dist.writes_results else (ev.RunFailed,)

    def report(event: ev.Event) -> None:
        if isinstance(event, kinds):
            print(f"rank {dist.rank}: error: {event.message}", file=sys.stderr)

    return report


def stop_on_interrupt(control: TaskControl, announce: bool = True) -> None:
    """First Ctrl-C or SIGTERM: stop after this step and save; a second Ctrl-C aborts at once.

    A second SIGTERM does not: launchers and schedulers send it to every
    process while they stop (torchrun to the ranks still saving once one has
    exited).  Under torchrun the ranks agree on the step to stop at, within a
    log interval.
    """

    def handler(signum, frame):
        if control.stop_requested:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            return
        if announce:
            print("\nstopping after this step (Ctrl-C again to abort without saving)…",
                  file=sys.stderr)
        control.stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def run(args: argparse.Namespace) -> int:
    config = build_config(args)
    books = book_paths(args)
    runs = seed_runs(config, Path(args.out), args.seeds)
    for _, out in runs:  # the run folder says itself when it is read-only
        check_folder(out, [("BOOKS_DIR", args.books), ("--config", args.config)], "--out",
                     run_ok=True, probe=False)
    control = TaskControl()
    # One process group for every seed: torchrun's rendezvous does not take a second one.
    dist = Distributed.from_environment(config, spread_books=args.spread_books)
    stop_on_interrupt(control, announce=dist.is_main)
    code = 0
    try:
        for seed_config, out in runs:
            if len(runs) > 1 and dist.is_main:
                print(f"seed {seed_config.seed}: {out}", file=sys.stderr)
            seed_code, last = train_one(seed_config, books, out, args, control, dist)
            code = max(code, seed_code)
            if last:
                break  # Ctrl-C, a full disk, a lost peer or no memory stop the seeds to come
    finally:
        dist.close()
    return code


def train_one(config: cfg.TrainConfig, books: list[Path], out: Path, args: argparse.Namespace,
              control: TaskControl, dist: Distributed) -> tuple[int, bool]:
    """The run's exit code, and whether the seeds after it are not to start (ends_seeds)."""
    bars = ProgressBars() if dist.is_main else None
    if dist.is_main and dist.spread_books and dist.world_size > 1:
        print(f"{len(books)} book(s) spread over {dist.world_size} processes; the bars show "
              f"rank 0's share", file=sys.stderr)
    try:
        result = train_run(config, books, out,
                           on_event=bars if bars is not None else failures(dist),
                           control=control, retrain=args.retrain, dist=dist,
                           skip_bad_books=args.skip_bad_books)
    except BadBooks as exc:  # the same list, with this command's way to leave them out
        raise BadBooks(exc.problems, exc.total, skip="pass --skip-bad-books") from None
    finally:
        if bars is not None:
            bars.close()
    return summary(result, out, dist), ends_seeds(result)


STOPPED = 130  # the exit code of a run Ctrl-C stopped (the shell's for SIGINT)


def summary(result: RunResult, out: Path, dist: Distributed) -> int:
    """The exit code, and the last line of each rank that wrote results."""
    if result.stopped:
        code, text = STOPPED, (f"stopped; checkpoints are in {out / 'checkpoints'}; run the same "
                           f"command again to resume")
    elif result.disk_full:
        code, text = 1, (f"stopped: disk full: {result.error}; the checkpoints saved before are "
                         f"kept in {out / 'checkpoints'}: run the same command again to resume")
    elif result.error is not None and result.error not in result.failed.values():
        code, text = 1, f"the run ended early: {result.error}"
    elif result.failed:  # each book's error line said why; a book's failure that ends the
        # run (out of memory: the next book needs as much) is not said again
        code, text = 1, (f"{len(result.failed)} book(s) failed: {', '.join(result.failed)}"
                         + ("; the run ended there" if result.error is not None else ""))
    else:
        return 0
    if dist.writes_results:
        print(("" if dist.is_main else f"rank {dist.rank}: ") + text, file=sys.stderr)
    return code

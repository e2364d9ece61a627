"""``bdh-studio runs``: the runs under a runs root, and several runs' curves overlaid."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from ..core.config import PRESETS
from ..core.errors import UserError
from ..core.outputs import check_file
from ..core.run.compare import load_run, write_csv
from ..core.run.filter import parse_filter
from ..core.run.progress import hms
from ..core.run.root import carry_legacy_runs, default_runs_root
from ..core.run.seeds import SPREADS
from ..core.run.summary import STATES, RunSummary, list_runs


def register(p: argparse.ArgumentParser) -> None:
    p.description = ("The runs the window lists, without a window.")
    commands = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="one line (or JSON object) per run, newest first")
    listing.add_argument("--runs-dir", metavar="DIR",
                         help="runs root (default: the window's, in the app-data folder)")
    listing.add_argument("--json", action="store_true", help="a JSON array of objects")
    listing.add_argument("--filter", default="", metavar="TERMS",
                         help="regular expressions over name, tags and notes, all to match; "
                              "-TERM excludes (write --filter=-TERM when it comes first); quote a "
                              "term with spaces (\"a b\")")
    listing.add_argument("--state", action="append", choices=STATES, default=[],
                         help="only runs in this state (repeatable)")
    listing.add_argument("--preset", action="append", default=[],
                         choices=(*PRESETS, "custom"),
                         help="only runs of this preset, or custom (repeatable)")
    listing.set_defaults(run=run_list)
    compare = commands.add_parser("compare", help="overlay runs' loss curves into a file",
                                  description="Draw the runs' training loss curves overlaid, "
                                              "as the window's Compare tab does, into PLOT "
                                              "(.png or .svg), or write their points (.csv).")
    compare.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    compare.add_argument("--out", required=True, metavar="PLOT.png|.svg|.csv")
    compare.add_argument("--x", choices=("step", "training-time", "wall-clock"), default="step",
                         help="x axis of a picture (default: step)")
    compare.add_argument("--group-seeds", action="store_true",
                         help="draw runs that differ only in seed as one mean curve in a band "
                              "(a .csv gets each group's mean, low and high rows)")
    compare.add_argument("--band", choices=SPREADS, default="minmax",
                         help="the seed band: min to max, or mean ± standard error "
                              "(default: minmax)")
    compare.set_defaults(run=run_compare)


def runs_root(given: str | None) -> Path:
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            raise UserError(f"--runs-dir {given}: no such folder")
        return root
    carry_legacy_runs()  # runs of the doubled-name folder of earlier versions
    return default_runs_root()


def run_list(args: argparse.Namespace) -> int:
    wanted = parse_filter(args.filter, args.state, args.preset)
    runs = wanted.select(list_runs(runs_root(args.runs_dir)))
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], indent=2))
    else:
        for run in runs:
            print(line(run))
    return 0


OUT_KINDS = (".png", ".svg", ".csv")
X_CHOICES = {"step": 0, "training-time": 1, "wall-clock": 2}  # the plots' axis order


def run_compare(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in OUT_KINDS:
        raise UserError(f"--out {args.out}: give a .png, .svg or .csv file")
    if not out.parent.is_dir():
        raise UserError(f"--out {args.out}: the folder {out.parent} does not exist")
    check_file(out, [("RUN_DIR", d) for d in args.run_dirs], "--out", "compare.png")
    runs = [load_run(Path(d)) for d in args.run_dirs]
    if out.suffix.lower() == ".csv":
        write_csv(out, runs, args.band if args.group_seeds else None)
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a picture needs no display
        from ..gui.compare_plots import draw_offscreen  # Qt for a picture only
        draw_offscreen(runs, out, X_CHOICES[args.x], args.band if args.group_seeds else None)
    print(f"wrote {out} ({len(runs)} run(s))", file=sys.stderr)
    return 0


def line(run: RunSummary) -> str:
    """name · date · state · preset · books with their last and best val loss · duration ·
    size · tags · the notes' first line (or what is wrong with them)."""
    date = datetime.datetime.fromtimestamp(run.started).strftime("%Y-%m-%d %H:%M") \
        if run.started else "?"
    books = ", ".join(book_losses(run, b) for b in run.books) or "no books"
    notes = run.notes_problem or (run.notes.splitlines() or [""])[0][:80]
    return (f"{run.name}\t{date}\t{run.state_text}\t{run.preset}\t{books}\t"
            f"{hms(run.duration)}\t{run.size / 2**20:.1f} MiB\t"
            f"{' '.join('#' + t for t in run.tags)}\t{notes}")


def book_losses(run: RunSummary, book: str) -> str:
    """"Book 1.234 (best 1.200 @ 400)": the last val loss, and the best where it differs."""
    last, best = run.val_loss.get(book), run.best_val.get(book)
    text = book if last is None else f"{book} {last:.3f}"
    if best is not None and best.loss != last:
        text += f" (best {best.loss:.3f} @ {best.step})"
    return text


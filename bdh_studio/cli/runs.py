"""``bdh-studio runs``: the runs under a runs root, and several runs' curves overlaid."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from ..core.errors import UserError
from ..core.outputs import check_file
from ..core.run.compare import load_run, write_csv
from ..core.run.progress import hms
from ..core.run.root import default_runs_root
from ..core.run.summary import RunSummary, list_runs


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("runs", help="list runs, or overlay their curves",
                              description="The runs the window lists, without a window.")
    commands = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="one line (or JSON object) per run, newest first")
    listing.add_argument("--runs-dir", metavar="DIR",
                         help="runs root (default: the window's, in the app-data folder)")
    listing.add_argument("--json", action="store_true", help="a JSON array of objects")
    listing.set_defaults(run=run_list)
    compare = commands.add_parser("compare", help="overlay runs' loss curves into a file",
                                  description="Draw the runs' training loss curves overlaid, "
                                              "as the window's Compare tab does, into PLOT "
                                              "(.png or .svg), or write their points (.csv).")
    compare.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    compare.add_argument("--out", required=True, metavar="PLOT.png|.svg|.csv")
    compare.add_argument("--x", choices=("step", "training-time", "wall-clock"), default="step",
                         help="x axis of a picture (default: step)")
    compare.set_defaults(run=run_compare)


def runs_root(given: str | None) -> Path:
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            raise UserError(f"--runs-dir {given}: no such folder")
        return root
    return default_runs_root()


def run_list(args: argparse.Namespace) -> int:
    runs = list_runs(runs_root(args.runs_dir))
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
        write_csv(out, runs)
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a picture needs no display
        from ..gui.compare_plots import draw_offscreen  # Qt for a picture only
        draw_offscreen(runs, out, X_CHOICES[args.x])
    print(f"wrote {out} ({len(runs)} run(s))", file=sys.stderr)
    return 0


def line(run: RunSummary) -> str:
    """name · date · state · preset · books with their last val loss · duration · size."""
    date = datetime.datetime.fromtimestamp(run.started).strftime("%Y-%m-%d %H:%M") \
        if run.started else "?"
    books = ", ".join(f"{b} {run.val_loss[b]:.3f}" if run.val_loss.get(b) is not None else b
                      for b in run.books) or "no books"
    return (f"{run.name}\t{date}\t{run.state_text}\t{run.preset}\t{books}\t"
            f"{hms(run.duration)}\t{run.size / 2**20:.1f} MiB")


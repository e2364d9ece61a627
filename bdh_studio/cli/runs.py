"""``bdh-studio runs``: the runs under a runs root, and several runs' curves overlaid."""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

from ..core.errors import UserError
from ..core.run_index import RunSummary, hms, list_runs


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("runs", help="list runs, or overlay their curves",
                              description="The runs the window lists, without a window.")
    commands = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="one line (or JSON object) per run, newest first")
    listing.add_argument("--runs-dir", metavar="DIR",
                         help="runs root (default: the window's, in the app-data folder)")
    listing.add_argument("--json", action="store_true", help="a JSON array of objects")
    listing.set_defaults(run=run_list)


def runs_root(given: str | None) -> Path:
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            raise UserError(f"--runs-dir {given}: no such folder")
        return root
    from ..gui.paths import default_runs_root  # QtCore only, no display
    return default_runs_root()


def run_list(args: argparse.Namespace) -> int:
    runs = list_runs(runs_root(args.runs_dir))
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], indent=2))
    else:
        for run in runs:
            print(line(run))
    return 0


def line(run: RunSummary) -> str:
    """name · date · state · preset · books with their last val loss · duration · size."""
    date = datetime.datetime.fromtimestamp(run.started).strftime("%Y-%m-%d %H:%M") \
        if run.started else "?"
    books = ", ".join(f"{b} {run.val_loss[b]:.3f}" if run.val_loss.get(b) is not None else b
                      for b in run.books) or "no books"
    return (f"{run.name}\t{date}\t{run.state_text}\t{run.preset}\t{books}\t"
            f"{hms(run.duration)}\t{run.size / 2**20:.1f} MiB")


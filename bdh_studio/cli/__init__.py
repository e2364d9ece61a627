"""The command line: ``bdh-studio`` opens the window; a subcommand works headless.

Each subcommand is a module here with ``register(subparsers)``, which adds
its parser and sets ``run`` (args -> exit code) as its default.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..core.errors import UserError
from . import classify, export, inspect, sample, train

COMMANDS = (train, sample, export, classify, inspect)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bdh-studio",
        description="Train Pathway's BDH language model on books and classify backstories. "
                    "With no command, opens the window.")
    parser.add_argument("--version", action="version", version=f"bdh-studio {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="open the window with the bundled demo books and backstories")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from ..gui.app import run_app  # Qt only when a window is wanted
        return run_app(demo=args.demo)
    try:
        return args.run(args)
    except UserError as exc:
        print(f"bdh-studio {args.command}: {exc}", file=sys.stderr)
        return 2

"""The command line: ``bdh-studio`` opens the window; a subcommand works headless.

Each subcommand is a module here with ``register(subparsers)``, which adds
its parser and sets ``run`` (args -> exit code) as its default.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..core.errors import UserError
from . import classify, export, export_tensorboard, inspect, runs, sample, train

COMMANDS = (train, sample, export, export_tensorboard, classify, inspect, runs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bdh-studio",
        description="Train Pathway's BDH language model on books and classify backstories. "
                    "With no command, opens the window.")
    parser.add_argument("--version", action="version", version=f"bdh-studio {__version__}")
    window = parser.add_mutually_exclusive_group()
    window.add_argument("--demo", action="store_true",
                        help="open the window with the bundled demo books and backstories")
    window.add_argument("--self-test", action="store_true",
                        help="check this install: train, classify, sample and export the demo "
                             "through the window, offscreen; exit 0 when every step works")
    window.add_argument("--install-desktop", action="store_true",
                        help="add BDH Studio to the desktop's launcher (Linux: XDG folders)")
    window.add_argument("--uninstall-desktop", action="store_true",
                        help="remove what --install-desktop added")
    parser.add_argument("--runs-dir", metavar="DIR",
                        help="the window's runs root for this launch (default: the one chosen "
                             "in the window, else runs/ in the app-data folder)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) if args.command else run_window(args)
    except UserError as exc:
        print(f"bdh-studio{' ' + args.command if args.command else ''}: {exc}", file=sys.stderr)
        return exc.exit_code


def run_window(args: argparse.Namespace) -> int:
    """The options without a command; Qt is imported only here."""
    if args.self_test:
        from ..gui.self_test import run_self_test
        return run_self_test()
    if args.install_desktop or args.uninstall_desktop:
        from ..gui import desktop_entry
        return desktop_entry.run(remove=args.uninstall_desktop)
    from ..gui.app import run_app
    return run_app(demo=args.demo, runs_dir=args.runs_dir)

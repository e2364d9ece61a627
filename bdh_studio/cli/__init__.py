"""The command line: ``bdh-studio`` opens the window; a subcommand works headless.

Each subcommand is a module here with ``register(subparsers)``, which adds
its parser and sets ``run`` (args -> exit code) as its default.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from .. import __version__
from ..core.errors import UserError
from . import classify, export, export_tensorboard, inspect, runs, sample, train

COMMANDS = (train, sample, export, export_tensorboard, classify, inspect, runs)


class Parser(argparse.ArgumentParser):
    """argparse, whose mistakes take one line as every other bad input does, not the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}; see {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
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


INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl-C ended
READER_GONE = 141  # 128 + SIGPIPE, as a shell reports a writer whose reader closed the pipe


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = f"bdh-studio{' ' + args.command if args.command else ''}"
    try:
        code = args.run(args) if args.command else run_window(args)
        sys.stdout.flush()  # a reader that closed the pipe is met here, not at exit
        return code
    except UserError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"\n{name}: stopped (Ctrl-C); nothing more was written", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        silence_stdout()
        return READER_GONE


def silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit does not meet the closed pipe."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


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

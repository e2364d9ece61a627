"""The command line: ``bdh-studio`` opens the window; a subcommand works headless.

Each subcommand is a module here with ``register(parser)``, which adds its
options to the parser made for it and sets ``run`` (args -> exit code) as its
default. Only the chosen command's module is imported: some import torch or
scikit-learn (seconds), which ``runs list`` or a refusal should not pay for.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Collection
from typing import NoReturn

from .. import __version__
from ..core.errors import UserError

# command -> (its module here, its one-line help), in the order ``--help`` lists them
COMMANDS = {
    "train": ("train", "train one BDH model per book in a folder"),
    "sample": ("sample", "generate text from a book model"),
    "export": ("export", "write a checkpoint's bare state_dict"),
    "export-tensorboard": ("export_tensorboard", "write a run's curves for TensorBoard"),
    "classify": ("classify", "cross-validate the backstory classifier and predict test rows"),
    "inspect": ("inspect", "look inside a book model: activity, neurons, concepts, neuron graph"),
    "runs": ("runs", "list runs, or overlay their curves"),
}


class Parser(argparse.ArgumentParser):
    """argparse, whose mistakes take one line as every other bad input does, not the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}; see {self.prog} --help\n")


def build_parser(full: Collection[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser with the options of the commands in ``full``; every other command is
    listed by name and help only, which is enough to find which command was chosen."""
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
    for name, (module, help_line) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_line, add_help=name in full)
        if name in full:
            importlib.import_module(f".{module}", __name__).register(sub)
    return parser


INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl-C ended
READER_GONE = 141  # 128 + SIGPIPE, as a shell reports a writer whose reader closed the pipe


def main(argv: list[str] | None = None) -> int:
    chosen = build_parser(full=()).parse_known_args(argv)[0].command
    args = build_parser(full=(chosen,) if chosen else ()).parse_args(argv)
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

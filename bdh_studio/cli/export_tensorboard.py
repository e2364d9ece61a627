"""``bdh-studio export-tensorboard``: a run's curves as TensorBoard event files."""

from __future__ import annotations

import argparse
import sys

from ..core.errors import UserError
from ..core.outputs import check_folder
from ..core.run.tensorboard import INSTALL_HINT, export_run


def register(p: argparse.ArgumentParser) -> None:
    p.description = ("Write the curves of the run folder RUN_DIR (train and "
                     "validation loss, bits per byte, tokens/s, sparsity, "
                     "learning rate; a tag group per book) as TensorBoard "
                     f"event files into OUT_DIR. Needs {INSTALL_HINT}.")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_folder(args.out_dir, [("RUN_DIR", args.run_dir)], "OUT_DIR")
    written = export_run(args.run_dir, args.out_dir)
    if not written:
        raise UserError(f"{args.run_dir} has no logged steps yet: train it first")
    books = {tag.split("/")[0] for tag in written}
    print(f"wrote {sum(written.values())} points of {len(written)} curves ({len(books)} "
          f"book(s)) to {args.out_dir}; view them with: tensorboard --logdir {args.out_dir}",
          file=sys.stderr)
    return 0

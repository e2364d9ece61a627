"""``bdh-studio export``: the bare state_dict, for Pathway's reference BDH."""

from __future__ import annotations

import argparse
import sys

from ..core.checkpoints import export_state_dict


def register(p: argparse.ArgumentParser) -> None:
    p.description = ("Write the weights of CHECKPOINT alone, with the "
                     "reference's keys, so Pathway's BDH loads them with "
                     "load_state_dict(..., strict=True).")
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("out", metavar="OUT.pt")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    export_state_dict(args.checkpoint, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0

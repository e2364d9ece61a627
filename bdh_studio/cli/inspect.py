"""``bdh-studio inspect``: a book model's activity on a text, its neurons, a concept, its graph.

The scans (scipy among them) are imported when the command runs, so building
the command line costs every other command nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..core import runtime
from ..core.config import DEVICES
from ..core.errors import UserError
from ..core.generation import text_bytes
from ..core.inspection import activity
from ..core.atomic import write_whole
from ..core.inspection.reading import DEFAULT_SAMPLE_BYTES
from ..core.outputs import check_file
from .fraction_bar import FractionBar


def register(p: argparse.ArgumentParser) -> None:
    p.description = ("Compute, from CHECKPOINT's weights, one of: the active fraction of every "
                     "layer at every byte of a text; each neuron's top contexts over a book; the "
                     "neurons most selective for a word against a shuffled control; the neuron "
                     "graph's degrees against the model at initialisation. Writes JSON to --out.")
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="TEXT", help="the text to read")
    what.add_argument("--text-file", metavar="FILE", help="read the text from FILE (UTF-8)")
    what.add_argument("--neurons", action="store_true", help="scan every neuron over --book")
    what.add_argument("--concept", metavar="WORD", help="rank neurons for WORD in --book")
    what.add_argument("--graph", action="store_true", help="degrees of G_x and G_y")
    p.add_argument("--out", required=True, metavar="FILE.json")
    p.add_argument("--book", metavar="FILE", help="the book (.txt) for --neurons and --concept")
    p.add_argument("--bytes", type=int, default=DEFAULT_SAMPLE_BYTES, metavar="N",
                   help=f"bytes of the book to sample (default {DEFAULT_SAMPLE_BYTES:,})")
    p.add_argument("--top", type=int, default=10, metavar="K",
                   help="top contexts per neuron (default 10)")
    p.add_argument("--layer", type=int, default=None, metavar="L",
                   help="the layer whose activations are scanned (default: the last)")
    p.add_argument("--kind", choices=activity.KINDS, default="x",
                   help="the activation scanned: x_sparse, y_sparse or their product")
    p.add_argument("--q", type=float, default=0.01,
                   help="share of the graph's entries that are edges (default 0.01)")
    p.add_argument("--device", choices=DEVICES, default="auto",
                   help="where the model runs (default: auto)")
    p.add_argument("--no-cache", action="store_true", help="scan again even if a result is cached")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_args(args)
    out = check_file(args.out, [("CHECKPOINT", args.checkpoint), ("--book", args.book),
                                ("--text-file", args.text_file)], "--out", "inspect.json")
    text = read_text(args) if args.text is not None or args.text_file else None
    from ..core.inspection import cache, concepts, graph, neurons
    from ..core.inspection.subject import Subject
    subject = Subject.load(args.checkpoint, runtime.pick_device(args.device))
    layer = subject.last_layer if args.layer is None else args.layer
    with FractionBar() as progress:
        if args.graph:
            report = graph.graph_report(subject.model, subject.control(), args.q, progress)
            n_sparse = subject.model.config.n_sparse
            doc = {"q": args.q, **{which: {name: d.to_json(n_sparse) for name, d in g.items()}
                                   for which, g in report.items()}}
        elif args.neurons:
            scan = neurons.cached_scan(
                subject.model, subject.digest, subject.sample(args.book, args.bytes),
                neurons.ScanSettings(layer, args.kind, args.top),
                None if args.no_cache else cache.default_dir(), progress=progress)
            doc = scan.to_json()
        elif args.concept is not None:
            doc = concepts.search_concept(subject.model, subject.sample(args.book, args.bytes),
                                          args.concept, layer, args.kind,
                                          progress=progress).to_json()
        else:
            doc = activity.text_activity(subject.model, text).to_json()
    write_json(out, doc)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def check_args(args: argparse.Namespace) -> None:
    """Everything knowable before loading the model, so a mistake costs no waiting."""
    if (args.neurons or args.concept is not None) and not args.book:
        raise UserError("--neurons and --concept read a book: give it with --book FILE")
    if args.book and not Path(args.book).is_file():
        raise UserError(f"--book {args.book}: no such file")
    if args.bytes < 1:
        raise UserError(f"--bytes {args.bytes}: give a positive number of bytes")
    if args.top < 1:
        raise UserError(f"--top {args.top}: give at least 1")
    if not 0 < args.q < 1:
        raise UserError(f"--q {args.q}: the share of entries that are edges must be between "
                        f"0 and 1, for example 0.01")
    if args.layer is not None and args.layer < 0:
        raise UserError(f"--layer {args.layer}: layers are numbered from 0")


def read_text(args: argparse.Namespace) -> bytes:
    if args.text is not None:
        try:
            return text_bytes(args.text)
        except ValueError as exc:
            raise UserError(f"--text: {exc}") from None
    try:
        return Path(args.text_file).read_bytes()
    except OSError as exc:
        raise UserError(f"--text-file {args.text_file}: cannot read it "
                        f"({exc.strerror or exc})") from None


def write_json(path: Path, doc: dict) -> None:
    write_whole(path, lambda tmp: tmp.write_text(json.dumps(doc), encoding="utf-8"),
                make_folders=True)

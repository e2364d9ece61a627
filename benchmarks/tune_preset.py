"""The sweep behind the ``cpu`` and ``tiny`` presets: the lowest validation loss in a fixed time.

A preset is judged by what a person gets from it: the validation loss a book
reaches in the wall-clock a preset spends on it.  So every trial here is a
fresh ``bdh-studio train --max-seconds`` process (no warm allocator, compiled
graph or thread pool carries over from the trial before), on a tuning book,
with a setting's overrides on top of the preset's previous values, and its
score is the last validation loss the run logged.  Every setting runs with
every seed on every book; the table reports the mean, the lowest and highest
run (over seeds, and books where there are several) and the steps the budget
bought.  Tuning books are the KDSH novels (``cpu``) and the bundled demo books
(``tiny``), never anything else, so a book nobody tuned on stays a fair test.

    python benchmarks/tune_preset.py --preset cpu            # the whole table, ~35 min
    python benchmarks/tune_preset.py --preset cpu --only old,heads2-batch32   # the winner

The machine's load average is printed before every trial: a trial measured
next to other work buys fewer steps, so compare rows measured alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CASTAWAYS, REPO, machine

# The settings tried, in the order tried, as overrides of the preset's values
# before this sweep.  "old" is the preset as it was, by steps; the rest get the
# budget.  The winners: cpu heads2-batch32, tiny t-lr3e-3-nowarmup (config.py).
BF16_FAST = {"precision": "bf16", "n_layer": "2", "lr": "3e-3", "block_size": "64",
             "batch_size": "16"}
CANDIDATES: dict[str, dict[str, dict[str, str]]] = {
    "cpu": {
        "old": {"budget": "steps"},
        "fp32": {**BF16_FAST, "precision": "fp32"},
        "bf16": BF16_FAST,
        "heads2": {**BF16_FAST, "n_head": "2"},
        "m32": {**BF16_FAST, "mlp_internal_dim_multiplier": "32"},
        "batch32": {**BF16_FAST, "batch_size": "32"},
        "block32": {**BF16_FAST, "block_size": "32", "batch_size": "32"},
        "lr5e-3": {**BF16_FAST, "lr": "5e-3"},
        "layers3": {**BF16_FAST, "n_layer": "3"},
        "wd0": {**BF16_FAST, "weight_decay": "0"},
        "minlr1e-5": {**BF16_FAST, "min_lr": "1e-5"},
        # Second round: the first round's best (heads2) with what else helped or might.
        "heads1": {**BF16_FAST, "n_head": "1"},
        "heads2-batch32": {**BF16_FAST, "n_head": "2", "batch_size": "32"},
        "heads2-lr4e-3": {**BF16_FAST, "n_head": "2", "lr": "4e-3"},
        "heads2-d96": {**BF16_FAST, "n_head": "2", "n_embd": "96"},
        # The runtime around the winner: compiled, and one intra-op thread (an
        # UPPER-CASE name is the trial's environment, not a setting).
        "compiled": {**BF16_FAST, "n_head": "2", "batch_size": "32", "compile": "true"},
        "1-thread": {**BF16_FAST, "n_head": "2", "batch_size": "32", "OMP_NUM_THREADS": "1"},
    },
    "tiny": {
        "old": {"budget": "steps"},
        "t-bf16": {"precision": "bf16"},
        "t-lr3e-3": {"precision": "bf16", "lr": "3e-3", "lr_schedule": "cosine",
                     "warmup_iters": "20"},
        "t-d64": {"precision": "bf16", "lr": "3e-3", "lr_schedule": "cosine",
                  "warmup_iters": "20", "n_embd": "64"},
        "t-batch16": {"precision": "bf16", "lr": "3e-3", "lr_schedule": "cosine",
                      "warmup_iters": "20", "batch_size": "16"},
        "t-dropout": {"precision": "bf16", "lr": "3e-3", "lr_schedule": "cosine",
                      "warmup_iters": "20", "dropout": "0.1"},
        # tiny's tests run as few as 2 steps, and a warmup longer than the run is refused.
        "t-lr3e-3-nowarmup": {"precision": "bf16", "lr": "3e-3", "lr_schedule": "cosine"},
        "t-cpu": {**BF16_FAST, "n_embd": "64", "n_head": "4", "mlp_internal_dim_multiplier": "16",
                  "lr_schedule": "cosine", "warmup_iters": "20"},
    },
}
# Each preset as it was before this sweep (config.py's values then), the budget
# a setting gets, and the tuning books.  A setting is overrides of these.
OLD = {
    "cpu": dict(n_layer=4, n_embd=64, n_head=4, mlp_internal_dim_multiplier=16, dropout=0.0,
                block_size=128, batch_size=8, max_iters=1000, lr_schedule="cosine",
                warmup_iters=50, min_lr=1e-4, log_interval=10, eval_interval=100,
                eval_batches=8, precision="fp32"),
    "tiny": dict(n_layer=2, n_embd=32, n_head=2, mlp_internal_dim_multiplier=8, dropout=0.0,
                 block_size=64, batch_size=8, max_iters=200, log_interval=5, eval_interval=25,
                 eval_batches=4, precision="fp32"),
}
BUDGET = {"cpu": 80.0, "tiny": 10.0}
BOOKS = {"cpu": [CASTAWAYS],
         "tiny": sorted((REPO / "bdh_studio/resources/demo/books").glob("*.txt"))}
SEEDS = (1337, 2024, 7)


def trial(preset: str, overrides: dict[str, str], book: Path, seed: int,
          budget: float) -> dict:
    """One fresh training process; its last validation loss, steps and wall-clock."""
    with tempfile.TemporaryDirectory() as tmp:
        books, out = Path(tmp, "books"), Path(tmp, "run")
        books.mkdir()
        (books / book.name).symlink_to(book.resolve())
        timed = {"budget": "seconds", "max_seconds": budget}
        settings = {**OLD[preset], **timed, **overrides, "seed": seed}
        env = {k: v for k, v in settings.items() if k.isupper()}
        sets = [f"{k}={v}" for k, v in settings.items() if k not in env]
        cmd = [sys.executable, "-m", "bdh_studio", "train", str(books), "--out", str(out),
               "--preset", "paper"]
        cmd += [arg for s in sets for arg in ("--set", s)]
        load = os.getloadavg()[0]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO,
                              env={**os.environ, **env})
        wall = time.perf_counter() - started
        events = [json.loads(line) for line in (out / "metrics.jsonl").open()
                  if line.strip()] if (out / "metrics.jsonl").exists() else []
    vals = [e for e in events if e.get("event") == "validation"]
    steps = [e for e in events if e.get("event") == "step"]
    if done.returncode or not vals:
        tail = done.stderr.strip().splitlines()[-1:] or ["no validation logged"]
        return {"error": tail[0], "load": load, "wall": wall}
    return {"val": vals[-1]["val_loss"], "steps": vals[-1]["step"], "elapsed": vals[-1]["elapsed"],
            "last_lr": steps[-1]["lr"] if steps else None, "load": load, "wall": wall}


def sweep(preset: str, names: list[str], seeds: tuple[int, ...], books: list[Path],
          budget: float) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {}
    for name in names:
        overrides = CANDIDATES[preset][name]
        for book in books:
            for seed in seeds:
                r = trial(preset, overrides, book, seed, budget)
                results.setdefault(name, []).append({**r, "book": book.stem, "seed": seed})
                shown = r.get("error") or (f"val {r['val']:.4f} after {r['steps']} steps, "
                                           f"{r['elapsed']:.1f} s trained, {r['wall']:.1f} s wall")
                print(f"  load {r['load']:.2f}  {name:<12} {book.stem[:24]:<24} seed {seed}: "
                      f"{shown}", flush=True)
    return results


def table(preset: str, results: dict[str, list[dict]]) -> str:
    """Markdown, best first: mean over books and seeds, spread over seeds, steps bought."""
    rows = []
    for name, runs in results.items():
        good = [r for r in runs if "val" in r]
        if not good:
            rows.append((float("inf"), f"| {name} | {_describe(preset, name)} | failed: "
                         f"{runs[0]['error']} | | |"))
            continue
        vals = [r["val"] for r in good]
        mean = statistics.fmean(vals)
        steps = statistics.fmean(r["steps"] for r in good)
        wall = statistics.fmean(r["wall"] for r in good)
        rows.append((mean, f"| {name} | {_describe(preset, name)} | {mean:.4f} | "
                     f"{min(vals):.4f}..{max(vals):.4f} | {steps:.0f} | {wall:.1f} |"))
    head = ("| setting | overrides | val loss (nats/byte, mean) | lowest..highest run | steps | "
            "wall-clock s |\n|---|---|---|---|---|---|")
    return "\n".join([head] + [row for _, row in sorted(rows)])


def _describe(preset: str, name: str) -> str:
    overrides = CANDIDATES[preset][name]
    return ", ".join(f"{k}={v}" for k, v in overrides.items()) or "(the preset before)"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--preset", choices=sorted(CANDIDATES), default="cpu")
    p.add_argument("--only", help="comma-separated settings to run (default: all)")
    p.add_argument("--seeds", type=int, default=2, help="seeds per setting (default 2)")
    p.add_argument("--budget", type=float, help="seconds per book (default: the preset's)")
    p.add_argument("--book", action="append", type=Path, help="tuning book(s), default: "
                   "a KDSH novel for cpu, the demo books for tiny")
    p.add_argument("--json", type=Path, help="also write every trial here")
    args = p.parse_args()
    names = args.only.split(",") if args.only else list(CANDIDATES[args.preset])
    unknown = [n for n in names if n not in CANDIDATES[args.preset]]
    if unknown:
        p.error(f"unknown setting(s) {', '.join(unknown)}; known: "
                f"{', '.join(CANDIDATES[args.preset])}")
    books = args.book or BOOKS[args.preset]
    missing = [b for b in books if not b.exists()]
    if missing:
        p.error(f"no such book: {missing[0]} (the KDSH novels live in ../shared)")
    budget = args.budget or BUDGET[args.preset]
    print(machine())
    print(f"preset {args.preset}, {budget:g} s a book, seeds {SEEDS[:args.seeds]}, "
          f"books {', '.join(b.stem for b in books)}")
    results = sweep(args.preset, names, SEEDS[:args.seeds], books, budget)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(table(args.preset, results))


if __name__ == "__main__":
    main()

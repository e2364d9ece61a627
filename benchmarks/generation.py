"""Benchmark 7: bytes/s generating 2,000 bytes, recurrent state against re-running the prefix.

BDH.generate keeps each layer's running sum of rotated keys times values, so
every byte costs the same; BDH.generate_by_rerun is the reference's way, the
whole sequence again for every byte.  Both sample from the same seeded
generator, so they should write the same bytes; the script also compares the
recurrent logits with one full forward pass at every position.

tiny preset: both measured on the full 2,000 bytes, alternated over rounds.
cpu preset: the re-run takes minutes for 2,000 bytes here, so both are
measured on 500 bytes; the 2,000-byte re-run figure is then ESTIMATED from
timed forward passes at 21 prefix lengths (and labelled so).

    python benchmarks/generation.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from common import alternate, header, median, spread, timed, verdict

from bdh_studio.core.config import PRESETS
from bdh_studio.core.model import BDH

PROMPT = b"The sea was grey "
LENGTH = 2000


def model_for(preset: str) -> BDH:
    torch.manual_seed(0)
    return BDH(PRESETS[preset].model_config()).eval()


def generate(model: BDH, how: str, length: int) -> torch.Tensor:
    prompt = torch.tensor([list(PROMPT)])
    fn = model.generate if how == "recurrent" else model.generate_by_rerun
    return fn(prompt, length, temperature=1.0, generator=torch.Generator().manual_seed(7))


def check(model: BDH, length: int) -> None:
    """Same bytes from both, and recurrent logits against one full pass at every position."""
    fast, slow = generate(model, "recurrent", length), generate(model, "rerun", length)
    differ = (fast != slow).nonzero()
    same = "same bytes" if len(differ) == 0 else f"FIRST DIFFERENT BYTE at {differ[0, 1].item()}"
    with torch.no_grad():
        full, _ = model(fast)
        logits, states = model.prefill(fast[:, :len(PROMPT)])
        steps = [model.step(fast[:, t], t, states) for t in range(len(PROMPT), fast.size(1))]
    recurrent = torch.cat([logits, torch.stack(steps, 1)], 1)
    diff = (recurrent - full).abs().max().item()
    print(f"  check over {fast.size(1)} positions: {same}; recurrent vs full-pass logits "
          f"max |diff| {diff:.2e} (scale {full.abs().max().item():.2f})")


def estimated_rerun_seconds(model: BDH, length: int) -> float:
    """The re-run's time for ``length`` bytes, from forward passes timed at 21 prefix lengths."""
    points = np.linspace(len(PROMPT), len(PROMPT) + length - 1, 21).astype(int)
    seconds = []
    with torch.no_grad():
        for t in points:
            idx = torch.randint(0, 256, (1, int(t)))
            model(idx)
            seconds.append(min(timed(lambda: model(idx)) for _ in range(3)))
    every = np.arange(len(PROMPT), len(PROMPT) + length)
    return float(np.interp(every, points, seconds).sum())


def run(preset: str, length: int, rounds: int, estimate_to: int | None) -> float:
    model = model_for(preset)
    print(f"\n[{preset}] {length:,} bytes after a {len(PROMPT)}-byte prompt, "
          f"batch 1, {model.config.n_layer} layers, N {model.config.n_sparse}")
    check(model, min(length, 500))
    figures = alternate({
        "recurrent": lambda: length / timed(lambda: generate(model, "recurrent", length)),
        "re-run": lambda: length / timed(lambda: generate(model, "rerun", length)),
    }, rounds, label=preset)
    for name, values in figures.items():
        print(f"  {name:10s} bytes/s {spread(values)}")
    ratio = median(figures["recurrent"]) / median(figures["re-run"])
    print(f"  recurrent / re-run at {length:,} bytes = {ratio:.1f}x  target >= 10x  "
          f"{verdict(ratio, 10)}")
    if estimate_to:
        rate = median(figures["recurrent"])
        start = time.perf_counter()
        rerun = estimated_rerun_seconds(model, estimate_to)
        print(f"  ESTIMATED re-run for {estimate_to:,} bytes: {rerun:.0f} s = "
              f"{estimate_to / rerun:.2f} bytes/s (from forward passes at 21 lengths, "
              f"{time.perf_counter() - start:.0f} s to time); recurrent measured at {length:,} "
              f"bytes holds its rate: ratio ~{rate * rerun / estimate_to:.0f}x (estimate)")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    header("Benchmark 7: generation bytes/s, recurrent against re-run (CPU, fp32)")
    run("tiny", LENGTH, args.rounds, None)
    run("cpu", 500, args.rounds, LENGTH)


if __name__ == "__main__":
    main()

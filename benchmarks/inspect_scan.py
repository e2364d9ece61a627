"""Benchmark 10: the neuron scan of a book sample against a bare forward over the same bytes.

Both read the same chunks of a KDSH novel (cpu preset, 200 KB, the preset's
block, 16 chunks a batch, no_grad): the bare forward only runs the model;
the scan also keeps every neuron's top-k, histogram and per-byte firing
counts of the last layer.  Target: scan / bare at most 1.3.

    python benchmarks/inspect_scan.py [--rounds 3] [--bytes 200000]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from common import (CASTAWAYS, alternate, cpu_preset_model, header, median, paired, spread,
                    timed, verdict)

from bdh_studio.core.config import PRESETS
from bdh_studio.core.inspection.neurons import ScanSettings, scan_neurons
from bdh_studio.core.inspection.reading import sample_book

TARGET = 1.3
BATCH = 16


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bytes", type=int, default=200_000)
    args = parser.parse_args()
    header("Benchmark 10: neuron scan vs bare no_grad forward, cpu preset")
    config, model = PRESETS["cpu"], cpu_preset_model()
    sample = sample_book(CASTAWAYS, args.bytes, config.block_size)
    print(f"  {sample.n_bytes:,} bytes in {len(sample.chunks)} chunks of {sample.block}")

    def bare() -> None:
        with torch.no_grad():
            for i in range(0, len(sample.chunks), BATCH):
                model.hidden(torch.from_numpy(sample.chunks[i: i + BATCH].astype(np.int64)))

    def scan() -> None:
        scan_neurons(model, sample, ScanSettings(layer=config.n_layer - 1), BATCH)

    figures = alternate({"bare forward s": lambda: timed(bare), "scan s": lambda: timed(scan)},
                        args.rounds, "scan", warm_up=False)
    b, s = figures["bare forward s"], figures["scan s"]
    ratio = median(s) / median(b)
    print(f"  bare forward: {spread(b)} s; scan: {spread(s)} s")
    print(f"  scan / bare = {ratio:.3f} ({paired(s, b)}); target <= {TARGET}: "
          f"{verdict(ratio, TARGET, higher_is_better=False)}")


if __name__ == "__main__":
    main()

"""Benchmark 5: featurizing every KDSH backstory against both book models, batched or not.

Every row of ../shared/data/kdsh/train.csv and test.csv is read by the two
book models (cpu preset) through features.featurize: batched (the engine's
default, chunks of every text in padded batches) against one chunk at a time
(batch_size 1, as the original script does).  The models are freshly
initialised: weights change what the features say, not what they cost.  Both
ways must give the same features.

    python benchmarks/classifier_batching.py [--rounds 3]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from common import SHARED, alternate, header, median, spread, timed, verdict

from bdh_studio.core import backstories
from bdh_studio.core.config import PRESETS
from bdh_studio.core.features import BookModel, featurize
from bdh_studio.core.model import BDH

KDSH = SHARED / "data" / "kdsh"
TARGET = 5.0


def book_models() -> dict[str, BookModel]:
    config = PRESETS["cpu"]
    models = {}
    for seed, path in enumerate(sorted((KDSH / "books").glob("*.txt"))):
        torch.manual_seed(seed)
        model = BDH(config.model_config()).eval()
        models[backstories.normalise(path.stem)] = BookModel(path.stem, path, model,
                                                             config.block_size)
    return models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    header("Benchmark 5: classifier features, batched against one chunk at a time (CPU)")
    if not (KDSH / "train.csv").is_file():
        raise SystemExit(f"the KDSH data is not at {KDSH}; set BDH_SHARED to the shared folder")
    models = book_models()
    rows = (backstories.read(KDSH / "train.csv", True, [m.name for m in models.values()]).rows
            + backstories.read(KDSH / "test.csv", False, [m.name for m in models.values()]).rows)
    texts, keys = [r.text() for r in rows], [r.book_key for r in rows]
    size = sum(len(t.encode()) for t in texts)
    print(f"  {len(rows)} rows ({size:,} bytes) x {len(models)} book models "
          f"({', '.join(m.name for m in models.values())}), cpu preset, block "
          f"{PRESETS['cpu'].block_size}")
    batched, _ = featurize(texts, keys, models)
    single, _ = featurize(texts, keys, models, batch_size=1)
    print(f"  same features both ways: max |diff| {np.abs(batched - single).max():.2e}")
    figures = alternate({
        "batched": lambda: len(rows) / timed(lambda: featurize(texts, keys, models)),
        "one chunk at a time": lambda: len(rows) / timed(
            lambda: featurize(texts, keys, models, batch_size=1)),
    }, args.rounds, label="rows/s")
    for name, values in figures.items():
        print(f"  {name:20s} rows/s {spread(values)}")
    ratio = median(figures["batched"]) / median(figures["one chunk at a time"])
    print(f"  batched / one at a time = {ratio:.1f}x  target >= {TARGET:g}x  "
          f"{verdict(ratio, TARGET)}")


if __name__ == "__main__":
    main()

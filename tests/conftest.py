"""Fixtures every test folder shares: small generated books, the demo data, ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from textgen import make_text

torch.set_num_threads(min(2, os.cpu_count() or 1))

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BDH_SHARED", REPO.parent / "shared"))
KDSH = SHARED / "data" / "kdsh"
REFERENCE = SHARED / "data" / "bdh_reference"

@pytest.fixture
def books_dir(tmp_path: Path) -> Path:
    """Two small generated books, enough for the tiny preset."""
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / "Alpha Book.txt").write_text(make_text(30_000, 1), encoding="utf-8")
    (folder / "beta book.TXT").write_text(make_text(20_000, 2), encoding="utf-8")
    return folder


@pytest.fixture
def kdsh() -> Path:
    if not (KDSH / "train.csv").is_file():
        pytest.skip(f"the KDSH data is not at {KDSH} (only CI and the developers have ../shared)")
    return KDSH


@pytest.fixture
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"the BDH conformance cases are not at {REFERENCE} (../shared is absent)")
    return REFERENCE


@pytest.fixture
def tiny_config():
    from bdh_studio.core.config import PRESETS
    return PRESETS["tiny"].replace(max_iters=20, log_interval=5, eval_interval=10, eval_batches=2)


@pytest.fixture(scope="session")
def demo_models(tmp_path_factory) -> Path:
    """Tiny book models of the three demo books, trained once for the whole session."""
    from bdh_studio import resources
    from bdh_studio.core.config import PRESETS
    from bdh_studio.core.trainer import train_run
    config = PRESETS["tiny"].replace(max_iters=40, log_interval=20, eval_interval=40,
                                     eval_batches=1)
    out = tmp_path_factory.mktemp("demo-run")
    assert train_run(config, sorted(resources.demo_books().glob("*.txt")), out).ok
    return out

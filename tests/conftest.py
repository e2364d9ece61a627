"""Fixtures every test folder shares: small generated books, the demo data, ../shared."""

from __future__ import annotations

import gc

# No garbage collection while the modules load: torch's, Qt's and scikit-learn's objects
# (about a million) would be walked again at every full collection, ~0.2 s each.  At the
# end of the collection they are frozen out of every later one (pytest_collection_finish).
gc.disable()

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from textgen import make_text  # noqa: E402

# One intra-op thread: the tests' models are tiny, where a second OpenMP thread costs more
# than it gives even on an idle machine (benchmarks/README.md, process settings: a tiny step
# x0.71 on 1 thread), and beside any other job its spinning makes every step 4-20x slower.
# The engine's thread choice (core/threads.py) and the commands the tests start obey
# OMP_NUM_THREADS as they would a person's.
os.environ["OMP_NUM_THREADS"] = "1"
torch.set_num_threads(1)


def pytest_collection_finish(session):
    """Freeze what the test modules imported: it lives for the whole session, and a
    GUI test's collection (tests/gui/conftest.py) then walks only what the test made."""
    gc.collect()
    gc.freeze()
    gc.enable()


REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BDH_SHARED", REPO.parent / "shared"))
KDSH = SHARED / "data" / "kdsh"
REFERENCE = SHARED / "data" / "bdh_reference"


@pytest.fixture(autouse=True, scope="session")
def session_cache_folder(tmp_path_factory):
    """The book models' verdicts (core/run/verdicts.py) go to the session's folder, not the
    user's cache; the commands the tests start inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


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
def trained_demo_models(tmp_path_factory) -> Path:
    """Tiny book models of the three demo books, trained once for the whole session."""
    from bdh_studio import resources
    from bdh_studio.core.config import PRESETS
    from bdh_studio.core.trainer import train_run
    config = PRESETS["tiny"].replace(max_iters=40, log_interval=20, eval_interval=40,
                                     eval_batches=1)
    out = tmp_path_factory.mktemp("demo-run")
    assert train_run(config, sorted(resources.demo_books().glob("*.txt")), out).ok
    return out


@pytest.fixture
def demo_models(trained_demo_models, tmp_path_factory) -> Path:
    """A test's own copy of the demo book models (1.5 MB): what one test writes into its run
    folder (a classifier run the Backstories tab keeps) no later test sees."""
    return Path(shutil.copytree(trained_demo_models, tmp_path_factory.mktemp("demo-run") / "run"))


@pytest.fixture
def read_only(tmp_path):
    """``read_only(name, populate=None)``: a folder that cannot be written, as on a read-only disk.

    ``populate(folder)`` fills it first.  Permissions do it for a normal user;
    root ignores them, so there a read-only bind mount does (skipped if that
    is not allowed either).
    """
    mounted = []

    def make(name: str, populate=None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if populate is not None:
            populate(folder)
        if os.geteuid() != 0:
            for path in [folder, *folder.rglob("*")]:
                if path.is_dir():
                    path.chmod(0o555)
            return folder
        for args in (["--bind", folder, folder], ["-o", "remount,bind,ro", folder]):
            if subprocess.run(["mount", *map(str, args)], capture_output=True).returncode:
                pytest.skip("as root, a read-only folder needs a read-only bind mount, "
                            "and mount is not allowed here")
            mounted.append(folder)
        return folder

    yield make
    for folder in dict.fromkeys(mounted):
        subprocess.run(["umount", str(folder)], check=True)
    for path in tmp_path.rglob("*"):
        if path.is_dir() and not os.access(path, os.W_OK):
            path.chmod(0o755)

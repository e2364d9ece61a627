"""Where the bundled files live: the demo books and backstories, the icon.

They are package data of this package, found through ``importlib.resources``,
so a wheel, an editable install and a PyInstaller bundle carry them with the
code. Imported from a zip archive they have no path of their own, while Qt,
``glob`` and the corpus reader need one: the folder is then copied once to a
temporary folder that lives as long as the process.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path


@cache
def root() -> Path:
    """This package's folder on disk (a temporary copy when imported from a zip)."""
    files = resources.files(__name__)
    if isinstance(files, Path):
        return files
    folder = Path(tempfile.mkdtemp(prefix="bdh-studio-resources-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _copy_tree(files, folder)
    return folder


def _copy_tree(source, target: Path) -> None:
    """Copy an ``importlib.resources`` Traversable folder into ``target``."""
    for item in source.iterdir():
        if item.is_dir():
            (target / item.name).mkdir()
            _copy_tree(item, target / item.name)
        else:
            (target / item.name).write_bytes(item.read_bytes())


def demo_books() -> Path:
    return root() / "demo" / "books"


def demo_train_csv() -> Path:
    return root() / "demo" / "train.csv"


def demo_test_csv() -> Path:
    return root() / "demo" / "test.csv"


def icon() -> Path:
    return root() / "icons" / "bdh-studio.svg"

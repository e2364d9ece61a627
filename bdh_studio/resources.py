"""Where the bundled files live: the demo books and backstories, the icon.

``resources/`` sits beside the package in a checkout and in an editable
install, which is how the README installs the studio.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEMO = RESOURCES / "demo"


def demo_books() -> Path:
    return DEMO / "books"


def demo_train_csv() -> Path:
    return DEMO / "train.csv"


def demo_test_csv() -> Path:
    return DEMO / "test.csv"


def icon() -> Path:
    return RESOURCES / "icons" / "bdh-studio.svg"

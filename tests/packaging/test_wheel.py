"""The wheel carries the package data, and the studio finds it outside the checkout.

A wheel is a zip archive, so putting the wheel itself on ``PYTHONPATH`` also
imports the studio from a zip; unpacked, it is what ``pip install`` lays out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PACKAGE_DATA = {
    "bdh_studio/resources/bdh-studio.desktop",
    "bdh_studio/resources/icons/bdh-studio.svg",
    "bdh_studio/resources/demo/README.md",
    "bdh_studio/resources/demo/train.csv",
    "bdh_studio/resources/demo/test.csv",
    "bdh_studio/resources/demo/books/The Glasshouse at Aldern.txt",
    "bdh_studio/resources/demo/books/The Salt Road.txt",
    "bdh_studio/resources/demo/books/Winter on Kessel Pass.txt",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the sources (the build writes beside them)."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(REPO / "bdh_studio", source / "bdh_studio",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-q", "-w", str(out), str(source)],
                   check=True)
    (built,) = out.glob("bdh_studio-*.whl")
    return built


def run_outside_checkout(python_path: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(python_path), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=1800)


def test_the_wheel_carries_the_package_data_and_no_screenshots(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert PACKAGE_DATA <= names
    data = {n for n in names if not n.endswith(".py") and ".dist-info/" not in n}
    assert data == PACKAGE_DATA
    assert not any("screenshot" in n or n.endswith(".png") for n in names)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory) -> Path:
    """The wheel unpacked as pip lays it out in site-packages."""
    site = tmp_path_factory.mktemp("site-packages")
    zipfile.ZipFile(wheel).extractall(site)
    return site


@pytest.mark.slow
def test_an_installed_wheel_trains_the_demo(installed: Path, tmp_path: Path) -> None:
    done = run_outside_checkout(installed, tmp_path, "-m", "bdh_studio", "train", "--demo",
                                "--preset", "tiny", "--iters", "2", "--out", "run")
    assert done.returncode == 0, done.stderr
    found = run_outside_checkout(installed, tmp_path, "-c",
                                 "from bdh_studio import resources; print(resources.icon())")
    assert Path(found.stdout.strip()).is_relative_to(installed)
    assert len(list((tmp_path / "run" / "checkpoints").glob("*.pt"))) == 3


@pytest.mark.slow
def test_an_installed_wheel_passes_the_self_test(installed: Path, tmp_path: Path) -> None:
    done = run_outside_checkout(installed, tmp_path, "-m", "bdh_studio", "--self-test")
    assert done.returncode == 0, done.stdout + done.stderr
    for step in ("open the window", "train the demo books", "classify the demo backstories",
                 "sample 50 bytes", "export the book models"):
        assert f"self-test: {step}: ok" in done.stdout
    assert done.stdout.rstrip().endswith("self-test: passed")


def test_the_demo_is_found_when_imported_from_a_zip(wheel: Path, tmp_path: Path) -> None:
    script = ("from bdh_studio import resources\n"
              "import bdh_studio\n"
              "assert bdh_studio.__file__.startswith(%r), bdh_studio.__file__\n"
              "books = sorted(p.name for p in resources.demo_books().glob('*.txt'))\n"
              "assert len(books) == 3, books\n"
              "assert resources.demo_train_csv().read_text().startswith('id,')\n"
              "assert resources.icon().read_bytes().startswith(b'<svg')\n" % str(wheel))
    done = run_outside_checkout(wheel, tmp_path, "-c", script)
    assert done.returncode == 0, done.stderr

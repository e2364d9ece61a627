"""Bad input to the command line: one line saying what and where, exit 2, nothing touched."""

import argparse
import csv
import shutil
from pathlib import Path

import pytest
import torch

from bdh_studio import resources
from bdh_studio.cli import build_parser, main
from bdh_studio.core import config as cfg
from bdh_studio.core.corpus import MIN_BOOK_BYTES, inspect
from damage import digests
from textgen import make_text


@pytest.fixture
def run_dir(demo_models, tmp_path):
    return shutil.copytree(demo_models, tmp_path / "run")


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("device, message", [
    ("banana", "device 'banana' is not a device; use auto, cpu, cuda or mps"),
    pytest.param("cuda", "device cuda: no CUDA GPU is visible to PyTorch here",
                 marks=pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is here")),
])
def test_sample_and_classify_choose_the_device_as_train_does(run_dir, tmp_path, capsys, device,
                                                            message):
    ckpt = run_dir / "checkpoints" / "The Salt Road.pt"
    before = digests(tmp_path)
    assert main(["sample", str(ckpt), "--device", device]) == 2
    assert message in one_line(capsys)
    assert main(["classify", "--train", str(resources.demo_train_csv()), "--models",
                 str(run_dir), "--out", str(tmp_path / "p.csv"), "--device", device]) == 2
    assert message in one_line(capsys)
    assert digests(tmp_path) == before


def test_every_device_option_says_its_real_default():
    commands = next(a for a in build_parser()._actions
                    if isinstance(a, argparse._SubParsersAction)).choices
    for name, parser in commands.items():
        for action in parser._actions:
            if action.dest == "device":
                shown = (action.default if action.default is not None  # train: the preset's
                         else cfg.PRESETS[parser.get_default("preset")].device)
                assert f"default: {shown}" in (action.help or ""), name


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "0"])
def test_sample_refuses_a_temperature_that_is_not_finite(run_dir, capsys, value):
    assert main(["sample", str(run_dir / "checkpoints" / "The Salt Road.pt"),
                 f"--temperature={value}"]) == 2
    assert "temperature must be a finite number above 0" in one_line(capsys)


def test_classify_checks_its_outputs_before_any_work(run_dir, tmp_path, capsys):
    folder = tmp_path / "existing"
    folder.mkdir()
    before = digests(tmp_path)
    assert main(["classify", "--train", str(resources.demo_train_csv()), "--models",
                 str(run_dir), "--out", str(folder)]) == 2
    assert f"{folder}: is a folder; --out names the file to write" in one_line(capsys)
    train = tmp_path / "train.csv"
    shutil.copy(resources.demo_train_csv(), train)
    before = digests(tmp_path)
    assert main(["classify", "--train", str(train), "--models", str(run_dir),
                 "--out", str(train)]) == 2
    assert "is an input of this command" in one_line(capsys)
    assert digests(tmp_path) == before


def test_classify_names_the_out_of_fold_file_after_out_and_says_when_folds_are_fewer(
        run_dir, tmp_path, capsys):
    rows = list(csv.DictReader(open(resources.demo_train_csv(), encoding="utf-8")))
    smallest = min(sum(r["label"] == label for r in rows) for label in ("consistent",
                                                                        "contradict"))
    out = tmp_path / "first.csv"
    assert main(["classify", "--train", str(resources.demo_train_csv()), "--models",
                 str(run_dir), "--out", str(out), "--folds", "100"]) == 0
    err = capsys.readouterr().err
    assert f"note: 100 folds asked, {smallest} used" in err
    assert (tmp_path / "first.cv.csv").is_file() and not (tmp_path / "predictions-cv.csv").exists()


@pytest.fixture
def locked(monkeypatch):
    """Files of these names cannot be opened, as a book without read permission (tests may
    run as root, whom chmod does not stop)."""
    names = set()

    def guarded(path, *args, **kwargs):
        if Path(path).name in names:
            raise PermissionError(13, "Permission denied")
        return open(path, *args, **kwargs)

    monkeypatch.setattr("bdh_studio.core.corpus.open", guarded, raising=False)
    return names


def test_every_book_is_checked_before_anything_is_created(books_dir, tmp_path, capsys, locked):
    (books_dir / "binary.txt").write_bytes(b"\x89PNG\x00\x00data")
    (books_dir / "latin1.txt").write_bytes("caf\xe9 ".encode("latin-1") * 100)
    (books_dir / "short.txt").write_text("eleven byte")
    (books_dir / "locked.txt").write_text(make_text(3000))
    locked.add("locked.txt")
    out = tmp_path / "run"
    assert main(["train", str(books_dir), "--out", str(out), "--preset", "tiny"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == ("bdh-studio train: 4 of 6 book(s) cannot be trained, so nothing was "
                        "started; fix them, or pass --skip-bad-books to train the other 2:")
    assert lines[1:] == [
        "  binary.txt: not a text file (a NUL byte at byte 4); books must be plain UTF-8 text",
        "  latin1.txt: not UTF-8 (byte 0xe9 at byte 3); re-save it as UTF-8 text",
        "  locked.txt: cannot read it (Permission denied); check that it exists and is readable",
        f"  short.txt: too short to train on (11 bytes of text; a book needs at least "
        f"{MIN_BOOK_BYTES})"]
    assert not out.exists()


def test_skip_bad_books_trains_the_others_and_lists_what_it_left_out(books_dir, tmp_path,
                                                                     capsys):
    (books_dir / "short.txt").write_text(make_text(300))
    (books_dir / "binary.txt").write_bytes(b"\0")
    out = tmp_path / "run"
    assert main(["train", str(books_dir), "--out", str(out), "--preset", "tiny", "--iters", "10",
                 "--skip-bad-books"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines()
                if line.startswith("warning:")]
    assert warnings == [
        "warning: left out: binary.txt: not a text file (a NUL byte at byte 0); books must be "
        "plain UTF-8 text",
        "warning: left out: short.txt: too short for block_size 64: 300 bytes, 30 of them held "
        "out for validation; lower block_size to at most 29 or leave the book out"]
    assert sorted(p.name for p in (out / "checkpoints").glob("*.pt")) == ["Alpha Book.pt",
                                                                          "beta book.pt"]


def test_a_book_too_short_for_any_block_is_unusable_and_never_told_to_shrink_below_2(tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("eleven byte")
    assert inspect(short).problem == (f"too short to train on (11 bytes of text; a book needs at "
                                      f"least {MIN_BOOK_BYTES})")
    found = cfg.problems(cfg.PRESETS["cpu"].replace(block_size=128),
                         shortest_book=("tiny note", 25))
    assert found["block_size"] == ("128 is too long for 'tiny note': 25 bytes, 2 of them held "
                                   "out for validation; leave the book out, it is too short for "
                                   "any block")
    found = cfg.problems(cfg.PRESETS["cpu"].replace(block_size=128), shortest_book=("note", 1000))
    assert found["block_size"].endswith("lower block_size to at most 99 or leave the book out")

"""Bad input to the command line: one line saying what and where, exit 2, nothing touched."""

import csv
import shutil

import pytest
import torch

from bdh_studio import resources
from bdh_studio.cli import main
from damage import digests


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
    assert main(["sample", str(ckpt), "--device", device]) == 2
    assert message in one_line(capsys)
    assert main(["classify", "--train", str(resources.demo_train_csv()), "--models",
                 str(run_dir), "--out", str(tmp_path / "p.csv"), "--device", device]) == 2
    assert message in one_line(capsys)


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

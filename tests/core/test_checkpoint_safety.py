"""Checkpoints never lost, never trusted when damaged: export's rule, digests, read-only folders."""

import errno
import os
import shutil

import pytest
import torch

from bdh_studio import resources
from bdh_studio.cli import main
from bdh_studio.core import checkpoints
from bdh_studio.core.checkpoints import DamagedCheckpoint
from bdh_studio.core.outputs import OutputError
from bdh_studio.core.run.export import export_models
from bdh_studio.core.trainer import train_run
from damage import digests, flip_weight_bytes


@pytest.fixture
def run_dir(demo_models, tmp_path):
    """A copy of the session's trained demo run, free to be damaged."""
    return shutil.copytree(demo_models, tmp_path / "run")


def test_export_onto_its_own_source_is_refused_and_writes_nothing(run_dir, capsys):
    ckpt = run_dir / "checkpoints" / "The Salt Road.pt"
    before = digests(run_dir)
    assert main(["export", str(ckpt), str(ckpt)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(ckpt) in err and "never overwrites its source" in err
    assert digests(run_dir) == before
    checkpoints.load_model(ckpt)  # still a whole book model


def test_export_into_a_runs_checkpoints_folder_is_refused(run_dir, tmp_path):
    sources = sorted((run_dir / "checkpoints").glob("*.pt"))
    other = tmp_path / "elsewhere" / "Another Book.pt"
    other.parent.mkdir()
    shutil.copy(sources[0], other)
    before = digests(run_dir)
    for bare in (True, False):
        with pytest.raises(OutputError, match=r"never overwrites its source"):
            export_models(sources, run_dir / "checkpoints", bare)
        with pytest.raises(OutputError, match=r"inside a run's checkpoints/ folder"):
            export_models([other], run_dir / "checkpoints", bare)
    with pytest.raises(OutputError, match=r"inside a run's checkpoints/ folder"):
        checkpoints.export_state_dict(sources[0], run_dir / "checkpoints" / "other.pt")
    assert digests(run_dir) == before
    written = export_models(sources, tmp_path / "exported", bare=True)
    assert [p.name for p in written] == [p.name for p in sources]
    assert set(torch.load(written[0], weights_only=True)) >= {"encoder", "decoder"}


def test_export_to_a_folder_path_says_to_name_a_file(run_dir, tmp_path, capsys):
    (tmp_path / "dir").mkdir()
    assert main(["export", str(run_dir / "checkpoints" / "The Salt Road.pt"),
                 str(tmp_path / "dir")]) == 2
    assert "is a folder; OUT.pt names the file to write" in capsys.readouterr().err


def test_export_to_a_read_only_folder_says_so(run_dir, read_only, capsys):
    target = read_only("locked")
    assert main(["export", str(run_dir / "checkpoints" / "The Salt Road.pt"),
                 str(target / "bare.pt")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"cannot write in {target}" in err
    assert "Traceback" not in err


def test_a_checkpoint_stores_a_digest_of_its_weights(run_dir):
    raw = torch.load(run_dir / "checkpoints" / "The Salt Road.pt", weights_only=True)
    assert raw["state_sha256"] == checkpoints.state_digest(raw["state_dict"])


@pytest.mark.parametrize("command", ["sample", "export", "classify"])
def test_a_damaged_checkpoint_is_named_and_refused(run_dir, tmp_path, capsys, command):
    ckpt = run_dir / "checkpoints" / "The Salt Road.pt"
    flip_weight_bytes(ckpt)
    torch.load(ckpt, weights_only=True)  # the damage torch itself does not see
    before = digests(run_dir)
    argv = {"sample": ["sample", str(ckpt)],
            "export": ["export", str(ckpt), str(tmp_path / "bare.pt")],
            "classify": ["classify", "--train", str(resources.demo_train_csv()),
                         "--models", str(run_dir), "--out", str(tmp_path / "p.csv")]}[command]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"{ckpt}: damaged" in err
    assert digests(run_dir) == before and not (tmp_path / "bare.pt").exists()


def test_load_refuses_damaged_weights_but_reads_old_checkpoints_without_a_digest(run_dir):
    ckpt = run_dir / "checkpoints" / "The Salt Road.pt"
    raw = torch.load(ckpt, weights_only=True)
    del raw["state_sha256"]  # as written before digests were stored
    torch.save(raw, ckpt)
    checkpoints.load(ckpt)
    flip_weight_bytes(ckpt)
    checkpoints.load(ckpt)  # nothing to check it against
    raw["state_sha256"] = "0" * 64
    torch.save(raw, ckpt)
    with pytest.raises(DamagedCheckpoint, match="damaged: its weights are not the ones saved"):
        checkpoints.load(ckpt)


def test_training_into_a_read_only_run_folder_says_so_before_starting(tiny_config, books_dir,
                                                                      read_only, capsys):
    out = read_only("run", populate=lambda folder: train_run(
        tiny_config, sorted(books_dir.glob("*")), folder))
    before = digests(out)
    assert main(["train", str(books_dir), "--out", str(out), "--preset", "tiny",
                 "--iters", "40"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"cannot write in the run folder {out}" in err
    assert digests(out) == before


def test_export_refuses_weights_that_do_not_fit_their_configuration(run_dir, tmp_path, capsys):
    """Issue 27 item 15: such an export was written, and sample and inspect refused it."""
    ckpt = run_dir / "checkpoints" / "The Salt Road.pt"
    raw = torch.load(ckpt, weights_only=True)
    raw["model_config"]["mlp_internal_dim_multiplier"] *= 2  # the digest covers weights only
    torch.save(raw, ckpt)
    assert main(["export", str(ckpt), str(tmp_path / "bare.pt")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{ckpt}: not exported" in err and "do not fit" in err
    assert not (tmp_path / "bare.pt").exists()
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


@pytest.mark.parametrize("code, said", [
    (errno.EPERM, "Operation not permitted (the file or its folder refuses changes"),
    (errno.EACCES, "Permission denied (no permission to write there)"),
    (errno.EROFS, "Read-only file system (the file system is read-only)"),
])
def test_an_immutable_or_forbidden_target_is_said_as_errno_says_not_as_a_full_disk(
        run_dir, tmp_path, capsys, monkeypatch, code, said):
    target = tmp_path / "bare.pt"
    target.write_bytes(b"someone's file")

    def refused(src, dst):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", refused)
    assert main(["export", str(run_dir / "checkpoints" / "The Salt Road.pt"), str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"could not write {target}: {said}" in err, err
    assert "disk space" not in err
    assert target.read_bytes() == b"someone's file"
    assert sorted(os.listdir(tmp_path)) == ["bare.pt", "run"]  # no temporary file left

"""The headless command line: train, sample, export, and its one-line errors."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from bdh_studio.cli import main
from bdh_studio.cli.train import ProgressBars
from bdh_studio.core import checkpoints
from bdh_studio.core import events as ev
from bdh_studio.core.run.log import read_run

TINY = ["--preset", "tiny", "--iters", "20", "--set", "log_interval=5", "--set", "eval_interval=10"]


def test_train_sample_export_round_trip(books_dir, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", str(books_dir), "--out", str(out), *TINY]) == 0
    err = capsys.readouterr().err
    assert "Alpha Book: finished at step 20 val loss" in err and "beta book: finished" in err
    ckpt = out / "checkpoints" / "Alpha Book.pt"
    assert main(["sample", str(ckpt), "--prompt", "The sea", "--length", "40", "--seed", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("The sea") and len(text.encode()) >= 40
    assert main(["export", str(ckpt), str(tmp_path / "bare.pt")]) == 0
    bare = torch.load(tmp_path / "bare.pt", weights_only=True)
    model, _ = checkpoints.load_model(ckpt)
    model.load_state_dict(bare, strict=True)


@pytest.mark.slow
def test_kdsh_novels_train_with_the_tiny_preset(kdsh, tmp_path):
    out = tmp_path / "run"
    assert main(["train", str(kdsh / "books"), "--out", str(out), "--preset", "tiny"]) == 0
    names = sorted(p.name for p in (out / "checkpoints").glob("*.pt"))
    assert names == ["In search of the castaways.pt", "The Count of Monte Cristo.pt"]
    for name in names:
        torch.load(out / "checkpoints" / name, weights_only=True)


@pytest.mark.parametrize("argv, message", [
    (["train", "{empty}", "--out", "{out}"], "no .txt books in it"),
    (["train", "{missing}", "--out", "{out}"], "no such folder"),
    (["train", "{books}", "--out", "{out}", "--set", "n_head=3"],
     "n_head: n_embd 64 is not divisible by n_head 3"),
    (["train", "{books}", "--out", "{out}", "--set", "batch_size=0"],
     "batch_size: 0 must be between 1 and 65,536"),
    (["train", "{books}", "--out", "{out}", "--patience", "-2"],
     "patience: -2 must be between 0 and 1,073,741,824"),
    (["train", "{books}", "--out", "{out}", "--set", "patience=-1"],
     "patience: -1 must be between 0 and 1,073,741,824"),
    (["train", "{books}", "--out", "{out}", "--set", "layers=3"], "unknown setting(s): layers"),
    (["train", "{books}", "--out", "{out}", "--config", "{missing}"], "cannot read configuration"),
    (["train", "{books}", "--out", "{out}", "--device", "cuda"], "no CUDA GPU is visible"),
    (["train", "{books}", "--out", "{out}", "--precision", "fp16", "--device", "cpu"],
     "fp16 needs a GPU"),
    (["train", "--out", "{out}"], "give either BOOKS_DIR or --demo"),
    (["sample", "{missing}"], "no such checkpoint"),
    (["sample", "{garbage}"], "not a readable checkpoint"),
    (["export", "{missing}", "{out}"], "no such checkpoint"),
])
def test_bad_input_gives_one_line_and_exit_2(argv, message, books_dir, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "garbage.pt").write_bytes(b"not a checkpoint at all")
    places = {"empty": tmp_path / "empty", "missing": tmp_path / "missing", "books": books_dir,
              "out": tmp_path / "out", "garbage": tmp_path / "garbage.pt"}
    argv = [a.format(**places) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.startswith(f"bdh-studio {argv[0]}: ")
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_sample_rejects_impossible_settings(books_dir, tmp_path, capsys):
    main(["train", str(books_dir), "--out", str(tmp_path / "run"), *TINY])
    ckpt = str(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")
    capsys.readouterr()
    assert main(["sample", ckpt, "--temperature", "0"]) == 2
    assert "temperature must be a finite number above 0" in capsys.readouterr().err
    assert main(["sample", ckpt, "--top-k", "0"]) == 2
    assert "top-k must be between 1 and 256" in capsys.readouterr().err


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(books_dir, tmp_path):
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "bdh_studio", "train", str(books_dir), "--out", str(out),
            "--preset", "tiny", "--iters", "200", "--set", "log_interval=5"]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    metrics = out / "metrics.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and not (
            metrics.exists() and "\"step\"" in metrics.read_text()):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopped; checkpoints are in" in err
    ckpt = checkpoints.load(out / "checkpoints" / "Alpha Book.pt")
    assert ckpt["partial"] and ckpt["training"]["step"] > 0
    events = list(read_run(out).events)  # every line parses
    assert events[-1].kind == "run_finished" and events[-1].stopped
    assert main(argv[3:]) == 0  # the same command (another budget would be refused)
    resumed = checkpoints.load(out / "checkpoints" / "Alpha Book.pt")
    assert resumed["training"]["step"] == 200 and not resumed["partial"]


def out_of_memory(self, *args, **kwargs):
    raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


@pytest.mark.parametrize("fault, said", [
    ("oom", "Alpha Book: out of memory on cpu with batch_size 8 and block_size 64; lower "
            "batch_size or block_size"),
    ("nan", "Alpha Book: the loss became nan at step 5; lower lr"),
])
def test_a_book_that_fails_is_said_once_with_its_remedy(books_dir, tmp_path, capsys, monkeypatch,
                                                        fault, said):
    """The failure's line once: not again in the book's finish line nor the last line."""
    from bdh_studio.core.model import BDH
    forward = BDH.forward

    def nan_loss(self, idx, targets=None, stats=None):
        logits, loss = forward(self, idx, targets, stats)
        return logits, loss * float("nan")

    monkeypatch.setattr(BDH, "forward", out_of_memory if fault == "oom" else nan_loss)
    assert main(["train", str(books_dir), "--out", str(tmp_path / "run"), *TINY,
                 "--precision", "fp32"]) == 1
    err = capsys.readouterr().err
    assert err.count(said) == 1, err
    assert [line for line in err.splitlines() if said in line][0].startswith("error: " + said)


def test_a_log_gets_a_progress_line_at_each_validation_and_every_30_s_not_a_bar(capsys):
    """stderr that is no terminal: tqdm's carriage returns would make each book one line."""
    now = [0.0]
    bars = ProgressBars(live=False, clock=lambda: now[0])
    bars(ev.RunStarted("run", ("a",), {}, "cpu", "fp32"))
    bars(ev.BookStarted("a", 0, 1, 100))
    for step, seconds in ((10, 5.0), (20, 29.0), (30, 31.0), (40, 40.0)):
        now[0] = seconds
        bars(ev.StepLogged("a", step, 2.0, 1e-3, 1000.0, seconds))
    bars(ev.ValidationLogged("a", 40, 1.9, 2.74))
    bars(ev.BookFinished("a", "finished", 40, 1.9))
    lines = capsys.readouterr().err.splitlines()
    assert "\r" not in "".join(lines)
    assert [line.split(" · ")[1] for line in lines if line.startswith("book 1 of 1")] == \
        ["step 0/100", "step 30/100", "step 40/100"]
    assert "val 1.900" in lines[-2] and lines[-1] == "a: finished at step 40 val loss 1.900"


def test_a_peer_lost_before_training_starts_is_a_fault_exit_1_not_bad_input(
        books_dir, tmp_path, capsys, monkeypatch):
    """The ranks agree on the books before the run: a peer lost then is no input to change."""
    from bdh_studio.core import trainer
    from bdh_studio.core.distributed import JobFailure

    def lost(*args, **kwargs):
        raise JobFailure("another process of this torchrun job failed")

    monkeypatch.setattr(trainer, "_bad_books", lost)
    assert main(["train", str(books_dir), "--out", str(tmp_path / "run"), *TINY]) == 1
    assert "another process of this torchrun job failed" in capsys.readouterr().err

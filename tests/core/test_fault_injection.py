"""kill -9 at random moments of a training run: nothing it leaves behind is damaged or lost."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from bdh_studio.core import checkpoints
from bdh_studio.core import events as ev
from bdh_studio.core.run.log import read_run

KILLS = 3


def train_command(books_dir, out):
    return [sys.executable, "-m", "bdh_studio", "train", str(books_dir), "--out", str(out),
            "--preset", "tiny", "--iters", "60", "--set", "log_interval=1",
            "--set", "eval_interval=5", "--set", "eval_batches=1",
            "--set", "checkpoint_interval=2"]


def saved_a_checkpoint(log, before, process, deadline) -> bool:
    """Whether the process has logged a checkpoint past byte ``before`` of the log (so the kill
    lands mid-run, with something to resume) before the deadline; False if it ended first."""
    while time.monotonic() < deadline and process.poll() is None:
        if log.is_file() and b'"event": "checkpoint"' in log.read_bytes()[before:]:
            return True
        time.sleep(0.05)
    return False


def check_run_folder(out, kills):
    for path in sorted((out / "checkpoints").glob("*.pt")):
        checkpoints.load_model(path)  # reads, verifies its digest, builds the model
    log = read_run(out)
    assert log.skipped <= kills  # at most one torn line a kill
    return log


@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_every_checkpoint_whole_and_the_rerun_resumes(
        books_dir, tmp_path):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    out = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for kill in range(1, KILLS + 1):
        log = out / "metrics.jsonl"
        before = log.stat().st_size if log.is_file() else 0
        process = subprocess.Popen(train_command(books_dir, out), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if saved_a_checkpoint(log, before, process, time.monotonic() + 120):
            time.sleep(rng.uniform(0, 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        check_run_folder(out, kill)
    saved = {p.stem: checkpoints.load(p) for p in (out / "checkpoints").glob("*.pt")}
    done = subprocess.run(train_command(books_dir, out), env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"seed {seed}: {done.stderr}"
    log = check_run_folder(out, KILLS)
    for name in ("Alpha Book", "beta book"):
        ckpt = checkpoints.load(out / "checkpoints" / f"{name}.pt")
        assert not ckpt["partial"] and ckpt["training"]["step"] == 60, f"seed {seed}"
    last_run = log.events[max(i for i, e in enumerate(log.events)
                              if isinstance(e, ev.RunStarted)):]
    started = {e.book: e.start_step for e in last_run if isinstance(e, ev.BookStarted)}
    skipped = {e.book for e in last_run if isinstance(e, ev.BookFinished) and
               e.status == "skipped"}
    assert saved, f"seed {seed}: no checkpoint before the rerun"
    for name, ckpt in saved.items():
        if ckpt["partial"]:
            assert started[name] == ckpt["training"]["step"], f"seed {seed}: {name} not resumed"
        else:
            assert name in skipped, f"seed {seed}: {name} trained again"

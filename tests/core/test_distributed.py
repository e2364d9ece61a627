"""torchrun with two gloo processes on the CPU: books shared with DDP, or spread over the ranks."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from bdh_studio.core import checkpoints
from bdh_studio.core import events as ev
from bdh_studio.core.config import PRESETS
from bdh_studio.core.corpus import find_books
from bdh_studio.core.distributed import DEBUG_WEIGHTS_VARIABLE, weights_digest
from bdh_studio.core.run.log import read_run
from bdh_studio.core.trainer import train_run
from textgen import make_text

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (torch.distributed.is_available() and torch.distributed.is_gloo_available()),
    reason="this torch build has no torch.distributed with the gloo backend")]

needs_proc = pytest.mark.skipif(not Path("/proc/self/environ").exists(),
                                reason="finds the torchrun workers through /proc (Linux)")

REFERENCE_KEYS = {"decoder", "encoder", "encoder_v", "lm_head", "attn.freqs", "embed.weight"}
LOST_PEER = "another process of this torchrun job failed, was killed or stopped answering"


class Torchrun:
    """``torchrun --standalone --nproc_per_node 2 -m bdh_studio train ...``, stderr in a file."""

    def __init__(self, books: Path, out: Path, *args: str, weights: Path | None = None):
        self.out, self.log = out, out.parent / f"{out.name}.stderr"
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
        if weights is not None:
            env[DEBUG_WEIGHTS_VARIABLE] = str(weights)
        argv = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                "--nproc_per_node", "2", "-m", "bdh_studio", "train", str(books),
                "--out", str(out), "--preset", "tiny", "--set", "log_interval=5", *args]
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)

    @property
    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, seconds: float = 120) -> int:
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"torchrun still running after {seconds} s:\n{self.stderr}")

    def wait_for(self, ready, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            assert self.proc.poll() is None, f"torchrun ended early:\n{self.stderr}"
            assert time.monotonic() < deadline, f"nothing after {seconds} s:\n{self.stderr}"
            time.sleep(0.1)

    def worker(self, rank: int) -> int:
        """The pid of a rank: the launcher's child whose environment says RANK=rank."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                environ = (stat.parent / "environ").read_bytes().split(b"\0")
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.proc.pid and f"RANK={rank}".encode() in environ:
                return int(stat.parent.name)
        raise AssertionError(f"no worker of rank {rank} under pid {self.proc.pid}")


def single_process_digest(books_dir: Path, book: str, tmp_path: Path) -> str:
    """The weights one process trains on ``book`` alone, with the settings of the runs here."""
    config = PRESETS["tiny"].replace(max_iters=10, log_interval=5)
    paths = [p for p in find_books(books_dir) if p.stem == book]
    train_run(config, paths, tmp_path / "single")
    return weights_digest(checkpoints.load(tmp_path / "single" / "checkpoints" / f"{book}.pt")
                          ["state_dict"])


def test_ranks_share_each_book_and_keep_equal_weights(books_dir, tmp_path):
    weights = tmp_path / "weights"
    weights.mkdir()
    run = Torchrun(books_dir, tmp_path / "run", "--iters", "10", weights=weights)
    assert run.wait() == 0, run.stderr
    assert "2 processes, effective batch 2 x 8" in run.stderr
    saved = sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir())
    assert saved == ["Alpha Book.pt", "beta book.pt"]
    digests = {}
    for book in ("Alpha Book", "beta book"):
        ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / f"{book}.pt")
        assert set(ckpt["state_dict"]) == REFERENCE_KEYS  # no "module." from DDP
        checkpoints.build_model(ckpt)
        assert ckpt["training"]["step"] == 10 and ckpt["training"]["world_size"] == 2
        digests[book] = weights_digest(ckpt["state_dict"])
        assert {(weights / f"{book}.rank{r}").read_text() for r in (0, 1)} == {digests[book]}
    # rank 1's batches counted: rank 0's alone, in one process, end elsewhere
    assert single_process_digest(books_dir, "Alpha Book", tmp_path) != digests["Alpha Book"]
    started = [e for e in read_run(tmp_path / "run").events if isinstance(e, ev.RunStarted)]
    assert [e.world_size for e in started] == [2]


def test_ranks_training_by_time_stop_at_the_same_step_with_equal_weights(books_dir, tmp_path):
    weights = tmp_path / "weights"
    weights.mkdir()
    run = Torchrun(books_dir, tmp_path / "run", "--max-seconds", "3", "--set", "eval_points=2",
                   weights=weights)
    assert run.wait() == 0, run.stderr
    for book in ("Alpha Book", "beta book"):
        ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / f"{book}.pt")
        training = ckpt["training"]
        assert training["budget"] == "seconds" and training["world_size"] == 2
        assert training["step"] % 5 == 0  # the ranks agree on the time at log intervals
        digest = weights_digest(ckpt["state_dict"])
        assert {(weights / f"{book}.rank{r}").read_text() for r in (0, 1)} == {digest}


def test_ranks_out_of_patience_stop_the_book_at_the_same_step(books_dir, tmp_path):
    """Each rank decides alone from the all-reduced validation loss: a rank that went on
    would wait in a collective the others never join."""
    weights = tmp_path / "weights"
    weights.mkdir()
    run = Torchrun(books_dir, tmp_path / "run", "--iters", "400", "--set", "eval_interval=5",
                   "--patience", "1", weights=weights)
    assert run.wait() == 0, run.stderr
    for book in ("Alpha Book", "beta book"):
        ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / f"{book}.pt")
        training = ckpt["training"]
        assert not ckpt["partial"] and training["step"] < 400 and training["world_size"] == 2
        assert training["stopped_early"].startswith(f"stopped early at step {training['step']}")
        assert f"{book}: finished at step {training['step']}" in run.stderr
        digest = weights_digest(ckpt["state_dict"])
        assert {(weights / f"{book}.rank{r}").read_text() for r in (0, 1)} == {digest}


def test_spread_books_trains_each_book_once(books_dir, tmp_path):
    (books_dir / "gamma.txt").write_text(make_text(20_000, 3), encoding="utf-8")
    run = Torchrun(books_dir, tmp_path / "run", "--iters", "10", "--spread-books")
    assert run.wait() == 0, run.stderr
    assert "3 book(s) spread over 2 processes" in run.stderr
    finished = [e.book for e in read_run(tmp_path / "run").events
                if isinstance(e, ev.BookFinished) and e.status == "finished"]
    assert sorted(finished) == ["Alpha Book", "beta book", "gamma"]
    rank1 = [e.book for e in read_run(tmp_path / "run" / "metrics.rank1.jsonl").events
             if isinstance(e, ev.BookStarted)]
    assert rank1 == ["beta book"]
    ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / "beta book.pt")
    assert ckpt["training"]["world_size"] == 1
    # a book's model does not depend on the rank that trained it
    assert weights_digest(ckpt["state_dict"]) == single_process_digest(books_dir, "beta book",
                                                                       tmp_path)



def test_seeds_train_one_run_each_in_one_process_group(books_dir, tmp_path):
    """The second seed once met a process group torn down after the first: a hang."""
    run = Torchrun(books_dir, tmp_path / "run", "--iters", "10", "--seeds", "2")
    assert run.wait() == 0, run.stderr
    for seed in (1337, 1338):
        out = tmp_path / f"run-seed{seed}"
        assert run.stderr.count(f"seed {seed}: {out}") == 1  # rank 0 says it, alone
        for book in ("Alpha Book", "beta book"):
            ckpt = checkpoints.load(out / "checkpoints" / f"{book}.pt")
            assert ckpt["training"]["step"] == 10 and ckpt["training"]["world_size"] == 2
            assert ckpt["train_config"]["seed"] == seed


@needs_proc
def test_a_stop_on_one_rank_stops_every_rank_at_the_same_step(books_dir, tmp_path):
    weights = tmp_path / "weights"
    weights.mkdir()
    run = Torchrun(books_dir, tmp_path / "run", "--iters", "100000", weights=weights)
    metrics = tmp_path / "run" / "metrics.jsonl"
    run.wait_for(lambda: metrics.exists() and '"step"' in metrics.read_text())
    os.kill(run.worker(1), signal.SIGTERM)
    assert run.wait(60) != 0  # torchrun reports the ranks' exit code 130 as a failure
    assert "stopped; checkpoints are in" in run.stderr
    ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")
    assert ckpt["partial"] and ckpt["training"]["step"] % 5 == 0
    ranks = {(weights / f"Alpha Book.rank{r}").read_text() for r in (0, 1)}
    assert ranks == {weights_digest(ckpt["state_dict"])}
    last = list(read_run(tmp_path / "run").events)[-1]
    assert isinstance(last, ev.RunFinished) and last.stopped


@needs_proc
def test_killing_a_rank_ends_the_run_with_checkpoints_intact(books_dir, tmp_path):
    run = Torchrun(books_dir, tmp_path / "run", "--iters", "100000",
                   "--set", "checkpoint_interval=10")
    folder = tmp_path / "run" / "checkpoints"
    run.wait_for(lambda: (folder / "Alpha Book.pt").exists())
    os.kill(run.worker(1), signal.SIGKILL)
    assert run.wait(60) != 0
    assert LOST_PEER in run.stderr
    assert [p.name for p in folder.iterdir()] == ["Alpha Book.pt"]  # no torn temporary file
    assert checkpoints.load(folder / "Alpha Book.pt")["partial"]
    kinds = [e.kind for e in read_run(tmp_path / "run").events]
    assert kinds[-2:] == ["run_failed", "run_finished"]


class TwoRanks:
    """The two ranks of one job started by hand as torchrun starts them, each given its own
    BOOKS_DIR: what two machines with different copies of the books see."""

    def __init__(self, folders: list[Path], out: Path, *args: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.logs = [out.parent / f"{out.name}.rank{rank}.stderr" for rank in (0, 1)]
        self.procs = []
        for rank, (folder, log) in enumerate(zip(folders, self.logs)):
            env = {**os.environ, "OMP_NUM_THREADS": "1", "RANK": str(rank),
                   "LOCAL_RANK": str(rank), "WORLD_SIZE": "2", "LOCAL_WORLD_SIZE": "2",
                   "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}
            argv = [sys.executable, "-m", "bdh_studio", "train", str(folder), "--out", str(out),
                    "--preset", "tiny", "--set", "log_interval=5", *args]
            with open(log, "w") as f:
                self.procs.append(subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                                                   env=env))

    def wait(self, seconds: float = 300) -> list[int]:
        """Exit codes; a hang (the ranks in different collectives) fails the test instead."""
        try:
            return [proc.wait(seconds) for proc in self.procs]
        except subprocess.TimeoutExpired:
            for proc in self.procs:
                proc.kill()
            raise AssertionError("the ranks still run after {seconds} s:\n" + "\n".join(
                log.read_text(errors="replace") for log in self.logs))


@pytest.mark.parametrize("spread", [(), ("--spread-books",)])
def test_a_book_one_rank_cannot_read_is_bad_on_every_rank_before_the_run_starts(books_dir,
                                                                                 tmp_path, spread):
    theirs = tmp_path / "rank1-books"
    shutil.copytree(books_dir, theirs)
    (theirs / "Alpha Book.txt").write_bytes(b"\0 not a text file on rank 1 only")
    ranks = TwoRanks([books_dir, theirs], tmp_path / "run", "--iters", "10", *spread)
    assert ranks.wait() == [2, 2]  # each rank: bad input, nothing started
    assert "on rank 1: Alpha Book.txt: not a text file" in ranks.logs[0].read_text()
    assert not (tmp_path / "run").exists()
    ranks = TwoRanks([books_dir, theirs], tmp_path / "run", "--iters", "10", "--skip-bad-books",
                     *spread)
    assert ranks.wait() == [0, 0]  # Alpha Book left out on both, beta book trained once
    events = list(read_run(tmp_path / "run").events)
    done = [(e.book, e.status) for e in events if isinstance(e, ev.BookFinished)]
    assert done == [("beta book", "finished")]
    assert any(isinstance(e, ev.BookWarning) and e.book == "Alpha Book" for e in events)
    assert not any(isinstance(e, ev.RunFailed) for e in events)
    assert checkpoints.load(tmp_path / "run" / "checkpoints" / "beta book.pt")["training"][
        "world_size"] == (1 if spread else 2)

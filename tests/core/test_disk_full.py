"""A disk that fills up mid-run, injected in the writes: one line, exit 1, nothing saved lost.

The writes fail as on a full disk: the file object torch.save writes to
raises OSError(ENOSPC) after some bytes (torch then reports its own
"inline_container.cc ... unexpected pos" RuntimeError), and the run log's
file writes what fits of a line before raising it, tearing the line.
"""

import errno
import io
import sys

import pytest
import torch

from bdh_studio.cli import main
from bdh_studio.core import checkpoints
from bdh_studio.core import events as ev
from bdh_studio.core.run.folder import RunFolder
from bdh_studio.core.run.log import read_run

TINY = ["--preset", "tiny", "--set", "log_interval=1", "--set", "eval_interval=4",
        "--set", "eval_batches=1", "--set", "checkpoint_interval=2"]


def train(books_dir, out, iters):
    return main(["train", str(books_dir), "--out", str(out), "--iters", str(iters), *TINY])


def no_space() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


class FillsUp(io.RawIOBase):
    """A file that takes ``room`` bytes, then refuses more as a full disk does."""

    def __init__(self, f, room: int):
        self.f, self.room = f, room

    def writable(self) -> bool:
        return True

    @property
    def name(self):
        return self.f.name

    def close(self) -> None:
        self.f.close()
        super().close()

    def write(self, data) -> int:
        if self.room <= 0:
            raise no_space()
        n = min(len(data), self.room)
        self.room -= n
        return self.f.write(data[:n])


@pytest.fixture
def full_at_save(monkeypatch):
    """``fill(after=0)``: every torch.save past the first ``after`` meets a full disk after
    1,000 bytes."""
    real_save = torch.save

    def fill(after: int = 0):
        done = []

        def save(obj, f, *args, **kwargs):
            done.append(f)
            real_save(obj, f if len(done) <= after else FillsUp(f, 1000), *args, **kwargs)

        monkeypatch.setattr(torch, "save", save)
    return fill


def last_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return err.strip().splitlines()[-1]


def test_the_injected_fault_is_the_one_torch_raises_on_a_full_disk(full_at_save, tmp_path):
    full_at_save()
    with pytest.raises(RuntimeError, match="unexpected pos") as caught:
        torch.save({"w": torch.zeros(10_000)}, open(tmp_path / "x.pt", "wb"))
    assert caught.value.__context__.errno == errno.ENOSPC


def test_disk_full_at_the_first_save_stops_the_run_in_one_line(books_dir, tmp_path, capsys,
                                                               full_at_save):
    full_at_save()
    out = tmp_path / "run"
    assert train(books_dir, out, 4) == 1
    line = last_line(capsys)
    assert line.startswith(f"stopped: disk full: could not write {out / 'checkpoints'}/Alpha "
                           f"Book.pt: No space left on device (the disk is full); free some disk "
                           f"space"), line
    assert line.endswith("run the same command again to resume")
    assert list((out / "checkpoints").iterdir()) == []  # no temporary file left
    failed = [e for e in read_run(out).events if isinstance(e, ev.RunFailed)]
    assert len(failed) == 1 and "No space left on device" in failed[0].message


def test_disk_full_when_resuming_keeps_the_checkpoint_it_resumed(books_dir, tmp_path, capsys,
                                                                 full_at_save):
    out = tmp_path / "run"
    full_at_save(after=1)  # the step-2 checkpoint is saved, the step-4 one meets a full disk
    assert train(books_dir, out, 8) == 1
    saved = (out / "checkpoints" / "Alpha Book.pt").read_bytes()
    assert checkpoints.load(out / "checkpoints" / "Alpha Book.pt")["training"]["step"] == 2
    capsys.readouterr()
    full_at_save()
    assert train(books_dir, out, 8) == 1
    assert last_line(capsys).startswith("stopped: disk full: could not write")
    assert (out / "checkpoints" / "Alpha Book.pt").read_bytes() == saved
    assert [p.name for p in (out / "checkpoints").iterdir()] == ["Alpha Book.pt"]
    resumed = [e for e in read_run(out).events if isinstance(e, ev.BookStarted)]
    assert [e.start_step for e in resumed] == [0, 2]


class FillsInALine(FillsUp):
    """A log whose disk ends ``cut(len(line))`` bytes into the first line to reach ``reach``
    bytes, wherever the lines before it ended (their lengths change with the timings)."""

    def __init__(self, f, reach: int, cut):
        super().__init__(f, room=sys.maxsize)
        self.reach, self.cut, self.written = reach, cut, 0
        self.full_at = None  # the log's size when the disk is full

    def write(self, data) -> int:
        if self.full_at is None and self.written + len(data) >= self.reach:
            self.room = self.cut(len(data))
            self.full_at = self.written + self.room
        n = super().write(data)
        self.written += n
        return n


@pytest.fixture
def log_fills(monkeypatch):
    """``fill(cut)``: the run log (opened for appending) meets a full disk ``cut(len(line))``
    bytes into the line that reaches 4,000 bytes; returns the logs opened."""
    module = sys.modules[RunFolder.__module__]
    opened = []

    def fill(cut):
        def opens_a_filling_log(path, mode="r", *args, **kwargs):
            f = open(path, mode, *args, **kwargs)
            if "a" not in mode:
                return f
            opened.append(FillsInALine(f, 4_000, cut))
            return opened[-1]

        monkeypatch.setattr(module, "open", opens_a_filling_log, raising=False)
        return opened
    return fill


def fails_on_the_log_then_resumes(books_dir, out, capsys, monkeypatch) -> tuple[bytes, object]:
    """Train until the log's disk is full, then again on a disk with room: the torn log
    and the second run's log.  Each checkpoint saved before the disk filled is used."""
    assert train(books_dir, out, 12) == 1
    assert last_line(capsys).startswith(f"stopped: disk full: could not write {out}/metrics.jsonl: "
                                        f"No space left on device (the disk is full)")
    log = (out / "metrics.jsonl").read_bytes()
    kept = {p.stem: checkpoints.load(p) for p in (out / "checkpoints").glob("*.pt")}
    assert any(c["partial"] for c in kept.values()), "the log did not fill mid-book: change its room"

    monkeypatch.undo()
    assert train(books_dir, out, 12) == 0
    run = read_run(out)
    starts = [i for i, e in enumerate(run.events) if isinstance(e, ev.RunStarted)]
    assert len(starts) == 2, "the next run's first line was glued to the torn one"
    last = starts[-1]
    resumed = {e.book: e.start_step for e in run.events[last:] if isinstance(e, ev.BookStarted)}
    skipped = {e.book for e in run.events[last:]
               if isinstance(e, ev.BookFinished) and e.status == "skipped"}
    for name, ckpt in kept.items():
        assert (resumed[name] == ckpt["training"]["step"]) if ckpt["partial"] else name in skipped
    return log, run


def test_disk_full_in_the_run_log_tears_one_line_and_the_next_run_starts_a_fresh_one(
        books_dir, tmp_path, capsys, monkeypatch, log_fills):
    logs = log_fills(lambda length: length // 2)
    log, run = fails_on_the_log_then_resumes(books_dir, tmp_path / "run", capsys, monkeypatch)
    assert len(log) == logs[0].full_at and not log.endswith(b"\n")  # a torn last line
    assert run.skipped == 1  # the torn line alone; the next run's first line is whole


@pytest.mark.parametrize("cut", [lambda length: length, lambda length: length - 1],
                         ids=["after its newline", "before its newline"])
def test_disk_full_at_the_end_of_a_log_line_keeps_that_line_and_tears_none(
        books_dir, tmp_path, capsys, monkeypatch, log_fills, cut):
    """A disk that ends at a line's end or just before its newline: that event is whole and
    read, the write after it fails, and no line is torn."""
    logs = log_fills(cut)
    log, run = fails_on_the_log_then_resumes(books_dir, tmp_path / "run", capsys, monkeypatch)
    assert len(log) == logs[0].full_at and log.rstrip(b"\n").endswith(b"}")
    assert run.skipped == 0 and not run.problems


def test_disk_full_stops_the_seeds_to_come_with_exit_1(books_dir, tmp_path, capsys,
                                                       full_at_save):
    """The next seed's run would meet the same full disk: it is not started."""
    full_at_save()
    assert main(["train", str(books_dir), "--out", str(tmp_path / "run"), "--iters", "4",
                 "--seeds", "2", *TINY]) == 1
    assert last_line(capsys).startswith("stopped: disk full: could not write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books", "run-seed1337"]

"""Starting a run in a folder: its settings and budget are kept, nothing half-made is left."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from bdh_studio.cli import main
from damage import digests


def train(books_dir: Path, out: Path, iters: int = 20) -> int:
    return main(["train", str(books_dir), "--out", str(out), "--preset", "tiny",
                 "--iters", str(iters)])


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_a_finished_run_with_another_budget_is_refused_and_left_as_it_was(books_dir, tmp_path,
                                                                          capsys):
    """Issue 27 item 13: --iters 40 trained on; --iters 20 then rewrote config.json."""
    out = tmp_path / "run"
    assert train(books_dir, out) == 0
    capsys.readouterr()
    before = digests(out)
    for iters in (40, 10):
        assert train(books_dir, out, iters) == 2
        err = one_line(capsys)
        assert f"max_iters 20 -> {iters}" in err and "--retrain" in err, err
        assert digests(out) == before
    assert train(books_dir, out) == 0  # the same budget: finished books are skipped
    assert "already trained with these settings" in capsys.readouterr().err


_write_text = Path.write_text


def write_text_on_a_full_disk(self, data, *args, **kwargs):
    """Path.write_text cut by a full disk: half of the text, then ENOSPC as the kernel says it."""
    _write_text(self, data[: len(data) // 2], *args, **kwargs)
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("existing", [False, True])
def test_a_full_disk_at_the_start_creates_nothing_and_the_same_command_then_works(
        books_dir, tmp_path, capsys, monkeypatch, existing):
    """Issue 27 item 14: it left an empty config.json and metrics.jsonl, refused forever."""
    out = tmp_path / "run"
    if existing:
        out.mkdir()  # a folder the person made for the run stays, empty
    with monkeypatch.context() as patched:
        patched.setattr(Path, "write_text", write_text_on_a_full_disk)
        assert train(books_dir, out) == 1  # a fault of the machine, not bad input
    assert "No space left on device" in one_line(capsys)
    assert (sorted(out.iterdir()) == [] if existing else not out.exists())
    assert train(books_dir, out) == 0
    assert (out / "checkpoints" / "Alpha Book.pt").is_file()


def test_a_torn_empty_config_left_by_an_older_version_is_no_run_to_refuse(books_dir, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_bytes(b"")
    (out / "metrics.jsonl").write_bytes(b"")
    assert train(books_dir, out) == 0


def test_temporaries_a_killed_save_left_are_removed_at_the_next_start(books_dir, tmp_path):
    """Issue 27 item 25: a .tmp of a kill -9 mid-save stayed in checkpoints/ for ever."""
    out = tmp_path / "run"
    assert train(books_dir, out) == 0
    stale = out / "checkpoints" / ".Alpha Book.pt.k3j9x_2a.tmp"
    stale.write_bytes(b"PK\x03\x04 half a zip")
    mine = out / "checkpoints" / "notes.tmp"  # not the app's naming: never touched
    mine.write_text("a person's file")
    assert train(books_dir, out) == 0
    assert not stale.exists() and mine.read_text() == "a person's file"

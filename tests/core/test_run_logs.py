"""A run folder's log and checkpoints after crashes and damage: nothing glued, nothing silent."""

import json

import pytest

from bdh_studio.cli import main
from bdh_studio.core import events as ev
from bdh_studio.core.corpus import find_books
from bdh_studio.core.run.folder import RunFolderError
from bdh_studio.core.run.log import read_run
from bdh_studio.core.trainer import train_run
from damage import flip_weight_bytes


def test_a_torn_last_line_is_ended_before_the_next_run_appends(tiny_config, books_dir, tmp_path):
    out = tmp_path / "run"
    train_run(tiny_config, find_books(books_dir), out)
    with open(out / "metrics.jsonl", "a", encoding="utf-8") as f:
        f.write('{"event": "step", "book": "Alpha Bo')  # a crash mid-write
    train_run(tiny_config, find_books(books_dir), out)
    log = read_run(out)
    assert sum(isinstance(e, ev.RunStarted) for e in log.events) == 2
    assert log.skipped == 1 and "1 line(s) of the run's metrics.jsonl could not be read" in log.note()


@pytest.mark.parametrize("line", ["[1, 2]", "5", '"text"', "null", '{"event": "step"}',
                                  '{"event": "book_started", "book": "x", "books": 3}'])
def test_lines_that_are_no_event_are_counted_not_fatal(tmp_path, line):
    log = tmp_path / "metrics.jsonl"
    good = json.dumps(ev.BookFailed("a", "why").to_dict())
    log.write_text(f"{good}\n{line}\n{good}\n", encoding="utf-8")
    run = read_run(log)
    assert run.events == [ev.BookFailed("a", "why")] * 2 and run.skipped == 1


def test_resume_over_a_damaged_checkpoint_says_so(tiny_config, books_dir, tmp_path, capsys):
    out = tmp_path / "run"
    train_run(tiny_config, find_books(books_dir), out)
    ckpt = out / "checkpoints" / "Alpha Book.pt"
    flip_weight_bytes(ckpt)
    seen = []
    result = train_run(tiny_config, find_books(books_dir), out, on_event=seen.append)
    warnings = [e for e in seen if isinstance(e, ev.BookWarning)]
    assert [w.book for w in warnings] == ["Alpha Book"]
    assert f"{ckpt}: damaged" in warnings[0].message
    assert "kept it as Alpha Book.pt.unreadable and training Alpha Book from the start" in \
        warnings[0].message
    assert result.finished == ["Alpha Book"] and result.skipped == ["beta book"]
    assert (out / "checkpoints" / "Alpha Book.pt.unreadable").is_file()
    flip_weight_bytes(ckpt)
    assert main(["train", str(books_dir), "--out", str(out), "--preset", "tiny", "--iters", "20",
                 "--set", "eval_batches=2"]) == 0
    assert "warning: " in capsys.readouterr().err


def test_other_settings_name_the_retrain_flag(tiny_config, books_dir, tmp_path):
    train_run(tiny_config, find_books(books_dir), tmp_path / "run")
    with pytest.raises(RunFolderError, match="or pass --retrain to replace its models"):
        train_run(tiny_config.replace(n_layer=3), find_books(books_dir), tmp_path / "run")

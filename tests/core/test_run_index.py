"""The runs under a root, as the Runs panel and ``bdh-studio runs list`` show them."""

import json
import shutil

import pytest
import torch

from bdh_studio.cli import main
from bdh_studio.core import events as ev
from bdh_studio.core.control import TaskControl
from bdh_studio.core.corpus import find_books
from bdh_studio.core.run.notes import NOTES, RunNotes, write_notes
from bdh_studio.core.run.settings import preset_name
from bdh_studio.core.run.summary import list_runs, summarize
from bdh_studio.core.trainer import train_run
from damage import flip_weight_bytes
from textgen import make_text


@pytest.fixture(scope="module")
def trained_runs(tmp_path_factory):
    """A finished, a stopped, a failed and a damaged run, trained once for this module."""
    from bdh_studio.core.config import PRESETS
    from bdh_studio.core.model import BDH
    tmp_path = tmp_path_factory.mktemp("runs-index")
    tiny_config = PRESETS["tiny"].replace(max_iters=20, log_interval=5, eval_interval=10,
                                          eval_batches=1)
    root = tmp_path / "runs"
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "Alpha Book.txt").write_text(make_text(30_000, 1))
    (tmp_path / "books" / "beta book.txt").write_text(make_text(20_000, 2))
    books = find_books(tmp_path / "books")
    train_run(tiny_config, books, root / "finished")
    control = TaskControl()

    def stop_at_10(event):
        if isinstance(event, ev.StepLogged) and event.step >= 10:
            control.stop()

    train_run(tiny_config, books, root / "stopped", on_event=stop_at_10, control=control)
    short = tmp_path / "short"
    short.mkdir()
    (short / "Tiny.txt").write_text(make_text(3000, 5))
    forward = BDH.forward

    def diverging(self, idx, targets=None, stats=None):
        logits, loss = forward(self, idx, targets, stats)
        return logits, loss * float("nan")

    with pytest.MonkeyPatch.context() as patch:  # the book fails in training: a failed run
        patch.setattr(BDH, "forward", diverging)
        train_run(tiny_config, [short / "Tiny.txt"], root / "failed")
    damaged = root / "damaged"
    damaged.mkdir()
    lines = (root / "finished" / "metrics.jsonl").read_text().splitlines()
    (damaged / "metrics.jsonl").write_text("\n".join([lines[0], "{not json", *lines[1:]]) + "\n")
    (damaged / "config.json").write_text((root / "finished" / "config.json").read_text())
    (root / "not a run").mkdir()
    return root


@pytest.fixture
def runs_root(trained_runs, tmp_path):
    """A copy of the trained runs that a test may change."""
    shutil.copytree(trained_runs, tmp_path / "runs")
    return tmp_path / "runs"


def test_each_state_is_read_from_the_run_files(runs_root):
    runs = {r.name: r for r in list_runs(runs_root)}
    assert sorted(runs) == ["damaged", "failed", "finished", "stopped"]
    finished = runs["finished"]
    assert finished.state == "finished" and finished.preset == "custom"
    assert finished.books == ["Alpha Book", "beta book"]
    assert all(v > 0 for v in finished.val_loss.values()) and len(finished.val_loss) == 2
    assert finished.size > 0 and finished.duration > 0
    assert runs["stopped"].state_text == "stopped at step 10"
    assert runs["failed"].state == "failed" and "Tiny" in runs["failed"].detail
    assert runs["damaged"].state == "damaged"
    assert runs["damaged"].detail == "metrics.jsonl: line 2 is not a valid event"


def test_a_damaged_config_or_missing_log_is_a_reason_not_a_crash(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text("{oops")
    summary = summarize(run)
    assert summary.state == "damaged"
    assert summary.detail == "config.json is damaged (not a JSON configuration); " \
                             "no metrics.jsonl in it"


def test_a_torn_last_line_is_not_damage(runs_root):
    log = runs_root / "finished" / "metrics.jsonl"
    log.write_text(log.read_text() + '{"event": "step", "bo')
    assert summarize(runs_root / "finished").state == "finished"


def test_a_run_whose_process_died_is_failed_and_a_live_one_running(runs_root):
    log = runs_root / "stopped" / "metrics.jsonl"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    lines = [d for d in lines if d["event"] != "run_finished"]
    log.write_text("\n".join(json.dumps(d) for d in lines) + "\n")
    assert summarize(runs_root / "stopped").state == "running"  # our own pid: alive
    lines[0]["pid"] = 2**22 + 12345  # above Linux's pid_max: no such process
    log.write_text("\n".join(json.dumps(d) for d in lines) + "\n")
    assert summarize(runs_root / "stopped").state == "failed"


def test_the_preset_is_named_whatever_device_it_ran_on():
    from bdh_studio.core.config import PRESETS
    assert preset_name(PRESETS["cpu"].replace(device="cpu", precision="fp32")) == "cpu"
    assert preset_name(PRESETS["cpu"].replace(lr=0.5)) == "custom"
    assert preset_name(PRESETS["tiny"].replace(seed=5)) == "tiny"  # a seed of the preset


def test_runs_list_json_on_the_command_line(runs_root, capsys):
    assert main(["runs", "list", "--runs-dir", str(runs_root), "--json"]) == 0
    listed = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert {n: r["state"] for n, r in listed.items()} == {
        "finished": "finished", "stopped": "stopped", "failed": "failed", "damaged": "damaged"}
    assert listed["damaged"]["state_text"].startswith("damaged: metrics.jsonl: line 2")
    assert main(["runs", "list", "--runs-dir", str(runs_root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and any("stopped at step 10" in line for line in lines)


def test_runs_list_of_a_missing_root_is_bad_input(tmp_path, capsys):
    assert main(["runs", "list", "--runs-dir", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err


class Pickled:
    """Not a tensor, a number or a string: torch's weights-only loader refuses it."""


@pytest.mark.parametrize("damage", ["flipped byte", "pickle"])
def test_a_finished_run_with_a_damaged_checkpoint_is_damaged(runs_root, capsys, damage):
    ckpt = runs_root / "finished" / "checkpoints" / "Alpha Book.pt"
    if damage == "flipped byte":
        flip_weight_bytes(ckpt)
    else:
        torch.save({"state_dict": Pickled()}, ckpt)
    summary = summarize(runs_root / "finished")
    assert summary.state == "damaged" and str(ckpt) in summary.detail
    assert main(["runs", "list", "--runs-dir", str(runs_root), "--json"]) == 0
    listed = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed["finished"]["state"] == "damaged"
    assert summarize(runs_root / "stopped").state == "stopped"  # its checkpoints are whole


@pytest.mark.parametrize("line", ["[1, 2, 3]", '"text"', "null", "\x00\xff junk bytes"])
def test_a_line_that_is_no_event_damages_the_run_whatever_it_holds(runs_root, line):
    log = runs_root / "finished" / "metrics.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join([*lines[:3], line, *lines[3:]]) + "\n", encoding="utf-8")
    summary = summarize(runs_root / "finished")
    assert (summary.state, summary.detail) == ("damaged",
                                               "metrics.jsonl: line 4 is not a valid event")


def test_a_line_cut_short_by_a_kill_then_appended_after_is_not_damage(runs_root):
    log = runs_root / "finished" / "metrics.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join([*lines[:3], lines[3][:25], *lines[3:]]) + "\n", encoding="utf-8")
    assert summarize(runs_root / "finished").state == "finished"


def test_notes_tags_colour_and_best_val_are_listed(runs_root, capsys):
    write_notes(runs_root / "finished", RunNotes("baseline run\nsecond line", ["base", "lr"],
                                                 "#e15759"))
    assert main(["runs", "list", "--runs-dir", str(runs_root), "--json"]) == 0
    listed = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    finished = listed["finished"]
    assert (finished["notes"], finished["tags"]) == ("baseline run\nsecond line", ["base", "lr"])
    assert finished["colour"] == "#e15759" and listed["stopped"]["colour"].startswith("#")
    for book, last in finished["val_loss"].items():
        best = finished["best_val"][book]
        assert best["loss"] <= last and best["step"] in (10, 20)
    assert main(["runs", "list", "--runs-dir", str(runs_root)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("finished"))
    assert line.endswith("\t#base #lr\tbaseline run")


def test_runs_list_filters_by_regex_state_and_preset(runs_root, capsys):
    write_notes(runs_root / "finished", RunNotes("keep this", ["baseline"]))
    write_notes(runs_root / "failed", RunNotes("diverged", ["sweep"]))

    def listed(*args):
        assert main(["runs", "list", "--runs-dir", str(runs_root), "--json", *args]) == 0
        return sorted(r["name"] for r in json.loads(capsys.readouterr().out))

    assert listed("--filter", "baseline|diverged") == ["failed", "finished"]
    assert listed("--filter=-^base") == ["damaged", "failed", "stopped"]
    assert listed("--filter", "sto|fin -keep") == ["stopped"]
    assert listed("--state", "failed", "--state", "damaged") == ["damaged", "failed"]
    assert listed("--preset", "tiny") == []
    assert listed("--preset", "custom", "--filter", "ed$") == ["damaged", "failed", "finished",
                                                               "stopped"]
    assert main(["runs", "list", "--runs-dir", str(runs_root), "--filter", "[a"]) == 2
    assert "filter term '[a' is not a regular expression" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:  # argparse's bad input: a preset that is none
        main(["runs", "list", "--runs-dir", str(runs_root), "--preset", "tiyn"])
    assert exit_.value.code == 2 and "invalid choice: 'tiyn'" in capsys.readouterr().err


def test_damaged_notes_are_a_reason_the_run_still_listed(runs_root, capsys):
    (runs_root / "stopped" / NOTES).write_text('{"notes": "half')
    summary = summarize(runs_root / "stopped")
    assert summary.state == "stopped" and summary.notes == ""
    assert summary.notes_problem.startswith("notes.json is damaged (not JSON)")
    assert main(["runs", "list", "--runs-dir", str(runs_root)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("stopped"))
    assert "stopped at step 10" in line and line.endswith(summary.notes_problem)


def test_best_val_leaves_out_what_a_resumed_book_trained_again(tmp_path):
    events = [ev.RunStarted("r", ("B",), {}, "cpu", "fp32"), ev.BookStarted("B", 0, 1, 30),
              ev.ValidationLogged("B", 10, 2.0, 1.0), ev.ValidationLogged("B", 20, 1.0, 1.0),
              ev.BookStarted("B", 0, 1, 30, start_step=10),
              ev.ValidationLogged("B", 20, 1.5, 1.0), ev.ValidationLogged("B", 30, 1.7, 1.0)]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(e.to_dict()) + "\n"
                                                    for e in events))
    best = summarize(tmp_path).best_val["B"]
    assert (best.loss, best.step) == (1.5, 20)


def test_listing_again_reads_only_the_runs_whose_files_changed_or_that_run(runs_root,
                                                                          monkeypatch):
    """The window lists the runs at each validation of its own: only what moved is read."""
    from bdh_studio.core.run import summary as summaries
    read = []
    real = summaries.read_run
    monkeypatch.setattr(summaries, "read_run", lambda folder: read.append(folder.name)
                        or real(folder))
    first = {r.name: r for r in list_runs(runs_root)}
    assert sorted(read) == ["damaged", "failed", "finished", "stopped"]
    read.clear()
    assert [r.name for r in list_runs(runs_root)] == list(first) and read == []

    write_notes(runs_root / "stopped", RunNotes(notes="lr too high"))
    log = runs_root / "finished" / "metrics.jsonl"  # a run that runs again: its own pid lives
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    log.write_text("\n".join(json.dumps(d) for d in lines[:-1]) + "\n")
    again = {r.name: r for r in list_runs(runs_root)}
    assert sorted(read) == ["finished", "stopped"] and again["stopped"].notes == "lr too high"
    assert again["finished"].state == "running"
    read.clear()
    list_runs(runs_root)
    assert read == ["finished"]  # a live run's state is its process's, not its files'

    shutil.rmtree(runs_root / "failed")
    (runs_root / "stopped").rename(runs_root / "renamed")
    assert sorted(r.name for r in list_runs(runs_root)) == ["damaged", "finished", "renamed"]

"""Training each book for a wall-clock budget: schedule, validations, stop, resume, command line.

Most runs here read an even clock, on which time passes only as the book
trains, so what they check does not depend on how loaded the machine is;
benchmarks/time_budget.py measures the real wall-clock.
"""

import pytest
import torch

from bdh_studio.cli import main
from bdh_studio.core import checkpoints
from bdh_studio.core import events as ev
from bdh_studio.core import trainer
from bdh_studio.core.budget import TimeBudget
from bdh_studio.core.config import PRESETS, from_dict, problems
from bdh_studio.core.control import TaskControl
from bdh_studio.core.corpus import find_books
from bdh_studio.core.distributed import Distributed
from bdh_studio.core.run.log import read_run
from bdh_studio.core.run.folder import RunFolderError
from bdh_studio.core.trainer import lr_at, train_run
from damage import digests

TICK = 0.01  # seconds a training batch takes on the even clock; a validation takes two
EXACT = 1e-9


@pytest.fixture
def even_clock(monkeypatch):
    """The trainer's clock moves TICK a training batch and 2 TICK a validation, nothing else."""
    clock = {"now": 0.0}
    sample, evaluate = trainer.BatchSampler.sample, trainer.evaluate

    def timed_sample(sampler):
        clock["now"] += TICK
        return sample(sampler)

    def timed_evaluate(*args):
        clock["now"] += 2 * TICK
        return evaluate(*args)

    monkeypatch.setattr(trainer._Clock, "now", staticmethod(lambda: clock["now"]))
    monkeypatch.setattr(trainer.BatchSampler, "sample", timed_sample)
    monkeypatch.setattr(trainer, "evaluate", timed_evaluate)


@pytest.fixture
def timed_config(tiny_config):
    return tiny_config.replace(budget="seconds", max_seconds=0.3, eval_points=3, max_iters=10,
                               lr_schedule="cosine", lr=1e-3, min_lr=5e-4, warmup_iters=5)


@pytest.fixture
def one_book(books_dir):
    (books_dir / "beta book.TXT").unlink()
    return find_books(books_dir)


def test_lr_warms_up_by_steps_and_decays_by_the_fraction_to_min_lr():
    config = PRESETS["tiny"].replace(lr=1.0, min_lr=0.1, warmup_iters=10, max_iters=110,
                                     lr_schedule="cosine", budget="seconds", max_seconds=60)
    assert lr_at(0, config, 0.3) == pytest.approx(0.1)  # warmup: by Adam updates
    assert lr_at(9, config, 0.0) == pytest.approx(1.0)
    assert lr_at(9, config, 0.5) == pytest.approx(0.55)  # never above the decay
    assert lr_at(500, config, 0.5) == pytest.approx(0.55)  # past max_iters: steps do not count
    assert lr_at(500, config, 1.0) == pytest.approx(0.1)
    assert lr_at(500, config.replace(lr_schedule="constant"), 0.9) == 1.0


def test_training_by_time_ends_within_the_budget_at_min_lr(timed_config, one_book, tmp_path,
                                                           even_clock):
    seen = []
    result = train_run(timed_config, one_book, tmp_path / "run", on_event=seen.append)
    assert result.finished == ["Alpha Book"]
    ckpt = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")
    done = ckpt["training"]
    assert done["budget"] == "seconds" and done["max_seconds"] == 0.3
    assert 0.3 - 4 * TICK <= done["elapsed"] <= 0.3 + EXACT
    steps = [e for e in seen if isinstance(e, ev.StepLogged)]
    assert steps[-1].step == done["step"] > timed_config.max_iters  # not stopped by max_iters
    assert steps[-1].lr == pytest.approx(timed_config.min_lr, rel=0.01)
    vals = [e for e in seen if isinstance(e, ev.ValidationLogged)]
    assert len(vals) == timed_config.eval_points and vals[-1].step == done["step"]
    assert [e.elapsed for e in vals] == sorted(e.elapsed for e in vals)
    started = next(e for e in seen if isinstance(e, ev.BookStarted))
    assert (started.budget, started.max_seconds, started.start_elapsed) == ("seconds", 0.3, 0.0)


def test_resume_continues_the_remaining_budget(timed_config, one_book, tmp_path, even_clock):
    control = TaskControl()

    def stop_at_ten(event):
        if isinstance(event, ev.StepLogged) and event.step == 10:
            control.stop()

    result = train_run(timed_config, one_book, tmp_path / "run", on_event=stop_at_ten,
                       control=control)
    assert result.partial == ["Alpha Book"]
    partial = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")["training"]
    assert partial["step"] == 10 and 0 < partial["elapsed"] < 0.3

    seen = []
    assert train_run(timed_config, one_book, tmp_path / "run", on_event=seen.append).finished
    started = next(e for e in seen if isinstance(e, ev.BookStarted))
    assert started.start_step == 10 and started.start_elapsed == partial["elapsed"]
    done = checkpoints.load(tmp_path / "run" / "checkpoints" / "Alpha Book.pt")["training"]
    assert 0.3 - 4 * TICK <= done["elapsed"] <= 0.3 + EXACT
    assert [e for e in seen if isinstance(e, ev.StepLogged)][-1].lr == pytest.approx(
        timed_config.min_lr, rel=0.01)


def test_a_finished_book_is_skipped_and_a_longer_budget_is_refused(timed_config, one_book,
                                                                   tmp_path, even_clock):
    train_run(timed_config, one_book, tmp_path / "run")
    assert train_run(timed_config, one_book, tmp_path / "run").skipped == ["Alpha Book"]
    before = digests(tmp_path / "run")
    longer = timed_config.replace(max_seconds=0.45)
    with pytest.raises(RunFolderError, match=r"other settings \(max_seconds 0.3 -> 0.45\)"):
        train_run(longer, one_book, tmp_path / "run")
    assert digests(tmp_path / "run") == before


def test_a_slow_first_step_is_not_taken_for_the_pace(timed_config):
    config = timed_config.replace(max_seconds=60, eval_batches=8)
    budget = TimeBudget(config, Distributed.single(), torch.nn.Linear(1, 1))
    budget.start(0.0)
    budget.advance(1, 20.0)  # imports, allocations, compilation: once a process
    budget.advance(2, 20.1)  # the pace: a validation of 8 batches within 0.8 s
    assert budget.fraction == pytest.approx(20.1 / (60 - 8 * 0.1), rel=1e-3)
    assert not budget.done(2)


def test_the_budget_is_a_setting_that_needs_its_seconds():
    config = from_dict({"budget": "seconds", "max_seconds": "60"}, PRESETS["cpu"])
    assert (config.budget, config.max_seconds) == ("seconds", 60.0) and not problems(config)
    assert problems(config.replace(max_seconds=0)) == {
        "max_seconds": "must be above 0 to train by time (budget seconds)"}
    assert "budget" in problems(config.replace(budget="hours"))
    assert not problems(config.replace(max_iters=10, warmup_iters=50))  # steps do not bound it
    assert "warmup_iters" in problems(config.replace(budget="steps", max_iters=10,
                                                     warmup_iters=50))


def test_the_command_line_trains_by_time(books_dir, tmp_path, capsys, even_clock):
    out = tmp_path / "run"
    assert main(["train", str(books_dir), "--out", str(out), "--preset", "tiny",
                 "--max-seconds", "0.3", "--set", "eval_points=2"]) == 0
    assert "Alpha Book: finished at step" in capsys.readouterr().err
    started = [e for e in read_run(out).events if isinstance(e, ev.BookStarted)]
    assert [(e.budget, e.max_seconds) for e in started] == [("seconds", 0.3)] * 2
    ckpt = checkpoints.load(out / "checkpoints" / "beta book.pt")
    assert ckpt["training"]["budget"] == "seconds" and ckpt["train_config"]["max_seconds"] == 0.3


def test_steps_and_seconds_together_are_refused_in_one_line(books_dir, tmp_path, capsys):
    assert main(["train", str(books_dir), "--out", str(tmp_path / "run"), "--iters", "10",
                 "--max-seconds", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("bdh-studio train: give --iters (steps per book) or --max-seconds (seconds "
                   "per book), not both")
    assert main(["train", str(books_dir), "--out", str(tmp_path / "run"),
                 "--max-seconds", "0"]) == 2
    assert "max_seconds: must be above 0" in capsys.readouterr().err


def test_validations_slower_than_their_spacing_still_leave_the_book_steps_to_train(timed_config):
    """On a loaded machine a validation took longer than the 8 s between points: the book
    validated at steps 80, 84, 87 and 88, and spent its last 30 s validating."""
    config = timed_config.replace(max_seconds=80, eval_points=10, log_interval=10,
                                  eval_batches=8)
    budget, now, step, validated = TimeBudget(config, Distributed.single(),
                                              torch.nn.Linear(1, 1)), 0.0, 0, []
    budget.start(now)
    while not budget.done(step):
        step, now = step + 1, now + 0.1
        budget.advance(step, now)
        if budget.validation_now(step):
            validated.append(step)
            now += 9.0  # longer than a tenth of the budget
            budget.validated(9.0)
            budget.advance(step, now)
    gaps = [b - a for a, b in zip(validated, validated[1:-1])]
    assert gaps and min(gaps) >= config.log_interval, validated
    assert validated[-1] == step

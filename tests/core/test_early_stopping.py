"""Early stopping: a book stops, as finished, once `patience` validations in a row found no
lower loss; patience 0 never stops one, and a resumed book keeps counting."""

import pytest
import torch

from bdh_studio import resources
from bdh_studio.cli import main
from bdh_studio.core import checkpoints
from bdh_studio.core import events as ev
from bdh_studio.core.config import PRESETS
from bdh_studio.core.control import TaskControl
from bdh_studio.core.corpus import find_books
from bdh_studio.core.run.state import book_outcome
from bdh_studio.core.trainer import train_run

LOSSES = [2.0, 1.5, 1.6, 1.7, 1.8, 1.9]  # validations at steps 10, 20, …, 60: the best at 20


@pytest.fixture
def measured(monkeypatch):
    """The validation losses LOSSES, one per validation, whatever the model."""
    losses = iter(LOSSES)
    monkeypatch.setattr("bdh_studio.core.trainer.evaluate",
                        lambda model, batches, runtime: torch.tensor(next(losses)))


def alpha(books_dir):
    return [p for p in find_books(books_dir) if p.stem == "Alpha Book"]


def train(config, books, out, control=None):
    seen = []
    result = train_run(config, books, out, on_event=seen.append, control=control)
    return result, seen


def finished(seen):
    return [e for e in seen if isinstance(e, ev.BookFinished)]


def saved(out):
    return checkpoints.load(out / "checkpoints" / "Alpha Book.pt")


def config(tiny_config, patience):
    return tiny_config.replace(max_iters=60, eval_interval=10, patience=patience)


def test_a_book_out_of_patience_stops_early_as_finished_and_says_why(
        tiny_config, books_dir, tmp_path, measured):
    out = tmp_path / "run"
    result, seen = train(config(tiny_config, 2), alpha(books_dir), out)
    assert result.ok and result.finished == ["Alpha Book"]
    why = ("stopped early at step 40: no lower validation loss in 2 validations since step "
           "20 (best 1.500)")
    [end] = finished(seen)
    assert (end.status, end.step, end.message) == ("finished", 40, why)
    assert book_outcome(end) == ("trained", f"val loss 1.700; {why}")
    ckpt = saved(out)
    assert not ckpt["partial"] and ckpt["training"]["step"] == 40
    assert ckpt["training"]["stopped_early"] == why
    assert checkpoints.describe(ckpt) == ("Alpha Book: finished, stopped early at step 40, "
                                          "val loss 1.700")
    # the same run again: the book is done, not trained on
    result, seen = train(config(tiny_config, 2), alpha(books_dir), out)
    assert result.skipped == ["Alpha Book"] and saved(out)["training"]["step"] == 40


def test_patience_0_trains_to_the_end_of_the_budget(tiny_config, books_dir, tmp_path, measured):
    assert {preset.patience for preset in PRESETS.values()} == {0}
    result, seen = train(config(tiny_config, 0), alpha(books_dir), tmp_path / "run")
    [end] = finished(seen)
    assert (end.status, end.step, end.message) == ("finished", 60, "")
    assert saved(tmp_path / "run")["training"]["stopped_early"] is None
    assert "or with patience (e.g. 2: it stops after 2 validations without a lower loss)" in \
        [e for e in seen if isinstance(e, ev.BookWarning)][0].message  # it overfits


def test_a_resumed_book_keeps_counting_from_its_saved_best(tiny_config, books_dir, tmp_path,
                                                           measured):
    out, control = tmp_path / "run", TaskControl()

    def stop_after_30(event):
        if isinstance(event, ev.ValidationLogged) and event.step == 30:
            control.stop()

    train_run(config(tiny_config, 2), alpha(books_dir), out, on_event=stop_after_30,
              control=control)
    training = saved(out)["training"]
    assert saved(out)["partial"] and training["step"] == 30
    assert (training["best_step"], training["waited"]) == (20, 1)
    _, seen = train(config(tiny_config, 2), alpha(books_dir), out)  # loss 1.7 at step 40
    [end] = finished(seen)
    assert end.step == 40 and "in 2 validations since step 20 (best 1.500)" in end.message


def test_the_demo_books_stop_early_with_the_tiny_preset_and_patience_1(tmp_path, capsys):
    """The command line's --patience; its progress lines say where and why each book stopped."""
    out = tmp_path / "run"
    assert main(["train", "--demo", "--out", str(out), "--preset", "tiny", "--patience",
                 "1"]) == 0
    err = capsys.readouterr().err
    models = sorted((out / "checkpoints").glob("*.pt"))
    assert [p.stem for p in models] == sorted(p.stem for p in find_books(resources.demo_books()))
    for ckpt_path in models:
        training = checkpoints.load(ckpt_path)["training"]
        assert training["step"] < PRESETS["tiny"].max_iters
        assert training["stopped_early"].startswith(f"stopped early at step {training['step']}: "
                                                    f"no lower validation loss in 1 validation "
                                                    f"since step ")
        assert f"{ckpt_path.stem}: finished at step {training['step']}" in err
        assert training["stopped_early"] in err

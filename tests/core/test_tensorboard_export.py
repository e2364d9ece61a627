"""``bdh-studio export-tensorboard`` writes every curve point; TensorBoard reads them back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bdh_studio.cli import main
from bdh_studio.core import events as ev
from bdh_studio.core.run.log import read_run

STEP_TAGS = ("train_loss", "lr", "tokens_per_s", "x_sparsity", "y_sparsity")
VALIDATION_TAGS = ("val_loss", "bits_per_byte")


def scalars(event: ev.Event) -> dict[str, float]:
    """The tag (``book/name``) and value of every curve point an event carries."""
    names = STEP_TAGS if isinstance(event, ev.StepLogged) else \
        VALIDATION_TAGS if isinstance(event, ev.ValidationLogged) else ()
    return {f"{event.book}/{name}": getattr(event, name) for name in names
            if getattr(event, name) is not None}


def read_back(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """Every scalar in the event files under ``folder``, through TensorBoard's own reader."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    accumulator = EventAccumulator(str(folder), size_guidance={"scalars": 0})  # 0: keep all
    accumulator.Reload()
    return {tag: [(s.step, s.value) for s in accumulator.Scalars(tag)]
            for tag in accumulator.Tags()["scalars"]}


def test_every_curve_of_every_book_reads_back(demo_models: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("tensorboard", reason="the [tensorboard] extra is not installed")
    assert main(["export-tensorboard", str(demo_models), str(tmp_path / "tb")]) == 0
    assert "tensorboard --logdir" in capsys.readouterr().err
    expected: dict[str, list[tuple[int, float]]] = {}
    for event in read_run(demo_models).events:
        for tag, value in scalars(event).items():
            expected.setdefault(tag, []).append((event.step, value))
    books = {e.book for e in read_run(demo_models).events if isinstance(e, ev.BookStarted)}
    assert {tag.split("/")[0] for tag in expected} == books
    assert {tag.split("/")[1] for tag in expected} >= {
        "train_loss", "val_loss", "bits_per_byte", "tokens_per_s", "lr", "x_sparsity"}
    got = read_back(tmp_path / "tb")
    assert got.keys() == expected.keys()
    for tag, points in expected.items():
        assert [s for s, _ in got[tag]] == [s for s, _ in points]
        assert [v for _, v in got[tag]] == pytest.approx([v for _, v in points], rel=1e-6)


def test_without_tensorboard_one_line_says_what_to_install(demo_models, tmp_path, monkeypatch,
                                                           capsys) -> None:
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # import fails
    assert main(["export-tensorboard", str(demo_models), str(tmp_path / "tb")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("bdh-studio export-tensorboard: TensorBoard is not installed: "
                   "pip install 'bdh-studio[tensorboard]' (or: pip install tensorboard)")
    assert not (tmp_path / "tb").exists()


def test_a_folder_that_is_no_run_is_refused(tmp_path: Path, capsys) -> None:
    pytest.importorskip("tensorboard", reason="the [tensorboard] extra is not installed")
    assert main(["export-tensorboard", str(tmp_path), str(tmp_path / "tb")]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_a_book_killed_then_resumed_from_an_earlier_checkpoint_writes_each_step_once(
        tmp_path: Path) -> None:
    """The steps logged after the last save are trained again on resume; TensorBoard gets the
    second take only, as the window draws it."""
    pytest.importorskip("tensorboard", reason="the [tensorboard] extra is not installed")
    run = tmp_path / "run"
    run.mkdir()

    def session(start: int, stop: int, loss: float) -> list[ev.Event]:
        steps = [ev.StepLogged("a", step, loss, 1e-3, 100.0, step / 10, time=1000 + step)
                 for step in range(start + 5, stop + 1, 5)]
        return [ev.RunStarted(str(run), ("a",), {}, "cpu", "fp32", started=1000.0),
                ev.BookStarted("a", 0, 1, 40, start_step=start), *steps]

    killed = session(0, 30, 2.0)  # saved at step 20, killed after logging step 30
    resumed = [*session(20, 40, 1.0), ev.BookFinished("a", "finished", 40),
               ev.RunFinished(stopped=False, elapsed=4.0)]
    (run / "metrics.jsonl").write_text(
        "".join(json.dumps(e.to_dict()) + "\n" for e in [*killed, *resumed]), encoding="utf-8")
    assert main(["export-tensorboard", str(run), str(tmp_path / "tb")]) == 0
    got = read_back(tmp_path / "tb")
    assert got["a/train_loss"] == [(5, 2.0), (10, 2.0), (15, 2.0), (20, 2.0), (25, 1.0),
                                   (30, 1.0), (35, 1.0), (40, 1.0)]

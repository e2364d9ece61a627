"""``bdh-studio export-tensorboard`` writes every curve point; TensorBoard reads them back."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bdh_studio.cli import main
from bdh_studio.core import events as ev
from bdh_studio.core.runs import read_events
from bdh_studio.core.tensorboard_export import scalars


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
    for event in read_events(demo_models):
        for tag, value in scalars(event).items():
            expected.setdefault(tag, []).append((event.step, value))
    books = {e.book for e in read_events(demo_models) if isinstance(e, ev.BookStarted)}
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

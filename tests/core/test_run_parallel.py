"""Parallel coordinates of the hyperparameters table, on run folders written as they are."""

import json
import math

import pytest

from bdh_studio.core.run.compare import load_run
from bdh_studio.core.run.hparams import HparamsTable, hparams_table
from bdh_studio.core.run.parallel import CATEGORY, LINEAR, LOG, parallel_coordinates
from fake_runs import write_runs

LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-3)


@pytest.fixture
def six_runs(tmp_path):
    """Six runs: tiny and cpu in turn, seeds 0–2, an lr swept over two decades, and the
    last one's schedule changed."""
    folders = write_runs(tmp_path / "runs", 6, steps=200)
    for folder, lr in zip(folders, LRS):
        path = folder / "config.json"
        config = json.loads(path.read_text())
        config["lr"] = lr
        if folder == folders[-1]:
            config["lr_schedule"] = "constant"
        path.write_text(json.dumps(config))
    return [load_run(folder) for folder in folders]


def test_an_axis_per_differing_setting_and_per_books_best_val_each_run_placed_on_it(six_runs):
    table = hparams_table(six_runs)
    chart = parallel_coordinates(table)
    names = [axis.name for axis in chart.axes]
    assert names == [*table.columns[1: 1 + table.settings], "Alpha best val", "Beta best val"]
    assert {"lr", "seed", "n_embd", "lr_schedule"} <= set(names)
    assert chart.runs == [run.name for run in six_runs]
    assert all(len(p) == len(chart.axes) for p in chart.positions)
    assert all(0 <= v <= 1 for p in chart.positions for v in p)
    axis = {a.name: (i, a) for i, a in enumerate(chart.axes)}

    i, lr = axis["lr"]  # 1e-4 to 1e-2: a log scale, its ends labelled with the values
    assert lr.scale == LOG and lr.ticks == [(0.0, "0.0001"), (1.0, "0.01")]
    assert [p[i] for p in chart.positions] == pytest.approx(
        [math.log10(v / 1e-4) / 2 for v in LRS])

    i, seed = axis["seed"]  # 0..2: linear
    assert seed.scale == LINEAR and seed.ticks == [(0.0, "0"), (1.0, "2")]
    assert [p[i] for p in chart.positions] == [0, 0.5, 1, 0, 0.5, 1]

    i, schedule = axis["lr_schedule"]  # names at evenly spaced ticks, sorted
    assert schedule.scale == CATEGORY and schedule.ticks == [(0.0, "constant"), (1.0, "cosine")]
    assert [p[i] for p in chart.positions] == [1, 1, 1, 1, 1, 0]

    i, best = axis["Alpha best val"]  # lowest loss at the bottom, the highest at the top
    losses = [row[table.columns.index("Alpha best val")] for row in table.rows]
    assert best.scale == LINEAR and best.ticks == [(0.0, f"{min(losses):.4g}"),
                                                   (1.0, f"{max(losses):.4g}")]
    assert [p[i] for p in chart.positions] == pytest.approx(
        [(v - min(losses)) / (max(losses) - min(losses)) for v in losses])


def test_a_run_without_a_value_has_no_point_there(six_runs):
    six_runs[0].config = None  # its settings could not be read: blank, not a difference
    chart = parallel_coordinates(hparams_table(six_runs[:3]))
    settings = [i for i, a in enumerate(chart.axes) if not a.name.endswith("best val")]
    assert settings and all(math.isnan(chart.positions[0][i]) for i in settings)
    assert not any(math.isnan(v) for p in chart.positions[1:] for v in p)


def test_a_lone_value_sits_in_the_middle_labelled_and_an_empty_column_has_no_axis():
    table = HparamsTable(["run", "lr", "device", "B best val", "C best val"],
                         [["a", 1e-3, None, None, None], ["b", None, "cpu", 2.0, None]], 2)
    chart = parallel_coordinates(table)
    assert [(a.name, a.ticks) for a in chart.axes] == [
        ("lr", [(0.5, "0.001")]), ("device", [(0.5, "cpu")]), ("B best val", [(0.5, "2")])]
    assert [[None if math.isnan(v) else v for v in p] for p in chart.positions] == [
        [0.5, None, None], [None, 0.5, 0.5]]


def test_no_runs_no_axes():
    chart = parallel_coordinates(hparams_table([]))
    assert chart.axes == [] and chart.runs == [] and chart.positions == []

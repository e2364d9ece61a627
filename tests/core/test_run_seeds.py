"""Seeds as one curve: grouped from the settings, banded step by step; and best-so-far."""

import csv

import numpy as np
import pytest

from bdh_studio import resources
from bdh_studio.cli import main
from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.best import best_so_far, running_best
from bdh_studio.core.run.folder import RunFolder
from bdh_studio.core.run.log import read_run
from bdh_studio.core.run.seeds import band, seed_groups
from bdh_studio.core.run.state import RunState
from bdh_studio.core.trainer import train_run


SEEDS = ("tiny-seed7", "tiny-seed8", "tiny-seed9")


@pytest.fixture(scope="module")
def three_seeds(tmp_path_factory):
    """``train --seeds 3`` of the tiny preset on the demo books, and one run with another lr."""
    root = tmp_path_factory.mktemp("seeds")
    settings = ["--set", "log_interval=3", "--set", "eval_interval=6", "--set", "eval_batches=1"]
    assert main(["train", "--demo", "--preset", "tiny", "--iters", "12", *settings,
                 "--set", "seed=7", "--seeds", "3", "--out", str(root / "tiny")]) == 0
    assert sorted(p.name for p in root.iterdir()) == list(SEEDS)
    config = RunFolder(root / SEEDS[0]).saved_config()
    books = sorted(resources.demo_books().glob("*.txt"))
    assert train_run(config.replace(lr=config.lr * 2, seed=7), books[:1], root / "other").ok
    return root


def configs(root):
    return {p.name: RunFolder(p).saved_config().to_dict() for p in sorted(root.iterdir())}


def test_runs_that_differ_only_in_seed_are_one_group(three_seeds):
    assert seed_groups(configs(three_seeds)) == [["other"], list(SEEDS)]
    assert [RunFolder(three_seeds / name).saved_config().seed for name in SEEDS] == [7, 8, 9]


def test_the_same_settings_on_other_books_are_not_seeds_of_one_run():
    config = PRESETS["tiny"].to_dict()
    groups = seed_groups({"a": config, "b": {**config, "seed": 9}, "c": config, "d": None},
                         {"a": ["x"], "b": ["x"], "c": ["y"]})
    assert groups == [["a", "b"], ["c"], ["d"]]


def test_the_band_bounds_are_the_seeds_min_and_max_at_every_step(three_seeds):
    runs = [RunState.of(read_run(three_seeds / name).events) for name in SEEDS]
    for book in runs[0].books:
        series = [run.books[book].series["train"] for run in runs]
        got = band([s.steps for s in series], [s.values for s in series])
        assert got.runs == 3 and (got.count == 3).all()
        np.testing.assert_array_equal(got.steps, series[0].steps)
        table = np.stack([s.values for s in series])
        np.testing.assert_array_equal(got.low, table.min(axis=0))
        np.testing.assert_array_equal(got.high, table.max(axis=0))
        np.testing.assert_allclose(got.mean, table.mean(axis=0))
        assert (got.low < got.high).any()  # the seeds really differ


def test_a_seed_still_training_leaves_the_others_steps_banded():
    full, short = np.arange(0, 10.0), np.arange(0, 5.0)
    got = band([full, short], [full * 2, short * 4], spread="sem")
    assert got.count.tolist() == [2] * 5 + [1] * 5
    np.testing.assert_allclose(got.mean[5:], full[5:] * 2)
    np.testing.assert_array_equal(got.low[5:], got.high[5:])  # one run: no spread
    assert (got.high[1:5] > got.mean[1:5]).all()


def test_best_so_far_is_the_lowest_finite_value_and_its_first_step():
    steps, values = np.array([10, 20, 30, 40]), np.array([3.0, np.nan, 2.0, 2.0])
    best = best_so_far(steps, values)
    assert (best.loss, best.step) == (2.0, 30)
    assert best_so_far(steps, np.full(4, np.nan)) is None
    np.testing.assert_array_equal(running_best(values), [3.0, 3.0, 2.0, 2.0])


def test_no_seeds_is_bad_input(tmp_path, capsys):
    assert main(["train", "--demo", "--preset", "tiny", "--seeds", "0",
                 "--out", str(tmp_path / "x")]) == 2
    assert "--seeds 0: give 1 or more runs" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_runs_compare_groups_seeds_into_bands_on_the_command_line(three_seeds, tmp_path):
    dirs = [str(three_seeds / name) for name in (*SEEDS, "other")]
    out = tmp_path / "bands.csv"
    assert main(["runs", "compare", *dirs, "--group-seeds", "--out", str(out)]) == 0
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    runs = [RunState.of(read_run(three_seeds / name).events) for name in SEEDS]
    for book in runs[0].books:
        table = np.stack([run.books[book].series["train"].values for run in runs])
        for kind, want in (("low", table.min(axis=0)), ("high", table.max(axis=0))):
            got = [float(r["value"]) for r in rows
                   if r["run"] == "tiny (3 seeds)" and r["book"] == book
                   and r["kind"] == f"train_{kind}"]
            np.testing.assert_array_equal(got, want)
    assert not any(r["run"].startswith("other (") for r in rows)
    picture = tmp_path / "bands.png"
    assert main(["runs", "compare", *dirs, "--group-seeds", "--band", "sem",
                 "--out", str(picture)]) == 0
    assert picture.stat().st_size > 0

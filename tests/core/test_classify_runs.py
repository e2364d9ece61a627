"""Classifier runs kept under their book-model run, and reopened as they were."""

import datetime
import errno
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bdh_studio import resources
from bdh_studio.core import checkpoints
from bdh_studio.core.classifier import classify
from bdh_studio.core.classify_runs import CLASSIFY, describe, load, save, saved
from bdh_studio.core.errors import WriteFailed


def settings_of(models):
    return {"train": str(resources.demo_train_csv()), "test": str(resources.demo_test_csv()),
            "models": str(models), "mode": "features", "folds": 2, "repeats": 1}


def test_a_kept_run_reopens_with_the_same_numbers(demo_models, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(demo_models, run)
    outcome = classify(resources.demo_train_csv(), run, resources.demo_test_csv(), folds=2)
    folder = save(run, outcome, settings_of(run))
    assert saved(run) == [folder] and folder.parent == run / "classify"
    again, report = load(folder)
    assert again.oof == outcome.oof and again.predictions == outcome.predictions
    assert again.report.table() == outcome.report.table()
    np.testing.assert_array_equal(again.report.oof_probability, outcome.report.oof_probability)
    assert {c["book"]: (c["step"], c["partial"]) for c in report["checkpoints"]} == {
        m.name: (40, False) for m in outcome.models.values()}
    assert report["partial"] == ""


def test_a_partial_model_says_so_in_the_report(demo_models, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(demo_models, run)
    first = sorted((run / "checkpoints").glob("*.pt"))[0]
    ckpt = checkpoints.load(first)
    ckpt["partial"] = True
    ckpt["training"]["step"] = 17
    import torch
    torch.save(ckpt, first)
    outcome = classify(resources.demo_train_csv(), run, folds=2)
    _, report = load(save(run, outcome, {**settings_of(run), "test": None}))
    assert report["partial"].startswith(f"made with partly trained book models: "
                                         f"{ckpt['book']['name']} (step 17)")


class Clock(datetime.datetime):
    """The wall clock as a test sets it (``Clock.at``, local time): frozen, or set back."""
    at = datetime.datetime(2026, 10, 25, 2, 30)

    @classmethod
    def now(cls, tz=None):
        return cls.at if tz is None else cls.at.astimezone(tz)


@pytest.fixture
def kept(demo_models, monkeypatch):
    """``(run, outcome)``: one classifier outcome, to be saved as often as a test likes."""
    outcome = classify(resources.demo_train_csv(), demo_models, folds=2)
    monkeypatch.setattr(datetime, "datetime", Clock)
    monkeypatch.setattr(Clock, "at", Clock.at)
    return demo_models, outcome


def contents(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_save_whose_name_is_taken_keeps_both_results(kept):
    run, outcome = kept
    first = save(run, outcome, settings_of(run))
    before = contents(first)
    second = save(run, outcome, {**settings_of(run), "folds": 3})
    assert second != first and saved(run) == [second, first]
    assert contents(first) == before
    assert json.loads((second / "settings.json").read_text())["folds"] == 3


def test_kept_results_are_in_the_order_made_when_the_clock_goes_back(kept):
    run, outcome = kept
    made = []
    for hour in (12, 11, 2):  # a clock set back, then the hour repeated at a DST change
        Clock.at = datetime.datetime(2026, 10, 25, hour, 30)
        made.append(save(run, outcome, settings_of(run)))
    assert saved(run) == made[::-1]


def test_results_kept_under_the_old_names_still_list_after_the_new(kept):
    run, outcome = kept
    new = save(run, outcome, settings_of(run))
    old = [run / CLASSIFY / name for name in ("2026-12-04_15-22-01-000001",
                                              "2026-12-05_09-00-00-000000")]
    for folder in old:
        shutil.copytree(new, folder)
    assert saved(run) == [new, old[1], old[0]]
    assert describe(old[1]).endswith(" · 2026-12-05 09:00")
    assert load(old[0])[0].predictions == outcome.predictions


def test_a_save_the_disk_cuts_leaves_nothing_listed_and_the_last_result_whole(kept,
                                                                              monkeypatch):
    run, outcome = kept
    first = save(run, outcome, settings_of(run))
    before = contents(first)
    write_text = Path.write_text

    def full(path, text, *args, **kwargs):
        if ".report.json." in path.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_text(path, text, *args, **kwargs)
    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(WriteFailed, match="the disk is full"):
        save(run, outcome, settings_of(run))
    assert list((run / CLASSIFY).iterdir()) == [first] and contents(first) == before

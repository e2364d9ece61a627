"""Classifier runs kept under their book-model run, and reopened as they were."""

import shutil

import numpy as np

from bdh_studio import resources
from bdh_studio.core import checkpoints
from bdh_studio.core.classifier import classify
from bdh_studio.core.classify_runs import load, save, saved


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

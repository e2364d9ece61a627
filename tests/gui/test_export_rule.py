"""The window's export keeps core's rule: never over its own source, never into a run's checkpoints."""

import shutil

import pytest

from damage import digests


@pytest.mark.parametrize("bare", [True, False])
def test_export_into_the_runs_own_checkpoints_is_refused(window, qtbot, demo_models, tmp_path,
                                                         bare):
    run_dir = shutil.copytree(demo_models, tmp_path / "run")
    window.session.open_run(run_dir)
    qtbot.waitUntil(lambda: window.run_dir == run_dir, timeout=30_000)
    before = digests(run_dir)
    window.session.export_checkpoints(run_dir / "checkpoints", bare)
    qtbot.waitUntil(lambda: "never overwrites its source" in window.banner.label.text(),
                    timeout=30_000)
    assert "PosixPath" not in window.banner.label.text()
    assert digests(run_dir) == before


def test_open_run_with_lines_that_are_no_events_says_how_many(window, qtbot, demo_models,
                                                              tmp_path):
    run_dir = shutil.copytree(demo_models, tmp_path / "run")
    with open(run_dir / "metrics.jsonl", "a", encoding="utf-8") as f:
        f.write("[1, 2]\n5\n")
    window.session.open_run(run_dir)
    qtbot.waitUntil(lambda: window.run_dir == run_dir, timeout=30_000)
    assert "2 line(s) of the run's metrics.jsonl could not be read" in window.banner.label.text()
    assert len(window.plots.books) == 3


def test_saving_the_settings_onto_a_runs_config_is_refused(window, qtbot, demo_models, tmp_path,
                                                           monkeypatch):
    from PySide6.QtWidgets import QFileDialog
    run_dir = shutil.copytree(demo_models, tmp_path / "run")
    before = digests(run_dir)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(run_dir / "config.json"), ""))
    window.save_config_action.trigger()
    assert "which holds only the run's own files" in window.banner.label.text()
    assert digests(run_dir) == before


@pytest.mark.parametrize("export", ["export_predictions", "export_table"])
def test_the_results_exports_never_write_into_a_run_folder(window, qtbot, demo_models, tmp_path,
                                                           export):
    run_dir = shutil.copytree(demo_models, tmp_path / "run")
    before = digests(run_dir)
    with qtbot.waitSignal(window.results.problem, timeout=5_000) as problem:
        getattr(window.results, export)(run_dir / "metrics.jsonl")
    assert "which holds only the run's own files" in problem.args[0]
    assert digests(run_dir) == before

"""The Backstories tab keeps each classifier run under its book-model run and reopens it."""

import shutil

from bdh_studio.core import classify_runs
from test_results_panel import run


def test_a_classifier_run_is_kept_and_reopens_without_running_again(window, qtbot,
                                                                    demo_models, tmp_path,
                                                                    monkeypatch):
    models = tmp_path / "run"
    shutil.copytree(demo_models, models)
    window.load_demo()
    panel = run(window, qtbot, models, folds=2)
    kept = classify_runs.saved(models)
    assert len(kept) == 1 and "kept in" in panel.message.text()
    qtbot.waitUntil(lambda: panel.kept.count() == 1, timeout=30_000)
    assert panel.kept.count() == 1 and panel.reopen_button.isEnabled()
    first = [(p.id, p.label, p.confidence) for p in panel.outcome.predictions]
    panel.outcome = None
    monkeypatch.setattr("bdh_studio.gui.results_panel.classify",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran again")))
    panel.reopen()
    qtbot.waitUntil(lambda: not panel.running, timeout=30_000)
    assert not window.banner.isVisible(), window.banner.label.text()
    assert panel.outcome is not None, panel.message.text()
    assert [(p.id, p.label, p.confidence) for p in panel.outcome.predictions] == first
    assert panel.message.text().endswith(f"reopened {kept[0].name}")
    assert panel.pages.currentIndex() == 1

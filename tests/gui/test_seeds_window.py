"""The window's Seeds field: Train makes N runs of one setting, one after another, as
``train --seeds N`` does; Stop during one starts none after it; Compare groups them."""

from PySide6.QtCore import Qt

from bdh_studio.core.config import PRESETS
from bdh_studio.core.run.folder import RunFolder
from bdh_studio.core.run.settings import config_diff

TINY = {"max_iters": 12, "log_interval": 3, "eval_interval": 6, "eval_batches": 1}
LONG = {"max_iters": 400, "log_interval": 2, "eval_interval": 10, "eval_batches": 1}


def on_demo(window, qtbot, **changes):
    """The demo books, the tiny preset with ``changes``, books and CSVs checked."""
    window.load_demo()
    window.config_panel.set_config(PRESETS["tiny"].replace(**changes))
    qtbot.waitUntil(lambda: not window.books.checking and not window.results.loading
                           and window.train_action.isEnabled(), timeout=60_000)


def run_folders(window):
    return sorted(p for p in window.runs_root.iterdir() if p.is_dir()) \
        if window.runs_root.is_dir() else []


def test_seeds_2_trains_two_runs_that_differ_only_in_seed_and_compare_groups_them(
        window, qtbot):
    on_demo(window, qtbot, **TINY)
    seeds = window.findChild(type(window.config_panel.seeds), "seeds")
    assert seeds is window.config_panel.seeds and seeds.value() == 1
    assert seeds.accessibleName() and seeds.toolTip()
    assert window.train_action.toolTip().startswith("Train every checked book into a new run")
    seeds.setValue(2)
    assert window.train_action.toolTip().startswith("Train every checked book 2 times, as 2 new")
    said, listed = [], []
    window.session.event.connect(lambda _: said.append(window.session.progress.text()))
    window.session.starting.connect(lambda folder: listed.append(folder))
    window.train_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=120_000)
    folders = run_folders(window)
    assert [p.name[-9:] for p in folders] == ["-seed1337", "-seed1338"]
    assert listed == folders  # the second became the current run as it began
    assert folders[0].name[:-9] == folders[1].name[:-9]
    configs = {p.name: RunFolder(p).saved_config().to_dict() for p in folders}
    assert list(config_diff(configs)) == ["seed"]
    assert any(text.startswith("seed 1 of 2 · book") for text in said)
    assert any(text.startswith("seed 2 of 2 · book") for text in said)
    assert window.run_dir == folders[1]
    assert window.train_action.toolTip().startswith("Train every checked book 2 times")
    # The Runs panel lists both; checked, Compare draws them as one band.
    qtbot.waitUntil(lambda: window.runs.tree.topLevelItemCount() == 2, timeout=30_000)
    for folder in folders:
        window.runs.set_checked(folder, True)
    qtbot.waitUntil(lambda: len({line.run for line in window.compare.lines}) == 2,
                    timeout=30_000)
    qtbot.mouseClick(window.compare.group_seeds, Qt.LeftButton)
    assert {line.run for line in window.compare.lines} == {f"{folders[0].name[:-9]} (2 seeds)"}
    # The field is remembered with the other settings.
    window.save_settings()
    assert int(window.settings.value("seeds")) == 2


def test_stop_during_the_first_seed_starts_no_second(window, qtbot):
    on_demo(window, qtbot, **LONG)
    window.config_panel.seeds.setValue(3)
    window.train_action.trigger()
    assert window.training
    qtbot.waitUntil(lambda: window.session.progress.step >= 4, timeout=120_000)
    assert window.session.progress.text().startswith("seed 1 of 3 · book 1 of")
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not window.training, timeout=60_000)
    folders = run_folders(window)
    assert [p.name[-9:] for p in folders] == ["-seed1337"]
    assert RunFolder(folders[0]).checkpoints()  # the stopped run kept its partial model
    assert window.train_action.isEnabled()


def test_an_opened_runs_train_continues_that_run_alone(window, qtbot, monkeypatch):
    """Its settings are read-only, Seeds with them: Train resumes the one run."""
    on_demo(window, qtbot, **TINY)
    window.config_panel.seeds.setValue(2)
    trained = []
    window.session.run_dir = window.runs_root / "opened"
    monkeypatch.setattr(window.session, "train",
                        lambda config, books, run_dir=None, seeds=1: trained.append(seeds))
    window.session.readonly = True
    window._update_controls()
    assert window.train_action.toolTip().startswith("Continue the run")
    window.start_training()
    window.session.readonly = False
    window.start_training()
    assert trained == [1, 2]

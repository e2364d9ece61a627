"""File work never runs on the GUI thread: listing folders, reading CSVs, deleting a run,
writing a curves CSV; the window stays responsive whatever the disk does."""

import builtins
import importlib
import threading

import pytest
from PySide6.QtCore import QFile
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from bdh_studio import resources
from test_main_window import checked, drop, use_tiny


@pytest.fixture
def on_gui_thread(monkeypatch):
    """Watch a function (by its dotted name): for each call, whether it ran on the GUI thread."""
    calls: dict[str, list[bool]] = {}

    def watch(target: str) -> list[bool]:
        module, name = target.rsplit(".", 1)
        real = getattr(importlib.import_module(module), name)

        def watched(*args, **kwargs):
            calls[target].append(threading.current_thread() is threading.main_thread())
            return real(*args, **kwargs)

        calls[target] = []
        monkeypatch.setattr(target, watched)
        return calls[target]

    return watch


def test_a_dropped_folder_is_listed_in_the_background(window, qtbot, on_gui_thread, books_dir):
    calls = on_gui_thread("bdh_studio.core.corpus.find_books")
    drop(window, qtbot, [books_dir])
    assert calls and not any(calls)
    assert sorted(window.books.infos) == ["Alpha Book", "beta book"]


def test_the_shortest_book_is_known_without_reading_a_file(window, qtbot, books_dir, monkeypatch):
    drop(window, qtbot, [books_dir])
    real_open = builtins.open

    def guarded_open(*args, **kwargs):
        assert threading.current_thread() is not threading.main_thread(), args[0]
        return real_open(*args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    name, length = window.books.shortest_included()
    sizes = {p.stem: p.stat().st_size for p in books_dir.iterdir()}
    assert (name, length) == min(sizes.items(), key=lambda item: item[1])


def test_backstory_csvs_are_read_in_the_background(window, qtbot, on_gui_thread):
    calls = on_gui_thread("bdh_studio.core.backstories.read")
    window.results.add_csvs([resources.demo_train_csv(), resources.demo_test_csv()])
    checked(window, qtbot)
    assert calls == [False, False]
    assert window.results.train_path.text() == str(resources.demo_train_csv())
    assert len(window.results.backstories()) == 36 + 15


def test_typing_a_models_folder_lists_kept_results_in_the_background(window, qtbot,
                                                                      on_gui_thread, tmp_path):
    calls = on_gui_thread("bdh_studio.gui.results_panel.saved")
    field = window.results.models_path
    field.clear()
    QTest.keyClicks(field, str(tmp_path))
    qtbot.waitUntil(lambda: not window.results.kept_lister.running, timeout=30_000)
    assert calls and not any(calls)


def test_a_run_deleted_for_good_goes_in_the_background_with_a_progress_bar(
        window, qtbot, on_gui_thread, tmp_path, monkeypatch):
    run = window.runs_root / "big"
    for i in range(300):
        (run / "checkpoints" / f"{i // 100}").mkdir(parents=True, exist_ok=True)
        (run / "checkpoints" / f"{i // 100}" / f"{i}.pt").write_bytes(b"x")
    calls = on_gui_thread("bdh_studio.gui.run_deleter.remove_tree")
    monkeypatch.setattr(QFile, "moveToTrash", lambda path: False)  # a system without a trash
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(
        window.runs.deleter.bar.isVisible()) or QMessageBox.Yes)
    bar = window.runs.deleter.bar
    window.runs.delete(run)
    qtbot.waitUntil(lambda: window.runs.deleter.remover.running or not run.exists(),
                    timeout=30_000)
    qtbot.waitUntil(lambda: not window.runs.deleter.running, timeout=30_000)
    assert not run.exists() and calls == [False] and shown == [False]
    assert bar.value() > 0 and bar.isHidden()  # it moved, and is gone with the work


def test_the_curves_csv_is_written_in_the_background(window, qtbot, on_gui_thread, tmp_path):
    from bdh_studio.core import events as ev
    calls = on_gui_thread("bdh_studio.gui.plots.export_csv")
    plots = window.plots
    for step in range(1, 101):
        plots.handle(ev.StepLogged("a", step, 3.0 - step / 100, 1e-3, 1000.0, step * 0.1))
    with qtbot.waitSignal(plots.csv_writer.succeeded, timeout=30_000):
        plots.export_csv(tmp_path / "curves.csv")
    assert calls == [False]
    assert len((tmp_path / "curves.csv").read_text().splitlines()) > 100


def test_the_comparison_csv_is_written_in_the_background(window, qtbot, on_gui_thread,
                                                        demo_models, tmp_path):
    from bdh_studio.core.run.compare import load_run
    calls = on_gui_thread("bdh_studio.gui.compare_plots.write_csv")
    window.compare.set_runs([load_run(demo_models)])
    with qtbot.waitSignal(window.compare.csv_writer.succeeded, timeout=30_000):
        window.compare.export_csv(tmp_path / "compare.csv")
    assert calls == [False]
    assert len((tmp_path / "compare.csv").read_text().splitlines()) > 3


def test_a_runs_checkpoints_are_listed_in_the_background(window, qtbot, books_dir, demo_models,
                                                         tmp_path, monkeypatch):
    """At each save, at the end of training, on opening a run and in Inspect's list."""
    from bdh_studio.core.run.folder import RunFolder
    on_gui = []
    listing = RunFolder.checkpoints

    def watched(self):
        on_gui.append(threading.current_thread() is threading.main_thread())
        return listing(self)

    monkeypatch.setattr(RunFolder, "checkpoints", watched)
    drop(window, qtbot, [books_dir])
    use_tiny(window, max_iters=10, log_interval=5, eval_interval=10, eval_batches=1,
             checkpoint_interval=5)
    window.start_training(tmp_path / "run")
    qtbot.waitUntil(lambda: not window.training, timeout=60_000)
    assert [window.sample_box.model_choice.itemText(i) for i in range(2)] == [
        "Alpha Book", "beta book"]
    window.session.open_run(demo_models)
    qtbot.waitUntil(lambda: window.run_dir == demo_models, timeout=30_000)
    assert window.sample_box.model_choice.count() == 3
    window.workspace.setCurrentWidget(window.inspect)
    assert window.inspect.model.count() == 3
    assert on_gui and not any(on_gui)

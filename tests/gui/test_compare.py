"""Runs overlaid: colours per run, styles per book, the hover table, the diff, the CLI."""

import csv
import shutil

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage

from bdh_studio.cli import main
from bdh_studio.core import events as ev
from bdh_studio.core.run.compare import ComparedRun
from bdh_studio.core.run.state import RunState
from bdh_studio.gui.compare_plots import ComparePlots
from shown import laid_out, shown


def events(books, lr, scale):
    out = [ev.RunStarted("r", tuple(books), {}, "cpu", "fp32", started=100.0)]
    for b, book in enumerate(books):
        out.append(ev.BookStarted(book, b, len(books), 30))
        for step in range(10, 31, 10):
            out.append(ev.StepLogged(book, step, scale * (5 - step / 10) + b, lr, 1.0,
                                     step / 10, time=100.0 + step))
    return out


def compared(name, books, lr, scale):
    return ComparedRun(name, RunState.of(events(books, lr, scale)),
                       {"lr": lr, "n_layer": 2, "device": "cpu"})


@pytest.fixture
def plots(qtbot):
    widget = shown(qtbot, ComparePlots(), 1000, 600)
    widget.smoothing.setValue(0)
    widget.set_runs([compared("A", ["x", "y"], 1e-3, 1.0), compared("B", ["x"], 3e-3, 0.5)])
    return widget


def test_a_colour_family_per_run_a_line_style_per_book(plots):
    pens = {(line.run, line.book): line.item.opts["pen"] for line in plots.lines}
    assert pens["A", "x"].style() == pens["B", "x"].style() == Qt.SolidLine
    assert pens["A", "y"].style() == Qt.DashLine
    assert pens["A", "x"].color() != pens["B", "x"].color()
    assert pens["A", "x"].color().hue() == pens["A", "y"].color().hue()  # one family
    assert [label.text for _, label in plots.legend.items] == ["A", "B", "x", "y"]


def test_the_hover_table_shows_each_curve_at_the_step_never_a_later_one(plots):
    rows = plots.rows_at(25)
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        ("A", "x", 20, 3.0), ("A", "y", 20, 4.0), ("B", "x", 20, 1.5)]
    assert plots.rows_at(5) == []
    plots.isolate.setCurrentText("B")
    assert [r[0] for r in plots.rows_at(25)] == ["B"]
    plots.isolate.setCurrentText("All runs")
    html = plots.table_at(30)
    assert "<td>B</td><td>x</td><td align=right>30</td>" in html


def test_the_crosshair_follows_the_mouse_and_leaves_with_it_never_exported(plots, qtbot,
                                                                          tmp_path):
    inside = plots.plot.vb.mapViewToScene(QPointF(20, 3.0))
    plots._moved(inside)
    assert plots.crosshair.isVisible() and plots.hover.isVisible()
    assert "<td>A</td>" in plots.hover.text()
    plots.canvas.left.emit()
    assert not plots.crosshair.isVisible() and not plots.hover.isVisible()
    plots._moved(inside)
    plots.export_image(tmp_path / "x.png")
    assert not plots.crosshair.isVisible() and not plots.hover.isVisible()
    assert not QImage(str(tmp_path / "x.png")).isNull()


def test_the_config_diff_shows_only_what_differs(plots):
    assert plots.diff_rows() == {"lr": ["0.001", "0.003"]}


def test_wall_clock_axis_on_the_comparison(plots):
    plots.x_axis.setCurrentIndex(2)
    assert [r[2] for r in plots.rows_at(15)] == [10, 10, 10]  # 10 s after the start: step 10


@pytest.fixture
def two_run_dirs(tmp_path, books_dir, tiny_config):
    from bdh_studio.core.corpus import find_books
    from bdh_studio.core.trainer import train_run
    config = tiny_config.replace(max_iters=4, log_interval=2, eval_interval=2, eval_batches=1)
    books = find_books(books_dir)[:1]
    train_run(config, books, tmp_path / "A")
    train_run(config.replace(lr=1e-2), books, tmp_path / "B")
    return tmp_path / "A", tmp_path / "B"


@pytest.fixture
def runs_root(two_run_dirs, tmp_path):
    """The window's runs folder (conftest), holding runs A and B from its launch."""
    root = tmp_path / "runs"
    for run in two_run_dirs:
        shutil.copytree(run, root / run.name)
    return root


def test_runs_compare_on_the_command_line(two_run_dirs, tmp_path, capsys):
    a, b = two_run_dirs
    assert main(["runs", "compare", str(a), str(b), "--out", str(tmp_path / "x.csv")]) == 0
    rows = list(csv.DictReader(open(tmp_path / "x.csv", encoding="utf-8")))
    assert {r["run"] for r in rows} == {"A", "B"}
    assert {(r["run"], r["step"]) for r in rows if r["kind"] == "train"} == {
        ("A", "2"), ("A", "4"), ("B", "2"), ("B", "4")}
    assert main(["runs", "compare", str(a), str(b), "--out", str(tmp_path / "x.png")]) == 0
    image = QImage(str(tmp_path / "x.png"))
    assert (image.width(), image.height()) == (1200, 700)  # was the canvas's share, 872x672
    assert main(["runs", "compare", str(a), "--out", str(tmp_path / "x.txt")]) == 2
    assert main(["runs", "compare", str(tmp_path), "--out", str(tmp_path / "y.csv")]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_checking_runs_in_the_panel_overlays_them(window, qtbot, two_run_dirs):
    qtbot.waitUntil(lambda: window.runs.tree.topLevelItemCount() == 2, timeout=30_000)
    for run in two_run_dirs:
        window.runs.set_checked(window.runs_root / run.name, True)
    qtbot.waitUntil(lambda: sorted({line.run for line in window.compare.lines}) == ["A", "B"],
                    timeout=30_000)
    assert window.training_view.tabs.currentWidget() is window.compare
    assert window.compare.diff_rows() == {"lr": ["0.003", "0.01"]} or \
        window.compare.diff_rows() == {"lr": ["0.01", "0.003"]}


def test_a_newer_choice_replaces_the_one_waiting_and_cancels_the_one_reading(
        window, qtbot, two_run_dirs, monkeypatch):
    import threading

    from bdh_studio.gui import run_session
    real, release, read, heard = run_session.load_run, threading.Event(), [], []

    def load_run(folder):
        read.append(folder.name)
        if len(read) == 1:
            release.wait(10)  # the first log is long: later choices come while it is read
        return real(folder)

    monkeypatch.setattr(run_session, "load_run", load_run)
    window.session.comparer.succeeded.connect(lambda runs: heard.append([r.name for r in runs]))
    window.session.comparer.cancelled.connect(lambda: heard.append("cancelled"))
    qtbot.waitUntil(lambda: window.runs.tree.topLevelItemCount() == 2, timeout=30_000)
    a, b = (window.runs_root / run.name for run in two_run_dirs)
    window.runs.set_checked(a, True)  # A is being read...
    qtbot.waitUntil(lambda: read == ["A"], timeout=10_000)
    window.runs.set_checked(b, True)  # ...A and B wait behind it...
    window.runs.set_checked(a, False)  # ...and are replaced by B alone
    release.set()
    qtbot.waitUntil(lambda: not window.session.comparer.running and bool(heard), timeout=30_000)
    assert heard == ["cancelled", ["B"]]
    assert read == ["A", "B"]  # the replaced choice was never read
    assert {line.run for line in window.compare.lines} == {"B"}


def seeded(name, seed, scale):
    out = [ev.RunStarted("r", ("x",), {}, "cpu", "fp32", started=100.0),
           ev.BookStarted("x", 0, 1, 30)]
    for step in range(10, 31, 10):
        out.append(ev.StepLogged("x", step, scale * (5 - step / 10), 1e-3, 1.0, step / 10,
                                 time=100.0 + step))
        out.append(ev.ValidationLogged("x", step, scale * (6 - step / 10) + 2 * scale * (step == 30),
                                       1.0, step / 10, time=100.0 + step))
    return ComparedRun(name, RunState.of(out), {"lr": 1e-3, "n_layer": 2, "seed": seed})


@pytest.fixture
def seeds(qtbot):
    widget = shown(qtbot, ComparePlots(), 1000, 700)
    widget.smoothing.setValue(0)
    widget.set_runs([seeded("exp-seed1", 1, 1.0), seeded("exp-seed2", 2, 1.2),
                     seeded("exp-seed3", 3, 0.9), compared("other", ["x"], 3e-3, 0.5)])
    return widget


def test_grouped_seeds_are_one_mean_curve_in_a_min_max_band(seeds, qtbot):
    qtbot.mouseClick(seeds.group_seeds, Qt.LeftButton)
    assert [label.text for _, label in seeds.legend.items] == ["exp (3 seeds)", "other", "x"]
    group = seeds.lines[0]
    low, high = (item.getData()[1] for item in group.bounds[:2])
    table = np.stack([s.values for s in group.members])
    np.testing.assert_array_equal(low, table.min(axis=0))
    np.testing.assert_array_equal(high, table.max(axis=0))
    np.testing.assert_allclose(group.item.getData()[1], table.mean(axis=0))
    assert group.bounds[2].isVisible() and not seeds.lines[1].bounds[2].isVisible()
    seeds.spread.setCurrentIndex(seeds.spread.findData("sem"))
    low, high = (item.getData()[1] for item in group.bounds[:2])
    assert (low > table.min(axis=0)).all() and (high < table.max(axis=0)).all()
    qtbot.mouseClick(seeds.group_seeds, Qt.LeftButton)
    assert len(seeds.lines) == 4


def test_the_hover_table_shows_the_best_validation_loss_so_far(seeds, qtbot):
    rows = {r[0]: r for r in seeds.rows_at(30)}
    assert (rows["exp-seed1"][6].loss, rows["exp-seed1"][6].step) == (4.0, 20)  # 30: worse
    assert rows["other"][6] is None  # no validation logged
    assert "4.0000 (20)" in seeds.table_at(30)
    assert rows["exp-seed1"][6] == {r[0]: r for r in seeds.rows_at(20)}["exp-seed1"][6]
    assert {r[0]: r for r in seeds.rows_at(10)}["exp-seed1"][6].loss == 5.0
    qtbot.mouseClick(seeds.group_seeds, Qt.LeftButton)
    group = {r[0]: r for r in seeds.rows_at(30)}["exp (3 seeds)"]
    assert group[6].loss == pytest.approx((4.0 + 4.8 + 3.6) / 3) and group[6].step == 20


def test_a_run_keeps_its_own_colour(qtbot):
    widget = shown(qtbot, ComparePlots(), 800, 500)
    a, b = compared("A", ["x"], 1e-3, 1.0), compared("B", ["x"], 3e-3, 1.0)
    a.colour = b.colour = "#59a14f"
    widget.set_runs([a, b])
    assert {line.item.opts["pen"].color().name() for line in widget.lines} == {"#59a14f"}


def test_the_hyperparameters_table_sorts_exports_and_isolates(seeds, qtbot, tmp_path):
    view = seeds.hparams
    assert view.data.columns[:3] == ["run", "lr", "seed"]
    assert [row[0] for row in view.rows()] == ["exp-seed1", "exp-seed2", "exp-seed3", "other"]
    best = view.data.columns.index("x best val")
    view.table.sortByColumn(best, Qt.AscendingOrder)
    assert [row[0] for row in view.rows()] == ["exp-seed3", "exp-seed1", "exp-seed2", "other"]
    view.export_csv(tmp_path / "h.csv")
    with open(tmp_path / "h.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == view.data.columns and [r[0] for r in rows[1:]] == [
        "exp-seed3", "exp-seed1", "exp-seed2", "other"]
    assert float(rows[1][best]) == pytest.approx(3.6) and rows[4][best] == ""
    cell = view.table.visualItemRect(view.table.item(1, 0)).center()
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=cell)
    assert seeds.isolate.currentText() == "exp-seed1"
    assert [line.run for line in seeds.lines if line.item.isVisible()] == ["exp-seed1"]


def test_smoothing_kinds_on_the_comparison(seeds):
    seeds.smoothing_kind.setCurrentIndex(seeds.smoothing_kind.findData("window"))
    seeds.smoothing.setValue(1)
    line = seeds.lines[0]
    assert line.item.getData()[1].tolist() == pytest.approx([3.5, 3.0])  # the last: not yet
    assert not line.bounds[2].isVisible()
    seeds.smoothing_kind.setCurrentIndex(seeds.smoothing_kind.findData("envelope"))
    assert line.bounds[2].isVisible()
    assert line.bounds[0].getData()[1].tolist() == [3.0, 2.0]
    assert line.bounds[1].getData()[1].tolist() == [4.0, 4.0]


def test_runs_compare_into_a_picture_says_nothing_of_qt(two_run_dirs, tmp_path, qtlog):
    """The offscreen platform printed "This plugin does not support propagateSizeHints()"."""
    a, b = two_run_dirs
    assert main(["runs", "compare", str(a), str(b), "--out", str(tmp_path / "x.png")]) == 0
    assert [record.message for record in qtlog.records] == []


def test_at_1024x700_nine_curves_leave_the_plot_its_height_and_the_legend_in_view(qtbot):
    """Compare is ~700x480 there: 9 curves' legend in one column below the plot, with the
    tables, left the plot a 30-px strip; the hover table then covered the legend."""
    plots = shown(qtbot, ComparePlots(), 700, 480)
    books = ["The Glasshouse at Aldern", "The Salt Road", "Winter on Kessel Pass"]
    plots.set_runs([compared(f"custom · 2026-12-04 16-5{i} · Glasshouse, Salt +1", books,
                             1e-3 * (i + 1), 1.0) for i in range(3)])
    assert len(plots.legend.items) == 6  # a run's colour, a book's line style
    seen = plots.canvas.mapToScene(plots.canvas.viewport().rect()).boundingRect()

    def plot_tall_legend_in_view() -> bool:
        legend, view = plots.legend.sceneBoundingRect(), plots.plot.vb.sceneBoundingRect()
        return (view.height() >= 100 and not legend.intersects(view)
                and all(seen.contains(label.sceneBoundingRect())
                        for _, label in plots.legend.items))
    qtbot.waitUntil(plot_tall_legend_in_view, timeout=10_000)  # once laid out
    plots.canvas.grab()  # painted, as the event loop would: the view has its range
    laid_out(qtbot, plots.plot)
    scene = plots.plot.vb.mapViewToScene(QPointF(25, 3.0))
    qtbot.mouseMove(plots.canvas.viewport(), plots.canvas.mapFromScene(scene))
    qtbot.waitUntil(plots.hover.isVisible, timeout=10_000)
    legend = plots.canvas.mapFromScene(plots.legend.sceneBoundingRect()).boundingRect()
    assert not plots.hover.geometry().intersects(legend)

"""The training plots: what they draw, what a redraw sets again, how often they redraw."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QPushButton

from bdh_studio.core import events as ev
from bdh_studio.core.run.smoothing import Smoothed
from bdh_studio.gui import plots as plots_module
from bdh_studio.core.run.series import Series
from bdh_studio.gui.plots import COST_FACTOR, MIN_INTERVAL_MS, TrainingPlots
from shown import shown


def tensorboard_ema(values, weight):
    """TensorBoard's smoothing, point by point as its chart code computes it."""
    last, count, out = 0.0, 0, []
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out.append(last / (1 - weight ** count))
    return np.array(out)


def loss_at(step):
    return 1 + 4 / math.sqrt(step) + 0.05 * math.sin(step)


def log_steps(plots, book, first, n, val_every=0, tokens=1000.0):
    """Events as the trainer emits them: a step every 0.01 s, a validation every val_every."""
    for s in range(first, first + n):
        plots.handle(ev.StepLogged(book, s, loss_at(s), 1e-3, tokens + s, 0.01 * s, 0.1, 0.05))
        if val_every and s % val_every == 0:
            plots.handle(ev.ValidationLogged(book, s, loss_at(s) + 0.1, 1.0, 0.01 * s))


def paint(plots):
    """Paint the canvas now, as the event loop would; the views settle their range then."""
    plots.canvas.grab()


def count_sets(plots):
    """How many times each (book, item) is given data from now on."""
    sets = {}
    for book, curves in plots.books.items():
        for item, curve in curves.items.items():
            sets[book, item] = 0
            curve.sigPlotChanged.connect(
                lambda _, key=(book, item): sets.__setitem__(key, sets[key] + 1))
    return sets


@pytest.fixture
def plots(qtbot):
    return shown(qtbot, TrainingPlots(), 900, 700)


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.99])
def test_smoothing_is_tensorboards_debiased_ema_as_points_arrive(weight):
    values = np.random.default_rng(0).normal(3, 1, 5000)
    values[[0, 7, 4000]] = [np.nan, np.inf, np.nan]  # shown as they are, passed over
    series, smoothed = Series(), Smoothed()
    for size in (1, 2, 10, 1000, 5000):  # what successive redraws find
        while series.size < size:
            series.append(series.size, 0.0, values[series.size])
        np.testing.assert_allclose(smoothed.of(series.values, weight),
                                   tensorboard_ema(values[:size], weight), rtol=1e-12)


def test_smoothing_computes_only_new_points_until_the_weight_changes():
    values = np.linspace(5, 1, 300)
    smoothed = Smoothed()
    first = smoothed.of(values[:200], 0.6).copy()
    changed_past = values.copy()
    changed_past[:200] = 0  # a series never changes its past: these are not read again
    np.testing.assert_array_equal(smoothed.of(changed_past, 0.6)[:200], first)
    np.testing.assert_allclose(smoothed.of(values, 0.9), tensorboard_ema(values, 0.9),
                               rtol=1e-12)


def test_a_redraw_sets_only_the_curves_that_gained_points(plots):
    log_steps(plots, "a", 1, 50, val_every=10)
    log_steps(plots, "b", 1, 50, val_every=10)
    plots.redraw()
    sets = count_sets(plots)
    plots.redraw()
    assert sum(sets.values()) == 0
    log_steps(plots, "b", 51, 3)
    plots.redraw()
    assert {key for key, n in sets.items() if n} == {
        ("b", item) for item in ("raw", "train", "tokens", "x_sparsity", "y_sparsity")}
    assert max(sets.values()) == 1


def test_the_timer_redraws_new_points_then_sleeps_until_more_come(plots, qtbot, monkeypatch):
    monkeypatch.setattr(plots_module, "COST_FACTOR", 1)  # the timer's pace is another test's
    log_steps(plots, "a", 1, 10)
    plots.redraw()
    sets = count_sets(plots)
    assert not plots.redraw_pending  # nothing new: no timer wakes the GUI thread
    log_steps(plots, "a", 11, 5)
    assert plots.redraw_pending
    qtbot.waitUntil(lambda: sets["a", "train"] == 1, timeout=5_000)
    assert not plots.redraw_pending
    assert sum(sets.values()) == 5  # the five curves the new points changed, once


def test_redraws_are_paced_by_what_they_cost(plots, monkeypatch):
    clock = iter(np.arange(0, 1000, 0.010))  # each reading of the CPU clock 10 ms later
    monkeypatch.setattr(plots_module, "time", SimpleNamespace(thread_time=lambda: next(clock)))
    log_steps(plots, "a", 1, 10)
    plots.redraw()
    assert plots.redraw_interval_ms == COST_FACTOR * 10  # a 10 ms redraw, that many times apart
    paint(plots)
    assert plots.redraw_interval_ms == COST_FACTOR * (10 + 10)  # and its paint, paid too
    clock = iter(np.arange(0, 100, 0.0001))  # a 0.1 ms redraw: the floor holds
    log_steps(plots, "a", 11, 1)
    plots.redraw()
    assert plots.redraw_interval_ms == MIN_INTERVAL_MS


def test_100k_points_a_curve_are_kept_and_drawn_downsampled(plots):
    n = 100_000
    log_steps(plots, "big", 1, n)
    plots.redraw()
    paint(plots)
    steps, losses = plots.curve_points("big", "train")
    assert steps.size == n and plots.books["big"].items["raw"].getOriginalDataset()[0].size == n
    x, y = plots.drawn_points("big", "raw")
    assert 0 < x.size <= 4 * plots.loss_plot.vb.width()  # peak pairs, 1 to 2 a pixel column
    assert y.max() == losses.max()  # peaks keep the extremes
    assert x[-1] - x[0] >= 0.99 * (steps[-1] - steps[0])  # the whole run, in bins


def test_validation_markers_only_while_they_can_be_told_apart(plots):
    log_steps(plots, "a", 1, 1000, val_every=10)
    log_steps(plots, "b", 1, 1010, val_every=10)
    plots.redraw()
    assert plots.books["a"].items["val"].opts["symbol"] == "o"  # 100 validations
    assert plots.books["b"].items["val"].opts["symbol"] is None  # 101


def test_the_axes_move_only_when_the_data_leaves_the_view(plots):
    view = plots.loss_plot.vb
    log_steps(plots, "a", 1, 100)
    plots.redraw()
    paint(plots)
    x0, x1 = view.viewRange()[0]
    assert x0 <= 1 and x1 >= 100 + 0.2 * 99  # room ahead of the data
    log_steps(plots, "a", 101, 10)
    plots.redraw()
    paint(plots)
    assert view.viewRange()[0] == [x0, x1]
    log_steps(plots, "a", 111, 100)
    plots.redraw()
    paint(plots)
    assert view.viewRange()[0][1] >= 210
    view.setXRange(10, 20)  # a person zooms: auto-range is off until the "A" button
    zoomed = view.viewRange()[0]
    log_steps(plots, "a", 211, 200)
    plots.redraw()
    paint(plots)
    assert view.viewRange()[0] == zoomed


def test_in_steps_the_x_axis_spans_the_planned_steps_from_the_start(plots):
    view = plots.loss_plot.vb
    plots.handle(ev.BookStarted("a", 0, 1, 500))
    log_steps(plots, "a", 1, 10)
    plots.redraw()
    paint(plots)
    x0, x1 = view.viewRange()[0]
    assert x0 <= 1 and 500 <= x1 < 520
    log_steps(plots, "a", 11, 490)
    plots.redraw()
    paint(plots)
    assert view.viewRange()[0] == [x0, x1]
    plots.x_axis.setCurrentIndex(1)  # training time is not known ahead: the data, with room
    paint(plots)
    assert view.viewRange()[0][1] < 0.01 * 500 * 1.5


def test_trained_by_time_the_x_axis_spans_the_steps_a_book_took_not_max_iters(plots):
    view = plots.loss_plot.vb
    plots.handle(ev.BookStarted("a", 0, 2, 500, budget="seconds", max_seconds=60))
    log_steps(plots, "a", 1, 100)
    plots.redraw()
    paint(plots)
    assert view.viewRange()[0][1] < 150  # the data, not the 500 steps it was never planned
    plots.handle(ev.BookStarted("b", 1, 2, 500, budget="seconds", max_seconds=60))
    log_steps(plots, "b", 1, 10)
    plots.redraw()
    paint(plots)
    assert 100 <= view.viewRange()[0][1] < 150  # as many steps as the book before took


def test_the_plots_stay_aligned_whatever_their_tick_labels_say(plots):
    log_steps(plots, "a", 1, 100, tokens=1_234_567.0)
    plots.redraw()
    paint(plots)
    lefts = {round(p.vb.sceneBoundingRect().left())
             for p in (plots.loss_plot, plots.tokens_plot, plots.sparsity_plot)}
    assert len(lefts) == 1


def test_each_book_has_its_colour_train_solid_val_dashed_in_the_legend(plots):
    log_steps(plots, "a", 1, 20, val_every=10)
    log_steps(plots, "b", 1, 20, val_every=10)
    plots.redraw()
    pens = {b: {i: c.items[i].opts["pen"] for i in ("train", "val")}
            for b, c in plots.books.items()}
    assert pens["a"]["train"].color() == pens["a"]["val"].color() != pens["b"]["train"].color()
    assert pens["a"]["train"].style() == Qt.SolidLine and pens["a"]["val"].style() == Qt.DashLine
    assert [label.text for _, label in plots.legend.items] == ["a", "b"]  # a book an entry


def test_the_smoothing_slider_changes_only_the_drawing(plots):
    log_steps(plots, "a", 1, 200)
    plots.redraw()
    steps, losses = plots.curve_points("a", "train")
    plots.smoothing.setValue(90)
    np.testing.assert_array_equal(plots.curve_points("a", "train")[1], losses)
    np.testing.assert_allclose(plots.drawn_points("a", "train")[1],
                               tensorboard_ema(losses, 0.9), rtol=1e-12)
    assert plots.books["a"].items["raw"].isVisible()
    plots.smoothing.setValue(0)
    np.testing.assert_array_equal(plots.drawn_points("a", "train")[1], losses)
    assert not plots.books["a"].items["raw"].isVisible()


def test_log_y_and_training_time_after_an_earlier_book(plots):
    log_steps(plots, "a", 1, 50)
    plots.handle(ev.BookStarted("b", 1, 2, 50))
    log_steps(plots, "b", 1, 50)
    plots.smoothing.setValue(0)
    plots.log_y.setChecked(True)
    np.testing.assert_allclose(plots.drawn_points("b", "train")[1],
                               np.log10(plots.curve_points("b", "train")[1]))
    plots.x_axis.setCurrentIndex(1)
    np.testing.assert_allclose(plots.drawn_points("b", "train")[0],
                               0.5 + 0.01 * np.arange(1, 51))  # after a's 0.5 s
    assert plots.sparsity_plot.getAxis("bottom").labelText.startswith("training time (h:mm:ss")


def test_the_crosshair_reads_each_books_losses(plots):
    log_steps(plots, "a", 1, 50, val_every=10)
    assert plots.describe_at(20) == (f"x = 20 — a: step 20, loss {loss_at(20):.3f}, "
                                     f"val {loss_at(20) + 0.1:.3f}")


def test_exports_write_every_point_and_the_picture(plots, qtbot, tmp_path):
    log_steps(plots, "a", 1, 30, val_every=10)
    plots.redraw()
    with qtbot.waitSignal(plots.csv_writer.succeeded, timeout=30_000):
        plots.export_csv(tmp_path / "curves.csv")
    rows = (tmp_path / "curves.csv").read_text().splitlines()
    assert rows[0] == "book,kind,step,elapsed,value" and len(rows) == 1 + 4 * 30 + 3
    plots.export_image(tmp_path / "plots.png")
    image = QImage(str(tmp_path / "plots.png"))
    assert image.width() == plots.canvas.viewport().width()


def test_svg_export_holds_the_curves_and_the_axis_labels(plots, tmp_path):
    log_steps(plots, "a", 1, 30)
    plots.redraw()
    plots.export_image(tmp_path / "plots.svg")
    svg = (tmp_path / "plots.svg").read_text()
    assert svg.count("<path") >= 3 and "tokens/s" in svg


@pytest.mark.parametrize("button, name", [("Export image…", "plots.png"),
                                          ("Export image…", "plots.svg"),
                                          ("Export CSV…", "curves.csv")])
def test_an_export_that_cannot_be_written_says_why(plots, qtbot, monkeypatch, tmp_path,
                                                   button, name):
    log_steps(plots, "a", 1, 30)
    plots.redraw()
    target = str(tmp_path / "no such folder" / name)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (target, ""))
    [push] = [b for b in plots.findChildren(QPushButton) if b.text() == button]
    with qtbot.waitSignal(plots.problem, timeout=2000) as problem:
        push.click()
    assert problem.args[0].startswith("Export failed") and "no such folder" in problem.args[0]


def test_wall_clock_counts_pauses_and_training_time_does_not(plots):
    plots.handle(ev.RunStarted("r", ("a",), {}, "cpu", "fp32", started=1000.0))
    plots.handle(ev.BookStarted("a", 0, 1, 20))
    plots.handle(ev.StepLogged("a", 1, 2.0, 1e-3, 1.0, 1.0, time=1001.0))
    plots.handle(ev.StepLogged("a", 2, 1.9, 1e-3, 1.0, 2.0, time=1047.0))  # a 45 s pause
    plots.x_axis.setCurrentIndex(plots_module.TRAINING_TIME)
    assert list(plots.curve_points("a", "train")[0]) == [1.0, 2.0]
    plots.x_axis.setCurrentIndex(plots_module.WALL_CLOCK)
    assert list(plots.curve_points("a", "train")[0]) == [1.0, 47.0]
    axis = plots.loss_plot.getAxis("bottom")
    assert axis.tickStrings([0, 47, 3725], 1, 1) == ["0:00:00", "0:00:47", "1:02:05"]
    assert plots.describe_at(47.0).startswith("x = 0:00:47 — a: step 2")
    plots.x_axis.setCurrentIndex(plots_module.STEP)
    assert axis.tickStrings([100], 1, 1) == ["100"]


def test_a_resumed_book_redraws_the_steps_after_its_checkpoint(plots):
    plots.handle(ev.BookStarted("a", 0, 1, 40))
    log_steps(plots, "a", 1, 20)
    plots.redraw()
    plots.handle(ev.BookStarted("a", 0, 1, 40, start_step=15))  # crashed after step 15's save
    log_steps(plots, "a", 16, 10)
    plots.redraw()
    steps = plots.curve_points("a", "train")[0]
    assert list(steps) == list(range(1, 26))
    assert plots.drawn_points("a", "train")[0].size == 25


def test_the_readout_never_shows_a_later_step(plots):
    for step in (10, 20):
        plots.handle(ev.StepLogged("a", step, float(step), 1e-3, 1.0, step / 10))
    assert plots.describe_at(19.5).startswith("x = 20 — a: step 10")  # 19.5 rounds to 20
    assert plots.describe_at(5) == " "


@pytest.mark.parametrize("kind", ["ema", "window", "envelope"])
def test_live_smoothing_never_moves_a_point_already_drawn(plots, kind):
    plots.smoothing_kind.setCurrentIndex(plots.smoothing_kind.findData(kind))
    plots.smoothing.setValue(5)
    drawn, first = {}, 1
    for n in (3, 4, 20, 7, 40):
        log_steps(plots, "a", first, n)
        first += n
        plots.redraw()
        items = ("train", "low", "high") if kind == "envelope" else ("train",)
        for item in items:
            y = plots.books["a"].items[item].yData  # all that was set, not clipped to the view
            y = np.array([]) if y is None else y
            before = drawn.get(item, np.array([]))
            np.testing.assert_array_equal(y[: before.size], before)
            drawn[item] = y.copy()
    centred = kind != "ema"
    assert drawn["train"].size == first - 1 - (5 if centred else 0)  # the edge waits
    assert plots.books["a"].items["raw"].isVisible() == (kind != "envelope")
    assert plots.smoothing_label.text() == ("±5 points" if centred else "0.05")


def test_at_1024x700_the_legend_lists_every_entry_off_the_loss_curves(qtbot):
    """The Training tab is ~700x420 there: a legend inside the short loss plot covered
    its curves and showed 2 of its 6 entries."""
    plots = shown(qtbot, TrainingPlots(), 700, 420)
    for book in ("The Glasshouse at Aldern", "The Salt Road", "Winter on Kessel Pass"):
        log_steps(plots, book, 1, 150, val_every=50)
    plots.redraw()
    paint(plots)
    seen = plots.canvas.mapToScene(plots.canvas.viewport().rect()).boundingRect()

    def every_entry_shown_off_the_curves() -> bool:
        legend = plots.legend.sceneBoundingRect()
        labels = [label.sceneBoundingRect() for _, label in plots.legend.items]
        return (len(labels) == 3 and not legend.intersects(plots.loss_plot.vb.sceneBoundingRect())
                and all(seen.contains(r) and legend.contains(r) for r in labels))
    qtbot.waitUntil(every_entry_shown_off_the_curves, timeout=10_000)  # once laid out

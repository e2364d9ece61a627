"""Labels at a small screen (issue 26): none clipped mid-text, none over another."""

from PySide6.QtCore import Qt
from pytestqt.exceptions import TimeoutError
from PySide6.QtGui import Qt as GuiQt  # mightBeRichText is QtGui's
from PySide6.QtWidgets import QLabel

from bdh_studio.core import events as ev
from bdh_studio.core.run.progress import Progress
from bdh_studio.gui.elided_label import ElidedLabel
from bdh_studio.gui.plots import TrainingPlots
from shown import shown
from test_main_window import checked
from test_plots import log_steps, paint
from test_runs_panel import opened, runs_root, two_runs  # noqa: F401 (fixtures)

CLIPPED = "<clipped>"


def test_the_training_plots_axis_labels_keep_apart_when_the_plots_are_short(qtbot):
    plots = shown(qtbot, TrainingPlots(), 700, 420)
    plots.handle(ev.BookStarted("a", 0, 1, 40))
    log_steps(plots, "a", 1, 40, val_every=10)
    plots.redraw()
    paint(plots)
    plotted = (plots.loss_plot, plots.tokens_plot, plots.sparsity_plot)
    labels = [plot.getAxis("left").label for plot in plotted]
    shown_labels = [label for label in labels if label.isVisible()]
    assert len(shown_labels) >= 2  # the units still said where they fit
    for plot, label in zip(plotted, labels):
        if label.isVisible():  # within its own axis, so off its neighbours'
            axis = plot.getAxis("left").sceneBoundingRect()
            assert axis.top() <= label.sceneBoundingRect().top() and \
                label.sceneBoundingRect().bottom() <= axis.bottom(), (label.toPlainText(), axis)
    loss, tokens = (label.sceneBoundingRect() for label in labels[:2])
    assert not (labels[0].isVisible() and labels[1].isVisible() and loss.intersects(tokens))


def drawn(label: QLabel) -> str:
    """What a one-line label draws: an ElidedLabel its cut text, a plain one what fits before
    its edge, marked."""
    if isinstance(label, ElidedLabel):
        return label.elided()
    room, metrics = label.contentsRect().width(), label.fontMetrics()

    def fitted(line: str) -> str:
        if metrics.horizontalAdvance(line) <= room:
            return line
        while line and metrics.horizontalAdvance(line) > room:
            line = line[:-1]
        return line + CLIPPED
    return "\n".join(fitted(line) for line in label.text().split("\n"))


def balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def broken_labels(window) -> list[str]:
    """The window's shown one-line labels that are cut with no ellipsis, or whose brackets
    lost a partner (but at an ellipsis that ends them: the rest is said to be cut)."""
    broken = []
    for label in window.findChildren(QLabel):
        text = label.text()
        if (not label.isVisible() or label.wordWrap() or not text.strip()
                or (label.textFormat() != Qt.PlainText and GuiQt.mightBeRichText(text))):
            continue
        shown = drawn(label)
        if CLIPPED in shown or not (balanced(shown) or shown.endswith("…")):
            broken.append(f"{label.objectName() or type(label).__name__}: {shown!r} "
                          f"of {text!r} in {label.contentsRect().width()} px")
    return broken


def none_broken(window, qtbot) -> None:
    """No label broken once the window is laid out (labels just shown are 0 px wide)."""
    try:
        qtbot.waitUntil(lambda: not broken_labels(window), timeout=5_000)
    except TimeoutError:
        broken = broken_labels(window)
        assert broken == [], "\n".join(broken)


def test_at_1024x700_no_label_is_cut_mid_text_or_loses_a_bracket(window, qtbot, runs_root,
                                                                monkeypatch):
    window.resize(1024, 700)
    opened(window, qtbot, runs_root / "A")
    for page in (window.training_view, window.results, window.inspect, window.training_view):
        window.workspace.setCurrentWidget(page)
        none_broken(window, qtbot)
    by_time = Progress(device="cpu", precision="bf16", book="In Search of the Castaways",
                       index=1, total=2, budget="seconds", max_seconds=7200, elapsed=3761,
                       step=123_456, loss=1.234, val_loss=1.345, tokens_per_s=12_028,
                       state="training")  # the longest line: a long run trained by time
    monkeypatch.setattr(window.run_status, "_progress", lambda: by_time)
    window.run_status.refresh()
    assert window.minimumSizeHint().width() <= 1024
    window.resize(1024, 700)
    none_broken(window, qtbot)


def test_at_1024x700_the_books_state_stays_in_view_cut_with_an_ellipsis(window, qtbot):
    window.resize(1024, 700)
    window.load_demo()
    checked(window, qtbot)
    books, tree = window.books, window.books.tree
    for name in books.infos:
        books.set_state(name, "partial", "stopped at step 105, val loss 2.404")
    window.resize(1000, 700)  # the columns are fitted again as the list is resized
    qtbot.waitUntil(lambda: tree.header().length() <= tree.viewport().width(), timeout=5_000)
    assert not tree.horizontalScrollBar().isVisible()
    assert tree.header().sectionSize(2) >= tree.header().defaultSectionSize()

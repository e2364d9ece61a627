"""Labels at a small screen (issue 26): none clipped mid-text, none over another."""

from bdh_studio.core import events as ev
from bdh_studio.gui.plots import TrainingPlots
from shown import shown
from test_plots import log_steps, paint


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

"""A widget shown on screen for a test, the way every plot test needs it."""


def shown(qtbot, widget, width: int, height: int):
    """``widget`` at this size, exposed (so it has painted), closed with the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def laid_out(qtbot, plot) -> None:
    """Wait until ``plot``'s view stops moving: pyqtgraph lays a legend's rows out in posted
    events, after a test's first look, and a point mapped before would miss the view."""
    seen = []

    def still() -> bool:
        seen.append(plot.vb.sceneBoundingRect())
        return len(seen) > 1 and seen[-1] == seen[-2]
    qtbot.waitUntil(still, timeout=10_000)

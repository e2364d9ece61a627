"""A widget shown on screen for a test, the way every plot test needs it."""


def shown(qtbot, widget, width: int, height: int):
    """``widget`` at this size, exposed (so it has painted), closed with the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget

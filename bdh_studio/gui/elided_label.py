"""A one-line label for a path or a person's string that never widens the window.

A plain QLabel asks for its whole text as its minimum width: one "kept in
<150-character path>" message made the window's minimum width 2469 px, wider
than the screen, and every panel beside it went off the edge.  This label asks
for a few characters, draws what fits with an ellipsis, and shows the whole
text in its tooltip (and to screen readers).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QWidget

MIN_CHARS = 12  # what the label asks for at least: enough to tell it holds something


class ElidedLabel(QLabel):
    """A QLabel that elides its plain text to the room it is given (middle by default,
    where a path's folder names are the least telling part)."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 elide: Qt.TextElideMode = Qt.ElideMiddle, **properties):
        super().__init__(parent, **properties)
        self._elide = elide
        self.setTextFormat(Qt.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setToolTip(text if self.elided() != text else "")
        self.setAccessibleDescription(text)

    def elided(self) -> str:
        """The text as drawn at the label's present width."""
        return self.fontMetrics().elidedText(self.text(), self._elide,
                                             self.contentsRect().width())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * MIN_CHARS),
                     hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        text = self.text()
        self.setToolTip(text if self.elided() != text else "")

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), self.elided(),
                                  self.foregroundRole())

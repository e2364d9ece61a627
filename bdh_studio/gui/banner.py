"""A visible, dismissable message at the top of the window.

A message can be long: a folder's path to copy, ten books that cannot be
trained, one a line.  Shown whole it would make the window taller than a
700-px screen, and a path with no space in it wider than a 1024-px one.  So
the text wraps anywhere a long path needs, scrolls within at most
``LINES_SHOWN`` lines, and is held down to one line when the window has no
more room; it stays selectable, to copy a path, and Dismiss stays beside it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QTextEdit, QWidget

LINES_SHOWN = 4  # of a longer message; the rest scrolls
MARGIN = 2  # px above and below: the window's tallest state (Compare's plots) has 36 px to spare


class MessageText(QTextEdit):
    """The message, read-only: as tall as its wrapped lines up to ``LINES_SHOWN``, one line
    at the least, never wider than the window gives it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, readOnly=True, frameShape=QFrame.NoFrame)
        self.setObjectName("bannerMessage")
        self.setAccessibleName("Message")
        self.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.document().setDocumentMargin(0)
        self.verticalScrollBar().setSingleStep(self.fontMetrics().lineSpacing())

    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        self.setPlainText(text)
        self.updateGeometry()

    def _lines_high(self, lines: int) -> int:
        return self.fontMetrics().lineSpacing() * lines + 2 * self.frameWidth()

    def sizeHint(self) -> QSize:
        """Every wrapped line at the width it has, up to ``LINES_SHOWN``."""
        lines = math.ceil(self.document().size().height()) + 2 * self.frameWidth()
        height = min(lines, self._lines_high(LINES_SHOWN))
        return QSize(super().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._lines_high(1))

    def resizeEvent(self, event) -> None:
        """A new width wraps the text into more or fewer lines: ask for their height.  The
        text is shown in whole lines, never a line cut in half at the bottom."""
        spare = (self.height() - 2 * self.frameWidth()) % self.fontMetrics().lineSpacing()
        self.setViewportMargins(0, 0, 0, spare)  # before the scroll bars are fitted to it
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()


class Banner(QFrame):
    """The message, scrolled when long, and Dismiss at its right."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet("Banner { background: #fdecea; border: 1px solid #e0a8a3; "
                           "border-radius: 4px; } QTextEdit { color: #8b1a12; "
                           "background: transparent; }")
        self.label = MessageText()
        self.dismiss = QPushButton("Dismiss", clicked=self.hide)
        self.dismiss.setObjectName("bannerDismiss")
        self.dismiss.setAccessibleName("Dismiss the message")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(MARGIN * 4, MARGIN, MARGIN, MARGIN)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignTop)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.set_text(text)
        self.show()

    def add_message(self, text: str) -> None:
        """Below the message shown, if any: a run's books each warn or fail in turn, and the
        last one's message alone hid the others'."""
        shown = self.label.text().splitlines() if self.isVisibleTo(self.parentWidget()) else []
        if text not in shown:
            self.show_message("\n".join([*shown, text]))

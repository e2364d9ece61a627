"""A backstory shaded character by character by how surprising its book's model finds it.

The values come from core.surprise (nats per character); this turns them into
colours.  The scale is fixed, 0 to 8 bits (what a uniformly random byte
costs), so two rows compare at a glance instead of each being stretched to
its own extremes.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from ..core.surprise import surprising_words

TOP_BITS = 8.0
STOPS = ((0.0, "#ffffff"), (0.3, "#fff0b3"), (0.6, "#fdb863"), (1.0, "#e8604c"))
COLORMAP = pg.ColorMap([p for p, _ in STOPS], [c for _, c in STOPS])


def shades(bits: np.ndarray) -> list[str]:
    """The background of each character that cost ``bits``; 8 bits and more look the same."""
    rgba = COLORMAP.map(np.clip(np.asarray(bits) / TOP_BITS, 0.0, 1.0), mode="byte")
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b, _ in rgba]


def to_html(text: str, bits: np.ndarray) -> str:
    """One span per character; pre-wrap keeps the text's own spaces and line breaks."""
    spans = "".join(f'<span style="background-color:{color}">{html.escape(ch)}</span>'
                    for ch, color in zip(text, shades(bits)))
    return f'<p style="white-space: pre-wrap; font-size: 11pt">{spans}</p>'


def legend() -> QWidget:
    """0 bits to 8+ bits, as the gradient the text is shaded with."""
    bar = QLabel()
    bar.setFixedSize(140, 12)
    stops = ", ".join(f"stop:{p} {c}" for p, c in STOPS)
    bar.setStyleSheet(f"background: qlineargradient(x1:0, y1:0, x2:1, y2:0, {stops}); "
                      f"border: 1px solid #bbb;")
    box = QWidget()
    box.setToolTip("Each character's surprise under its book's model, -log2 p: 0 bits is "
                   "what the model expected, 8 bits what a random byte costs")
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel("surprise: 0 bits"))
    layout.addWidget(bar)
    layout.addWidget(QLabel(f"{TOP_BITS:.0f}+ bits"))
    layout.addStretch(1)
    return box


class SurpriseView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(wordWrap=True)
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.words = QLabel(wordWrap=True)
        self.words.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.words)
        layout.addWidget(legend())
        self.show_message("Select a row to see how surprising its book's model finds each "
                          "character.")

    def show_message(self, text: str) -> None:
        self.browser.clear()
        self.words.clear()
        self.title.setText(text)

    def show_text(self, title: str, text: str, nats: np.ndarray) -> None:
        """The text shaded by per-character loss, its mean in bits in the title."""
        bits = np.asarray(nats) / math.log(2)
        mean = f"{bits.mean():.2f}" if len(bits) else "–"
        self.title.setText(f"{title} · mean {mean} bits per character")
        self.browser.setHtml(to_html(text, bits))
        dearest = " · ".join(f"<b>{html.escape(word)}</b> {cost / math.log(2):.1f}"
                             for word, cost in surprising_words(text, np.asarray(nats)))
        self.words.setText(f"Most surprising words (bits): {dearest}" if dearest else "")

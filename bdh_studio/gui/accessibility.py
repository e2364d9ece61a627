"""Names for every control of the window: objectName for scripts and tests, accessibleName
for screen readers.

The controls that matter most are named where they are made (the toolbar's
actions, the Runs panel); the rest get names from what a person reads beside
them: a button's text, a form row's label, a placeholder, a tooltip, or the
label before them in their row.  ``unnamed`` lists what still has none, so a
test fails when a new control comes without one.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox,
                               QComboBox, QLabel, QLineEdit, QPlainTextEdit, QSlider,
                               QTextEdit, QToolBar, QWidget)

CONTROLS = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QSlider,
            QAbstractItemView, QPlainTextEdit, QTextEdit)
CONTAINERS = (QAbstractSpinBox, QComboBox, QAbstractItemView)  # their inner widgets are theirs

# Controls with nothing beside them to read a name from: window attribute -> names.
EXPLICIT = {
    "sample_box.length": ("sampleLength", "Length of the sample in bytes"),
    "sample_box.temperature": ("sampleTemperature", "Sampling temperature"),
    "sample_box.top_k": ("sampleTopK", "Top-k sampling"),
    "sample_box.output": ("sampleOutput", "Generated text"),
    "books.tree": ("booksList", "Books"),
    "results.run_button": ("runClassifier", "Run the classifier"),
    "results.stop_button": ("stopClassifier", "Stop the classifier"),
    "results.folds": ("folds", "Cross-validation folds"),
    "results.repeats": ("repeats", "Cross-validation repeats"),
    "results.table": ("predictionsTable", "Predictions"),
    "results.book_filter": ("bookFilter", "Show the predictions of a book"),
    "results.label_filter": ("labelFilter", "Show the predictions of a label"),
    "results.split_filter": ("splitFilter", "Show train or test rows"),
    "plots.x_axis": ("xAxis", "x axis of the training plots"),
    "plots.smoothing": ("smoothing", "Smoothing of the training loss"),
}


def camel(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    return (words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])) if words \
        else ""


def _attribute(root: object, path: str) -> QWidget | None:
    for name in path.split("."):
        root = getattr(root, name, None)
    return root if isinstance(root, QWidget) else None


def _label_before(widget: QWidget) -> str:
    """The text of the QLabel just before ``widget`` in its layout, if any."""
    parent = widget.parentWidget()
    layouts = [parent.layout()] if parent is not None and parent.layout() else []
    while layouts:
        layout = layouts.pop()
        items = [layout.itemAt(i) for i in range(layout.count())]
        for i, item in enumerate(items):
            if item.layout() is not None:
                layouts.append(item.layout())
            if item.widget() is widget and i > 0 and isinstance(items[i - 1].widget(), QLabel):
                return items[i - 1].widget().text()
    return ""


def _readable(widget: QWidget, buddies: dict) -> str:
    """What a person reads as this control's name: its text, its label, a hint."""
    text = ""
    if isinstance(widget, QAbstractButton):
        text = widget.text().replace("&", "")
    if not text.strip("… ") and widget in buddies:
        text = buddies[widget]
    if not text.strip("… "):
        text = _label_before(widget)
    if not text.strip("… ") and isinstance(widget, (QLineEdit, QPlainTextEdit)):
        text = widget.placeholderText()
    if not text.strip("… "):
        text = widget.toolTip().split(".")[0].split(";")[0]
    if not text.strip("… "):
        text = widget.objectName()
    return re.sub(r"<[^>]+>", "", text).strip(" :…")


def controls(root: QWidget) -> list[QWidget]:
    """The window's own controls (not the inner parts of a spin box, combo box or list)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or widget.objectName().startswith("qt_"):
            continue
        owner = widget.parentWidget()
        while owner is not None and owner is not root and not isinstance(owner, CONTAINERS):
            owner = owner.parentWidget()
        if owner is None or owner is root:
            found.append(widget)
    return found


def name_controls(root: QWidget) -> None:
    for path, (object_name, accessible) in EXPLICIT.items():
        widget = _attribute(root, path)
        if widget is not None:
            widget.setObjectName(widget.objectName() or object_name)
            widget.setAccessibleName(widget.accessibleName() or accessible)
    for toolbar in root.findChildren(QToolBar):
        for action in toolbar.actions():
            button = toolbar.widgetForAction(action)
            if button is not None and action.objectName():
                button.setObjectName(action.objectName())
                button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
    buddies = {label.buddy(): label.text() for label in root.findChildren(QLabel)
               if label.buddy() is not None}
    for widget in controls(root):
        name = _readable(widget, buddies)
        if not widget.accessibleName() and name:
            widget.setAccessibleName(name)
        if not widget.objectName() and name:
            widget.setObjectName(camel(name))


def unnamed(root: QWidget) -> list[str]:
    """The controls still without an objectName or an accessibleName, described."""
    return [f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r} "
            f"(in {type(w.parentWidget()).__name__})"
            for w in controls(root) if not (w.objectName() and w.accessibleName())]


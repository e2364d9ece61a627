"""The Help menu: what this is (version, torch, device, licence), its keyboard shortcuts,
and the README's sections."""

from __future__ import annotations

import re
from pathlib import Path

import torch
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from .. import __version__
from ..core.runtime import pick_device

LICENCE = "MIT"
README = Path(__file__).resolve().parents[2] / "README.md"  # beside the package in a checkout


def about_text() -> str:
    return (f"<b>BDH Studio {__version__}</b><br>Trains Pathway's BDH byte-level language "
            f"model, one model per book.<br><br>torch {torch.__version__}, device "
            f"{pick_device('auto')}<br>Licence: {LICENCE}")


def shortcuts_text(window: QMainWindow) -> str:
    """Every action of the window that has a shortcut, as a table."""
    rows = sorted({(action.text().replace("&", "").rstrip("…"),
                    action.shortcut().toString(QKeySequence.NativeText))
                   for action in window.findChildren(QAction) if not action.shortcut().isEmpty()})
    cells = "".join(f"<tr><td>{text}</td><td>&nbsp;&nbsp;<b>{keys}</b></td></tr>"
                    for text, keys in rows)
    return f"<table>{cells}</table>"


def readme_sections(readme: Path = README) -> list[str]:
    """The README's ``## `` headings, in order; none when it is not beside the package."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return []
    return re.findall(r"^## (.+)$", text, flags=re.M)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def build_help_menu(window: QMainWindow, menu: QMenu) -> None:
    about = menu.addAction("About BDH Studio", lambda: QMessageBox.about(
        window, "About BDH Studio", about_text()))
    about.setObjectName("about")
    keys = menu.addAction("Keyboard shortcuts", lambda: QMessageBox.information(
        window, "Keyboard shortcuts", shortcuts_text(window)))
    keys.setObjectName("keyboardShortcuts")
    sections = readme_sections()
    readme = menu.addMenu("README")
    readme.setObjectName("readmeSections")
    readme.setEnabled(bool(sections))
    for heading in sections:
        url = QUrl.fromLocalFile(str(README))
        url.setFragment(anchor(heading))
        readme.addAction(heading, lambda url=url: QDesktopServices.openUrl(url))

"""Tabs whose minimum height is the shown tab's, not the tallest tab's.

A QTabWidget asks for the largest minimum of all its pages, hidden or not: the
Compare plots (374 px) set the window's minimum height even on the Backstories
tab, and a banner there had room for one line at 1024x700.  A page whose
vertical size policy is Ignored adds nothing to its stack's minimum, so every
page but the shown one is given that policy.
"""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QTabWidget


def height_of_shown_tab(tabs: QTabWidget) -> None:
    """From now on ``tabs`` is as tall as the tab shown needs, whichever tab that is."""
    tabs.currentChanged.connect(lambda _: _fit(tabs))
    _fit(tabs)


def _fit(tabs: QTabWidget) -> None:
    current = tabs.currentIndex()
    for index in range(tabs.count()):
        page = tabs.widget(index)
        policy = page.sizePolicy()
        # Any policy but Ignored counts the page's minimum in a stack; Preferred is the default.
        policy.setVerticalPolicy(QSizePolicy.Preferred if index == current
                                 else QSizePolicy.Ignored)
        page.setSizePolicy(policy)

"""Run names cut short enough for a legend, a table's header or the hover table, and never
two runs with one label.

Default names ("custom · 2026-12-04 17-37 · Glasshouse, Salt +1") share their
preset and books; cut in their middle, two runs made minutes apart both read
"custom · …e, Salt +1".  Where cuts clash, each is cut around the part of its
name that the others do not have instead (the time, a "(2)" suffix).
"""

from __future__ import annotations

import os
import re
from collections import Counter

ELLIPSIS = "…"
WORD_END = re.compile(r"[\s·,]")  # a cut around a difference stops at these


def elided(text: str, chars: int = 32) -> str:
    """``text`` cut in its middle to ``chars`` characters: a run's or book's name in the
    legend and the hover table, which must fit beside the curves."""
    if len(text) <= chars:
        return text
    head = (chars - 1) // 2
    return f"{text[:head]}{ELLIPSIS}{text[len(text) - (chars - 1 - head):]}"


def distinct_labels(names: list[str], chars: int) -> list[str]:
    """Each name cut to about ``chars`` characters, labels as different as the names are:
    where two cuts read the same, each keeps the words that tell it from the others."""
    labels = [elided(name, chars) for name in names]
    for label, count in Counter(labels).items():
        if count > 1:
            clash = [i for i, other in enumerate(labels) if other == label]
            for i in clash:
                others = [names[j] for j in clash if names[j] != names[i]]
                labels[i] = around_difference(names[i], others, chars) if others else label
    if len(set(labels)) < len(set(names)):  # the cuts still meet: the whole names tell
        labels = list(names)
    return labels


def around_difference(name: str, others: list[str], chars: int) -> str:
    """``name`` cut to ``chars`` around the words in which it differs from ``others``."""
    start, end = len(name), 0
    for other in others:
        prefix = len(os.path.commonprefix([name, other]))
        suffix = len(os.path.commonprefix([name[prefix:][::-1], other[prefix:][::-1]]))
        start, end = min(start, prefix), max(end, len(name) - suffix)
    while start > 0 and not WORD_END.match(name[start - 1]):
        start -= 1
    while end < len(name) and not WORD_END.match(name[end]):
        end += 1
    if end - start + 2 >= chars:  # the difference alone is longer than the room
        return elided(name[start:end], chars)
    return around(name, start, end, chars)


def around(name: str, start: int, end: int, chars: int) -> str:
    """``name[start:end]`` with as much on either side as ``chars`` leaves room for, half
    of it before (the preset and date lead a default name), an ellipsis where cut."""
    room = chars - (end - start)
    before = min(start, max(room // 2, room - (len(name) - end)))
    after = min(len(name) - end, room - before)
    head = name[:start] if before >= start else name[:max(0, before - 1)] + ELLIPSIS
    tail = name[end:] if after >= len(name) - end else ELLIPSIS + name[len(name) - after + 1:]
    return head + name[start:end] + tail

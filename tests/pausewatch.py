"""What pause tests need to fail when pause does nothing: a timeline of steps and waits.

A trainer that honours a pause blocks in ``TaskControl.wait_while_paused``
and wakes up now and then to look again.  ``WatchedControl`` writes each of
those wake-ups into a ``Timeline`` next to the step events, in the order they
happen; a pause held through several of the trainer's own wake-ups is a window
measured by events, not by a sleep, and no step may fall inside it.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from bdh_studio.core import events as ev
from bdh_studio.core.control import TaskControl

WAIT, MARK = "wait", "mark"


class Timeline:
    """Step events, the trainer's waits and the test's marks, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.entries: list[tuple[str, object]] = []

    def add(self, kind: str, value: object = None) -> None:
        with self._lock:
            self.entries.append((kind, value))

    def record(self, event: ev.Event) -> None:
        """An on_event callback: keeps the step events."""
        if isinstance(event, ev.StepLogged):
            self.add("step", event.step)

    def mark(self, name: str) -> None:
        self.add(MARK, name)

    def count(self, kind: str) -> int:
        with self._lock:
            return sum(1 for k, _ in self.entries if k == kind)

    def steps(self) -> list[int]:
        with self._lock:
            return [v for k, v in self.entries if k == "step"]

    def steps_between(self, start: str, end: str) -> list[int]:
        """The steps that arrived after mark ``start`` and before mark ``end``."""
        with self._lock:
            entries = list(self.entries)
        first, last = entries.index((MARK, start)), entries.index((MARK, end))
        return [v for k, v in entries[first:last] if k == "step"]

    def steps_after(self, name: str) -> list[int]:
        with self._lock:
            entries = list(self.entries)
        return [v for k, v in entries[entries.index((MARK, name)):] if k == "step"]


class WatchedControl(TaskControl):
    """A TaskControl that notes in the timeline each time the trainer waits, and resumes,
    and the steps it reports, as it sends them (the window hears them up to a
    mailbox interval later)."""

    def __init__(self, timeline: Timeline, *listeners) -> None:
        super().__init__(*listeners)  # what the window's task reports through
        self.timeline = timeline

    def wait_while_paused(self, timeout: float | None = None) -> None:
        self.timeline.add(WAIT)
        super().wait_while_paused(timeout)

    def partial(self, value: object) -> None:
        self.timeline.record(value)
        super().partial(value)

    def resume(self) -> None:
        self.timeline.mark("resumed")  # before the trainer can run again
        super().resume()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll with a deadline (no Qt here); fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"within {timeout:.0f} s: {what} never happened")
        time.sleep(0.01)

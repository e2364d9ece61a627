"""Pause, resume and stop, asked from any thread and honoured between steps."""

from __future__ import annotations

import threading


class TrainingControl:
    """Thread-safe switches the trainer polls once per step.

    A paused trainer blocks in ``wait_while_paused`` without spinning; a stop
    also releases a pause, so stopping a paused run never hangs.
    """

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def wait_while_paused(self, timeout: float | None = None) -> None:
        self._running.wait(timeout)

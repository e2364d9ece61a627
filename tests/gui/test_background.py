"""The Qt wrapper: a task's outcome reaches the GUI thread however fast it comes, a cancel is
an ending of its own, and a replacing task lets only the latest request finish."""

import threading
import time

from bdh_studio.core.errors import UserError
from bdh_studio.gui.background import BackgroundTask


def test_a_task_that_fails_at_once_is_still_heard(qtbot):
    worker, heard = BackgroundTask("test"), []
    worker.failed.connect(heard.append)

    def task(control):
        raise UserError("no such file")

    with qtbot.waitSignal(worker.idle, timeout=5_000):
        worker.start(task)
        time.sleep(0.01)  # the GUI thread busy while the task has already failed
    assert heard == ["no such file"]


def test_progress_partial_results_and_the_result_arrive_in_order(qtbot):
    worker, heard = BackgroundTask("test"), []
    worker.partial.connect(heard.append)
    worker.progressed.connect(lambda f, m: heard.append((f, m)))
    worker.succeeded.connect(lambda result: heard.append(("done", result)))

    def task(control):
        for i in range(3):
            control.partial(i)
        control.progress(1.0, "all")
        return 42

    with qtbot.waitSignal(worker.idle, timeout=5_000):
        worker.start(task)
    assert heard == [0, 1, 2, (1.0, "all"), ("done", 42)]
    assert not worker.running and worker.control is None


def looping(units: list, started: threading.Event | None = None):
    def task(control):
        while True:
            control.check()
            units.append(1)
            if started is not None:
                started.set()
    return task


def test_cancel_ends_a_task_as_cancelled_not_failed(qtbot):
    worker, heard, units, started = BackgroundTask("test"), [], [], threading.Event()
    worker.cancelled.connect(lambda: heard.append("cancelled"))
    worker.failed.connect(heard.append)
    worker.start(looping(units, started))
    assert started.wait(10)
    with qtbot.waitSignal(worker.idle, timeout=10_000):
        worker.cancel()
    assert heard == ["cancelled"]


def test_a_new_request_cancels_the_old_and_only_the_latest_succeeds(qtbot):
    worker, heard, started = BackgroundTask("scoring", replace=True), [], threading.Event()
    worker.cancelled.connect(lambda: heard.append("cancelled"))
    worker.succeeded.connect(heard.append)
    first = []
    worker.start(looping(first, started))
    assert started.wait(10)
    worker.start(lambda control: "second")
    worker.start(lambda control: "third")  # asked before the second began: replaces it
    with qtbot.waitSignal(worker.idle, timeout=10_000):
        pass
    assert heard == ["cancelled", "third"]

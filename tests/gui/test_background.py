"""The worker thread: a task's outcome reaches the GUI thread however fast it comes."""

import time

from bdh_studio.core.errors import UserError
from bdh_studio.gui.background import Background


def test_a_task_that_fails_at_once_is_still_heard(qtbot):
    worker, heard = Background(), []
    worker.failed.connect(heard.append)

    def task(report):
        raise UserError("no such file")

    with qtbot.waitSignal(worker.idle, timeout=5_000):
        worker.start(task)
        time.sleep(0.01)  # the GUI thread busy while the task has already failed
    assert heard == ["no such file"]


def test_reports_and_the_result_arrive_in_order(qtbot):
    worker, heard = Background(), []
    worker.reported.connect(heard.append)
    worker.succeeded.connect(lambda result: heard.append(("done", result)))
    with qtbot.waitSignal(worker.idle, timeout=5_000):
        worker.start(lambda report: [report(i) for i in range(3)] and 42)
    assert heard == [0, 1, 2, ("done", 42)]
    assert not worker.running

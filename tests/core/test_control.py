"""The task shape every long engine call has: progress, partial results, pause, cancel."""

import threading

import pytest

from bdh_studio.core.control import Ending, TaskControl, run_task
from bdh_studio.core.errors import UserError


def counting(units: int, cancel_at: int | None = None):
    """A task of ``units`` units that cancels itself when it reaches ``cancel_at``."""
    done = []

    def task(control: TaskControl) -> int:
        for i in range(units):
            control.check()
            done.append(i)
            if i == cancel_at:
                control.stop()
        return len(done)
    return task, done


def test_a_finished_task_ends_done_with_its_value():
    task, _ = counting(3)
    assert run_task(task, TaskControl()) == Ending("done", 3)


def test_a_cancel_ends_the_task_at_the_next_unit_as_an_outcome_not_an_error():
    task, done = counting(100, cancel_at=4)
    assert run_task(task, TaskControl()) == Ending("cancelled")
    assert done == [0, 1, 2, 3, 4]


def test_a_task_that_returns_after_a_cancel_ended_cancelled_with_its_value():
    def task(control):
        control.stop()
        return "partial checkpoint"
    assert run_task(task, TaskControl()) == Ending("cancelled", "partial checkpoint")


def test_a_task_catching_exceptions_does_not_swallow_the_cancel():
    def task(control):
        try:
            control.stop()
            control.check()
        except Exception:  # what a careless task does
            return "swallowed"
    assert run_task(task, TaskControl()).status == "cancelled"


def test_failures_carry_a_message_for_a_person():
    def bad_input(control):
        raise UserError("books/x.txt: not UTF-8")

    def bug(control):
        raise KeyError("oops")
    assert run_task(bad_input, TaskControl()) == Ending("failed", message="books/x.txt: not UTF-8")
    ending = run_task(bug, TaskControl())
    assert ending.status == "failed" and ending.message.startswith("Unexpected error (KeyError)")


def test_a_paused_task_does_no_unit_until_resumed_and_a_cancel_releases_the_pause():
    control, done, reached = TaskControl(), [], threading.Event()

    def task(control):
        for i in range(1000):
            if i == 3:
                control.pause()
                reached.set()
            control.check()
            done.append(i)

    worker = threading.Thread(target=run_task, args=(task, control))
    worker.start()
    assert reached.wait(10)
    assert control.paused and done == [0, 1, 2]
    assert not worker.join(0.05) and done == [0, 1, 2]  # still waiting, nothing done
    control.stop()
    worker.join(10)
    assert not worker.is_alive() and done == [0, 1, 2]


def test_progress_and_partial_results_reach_the_listeners_and_stages_map_progress():
    heard, parts = [], []
    control = TaskControl(on_progress=lambda f, m: heard.append((f, m)), on_partial=parts.append)
    control.progress(0.5, "half")
    control.within(0.2, 0.4).progress(0.5, "inner")
    control.within(0.2, 0.4).partial("row 1")
    stage = control.within(0.2, 0.4)
    control.stop()
    assert stage.stop_requested  # a stage shares its task's switches
    assert heard == [(0.5, "half"), (pytest.approx(0.3), "inner")] and parts == ["row 1"]

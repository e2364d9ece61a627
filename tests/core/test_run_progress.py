"""The status bar's progress and ETA, by steps and by time."""

import pytest

from bdh_studio.core import events as ev
from bdh_studio.core.run.state import RunState


def progress_of(*events):
    return RunState.of((ev.RunStarted("run", ("a", "b", "c"), {}, "cpu", "fp32"), *events)
                       ).progress


def test_a_book_trained_by_time_counts_seconds_and_the_books_after_it_their_budgets():
    progress = progress_of(ev.BookStarted("a", 0, 3, 200, budget="seconds", max_seconds=60),
                           ev.StepLogged("a", 40, 2.0, 1e-3, 1000.0, 15.0))
    assert progress.fraction() == 0.25
    assert progress.eta_book() == 45 and progress.eta_run() == 45 + 2 * 60
    assert "book 1 of 3: a · 0:15 of 1:00 (25%), step 40 · loss 2.000" in progress.text()
    assert "ETA book 0:45, run 2:45" in progress.text()


def test_a_book_trained_by_steps_is_paced_by_the_steps_since_it_resumed():
    progress = progress_of(ev.BookStarted("a", 0, 3, 100, start_step=50, start_elapsed=100.0),
                           ev.StepLogged("a", 60, 2.0, 1e-3, 1000.0, 110.0))
    assert progress.seconds_per_step() == pytest.approx(1.0)
    assert progress.fraction() == 0.6
    assert progress.eta_book() == pytest.approx(40) and progress.eta_run() == pytest.approx(240)
    assert "step 60/100" in progress.text()


def test_a_stopped_book_shows_the_step_it_was_saved_at_not_the_last_one_logged():
    progress = progress_of(ev.BookStarted("a", 0, 3, 500),
                           ev.StepLogged("a", 100, 2.0, 1e-3, 1000.0, 10.0),
                           ev.BookFinished("a", "partial", 105),
                           ev.RunFinished(stopped=True, elapsed=11.0))
    assert "step 105/500" in progress.text() and progress.text().endswith("stopped")


def test_a_new_book_does_not_show_the_pace_of_the_book_before():
    progress = progress_of(ev.BookStarted("a", 0, 3, 100),
                           ev.StepLogged("a", 100, 2.0, 1e-3, 5000.0, 10.0),
                           ev.BookFinished("a", "finished", 100),
                           ev.BookStarted("b", 1, 3, 100))
    assert progress.tokens_per_s == 0 and "tokens/s" not in progress.text()


def test_validations_after_the_last_logged_step_move_the_clock_on():
    """A book trained by time finished at 1:18 after validating at steps 84, 87 and 88; the
    status line, moved on by logged steps alone, said "0:48 of 1:20 (60%) · finished"."""
    progress = progress_of(ev.BookStarted("a", 0, 3, 1600, budget="seconds", max_seconds=80),
                           ev.StepLogged("a", 80, 2.0, 1e-3, 1000.0, 48.0),
                           ev.ValidationLogged("a", 88, 2.2, 3.1, 77.8, 0.0),
                           ev.ValidationLogged("b", 3, 2.5, 3.6, 5.0, 0.0))
    assert "1:17 of 1:20 (97%), step 88" in progress.text()

"""A long task's time elapsed and left, on a clock the test moves."""

import pytest

from bdh_studio.core.countdown import Countdown, timed


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_said_of_the_time_left_before_a_few_percent_are_done():
    clock = FakeClock()
    countdown = Countdown(clock)
    clock.now += 30  # loading the models: no pace yet
    assert countdown.left(0.0) is None and countdown.left(0.02) is None
    assert countdown.text(0.02) == "0:30 elapsed"


def test_the_time_left_is_at_the_pace_so_far_and_none_at_the_end():
    clock = FakeClock()
    countdown = Countdown(clock)
    clock.now += 42
    assert countdown.left(0.25) == pytest.approx(126)
    assert countdown.text(0.25) == "0:42 elapsed, about 2:06 left"
    clock.now += 42
    assert countdown.left(0.5) == pytest.approx(84)
    clock.now += 3600
    assert countdown.left(1.0) == 0.0
    assert countdown.text(1.0) == "1:01:24 elapsed"


def test_a_timed_listener_hears_each_message_with_its_times():
    clock, heard = FakeClock(), []
    listener = timed(lambda fraction, message: heard.append((fraction, message)), clock)
    clock.now += 10
    listener(0.0, "loading")
    clock.now += 10
    listener(0.5, "grouped fold 2")
    assert heard == [(0.0, "loading · 0:10 elapsed"),
                     (0.5, "grouped fold 2 · 0:20 elapsed, about 0:20 left")]

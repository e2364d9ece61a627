"""Smoothing choices: a live curve's smoothed points never move once drawn, and extending
equals smoothing the whole series at once."""

import numpy as np
import pytest

from bdh_studio.core.run.smoothing import (EMA, ENVELOPE, WINDOW, Smoother, Smoothing,
                                           window_stats)

KINDS = [Smoothing(EMA, 60), Smoothing(EMA, 95), Smoothing(WINDOW, 7), Smoothing(ENVELOPE, 7),
         Smoothing(WINDOW, 0)]


def noisy(n, seed=0):
    rng = np.random.default_rng(seed)
    values = 3 * np.exp(-np.arange(n) / 300) + rng.normal(0, 0.2, n)
    values[[40, 41, n // 2]] = [np.nan, np.inf, np.nan]  # a diverging stretch
    return values


@pytest.mark.parametrize("smoothing", KINDS, ids=lambda s: f"{s.kind}-{s.amount}")
def test_no_point_drawn_moves_as_the_curve_grows(smoothing):
    values, smoother, drawn = noisy(600), Smoother(), []
    rng = np.random.default_rng(1)
    size = 0
    while size < values.size:
        size = min(values.size, size + int(rng.integers(1, 30)))
        smooth = smoother.of(values[:size], smoothing)
        parts = [smooth.line] + ([smooth.low, smooth.high] if smooth.low is not None else [])
        for before, part in zip(drawn, parts):
            np.testing.assert_array_equal(part[: before.size], before)
        assert all(p.size == smooth.line.size for p in parts)
        drawn = [p.copy() for p in parts]
    whole = Smoother().of(values, smoothing)
    np.testing.assert_allclose(drawn[0], whole.line, rtol=1e-12, equal_nan=True)


def test_a_centred_window_stops_half_its_width_short_of_the_newest_point():
    smooth = Smoother().of(np.arange(20.0), Smoothing(WINDOW, 3))
    assert smooth.line.size == 17
    np.testing.assert_allclose(smooth.line[3:], np.arange(3.0, 17.0))  # a line is its own mean
    np.testing.assert_allclose(smooth.line[:3], [1.5, 2.0, 2.5])  # the start: the points there are


def test_the_envelope_bounds_the_raw_points_of_each_window():
    values = noisy(200, seed=3)
    mean, low, high = window_stats(values, 5)
    for i in range(60, 150):
        if not np.isfinite(values[i]):
            continue
        window = values[i - 5: i + 6]
        window = window[np.isfinite(window)]
        assert low[i] == window.min() and high[i] == window.max()
        assert mean[i] == pytest.approx(window.mean())


def test_a_diverged_point_is_shown_as_it_is():
    values = noisy(100)
    for smoothing in KINDS:
        line = Smoother().of(values, smoothing).line
        assert np.isnan(line[40]) and np.isinf(line[41])
        assert np.isfinite(line[42])


def test_ema_starts_at_the_first_value():
    assert Smoother().of(np.array([5.0, 1.0]), Smoothing(EMA, 90)).line[0] == 5.0

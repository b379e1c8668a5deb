"""The Wilson score interval (crossmargin.simulation.stats)."""
from statistics import NormalDist

import numpy as np
import pytest

from crossmargin.errors import InvalidInput
from crossmargin.simulation.stats import wilson_interval


@pytest.mark.parametrize("k, n, low, high", [
    (0, 10, 0.0, 0.2775),
    (50, 100, 0.4038, 0.5962),
    (7, 2000, 0.0017, 0.0072),
    # Newcombe, "Two-sided confidence intervals for the single proportion", Statistics in
    # Medicine 17 (1998) 857-872, table II, method 3 (Wilson score without correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_textbook_values(k, n, low, high):
    got = wilson_interval(k, n)
    assert got == pytest.approx((low, high), abs=5e-5)
    assert all(isinstance(x, float) for x in got)


@pytest.mark.parametrize("k, n", [(0, 10), (1, 29), (7, 2000), (50, 100), (199, 200)])
def test_the_bounds_solve_wilsons_equation(k, n):
    """Each bound is a p with (k/n - p)^2 = z^2 p (1 - p) / n: the score test's boundary."""
    z = NormalDist().inv_cdf(0.975)
    for p in wilson_interval(k, n):
        assert (k / n - p) ** 2 == pytest.approx(z * z * p * (1 - p) / n, abs=1e-15)


def test_the_interval_contains_the_share_and_stays_in_0_1():
    k = np.arange(0, 51)
    low, high = wilson_interval(k, 50)
    assert np.all((low <= k / 50) & (k / 50 <= high))
    assert np.all((low >= 0) & (high <= 1))
    assert low[0] == 0 and high[-1] == 1
    assert high[0] > 0 and low[-1] < 1                    # 0 of 50 is not certainty
    assert np.all(np.diff(low) > 0) and np.all(np.diff(high) > 0)


def test_the_width_shrinks_with_the_number_of_paths():
    n = np.array([100, 1_000, 10_000, 100_000])
    low, high = wilson_interval(n // 20, n)               # 5 % of the paths each time
    width = high - low
    assert np.all(np.diff(width) < 0)
    assert width[-1] < 0.003 < 0.05 < width[0]


def test_a_higher_confidence_is_wider():
    a, b = wilson_interval(7, 2000, 0.90), wilson_interval(7, 2000, 0.99)
    assert b[0] < a[0] < a[1] < b[1]


def test_vectorized_agrees_with_one_at_a_time():
    k, n = np.array([[0, 3], [40, 500]]), np.array([[10, 30], [100, 1000]])
    low, high = wilson_interval(k, n)
    assert low.shape == high.shape == (2, 2)
    for i in np.ndindex(k.shape):
        assert (low[i], high[i]) == wilson_interval(int(k[i]), int(n[i]))


def test_whole_floats_are_counts():
    assert wilson_interval(7.0, 2000.0) == wilson_interval(7, 2000)
    assert wilson_interval(np.int64(7), np.int64(2000)) == wilson_interval(7, 2000)


@pytest.mark.parametrize("kwargs, message", [
    (dict(successes=1, n=0), r"n must be >= 1 \(got 0\)"),
    (dict(successes=0, n=-5), r"n must be >= 1 \(got -5\)"),
    (dict(successes=11, n=10), r"successes must be <= n \(got 11 > 10\)"),
    (dict(successes=[1, 12], n=10), r"successes must be <= n \(got 12 > 10\)"),
    (dict(successes=-1, n=10), r"successes must be >= 0 \(got -1\)"),
    (dict(successes=1.5, n=10), r"successes must be a whole number \(got 1.5\)"),
    (dict(successes=1, n=float("nan")), r"n must be a whole number \(got nan\)"),
    (dict(successes="3", n=10), r"successes must be a whole number \(got '3'\)"),
    (dict(successes=True, n=10), r"successes must be a whole number \(got True\)"),
    (dict(successes=[1, 2], n=[10, 20, 30]), r"successes and n must have shapes"),
    (dict(successes=1, n=10, confidence=0), r"confidence must be between 0 and 1.*\(got 0\)"),
    (dict(successes=1, n=10, confidence=1), r"confidence must be between 0 and 1.*\(got 1\)"),
    (dict(successes=1, n=10, confidence=95), r"confidence must be between 0 and 1.*\(got 95\)"),
    (dict(successes=1, n=10, confidence="high"), r"confidence must be a number"),
])
def test_bad_input_is_refused_by_name(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        wilson_interval(**kwargs)

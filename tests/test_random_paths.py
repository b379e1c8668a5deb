"""Fat-tailed random paths: random_paths(..., df=...) draws Student-t steps of unit variance.

The normal paths' tests are in test_scenarios.py; these cover ``df``.
"""
import numpy as np
import pytest

from crossmargin.errors import InvalidInput
from crossmargin.scenarios import market_paths, random_paths
from crossmargin.scenarios import random as sc_random

VOL = 0.05                          # daily volatility
STEP_SD = VOL / np.sqrt(1440)       # one minute's standard deviation


def log_returns(paths):
    """Every step's log return, one column per symbol."""
    return np.diff(np.log(paths), axis=1).reshape(-1, paths.shape[2])


def excess_kurtosis(x):
    x = x - x.mean(axis=0)
    return (x ** 4).mean(axis=0) / (x ** 2).mean(axis=0) ** 2 - 3


def draw(df, seed=1, correlation=0.0, **kwargs):
    """200 days of minutes for two symbols: 288,000 steps each."""
    return random_paths(200, 1440, [100.0, 100.0], VOL, correlation, seed=seed, df=df, **kwargs)


def test_df_none_keeps_the_normal_paths_bit_for_bit():
    args = (37, 60, [60_000, 3_000, 150], [0.03, 0.04, 0.055], 0.8)
    kwargs = dict(seed=4, drift=0.01, jump_probability=0.05, jump_size=-0.01,
                  jump_volatility=0.02)
    np.testing.assert_array_equal(random_paths(*args, **kwargs),
                                  random_paths(*args, df=None, **kwargs))
    # Pinned from the normal paths as they were before df existed (same seed, same numbers).
    np.testing.assert_allclose(
        random_paths(1, 3, [100.0, 50.0], 0.1, 0.5, seed=1, steps_per_day=1)[0],
        [[100.0, 50.0], [93.79751218835318, 50.100059411743004],
         [90.18139074725894, 54.02199748540001], [69.03007776444734, 42.942374929417085]],
        rtol=1e-12)


def test_same_seed_same_fat_tailed_paths():
    a = random_paths(5, 200, [60_000, 3_000], 0.03, 0.8, seed=9, df=4)
    np.testing.assert_array_equal(a, random_paths(5, 200, [60_000, 3_000], 0.03, 0.8, seed=9,
                                                  df=4))
    assert not np.array_equal(a, random_paths(5, 200, [60_000, 3_000], 0.03, 0.8, seed=10,
                                              df=4))
    assert not np.array_equal(a, random_paths(5, 200, [60_000, 3_000], 0.03, 0.8, seed=9,
                                              df=5))
    assert not np.array_equal(a, random_paths(5, 200, [60_000, 3_000], 0.03, 0.8, seed=9))


def test_fat_tailed_paths_do_not_depend_on_chunk_size(monkeypatch):
    kwargs = dict(seed=3, df=3.5, jump_probability=0.01, jump_size=-0.02)
    a = random_paths(37, 60, [60_000, 3_000, 150], 0.05, 0.3, **kwargs)
    monkeypatch.setattr(sc_random, "CHUNK_VALUES", 500)
    np.testing.assert_array_equal(a, random_paths(37, 60, [60_000, 3_000, 150], 0.05, 0.3,
                                                  **kwargs))


def test_df_stretches_the_same_normal_shocks_step_by_step():
    """Same seed: each step of the t path is that step of the normal path times one positive
    factor, the same for every symbol (one chi-square divisor per step)."""
    normal = log_returns(random_paths(3, 500, [60_000, 3_000], [0.03, 0.06], 0.8, seed=2))
    fat = log_returns(random_paths(3, 500, [60_000, 3_000], [0.03, 0.06], 0.8, seed=2, df=3))
    factor = fat / normal
    assert (factor > 0).all()
    np.testing.assert_allclose(factor[:, 0], factor[:, 1], rtol=1e-6)
    assert factor.min() < 0.5 and factor.max() > 2           # not a constant rescaling


@pytest.mark.parametrize("df", [3, 4, 5])
def test_small_df_has_kurtosis_well_above_normal(df):
    kurtosis = excess_kurtosis(log_returns(draw(df)))
    assert (kurtosis > 3).all(), kurtosis        # normal: 0; t with df=5: 6; df <= 4: unbounded


def test_kurtosis_follows_the_student_t_formula():
    """Excess kurtosis of a t with df > 4 is 6 / (df - 4): 1.5 at df=8, 0.23 at df=30."""
    assert excess_kurtosis(log_returns(draw(8))) == pytest.approx([1.5, 1.5], abs=0.4)
    assert excess_kurtosis(log_returns(draw(30))) == pytest.approx([0.23, 0.23], abs=0.1)


def test_normal_paths_have_no_excess_kurtosis():
    kurtosis = excess_kurtosis(log_returns(draw(None)))
    assert np.abs(kurtosis).max() < 0.05          # standard error sqrt(24 / 288,000) = 0.009


@pytest.mark.parametrize("df, tolerance", [
    (3, 0.1),       # at df <= 4 the sample variance itself has infinite variance: looser
    (4, 0.05), (5, 0.05), (8, 0.05)])
def test_variance_is_preserved(df, tolerance):
    """The steps are scaled to unit variance, so daily_volatility keeps its meaning (without
    the scaling the variance would be df / (df - 2) times larger: 3x at df=3)."""
    variance = log_returns(draw(df)).var(axis=0)
    assert variance == pytest.approx([STEP_SD ** 2] * 2, rel=tolerance)


def test_correlation_is_preserved():
    r = log_returns(draw(5, correlation=0.8))
    assert np.corrcoef(r, rowvar=False)[0, 1] == pytest.approx(0.8, abs=0.01)


def test_big_steps_come_to_every_symbol_at_once():
    """At correlation 0, both symbols moving more than 4 sigma in the same minute is next to
    impossible for normal steps (about 4e-9 per step) but common with a shared divisor."""
    def together(df):
        return int((np.abs(log_returns(draw(df))) > 4 * STEP_SD).all(axis=1).sum())
    assert together(None) == 0
    assert together(4) > 100


def test_jumps_and_drift_still_apply_with_fat_tails():
    calm = random_paths(50, 500, [100.0], 0.0, 0.0, seed=8, df=4, jump_size=-0.1)
    assert (calm == 100.0).all()                                 # no volatility, no jumps
    jumpy = random_paths(50, 500, [100.0], 0.0, 0.0, seed=8, df=4, jump_probability=0.01,
                         jump_size=-0.1)
    assert (np.diff(np.log(jumpy), axis=1).round(12) == -0.1).any()


def test_market_paths_pass_df_on():
    a = market_paths(["BTCUSDT", "ETHUSDT"], 4, 50, seed=1, df=3)
    b = random_paths(4, 50, [60_000, 3_000], [0.03, 0.04], 0.8, seed=1, df=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, market_paths(["BTCUSDT", "ETHUSDT"], 4, 50, seed=1))


@pytest.mark.parametrize("df, message", [
    (2, r"df must be > 2, or None for normal steps \(got 2\)"),
    (1.5, r"df must be > 2, or None for normal steps \(got 1.5\)"),
    (0, r"df must be > 2"),
    (-3, r"df must be > 2"),
    ("5", r"df must be a number \(got '5'\)"),
    (True, r"df must be a number \(got True\)"),
    ([3], r"df must be a number \(got \[3\]\)"),
    (float("nan"), r"df must be a finite number \(got nan\)"),
    (float("inf"), r"df must be a finite number \(got inf\)"),
])
def test_bad_df_is_refused_by_name(df, message):
    with pytest.raises(InvalidInput, match=message):
        random_paths(2, 10, [100.0], 0.05, 0.0, seed=1, df=df)
    with pytest.raises(InvalidInput, match=message):
        market_paths("BTCUSDT", 2, 10, seed=1, df=df)

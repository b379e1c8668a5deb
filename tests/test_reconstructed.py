"""The reconstructed crash day 2025-10-10 (crossmargin.scenarios.reconstructed): its form, its
labels, its published magnitudes, its measures and a replay on it."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import Order, replay, scenarios
from crossmargin.errors import InvalidInput
from crossmargin.scenarios import (CRASH_2025_10_10_FACTS, CRASH_2025_10_10_TARGETS, SYMBOLS,
                                   crash_2025_10_10, crash_2025_10_10_checks, fall_profile)
from crossmargin.scenarios import reconstructed

UTC = "UTC"


def at(clock, day="2025-10-10"):
    return pd.Timestamp(f"{day} {clock}", tz=UTC)


@pytest.fixture(scope="module")
def day():
    return crash_2025_10_10()


@pytest.fixture(scope="module")
def profile(day):
    return fall_profile(day)


# --------------------------------------------------------------------------- form


def test_one_day_of_minutes_from_noon_utc(day):
    assert list(day.columns) == list(SYMBOLS)
    assert len(day) == 1441
    assert day.index[0] == at("12:00") and day.index[-1] == at("12:00", "2025-10-11")
    assert (np.diff(day.index.asi8) == 60 * 10**6).all()      # microseconds: one minute
    assert day.index.name == "timestamp" and str(day.index.tz) == UTC
    assert (day.dtypes == np.float64).all()
    values = day.to_numpy()
    assert not np.isnan(values).any() and (values > 0).all()
    assert day.iloc[0].to_dict() == reconstructed.OPEN_2025_10_10


# --------------------------------------------------------------------------- labels


def test_labelled_a_reconstruction_in_attrs_docstring_and_list(day):
    assert day.attrs["reconstructed"] is True
    assert day.attrs["name"] == "crash_2025_10_10"
    assert "reconstruction" in day.attrs["description"]
    assert "not market data" in day.attrs["description"]
    assert "reconstructed" in crash_2025_10_10.__doc__
    assert "not market data" in crash_2025_10_10.__doc__
    table = scenarios.list_scenarios().set_index("name")
    row = table.loc["crash_2025_10_10"]
    assert bool(row["reconstructed"]) and "reconstruction" in row["description"]
    others = table.drop(index="crash_2025_10_10")
    assert not others["reconstructed"].astype(bool).any()
    assert scenarios.SCENARIOS["crash_2025_10_10"] is crash_2025_10_10
    pd.testing.assert_frame_equal(scenarios.load("crash_2025_10_10"), day)


def test_attrs_list_the_facts_it_matches_with_sources(day):
    facts = day.attrs["facts"]
    used = [f for f in CRASH_2025_10_10_FACTS if f.in_path]
    assert [f["topic"] for f in facts] == [f.topic for f in used]
    assert {"speed", "btc_low", "altcoin_wicks", "order", "recovery"} <= {f["topic"] for f in facts}
    for fact in facts:
        assert fact["fact"] and fact["source"] and fact["in_path"]
    # the context facts (collateral, ADL, the $19B) are data too, but not claimed by the path
    context = {f.topic for f in CRASH_2025_10_10_FACTS if not f.in_path}
    assert {"size", "collateral", "adl"} <= context
    table = pd.DataFrame(CRASH_2025_10_10_FACTS)
    assert list(table.columns) == ["topic", "fact", "source", "in_path"]
    assert table["topic"].is_unique
    assert {t.fact for t in CRASH_2025_10_10_TARGETS} <= set(table["topic"])


# --------------------------------------------------------------------------- determinism


def test_the_same_call_gives_the_same_day(day):
    again = crash_2025_10_10()
    pd.testing.assert_frame_equal(day, again)
    assert day.attrs == again.attrs
    pd.testing.assert_frame_equal(crash_2025_10_10(**day.attrs["parameters"]), day)


def test_the_seed_moves_only_the_noise_between_keyframes(day):
    other = crash_2025_10_10(seed=11)
    assert not np.array_equal(day.to_numpy(), other.to_numpy())
    keys = [at(c) for c in ("14:30", "20:50", "21:15", "21:20", "22:00")]
    pd.testing.assert_frame_equal(day.loc[keys], other.loc[keys], rtol=1e-12)
    assert np.abs(np.log(day / other)).to_numpy().max() < 0.01


def test_without_noise_the_path_is_the_keyframes(day):
    plain = crash_2025_10_10(noise=0)
    assert plain.loc[at("21:20"), "BTCUSDT"] == pytest.approx(101_400, rel=1e-12)
    assert plain.loc[at("20:50"), "BTCUSDT"] == pytest.approx(117_000, rel=1e-12)
    # halfway between two keyframes the log price is halfway (a straight line in log)
    halfway = plain.loc[at("21:05"), "BTCUSDT"]
    ends = plain.loc[[at("21:00"), at("21:10")], "BTCUSDT"]
    assert halfway == pytest.approx(np.sqrt(ends.prod()), rel=1e-12)
    assert np.abs(np.log(day / plain)).to_numpy().max() < 0.005


# --------------------------------------------------------------------------- magnitudes


def test_btc_falls_from_near_122k_to_the_perpetual_print_of_101_4k(profile):
    btc = profile.loc["BTCUSDT"]
    assert 121_000 <= btc["start"] <= 122_500
    assert 121_000 <= btc["peak"] <= 122_600
    assert btc["trough"] == pytest.approx(101_400, rel=0.01)
    assert btc["drawdown"] == pytest.approx(1 - 101_400 / 122_400, abs=0.005)


def test_the_fall_is_fast_about_70_percent_inside_40_minutes(profile, day):
    btc = profile.loc["BTCUSDT"]
    assert btc["window_share"] >= 0.70
    assert btc["fastest_minutes"] <= 40
    # the cascade, not the afternoon's slide, is most of the fall
    slide = (btc["peak"] - day.loc[at("20:50"), "BTCUSDT"]) / (btc["peak"] - btc["trough"])
    assert 0.15 < slide < 0.30
    # the steepest minute is inside Binance's highest-volatility window, 21:10 to 21:20
    returns = np.log(day["BTCUSDT"]).diff()
    assert at("21:10") < returns.idxmin() <= at("21:20")


def test_the_order_of_the_moves(day, profile):
    # a slide after the 14:57 tariff post, the cascade from 20:50, every low in the 40 minutes
    assert (profile["peak_time"] <= at("14:57")).all()
    before = day.loc[at("14:57"):at("20:50")]
    assert (before.iloc[-1] < before.iloc[0]).all()
    assert (day.loc[:at("20:50")].min() > day.loc[at("21:20")]).all()
    assert ((profile["trough_time"] >= at("20:50")) & (profile["trough_time"] <= at("21:30"))).all()


def test_sol_wicks_less_than_the_small_altcoins_and_more_than_btc(profile):
    sol, eth, btc = (profile.loc[s, "drawdown"] for s in ("SOLUSDT", "ETHUSDT", "BTCUSDT"))
    assert 0.30 <= sol <= 0.40            # the chosen range: SOL's reported -31 % to -36 %
    assert sol < 0.50                     # not one of the 50-80 % altcoin wicks
    assert 0.16 <= eth <= 0.23
    assert btc < eth < sol


def test_the_wick_lasts_minutes_and_prices_recover(day, profile):
    sol = day["SOLUSDT"]
    deep = sol < sol.loc[at("20:50")] * 0.8           # 20 % below the cascade's start
    assert 2 <= deep.sum() <= 15
    assert (profile["recovered"] > 0.4).all() and (profile["end"] > profile["trough"] * 1.05).all()
    assert 110_000 <= profile.loc["BTCUSDT", "end"] <= 114_000


def test_an_altcoin_wick_on_request():
    alt = fall_profile(crash_2025_10_10(sol_low=67))
    assert 0.65 <= alt.loc["SOLUSDT", "drawdown"] <= 0.75
    assert alt.loc["SOLUSDT", "trough_time"] == at("21:20")


@pytest.mark.parametrize("seed", [10, 1, 2, 3, 42])
def test_every_published_target_holds_whatever_the_seed(seed):
    checks = crash_2025_10_10_checks(crash_2025_10_10(seed=seed))
    assert len(checks) == len(CRASH_2025_10_10_TARGETS) + 3
    assert checks["within"].all(), checks[~checks["within"]]


def test_the_checks_catch_a_path_that_misses_the_facts():
    checks = crash_2025_10_10_checks(crash_2025_10_10(btc_low=110_000, sol_low=67))
    missed = set(checks.loc[~checks["within"], ["symbol", "measure"]].itertuples(index=False,
                                                                                  name=None))
    assert ("BTCUSDT", "trough") in missed and ("SOLUSDT", "drawdown") in missed
    assert ("ETHUSDT", "drawdown") not in missed
    moved = crash_2025_10_10_checks(crash_2025_10_10(start="2025-10-11 12:00"))
    assert not moved.loc[moved["measure"] == "trough_time", "within"].any()
    slow = scenarios.slow_grind()
    assert not crash_2025_10_10_checks(slow)["within"].all()


def test_checks_take_a_path_of_one_symbol(day):
    checks = crash_2025_10_10_checks(day[["BTCUSDT"]])
    assert set(checks["symbol"]) == {"BTCUSDT"} and checks["within"].all()


# --------------------------------------------------------------------------- fall_profile


def test_fall_profile_by_hand():
    index = pd.date_range("2025-01-01", periods=6, freq="1min", tz=UTC, name="timestamp")
    prices = pd.DataFrame({"X": [100.0, 110.0, 99.0, 88.0, 99.0, 95.0]}, index=index)
    row = fall_profile(prices, window="1min", share=0.7).loc["X"]
    assert (row["peak"], row["trough"]) == (110.0, 88.0)
    assert (row["peak_time"], row["trough_time"]) == (index[1], index[3])
    assert row["drawdown"] == pytest.approx(0.2)
    assert row["window_share"] == pytest.approx(11 / 22)          # 110 -> 99 in one minute
    assert row["fastest_minutes"] == 2                           # 15.4 of 22 needs 110 -> 88
    assert row["recovered"] == pytest.approx((95 - 88) / 22)
    assert fall_profile(prices, window=2).loc["X", "window_share"] == pytest.approx(1.0)
    assert fall_profile(prices, share=0.4).loc["X", "fastest_minutes"] == 1


def test_fall_profile_of_a_path_that_never_falls():
    index = pd.date_range("2025-01-01", periods=4, freq="1h", tz=UTC)
    row = fall_profile(pd.DataFrame({"X": [1.0, 2.0, 3.0, 4.0]}, index=index)).loc["X"]
    assert row["drawdown"] == 0
    assert np.isnan(row["window_share"]) and np.isnan(row["fastest_minutes"])


# --------------------------------------------------------------------------- a replay on the day


def test_a_20x_cross_long_is_liquidated_in_the_cascade_and_a_2x_long_survives(day):
    wild = replay(day, [Order("BTCUSDT", "long", margin=1_000, leverage=20,
                              margin_mode="cross")], deposit=2_000)
    gone = wild.liquidations()
    assert list(gone["symbol"]) == ["BTCUSDT"]
    when = gone["time"].iloc[0]
    assert at("20:50") < when < at("21:20")
    assert wild.timeline[("account", "equity")].iloc[-1] < 2_000 * 0.2

    calm = replay(day, [Order("BTCUSDT", "long", margin=5_000, leverage=2, margin_mode="cross"),
                        Order("ETHUSDT", "long", margin=2_000, leverage=2, margin_mode="cross")],
                  deposit=10_000)
    assert calm.liquidation_events().empty
    assert calm.timeline[("account", "equity")].min() > 5_000


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("kwargs, words", [
    (dict(btc_low=-1), "btc_low must be > 0"),
    (dict(btc_low=120_000), "btc_low must be < 117,000"),
    (dict(eth_low="low"), "eth_low must be a number"),
    (dict(sol_low=205), "sol_low must be < 205"),
    (dict(sol_low=float("nan")), "sol_low must be a finite number"),
    (dict(noise=-0.1), "noise must be >= 0"),
    (dict(seed=-1), "seed"),
    (dict(n_steps=0), "n_steps"),
    (dict(freq="monthly"), "freq"),
    (dict(start="not a date"), "start"),
])
def test_bad_arguments_are_refused_by_name(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        crash_2025_10_10(**kwargs)


def test_an_unknown_parameter_is_named():
    with pytest.raises(InvalidInput, match="'btc_lo'.*btc_low"):
        scenarios.load("crash_2025_10_10", btc_lo=100_000)


@pytest.mark.parametrize("call, words", [
    (lambda d: fall_profile(d.to_numpy()), "prices must be a scenario DataFrame"),
    (lambda d: fall_profile(d.reset_index(drop=True)), "prices must be a scenario DataFrame"),
    (lambda d: fall_profile(d.iloc[:1]), "at least 2 rows"),
    (lambda d: fall_profile(d.iloc[::-1]), "in order"),
    (lambda d: fall_profile(d.mask(d == d.iloc[5, 1], np.nan)), "row 5, column 'ETHUSDT'"),
    (lambda d: fall_profile(d, window=0), "window must be > 0"),
    (lambda d: fall_profile(d, window="soon"), "window must be a length of time"),
    (lambda d: fall_profile(d, share=1.5), "share must be <= 1"),
    (lambda d: fall_profile(d, share=0), "share must be > 0"),
    (lambda d: crash_2025_10_10_checks(d.rename(columns=str.lower)), "must hold a column"),
])
def test_bad_measure_arguments_are_refused_by_name(day, call, words):
    with pytest.raises(InvalidInput, match=words):
        call(day)

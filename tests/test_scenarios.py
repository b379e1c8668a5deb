"""Tests of crossmargin.scenarios: built-in paths, random paths, calibration, CSV loader."""
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossmargin import scenarios as sc
from crossmargin.errors import CrossMarginError, InvalidInput, ScenarioError
from crossmargin.scenarios import (SAMPLE_KLINES_CSV, SCENARIOS, SYMBOLS, btc_crash, calibrate,
                                   eth_decouples, gap_through_stop, list_scenarios, load, load_csv,
                                   random_paths, random_walk, slow_grind, whipsaw)
from crossmargin.scenarios import random as sc_random
from helpers.sample_klines import write_sample_klines  # tests/helpers: not part of the package

STARTS = np.array([60_000.0, 3_000.0, 150.0])
NAMES = list(SCENARIOS)


def log_returns(prices):
    return np.diff(np.log(np.asarray(prices, dtype=float)), axis=-2)


# --------------------------------------------------------------------------- built-ins


@pytest.mark.parametrize("name", NAMES)
def test_builtin_has_the_scenario_form(name):
    df = load(name)
    assert isinstance(df.index, pd.DatetimeIndex)
    assert df.index.name == "timestamp"
    assert str(df.index.tz) == "UTC"
    assert len(df) == 1441
    assert df.index.freq == pd.Timedelta("1min")
    assert (np.diff(df.index.asi8) == np.diff(df.index.asi8)[0]).all()
    assert df.index[-1] - df.index[0] == pd.Timedelta("1D")
    assert list(df.columns) == list(SYMBOLS)
    assert (df.dtypes == np.float64).all()
    values = df.to_numpy()
    assert np.isfinite(values).all() and (values > 0).all()
    attrs = df.attrs
    if not attrs.get("reconstructed"):  # a reconstruction opens at its day's prices (its tests)
        np.testing.assert_array_equal(values[0], STARTS)
    assert attrs["name"] == name
    assert attrs["stylized"] is (name != "random_walk")
    assert isinstance(attrs["seed"], int)
    text = attrs["description"]
    assert isinstance(text, str) and 30 < len(text) < 300
    assert text.endswith(".") and ". " not in text[:-1]  # one sentence
    assert text.startswith("Stylized") == attrs["stylized"]


@pytest.mark.parametrize("name", NAMES)
def test_builtin_is_deterministic_and_seeded(name):
    a, b = load(name), load(name)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs == b.attrs
    other = load(name, seed=a.attrs["seed"] + 100)
    assert not np.array_equal(a.to_numpy(), other.to_numpy())
    assert other.attrs["seed"] == a.attrs["seed"] + 100


@pytest.mark.parametrize("name", NAMES)
def test_builtin_rebuilds_from_its_parameters(name):
    df = load(name, seed=11)
    again = load(name, **df.attrs["parameters"])
    pd.testing.assert_frame_equal(df, again)


@pytest.mark.parametrize("name", NAMES)
def test_builtin_takes_steps_frequency_and_start(name):
    df = load(name, n_steps=48, freq="1h", start="2025-03-01 12:00")
    assert len(df) == 49
    assert df.index[0] == pd.Timestamp("2025-03-01 12:00", tz="UTC")
    assert df.index.freq == pd.Timedelta("1h")


def test_btc_crash_drops_fast_and_eth_falls_harder():
    df = btc_crash()
    rel = df / df.iloc[0]
    assert rel["BTCUSDT"].min() <= 0.85
    assert rel["ETHUSDT"].min() < rel["BTCUSDT"].min()
    assert rel["SOLUSDT"].min() < rel["ETHUSDT"].min()
    btc = rel["BTCUSDT"]
    bottom = btc[btc <= 0.82].index[0]
    last_high = btc[(btc >= 0.99) & (btc.index < bottom)].index[-1]
    assert bottom - last_high <= pd.Timedelta("4h")
    assert rel["BTCUSDT"].iloc[-1] < 0.9  # no full recovery


def test_btc_crash_without_noise_hits_the_stated_drop():
    df = btc_crash(drop=0.3, eth_beta=1.5, noise=0)
    rel = df / df.iloc[0]
    assert rel["BTCUSDT"].min() == pytest.approx(0.7, rel=1e-9)
    assert rel["ETHUSDT"].min() == pytest.approx(0.7 ** 1.5, rel=1e-9)


def test_eth_decouples_btc_ends_down_eth_ends_up():
    df = eth_decouples()
    end = df.iloc[-1] / df.iloc[0]
    assert end["BTCUSDT"] < 0.9
    assert end["ETHUSDT"] > 1.05
    assert end["SOLUSDT"] < end["BTCUSDT"]
    # during the drop the two move in opposite directions
    window = df.loc["2024-01-01 06:00":"2024-01-01 09:00"]
    assert window["BTCUSDT"].iloc[-1] < window["BTCUSDT"].iloc[0]
    assert window["ETHUSDT"].iloc[-1] > window["ETHUSDT"].iloc[0]


def test_slow_grind_is_steady_with_small_noise():
    df = slow_grind()
    btc = df["BTCUSDT"]
    assert btc.iloc[-1] / btc.iloc[0] == pytest.approx(0.9, rel=1e-9)
    assert np.abs(np.diff(np.log(btc))).max() < 0.002
    every_4h = btc.iloc[::240].to_numpy()
    assert (np.diff(every_4h) < 0).all()
    assert ((df.iloc[-1] / df.iloc[0]) < 1).all()


def test_whipsaw_drops_twice_and_ends_near_start():
    df = whipsaw()
    btc = df["BTCUSDT"] / df["BTCUSDT"].iloc[0]
    assert btc.min() <= 0.92
    assert btc.iloc[-1] == pytest.approx(1.0, abs=0.01)
    below = (btc < 0.95).astype(int).to_numpy()
    assert (np.diff(below) == 1).sum() == 2  # two separate dips
    assert btc.loc["2024-01-01 09:00":"2024-01-01 13:00"].min() > 0.98  # full recovery between


def test_gap_through_stop_has_exactly_one_big_step():
    df = gap_through_stop()
    moves = df["BTCUSDT"].pct_change().dropna()
    big = moves[moves.abs() >= 0.05]
    assert len(big) == 1
    assert big.iloc[0] == pytest.approx(-0.08, abs=0.002)
    assert big.index[0] == pd.Timestamp("2024-01-01 12:00", tz="UTC")
    assert moves.drop(big.index).abs().max() < 0.005
    before = df["BTCUSDT"].shift(1).loc[big.index[0]]
    assert before / 60_000 == pytest.approx(0.97, abs=0.005)
    eth = df["ETHUSDT"].pct_change().loc[big.index[0]]
    assert eth < -0.08


def test_gap_position_and_size_are_parameters():
    df = gap_through_stop(gap=0.15, gap_at=0.25, n_steps=100, freq="1h")
    moves = df["BTCUSDT"].pct_change()
    assert moves.idxmin() == df.index[25]
    assert moves.min() == pytest.approx(-0.15, abs=0.003)


def test_start_prices_can_be_overridden():
    df = btc_crash(start_prices={"BTCUSDT": 100.0})
    assert df.iloc[0].tolist() == [100.0, 3_000.0, 150.0]
    with pytest.raises(InvalidInput, match="start_prices"):
        btc_crash(start_prices={"XRPUSDT": 1.0})
    with pytest.raises(InvalidInput, match=r"start_prices\['ETHUSDT'\] must be > 0"):
        whipsaw(start_prices={"ETHUSDT": -5})


@pytest.mark.parametrize("call, field", [
    (lambda: btc_crash(drop=1.2), "drop"),
    (lambda: btc_crash(drop=0), "drop"),
    (lambda: btc_crash(eth_beta=-1), "eth_beta"),
    (lambda: eth_decouples(eth_rise=-0.1), "eth_rise"),
    (lambda: slow_grind(noise=-0.01), "noise"),
    (lambda: whipsaw(n_steps=0), "n_steps"),
    (lambda: whipsaw(n_steps=10.5), "n_steps"),
    (lambda: gap_through_stop(gap_at=1.0), "gap_at"),
    (lambda: btc_crash(freq="monthly"), "freq"),
    (lambda: btc_crash(start="not a date"), "start"),
    (lambda: btc_crash(seed=-1), "seed"),
])
def test_stylized_parameters_are_checked(call, field):
    with pytest.raises(InvalidInput, match=field):
        call()


def test_list_scenarios_and_load():
    table = list_scenarios()
    shipped = NAMES + ["BTCUSDT-1h-sample"]  # built-ins, then shipped files, then yours
    assert list(table["name"])[:len(shipped)] == shipped
    assert {"name", "description", "stylized", "file"} <= set(table.columns)
    built_in = table[table["file"] == ""]
    assert built_in.set_index("name")["stylized"].to_dict() == {n: n != "random_walk"
                                                                for n in NAMES}
    assert table["description"][:len(shipped)].str.len().min() > 30
    pd.testing.assert_frame_equal(load("btc_crash", drop=0.25), btc_crash(drop=0.25))


def test_load_unknown_name_lists_the_known_ones():
    with pytest.raises(ScenarioError, match="'moon_shot'") as err:
        load("moon_shot")
    for name in NAMES:
        assert name in str(err.value)
    assert isinstance(err.value, ValueError)


def test_load_unknown_parameter_is_named():
    with pytest.raises(InvalidInput, match="'dorp'.*drop"):
        load("btc_crash", dorp=0.3)


# --------------------------------------------------------------------------- random_paths


def test_random_paths_shape_and_first_row():
    paths = random_paths(5, 10, STARTS, 0.03, 0.5, seed=1)
    assert paths.shape == (5, 11, 3)
    assert paths.dtype == np.float64
    np.testing.assert_array_equal(paths[:, 0, :], np.broadcast_to(STARTS, (5, 3)))
    assert (paths > 0).all()
    one = random_paths(2, 3, 100.0, 0.1, 1.0, seed=1)
    assert one.shape == (2, 4, 1)


def test_random_paths_seed():
    a = random_paths(3, 50, STARTS, 0.03, 0.5, seed=9)
    np.testing.assert_array_equal(a, random_paths(3, 50, STARTS, 0.03, 0.5, seed=9))
    assert not np.array_equal(a, random_paths(3, 50, STARTS, 0.03, 0.5, seed=10))
    assert not np.array_equal(random_paths(3, 50, STARTS, 0.03, 0.5),
                              random_paths(3, 50, STARTS, 0.03, 0.5))


def test_random_paths_do_not_depend_on_chunk_size(monkeypatch):
    kwargs = dict(jump_probability=0.05, jump_size=-0.01, jump_volatility=0.01, seed=4)
    a = random_paths(37, 60, STARTS, 0.05, 0.3, **kwargs)
    monkeypatch.setattr(sc_random, "CHUNK_VALUES", 500)
    b = random_paths(37, 60, STARTS, 0.05, 0.3, **kwargs)
    np.testing.assert_array_equal(a, b)


def test_random_paths_daily_volatility():
    vols = np.array([0.02, 0.04, 0.08])
    paths = random_paths(2000, 1440, STARTS, vols, 0.5, seed=3)
    per_step = log_returns(paths).reshape(-1, 3).std(axis=0) * np.sqrt(1440)
    np.testing.assert_allclose(per_step, vols, rtol=0.01)
    one_day = np.log(paths[:, -1, :] / paths[:, 0, :]).std(axis=0)
    np.testing.assert_allclose(one_day, vols, rtol=0.06)


def test_random_paths_volatility_is_per_day_whatever_the_step():
    hourly = random_paths(4000, 24, STARTS, 0.05, 0.0, steps_per_day=24, seed=5)
    one_day = np.log(hourly[:, -1, :] / hourly[:, 0, :]).std(axis=0)
    np.testing.assert_allclose(one_day, 0.05, rtol=0.05)


def test_random_paths_scalar_correlation():
    paths = random_paths(200, 1440, STARTS, 0.03, 0.6, seed=2)
    sample = np.corrcoef(log_returns(paths).reshape(-1, 3), rowvar=False)
    np.testing.assert_allclose(sample[np.triu_indices(3, 1)], 0.6, atol=0.01)


def test_random_paths_correlation_matrix():
    matrix = np.array([[1.0, 0.8, -0.3], [0.8, 1.0, -0.2], [-0.3, -0.2, 1.0]])
    paths = random_paths(200, 1440, STARTS, [0.03, 0.04, 0.05], matrix, seed=2)
    sample = np.corrcoef(log_returns(paths).reshape(-1, 3), rowvar=False)
    np.testing.assert_allclose(sample, matrix, atol=0.01)


def test_random_paths_perfect_correlation_is_allowed():
    paths = random_paths(3, 100, [100.0, 100.0], [0.05, 0.05], 1.0, seed=1)
    np.testing.assert_allclose(paths[:, :, 0], paths[:, :, 1], rtol=1e-12)
    anti = random_paths(3, 100, [100.0, 100.0], [0.05, 0.05], -1.0, seed=1)
    np.testing.assert_allclose(np.log(anti[..., 0] / 100), -np.log(anti[..., 1] / 100), atol=1e-12)


def test_zero_volatility_gives_constant_prices():
    paths = random_paths(4, 100, STARTS, 0.0, 0.5, seed=1)
    np.testing.assert_array_equal(paths, np.broadcast_to(STARTS, paths.shape))


def test_drift_is_the_daily_log_return():
    paths = random_paths(2, 2880, STARTS, 0.0, 0.0, drift=[0.01, -0.02, 0.0], seed=1)
    np.testing.assert_allclose(np.log(paths[0, -1] / STARTS), [0.02, -0.04, 0.0], atol=1e-12)


def test_jumps_happen_only_with_positive_probability():
    calm = random_paths(100, 1000, STARTS, 0.0, 0.5, jump_size=-0.1, seed=8)
    np.testing.assert_array_equal(calm, np.broadcast_to(STARTS, calm.shape))
    jumpy = random_paths(100, 1000, STARTS, 0.0, 0.5, jump_probability=0.01, jump_size=-0.1, seed=8)
    steps = log_returns(jumpy)
    jumped = np.abs(steps) > 1e-12
    assert set(np.round(steps[jumped], 12)) == {-0.1}
    # market-wide: every symbol jumps on the same steps
    assert (jumped.all(axis=-1) == jumped.any(axis=-1)).all()
    assert abs(jumped[..., 0].sum() - 1000) < 5 * np.sqrt(1000)


def test_jumps_leave_the_diffusion_unchanged():
    base = random_paths(10, 500, STARTS, 0.03, 0.5, seed=6)
    jumpy = random_paths(10, 500, STARTS, 0.03, 0.5, jump_probability=0.02, jump_size=-0.05,
                         jump_volatility=0.01, seed=6)
    extra = log_returns(jumpy) - log_returns(base)
    moved = np.abs(extra) > 1e-9
    assert moved.any()
    assert (moved.all(axis=-1) == moved.any(axis=-1)).all()
    assert np.mean(extra[moved]) == pytest.approx(-0.05, abs=0.005)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(daily_volatility=-0.1), r"daily_volatility must be >= 0 \(got -0.1\)"),
    (dict(daily_volatility=[0.03, float("nan"), 0.03]), r"daily_volatility\[1\] must be a finite"),
    (dict(daily_volatility=[0.03, 0.03]), r"daily_volatility must have one value per symbol \(3\)"),
    (dict(correlation=1.5), r"correlation must be between -1 and 1 \(got 1.5\)"),
    (dict(correlation=-0.9), r"correlation must be >= -0.5 for 3 symbols.*got -0.9"),
    (dict(correlation=[[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]),
     r"correlation matrix must be positive semidefinite.*got -"),
    (dict(correlation=[[1, 0.5, 0], [0.3, 1, 0], [0, 0, 1]]), r"correlation must be symmetric"),
    (dict(correlation=[[1, 0.5, 0], [0.5, 0.9, 0], [0, 0, 1]]), r"correlation\[1, 1\] must be 1"),
    (dict(correlation=[[1, 1.2, 0], [1.2, 1, 0], [0, 0, 1]]),
     r"correlation\[0, 1\] must be between -1 and 1 \(got 1.2\)"),
    (dict(correlation=[[1, 0.5], [0.5, 1]]), r"3x3 matrix \(got shape \(2, 2\)\)"),
    (dict(n_paths=0), r"n_paths must be >= 1 \(got 0\)"),
    (dict(n_paths=2.5), r"n_paths must be a whole number"),
    (dict(n_steps=0), r"n_steps must be >= 1"),
    (dict(start_prices=[60_000, 0, 150]), r"start_prices\[1\] must be > 0 \(got 0\)"),
    (dict(start_prices=np.array([-1.0, 3_000, 150])),
     r"start_prices\[0\] must be > 0 \(got -1.0\)"),
    (dict(start_prices=[]), r"start_prices must hold at least one price"),
    (dict(start_prices=[[1, 2, 3]]), r"start_prices must be a number or a list"),
    (dict(daily_volatility=np.array([0.03, -0.02, 0.03])),
     r"daily_volatility\[1\] must be >= 0 \(got -0.02\)"),
    (dict(jump_probability=1.5), r"jump_probability must be <= 1 \(got 1.5\)"),
    (dict(jump_probability=-0.1), r"jump_probability must be >= 0"),
    (dict(jump_volatility=-0.1), r"jump_volatility must be >= 0"),
    (dict(steps_per_day=0), r"steps_per_day must be > 0"),
    (dict(seed=-3), r"seed must be >= 0"),
])
def test_random_paths_rejects_bad_parameters(kwargs, pattern):
    args = dict(n_paths=2, n_steps=5, start_prices=STARTS, daily_volatility=0.03, correlation=0.5)
    args.update(kwargs)
    with pytest.raises(InvalidInput, match=pattern) as err:
        random_paths(**args)
    assert isinstance(err.value, CrossMarginError) and isinstance(err.value, ValueError)


# --------------------------------------------------------------------------- random_walk, calibrate


def test_random_walk_is_one_of_random_paths():
    df = random_walk(seed=21)
    vols = [sc.DAILY_VOLATILITY[s] for s in SYMBOLS]
    paths = random_paths(1, 1440, STARTS, vols, 0.8, seed=21)
    np.testing.assert_array_equal(df.to_numpy(), paths[0])
    assert df.attrs["stylized"] is False and df.attrs["seed"] == 21


def test_random_walk_symbols_and_per_symbol_parameters():
    df = random_walk(start_prices={"BTCUSDT": 50_000, "XRPUSDT": 0.5},
                     daily_volatility={"XRPUSDT": 0.0}, correlation=0.3, n_steps=10)
    assert list(df.columns) == ["BTCUSDT", "XRPUSDT"]
    assert (df["XRPUSDT"] == 0.5).all()
    assert df["BTCUSDT"].nunique() > 1  # default BTC volatility
    with pytest.raises(InvalidInput, match="daily_volatility has no value for 'XRPUSDT'"):
        random_walk(start_prices={"XRPUSDT": 0.5})
    with pytest.raises(InvalidInput, match="unknown symbol 'DOGEUSDT'"):
        random_walk(drift={"DOGEUSDT": 0.1})
    with pytest.raises(InvalidInput, match="start_prices"):
        random_walk(start_prices=[60_000])


def test_random_walk_takes_a_labelled_correlation_frame():
    labels = ["SOLUSDT", "BTCUSDT", "ETHUSDT"]  # order differs from the columns
    frame = pd.DataFrame([[1, 0.1, 0.2], [0.1, 1, 0.9], [0.2, 0.9, 1]], index=labels,
                         columns=labels)
    df = random_walk(correlation=frame, seed=1)
    assert df.attrs["parameters"]["correlation"][0][1] == 0.9  # BTC-ETH


def test_calibrate_recovers_the_parameters():
    matrix = [[1, 0.7, 0.5], [0.7, 1, 0.6], [0.5, 0.6, 1]]
    vols = {"BTCUSDT": 0.02, "ETHUSDT": 0.05, "SOLUSDT": 0.07}
    df = random_walk(daily_volatility=vols, correlation=matrix, n_steps=100_000, seed=2)
    found = calibrate(df)
    for s in SYMBOLS:
        assert found["daily_volatility"][s] == pytest.approx(vols[s], rel=0.02)
    np.testing.assert_allclose(found["correlation"], matrix, atol=0.02)
    assert found["start_prices"] == df.iloc[-1].to_dict()
    assert found["freq"] == "min"
    again = random_walk(**found, seed=3)
    assert again.iloc[0].to_dict() == df.iloc[-1].to_dict()


def test_calibrate_handles_a_flat_column_and_rejects_short_data():
    df = random_walk(start_prices={"A": 1.0, "B": 2.0}, daily_volatility={"A": 0.02, "B": 0.0},
                     n_steps=50)
    found = calibrate(df)
    assert found["daily_volatility"]["B"] == 0
    np.testing.assert_array_equal(found["correlation"], np.eye(2))
    with pytest.raises(InvalidInput, match="at least 3 rows"):
        calibrate(df.iloc[:2])


# --------------------------------------------------------------------------- CSV loader

HEADER = ("open_time,open,high,low,close,volume,close_time,quote_volume,count,"
          "taker_buy_volume,taker_buy_quote_volume,ignore")
T0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC in ms
HOUR = 3_600_000


def kline(i, close, *, unit=1, open_time=None):
    t = T0 + i * HOUR if open_time is None else open_time
    return (f"{t * unit},60000.0,60500.0,59500.0,{close},12.5,{(t + HOUR - 1) * unit},"
            "750000.0,100,6.0,360000.0,0")


def kline_text(closes=(60100.0, 60200.0, 60300.0, 60400.0, 60500.0), header=True, unit=1):
    rows = [kline(i, c, unit=unit) for i, c in enumerate(closes)]
    return "\n".join(([HEADER] if header else []) + rows) + "\n"


def write(tmp_path, text, name="BTCUSDT-1h-test.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_file_loads():
    df = load_csv(SAMPLE_KLINES_CSV, symbol="BTCUSDT")
    assert len(df) == 48
    assert list(df.columns) == ["BTCUSDT"]
    assert df.index.name == "timestamp" and str(df.index.tz) == "UTC"
    assert df.index[0] == pd.Timestamp("2024-01-01", tz="UTC")
    assert df.index.freq == pd.Timedelta("1h")
    assert df.attrs["name"] == "BTCUSDT-1h-sample"
    assert df.attrs["stylized"] is False
    assert "BTCUSDT-1h-sample.csv" in df.attrs["description"]
    raw = pd.read_csv(SAMPLE_KLINES_CSV)
    assert (raw["low"] <= raw[["open", "close"]].min(axis=1)).all()
    assert (raw["high"] >= raw[["open", "close"]].max(axis=1)).all()
    np.testing.assert_array_equal(df["BTCUSDT"].to_numpy(), raw["close"].to_numpy())


def test_sample_file_is_reproducible_from_the_code(tmp_path):
    write_sample_klines(tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == SAMPLE_KLINES_CSV.read_bytes()


def test_kline_with_and_without_header(tmp_path):
    with_header = load_csv(write(tmp_path, kline_text(), "a.csv"), symbol="BTCUSDT")
    without = load_csv(write(tmp_path, kline_text(header=False), "b.csv"), symbol="BTCUSDT")
    pd.testing.assert_frame_equal(with_header, without)
    assert with_header["BTCUSDT"].tolist() == [60100.0, 60200.0, 60300.0, 60400.0, 60500.0]
    assert with_header.index[1] == pd.Timestamp("2024-01-01 01:00", tz="UTC")
    assert with_header.index.freq == pd.Timedelta("1h")
    assert with_header.attrs["name"] == "a"


def test_kline_milliseconds_and_microseconds_agree(tmp_path):
    ms = load_csv(write(tmp_path, kline_text(), "ms.csv"), symbol="BTCUSDT")
    us = load_csv(write(tmp_path, kline_text(unit=1000), "us.csv"), symbol="BTCUSDT")
    pd.testing.assert_frame_equal(ms, us)
    assert ms.index[0] == pd.Timestamp("2024-01-01", tz="UTC")


def test_kline_price_column_choice(tmp_path):
    path = write(tmp_path, kline_text())
    assert (load_csv(path, symbol="BTCUSDT", price="high")["BTCUSDT"] == 60500.0).all()
    assert (load_csv(path, symbol="BTCUSDT", price="low")["BTCUSDT"] == 59500.0).all()
    with pytest.raises(InvalidInput, match="price must be one of"):
        load_csv(path, symbol="BTCUSDT", price="mid")


def test_kline_header_variants_and_crlf(tmp_path):
    text = kline_text().replace("open_time", "Open time").replace("close,", "Close,", 1)
    df = load_csv(write(tmp_path, text.replace("\n", "\r\n")), symbol="ETHUSDT")
    assert df["ETHUSDT"].iloc[-1] == 60500.0


def test_kline_from_zip_and_buffers(tmp_path):
    archive = tmp_path / "BTCUSDT-1h-2024-01.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("BTCUSDT-1h-2024-01.csv", kline_text(header=False))
    df = load_csv(archive, symbol="BTCUSDT")
    assert len(df) == 5 and df.attrs["name"] == "BTCUSDT-1h-2024-01"
    from_text = load_csv(io.StringIO(kline_text()), symbol="BTCUSDT")
    from_bytes = load_csv(io.BytesIO(("\ufeff" + kline_text()).encode()), symbol="BTCUSDT")
    pd.testing.assert_frame_equal(from_text, df)
    pd.testing.assert_frame_equal(from_bytes, df)


def test_wide_file_iso_and_epoch(tmp_path):
    iso = ("timestamp,BTCUSDT,ETHUSDT\n"
           "2024-01-01T00:00:00Z,60000,3000\n"
           "2024-01-01T01:00:00+00:00,60100,3010\n"
           "2024-01-01 03:00:00+01:00,60200,3020\n")  # = 02:00 UTC
    df = load_csv(write(tmp_path, iso, "wide.csv"))
    assert list(df.columns) == ["BTCUSDT", "ETHUSDT"]
    assert df.index[2] == pd.Timestamp("2024-01-01 02:00", tz="UTC")
    assert df.index.freq == pd.Timedelta("1h")
    assert df.attrs["name"] == "wide" and df.attrs["stylized"] is False
    epoch = "timestamp,BTCUSDT,ETHUSDT\n" + "".join(
        f"{T0 + i * HOUR},{60000 + 100 * i},{3000 + 10 * i}\n" for i in range(3))
    pd.testing.assert_frame_equal(load_csv(write(tmp_path, epoch, "wide.csv")), df)
    only = load_csv(write(tmp_path, iso, "wide.csv"), symbol="ETHUSDT")
    assert list(only.columns) == ["ETHUSDT"]
    with pytest.raises(ScenarioError, match="wide.csv line 1: no column 'SOLUSDT'"):
        load_csv(write(tmp_path, iso, "wide.csv"), symbol="SOLUSDT")


def test_loaded_file_works_with_calibrate(tmp_path):
    df = load_csv(SAMPLE_KLINES_CSV, symbol="BTCUSDT")
    found = calibrate(df)
    assert found["freq"] == "h"
    assert 0.005 < found["daily_volatility"]["BTCUSDT"] < 0.1


def bad_line(tmp_path, text, **kwargs):
    """The ScenarioError message from loading ``text``."""
    kwargs.setdefault("symbol", "BTCUSDT")
    with pytest.raises(ScenarioError) as err:
        load_csv(write(tmp_path, text, "bad.csv"), **kwargs)
    message = str(err.value)
    assert "bad.csv" in message
    return message


def test_non_numeric_close_names_line_and_column(tmp_path):
    text = kline_text(closes=(1.0, 2.0, 3.0, "oops", 5.0))
    message = bad_line(tmp_path, text)
    assert "line 5" in message and "'close'" in message and "'oops' is not a number" in message


def test_line_numbers_count_blank_lines_and_no_header(tmp_path):
    rows = kline_text(closes=(1.0, 2.0, 3.0, "x"), header=False).splitlines()
    text = "\n".join([rows[0], "", rows[1], "   ", rows[2], rows[3]]) + "\n"
    assert "line 6," in bad_line(tmp_path, text)


def test_negative_zero_nan_and_empty_prices(tmp_path):
    assert "line 3, column 'close': price must be > 0 (got -60200.0)" in bad_line(
        tmp_path, kline_text(closes=(60100.0, -60200.0, 3.0)))
    assert "line 4, column 'close': price must be > 0" in bad_line(
        tmp_path, kline_text(closes=(1.0, 2.0, 0.0)))
    assert "line 2, column 'close': price must be a finite number" in bad_line(
        tmp_path, kline_text(closes=("NaN", 2.0)))
    assert "line 3, column 'close': missing price" in bad_line(
        tmp_path, kline_text(closes=(1.0, "", 2.0)))


def test_first_bad_value_wins_in_a_wide_file(tmp_path):
    text = ("timestamp,BTCUSDT,ETHUSDT\n2024-01-01T00:00Z,1,1\n2024-01-01T01:00Z,1,-3\n"
            "2024-01-01T02:00Z,abc,1\n")
    message = bad_line(tmp_path, text, symbol=None)
    assert "line 3, column 'ETHUSDT'" in message


def test_missing_column(tmp_path):
    text = kline_text().replace(",close,", ",last,")
    message = bad_line(tmp_path, text)
    assert "line 1, column 'close': missing column" in message
    short = kline_text() + f"{T0 + 5 * HOUR},1,2,3\n"
    assert "line 7, column 'close': missing value" in bad_line(tmp_path, short)
    assert "line 1" in bad_line(tmp_path, "when,BTCUSDT\n2024-01-01,1\n", symbol=None)


def test_duplicate_and_unsorted_timestamps(tmp_path):
    rows = kline_text().splitlines()
    duplicate = "\n".join(rows[:3] + [rows[2]] + rows[3:]) + "\n"
    message = bad_line(tmp_path, duplicate)
    assert "line 4, column 'open_time'" in message and "repeats" in message and "line 3" in message
    unsorted = "\n".join([rows[0], rows[1], rows[3], rows[2]]) + "\n"
    message = bad_line(tmp_path, unsorted)
    assert "line 4, column 'open_time'" in message and "earlier than" in message


def test_bad_timestamps(tmp_path):
    seconds = kline_text().replace(str(T0), str(T0 // 1000))
    assert "line 2, column 'open_time'" in bad_line(tmp_path, seconds)
    assert "line 3, column 'timestamp': cannot read 'soon'" in bad_line(
        tmp_path, "timestamp,BTCUSDT\n2024-01-01T00:00Z,1\nsoon,2\n", symbol=None)


def test_empty_files(tmp_path):
    assert "empty" in bad_line(tmp_path, "")
    assert "empty" in bad_line(tmp_path, "\n\n  \n")
    assert "no rows of data" in bad_line(tmp_path, HEADER + "\n")


def test_kline_needs_a_symbol(tmp_path):
    path = write(tmp_path, kline_text(), "ETHUSDT-1m-2024-01.csv")
    with pytest.raises(ScenarioError, match=r"symbol=.*'ETHUSDT'"):
        load_csv(path)


# --------------------------------------------------------------------------- properties

@settings(max_examples=40, deadline=None)
@given(vectors=st.lists(st.tuples(*[st.floats(-1, 1)] * 3), min_size=3, max_size=3),
       seed=st.integers(0, 2**32))
def test_any_gram_correlation_matrix_is_accepted(vectors, seed):
    v = np.array(vectors)
    norms = np.linalg.norm(v, axis=1)
    if (norms < 1e-3).any():
        return
    v = v / norms[:, None]
    matrix = np.clip(v @ v.T, -1, 1)
    np.fill_diagonal(matrix, 1.0)
    paths = random_paths(2, 20, STARTS, [0.03, 0.04, 0.05], matrix, seed=seed)
    assert paths.shape == (2, 21, 3)
    assert np.isfinite(paths).all() and (paths > 0).all()
    np.testing.assert_array_equal(paths[:, 0], np.broadcast_to(STARTS, (2, 3)))


@settings(max_examples=40, deadline=None)
@given(rho=st.floats(-1, 1), vol=st.floats(0, 0.5), n_steps=st.integers(1, 50))
def test_any_pair_correlation_is_accepted(rho, vol, n_steps):
    paths = random_paths(3, n_steps, [100.0, 10.0], vol, rho, seed=1)
    assert paths.shape == (3, n_steps + 1, 2)
    assert np.isfinite(paths).all() and (paths > 0).all()


# -- market_paths: the course's market in one call ------------------------------------------------
def test_market_paths_is_random_paths_of_the_course_market():
    from crossmargin.scenarios import (CORRELATION, DAILY_VOLATILITY, START_PRICES, market_paths,
                                       random_paths)
    symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    expected = random_paths(20, 50, [START_PRICES[s] for s in symbols],
                            [DAILY_VOLATILITY[s] for s in symbols], CORRELATION,
                            jump_probability=0.01, jump_size=-0.02, jump_volatility=0.01,
                            steps_per_day=288, seed=5)
    got = market_paths(symbols, 20, 50, jump_probability=0.01, jump_size=-0.02,
                       jump_volatility=0.01, steps_per_day=288, seed=5)
    assert np.array_equal(got, expected)
    one = market_paths("ETHUSDT", 3, 10, daily_volatility=0.1, correlation=1.0, seed=2)
    assert np.array_equal(one, random_paths(3, 10, START_PRICES["ETHUSDT"], 0.1, 1.0, seed=2))
    pair = market_paths(["SOLUSDT", "BTCUSDT"], 2, 5, correlation=-0.3, seed=1)
    assert pair[0, 0].tolist() == [START_PRICES["SOLUSDT"], START_PRICES["BTCUSDT"]]


@pytest.mark.parametrize("symbols", ["DOGEUSDT", [], ["BTCUSDT", 3], [["BTCUSDT"]]])
def test_market_paths_refuses_unknown_symbols(symbols):
    from crossmargin.scenarios import market_paths
    with pytest.raises(InvalidInput, match="symbols must be among BTCUSDT, ETHUSDT, SOLUSDT"):
        market_paths(symbols, 2, 5, seed=1)


def test_the_gap_scenarios_description_names_the_prices_of_its_own_path():
    """The description quotes the gap as the path has it (noise included), so the stop lab's
    text and the fill it prints agree."""
    frame = sc.gap_through_stop()
    btc = frame["BTCUSDT"]
    step = int(np.argmin(btc.pct_change().to_numpy()[1:])) + 1         # the gap
    assert f"({btc.iloc[step - 1]:,.0f} to {btc.iloc[step]:,.0f})" in frame.attrs["description"]

"""Contract specs: the funding interval and the stop-gap rule are read from the contract."""
import pandas as pd
import pytest

from crossmargin.engine.account import Account
from crossmargin.engine.contracts import (FUNDING_INTERVAL_HOURS, GAP_THRESHOLD, contract,
                                          default_contracts)
from crossmargin.lessons import stops


def test_every_shipped_contract_pays_funding_every_8_hours_and_gaps_at_half_a_percent():
    assert FUNDING_INTERVAL_HOURS == 8 and GAP_THRESHOLD == 0.005
    for spec in default_contracts().values():
        assert spec.funding_interval_hours == 8
        assert spec.gap_threshold == 0.005
    assert stops.GAP_THRESHOLD == GAP_THRESHOLD
    assert Account().gap_threshold == 0.005


def _funded(specs, hours):
    account = Account(specs, time="2024-01-01 00:30")
    account.deposit(10_000)
    account.mark({"BTCUSDT": 60_000})
    account.open("BTCUSDT", "long", 60_000, size=0.1)
    events = account.mark({"BTCUSDT": 60_000},
                          time=pd.Timestamp("2024-01-01 00:30") + pd.Timedelta(hours=hours))
    return pd.DataFrame([e for e in events if e["type"] == "funding"])


def test_funding_is_paid_at_the_contracts_own_interval():
    eight = _funded([contract("BTCUSDT")], 24)
    assert eight["time"].dt.hour.tolist() == [8, 16, 0]
    four = _funded([contract("BTCUSDT").with_(funding_interval_hours=4)], 24)
    assert four["time"].dt.hour.tolist() == [4, 8, 12, 16, 20, 0]
    assert four["amount"].tolist() == [eight["amount"].iloc[0]] * 6


def test_funding_with_two_intervals_pays_each_position_on_its_own_instants():
    specs = [contract("BTCUSDT").with_(funding_interval_hours=8),
             contract("ETHUSDT").with_(funding_interval_hours=3)]
    account = Account(specs, time="2024-01-01 00:00")
    account.deposit(10_000)
    account.mark({"BTCUSDT": 60_000, "ETHUSDT": 3_000})
    account.open("BTCUSDT", "long", 60_000, size=0.1)
    account.open("ETHUSDT", "short", 3_000, size=1)
    events = account.mark({"BTCUSDT": 60_000, "ETHUSDT": 3_000}, time="2024-01-01 12:00")
    paid = pd.DataFrame([e for e in events if e["type"] == "funding"])
    hours = {s: g["time"].dt.hour.tolist() for s, g in paid.groupby("symbol")}
    assert hours == {"BTCUSDT": [8], "ETHUSDT": [3, 6, 9, 12]}


def _stopped(account, mark):
    account.deposit(10_000)
    account.mark({"BTCUSDT": 60_000})
    account.open("BTCUSDT", "long", 60_000, size=0.1)
    account.set_stop_loss("BTCUSDT", 59_000)
    events = account.mark({"BTCUSDT": mark})
    return [e["price"] for e in events if e["type"] == "stop_loss"][0]


def test_the_stop_gap_rule_is_the_contracts_unless_the_account_sets_one():
    gap = 59_000 * (1 - 0.008)                      # 0.8 % past the trigger
    assert _stopped(Account(), gap) == pytest.approx(gap)          # > 0.5 %: fills at the mark
    wide = [contract("BTCUSDT").with_(gap_threshold=0.01)]
    assert _stopped(Account(wide), gap) == 59_000                  # < 1 %: fills at the trigger
    assert _stopped(Account(wide, gap_threshold=0.005), gap) == pytest.approx(gap)
    assert Account(wide).gap_threshold == 0.01


def test_gap_threshold_differs_by_symbol_when_the_contracts_differ():
    specs = [contract("BTCUSDT").with_(gap_threshold=0.01), contract("ETHUSDT")]
    assert Account(specs).gap_threshold == {"BTCUSDT": 0.01, "ETHUSDT": 0.005}

"""Each venue's own tier tables, compare_isolated's rows, OKX's forced partial liquidation."""
import numpy as np
import pytest

from crossmargin import platforms as p
from crossmargin.engine.brackets import Brackets
from crossmargin.errors import InvalidInput

BINANCE = Brackets.load("BTCUSDT")
BYBIT = Brackets.load("bybit-BTCUSDT")
OKX = Brackets.load("okx-BTCUSDT")


# -- the tables ---------------------------------------------------------------------------------
def test_bybit_btcusdt_is_the_margin_parameters_page():
    """Bybit "Margin Parameters", BTCUSDT: risk limit, max leverage, MMR, MMD of each tier."""
    assert not BYBIT.illustrative and len(BYBIT.floors) == 20
    assert BYBIT.lookup(1_999_999) == (0.005, 0.0) and BYBIT.max_leverage(0) == 100
    assert BYBIT.lookup(2_000_000) == (0.0056, 1_200.0)
    assert BYBIT.lookup(9_000_000) == (0.013, 46_000.0) and BYBIT.max_leverage(9e6) == 45
    assert BYBIT.lookup(79_000_000) == (0.045, 1_482_000.0)
    assert BYBIT.max_position_notional == 80_000_000
    assert "Margin Parameters" in BYBIT.source and BYBIT.date


def test_bybit_liquidation_price_example_1_with_bybit_tiers():
    """Bybit "Liquidation Price (USDT Contract)", Example 1: 1 BTC long at 20,000, 50x,
    MMR 0.5 % -> 19,700; the 20,000 USDT position is in tier 1 of Bybit's own table."""
    lp = p.bybit_isolated_liquidation_price("long", 1, 20_000, 50, brackets=BYBIT)
    assert lp == pytest.approx(19_700, abs=1e-9)


def test_okx_ethusdt_tiers_are_the_2021_announcement_in_contracts():
    """OKX 2021-06-11: 0-3,000 contracts 0.40 % 125x, -6,000 0.50 % 100x, -12,000 1.00 %
    66.66x, then 12,000 contracts and +0.5 % a tier; 0.1 ETH a contract at 2,500 USDT."""
    table = Brackets.load("okx-ETHUSDT")
    contracts = table.caps / (0.1 * 2_500)
    np.testing.assert_allclose(contracts[:5], [3_000, 6_000, 12_000, 24_000, 36_000])
    np.testing.assert_allclose(table.maintenance_margin_rates[:5],
                               [0.004, 0.005, 0.01, 0.015, 0.02])
    assert list(table.max_leverages[:4]) == [125, 100, 66.66, 50]
    assert table.deduction == "none" and table.illustrative


def test_okx_btcusdt_tiers_match_the_forced_liquidation_article():
    """OKX help 360020411711: tier 1 up to 2,000 swaps, tier 3 from 12,001, tier 3's MMR 2 %;
    0.01 BTC a contract, valued at 60,000 USDT."""
    contracts = OKX.caps / (0.01 * 60_000)
    np.testing.assert_allclose(contracts[:3], [2_000, 12_000, 22_000])
    assert OKX.maintenance_margin_rates[2] == 0.02
    assert OKX.lookup(9_000_000) == (0.02, 0.0)          # 15,000 contracts: tier 3


@pytest.mark.parametrize("name, illustrative", [
    ("bybit-BTCUSDT", False), ("bybit-ETHUSDT", True), ("bybit-SOLUSDT", True),
    ("okx-BTCUSDT", True), ("okx-ETHUSDT", True), ("okx-SOLUSDT", True)])
def test_each_table_is_dated_sourced_and_flagged(name, illustrative):
    table = Brackets.load(name)
    assert table.illustrative is illustrative
    assert table.date and table.source
    assert ("llustrative" in table.source) is illustrative
    assert table.symbol == name.split("-")[1]


# -- venue_tiers -------------------------------------------------------------------------------
@pytest.mark.parametrize("venue, expected", [
    ("Binance", "BTCUSDT"), ("Bybit", "bybit-BTCUSDT"), ("OKX", "okx-BTCUSDT")])
@pytest.mark.parametrize("coin", ["BTC", "btc", "BTCUSDT"])
def test_venue_tiers_loads_the_venues_own_table(venue, expected, coin):
    assert p.venue_tiers(venue, coin) is Brackets.load(expected)


def test_venue_tiers_for_hyperliquid_is_its_published_table():
    assert p.venue_tiers("Hyperliquid", "ETHUSDT") is p.HYPERLIQUID_TIERS["ETH"]


@pytest.mark.parametrize("venue, coin, shown", [
    ("Kraken", "BTC", "venue must be one of Binance, Bybit, OKX, Hyperliquid (got 'Kraken')"),
    ("OKX", 3, "coin must be a name like 'BTC' or 'BTCUSDT' (got 3)"),
    ("Bybit", "XRP", "coin 'XRP' has no Bybit tier table 'bybit-XRPUSDT' (shipped: "
                     "bybit-BTCUSDT, bybit-ETHUSDT, bybit-SOLUSDT)"),
])
def test_venue_tiers_bad_input(venue, coin, shown):
    with pytest.raises(InvalidInput) as err:
        p.venue_tiers(venue, coin)
    assert shown in str(err.value)


# -- compare_isolated: each row with its venue's tiers --------------------------------------------
@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize("coin", ["BTC", "ETH", "SOL"])
def test_compare_isolated_uses_each_venues_own_table(side, coin):
    binance = Brackets.load(f"{coin}USDT")
    size, entry, lev = 10.0, 3_000.0, 5          # 30,000 USDT notional, margin 6,000
    table = p.compare_isolated(side, size, entry, lev, binance, venues=p.COMPARED_VENUES)
    lp = table.set_index("venue")["liquidation_price"]
    assert lp["Binance"] == pytest.approx(
        p.binance_isolated_liquidation_price(side, size, entry, 6_000, brackets=binance))
    assert lp["Bybit"] == pytest.approx(p.bybit_isolated_liquidation_price(
        side, size, entry, lev, brackets=Brackets.load(f"bybit-{coin}USDT")))
    assert lp["OKX"] == pytest.approx(p.okx_isolated_liquidation_price(
        side, size, entry, 6_000, brackets=Brackets.load(f"okx-{coin}USDT")))
    hl = p.HYPERLIQUID_TIERS[coin]
    assert lp["Hyperliquid"] == pytest.approx(p.hyperliquid_isolated_liquidation_price(
        side, size, entry, 6_000, max_leverage=hl.max_leverage(30_000)))


def test_compare_isolated_notes_name_each_table():
    notes = p.compare_isolated("long", 1.0, 60_000, 10, BINANCE).set_index("venue")["note"]
    assert notes["Binance"].startswith("BTCUSDT tiers (2024-10-24)")
    assert notes["Bybit"].startswith(f"Bybit's BTCUSDT tiers ({BYBIT.date})")
    assert "illustrative" not in notes["Bybit"]
    assert notes["OKX"].startswith(f"OKX's BTCUSDT tiers ({OKX.date}, illustrative)")
    assert "MMR 0.50% of Q \u00d7 EP minus MMD 0" in notes["Bybit"]
    assert "one MMR (1.00%)" in notes["OKX"]


def test_compare_isolated_no_longer_gives_bybit_and_okx_binances_tiers():
    """Issue 11: at 12 BTC x 60,000 = 720,000 USDT Binance's tier is 0.65 % (cum 950), Bybit's
    0.5 % (MMD 0), OKX's 1 %: the three rows used to share Binance's 0.65 %."""
    lp = p.compare_isolated("long", 12.0, 60_000, 10, BINANCE).set_index("venue")[
        "liquidation_price"]
    assert lp["Bybit"] == pytest.approx(60_000 - (72_000 - 720_000 * 0.005) / 12)
    assert lp["OKX"] == pytest.approx((72_000 - 720_000) / (12 * (0.01 + 0.0005) - 12))
    assert lp["Bybit"] != pytest.approx(p.bybit_isolated_liquidation_price(
        "long", 12.0, 60_000, 10, brackets=BINANCE))


def test_compare_isolated_takes_your_own_venue_table():
    xrp = Brackets.from_tiers("XRPUSDT", [0, 100_000], [0.01, 0.02], [50, 25])
    with pytest.raises(InvalidInput, match=r"coin 'XRPUSDT' has no Bybit tier table .* "
                                           r"venue_brackets=\{'Bybit': table\}"):
        p.compare_isolated("long", 1_000, 1.0, 10, xrp)
    mine = Brackets.without_deduction("XRPUSDT", [0], [0.02], [20])
    table = p.compare_isolated("long", 1_000, 1.0, 10, xrp,
                               venue_brackets={"Bybit": xrp, "OKX": mine})
    lp = table.set_index("venue")["liquidation_price"]
    assert lp["OKX"] == pytest.approx(p.okx_isolated_liquidation_price(
        "long", 1_000, 1.0, 100, mmr=0.02))


@pytest.mark.parametrize("kwargs, shown", [
    (dict(venue_brackets={"Kraken": BYBIT}), "venue_brackets must map names from Bybit, OKX, "
                                             "Hyperliquid to Brackets tables"),
    (dict(venue_brackets={"Bybit": "bybit-BTCUSDT"}), "'bybit-BTCUSDT'"),
    (dict(venue_brackets=[BYBIT]), "venue_brackets must map"),
])
def test_compare_isolated_bad_venue_brackets(kwargs, shown):
    with pytest.raises(InvalidInput) as err:
        p.compare_isolated("long", 1.0, 60_000, 10, BINANCE, **kwargs)
    assert shown in str(err.value)


def test_compare_isolated_needs_binances_table():
    with pytest.raises(InvalidInput, match=r"needs brackets, Binance's tier table.*\(got None\)"):
        p.compare_isolated("long", 1.0, 60_000, 10, None)


# -- OKX forced partial liquidation ---------------------------------------------------------------
MARK = 60_000.0          # okx-BTCUSDT's reference price: 2,000 contracts of 0.01 BTC = 1.2M USDT
CONTRACT = 0.01          # BTC a contract (OKX BTC-USDT-SWAP)


def test_okx_published_example_15000_contracts_close_13000_to_tier_1():
    """OKX help 360020411711 "Forced Partial or Full Liquidation": a position of 15,000 swaps
    at tier 3 (>= 12,001) below tier 3's requirement (MMR 2 %) is reduced to tier 1's
    maximum, 2,000 swaps: 15,000 - 2,000 = 13,000 closed.

    The article gives the sizes and tier 3's 2 %, but neither the equity nor tiers 1-2's
    rates: those come from the reconstructed okx-BTCUSDT table (1 %, 1.5 %), and the equity
    100,000 USDT is chosen between tier 1's requirement (1.2M x 1.05 % = 12,600) and tier 2's
    (7.2M x 1.55 % = 111,600), where the article's outcome follows.
    """
    size = 15_000 * CONTRACT
    assert OKX.tier(size * MARK) == 2                       # tier 3 (0-based 2)
    result = p.okx_partial_liquidation(size, 100_000, OKX, MARK)
    assert result.close_size / CONTRACT == pytest.approx(13_000)
    assert result.remaining_size / CONTRACT == pytest.approx(2_000)
    assert result.tier == 1 and not result.full_liquidation


@pytest.mark.parametrize("equity, closed, tier", [
    (184_501, 0, 3),          # above 9M x 2.05 % = 184,500: no liquidation, still tier 3
    (184_500, 3_000, 2),      # ratio exactly 100 %: liquidation; tier 2 (111,600) is met
    (111_600.01, 3_000, 2),   # just above tier 2's requirement
    (111_600, 13_000, 1),     # at tier 2's requirement: not met, tier 1 is
    (12_600.01, 13_000, 1),
])
def test_okx_partial_liquidation_reaches_the_highest_tier_met(equity, closed, tier):
    result = p.okx_partial_liquidation(15_000 * CONTRACT, equity, OKX, MARK)
    assert result.close_size / CONTRACT == pytest.approx(closed)
    assert result.tier == tier and not result.full_liquidation


@pytest.mark.parametrize("contracts, equity", [
    (15_000, 12_600),         # not even tier 1's requirement
    (15_000, -50),              # equity gone
    (5_000, 30_000),           # tier 2 (3M x 1.55 % = 46,500 not met): OKX fully liquidates
])
def test_okx_full_liquidation(contracts, equity):
    result = p.okx_partial_liquidation(contracts * CONTRACT, equity, OKX, MARK)
    assert result == p.OkxLiquidation(contracts * CONTRACT, 0.0, None, True)


def test_okx_partial_liquidation_fee_rate_counts_in_the_requirement():
    size = 15_000 * CONTRACT
    # 120,000 meets tier 2 with the default 0.05 % fee (111,600) but not with 0.2 % (122,400).
    assert p.okx_partial_liquidation(size, 120_000, OKX, MARK).tier == 2
    assert p.okx_partial_liquidation(size, 120_000, OKX, MARK, fee_rate=0.002).tier == 1


@pytest.mark.parametrize("args, kwargs, shown", [
    ((0, 1_000, OKX, MARK), {}, "size must be > 0 (got 0)"),
    ((1, float("nan"), OKX, MARK), {}, "equity must be a finite number (got nan)"),
    ((1, 1_000, OKX, -1), {}, "mark_price must be > 0 (got -1)"),
    ((1, 1_000, "okx-BTCUSDT", MARK), {}, "tiers must be a Brackets table, e.g. "
                                          "Brackets.load('okx-BTCUSDT') (got 'okx-BTCUSDT')"),
    ((1, 1_000, OKX, MARK), dict(fee_rate=1.5), "fee_rate must be < 1 (got 1.5)"),
    ((1_000, 1_000, OKX, MARK), {}, "size x mark_price must be <= 55,200,000.00 USDT, the "
                                    "largest position in the BTCUSDT table (got 60,000,000.00)"),
    (([1, 2], 1_000, OKX, MARK), {}, "size must be a number"),
])
def test_okx_partial_liquidation_bad_input(args, kwargs, shown):
    with pytest.raises(InvalidInput) as err:
        p.okx_partial_liquidation(*args, **kwargs)
    assert shown in str(err.value)

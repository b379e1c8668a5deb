"""CollateralBuilder: bars and labels are the engine's margin values of each asset."""
import pytest

from crossmargin import Account
from crossmargin.engine.contracts import COLLATERAL_VALUE_RATIOS
from crossmargin.errors import InvalidInput
from crossmargin.widgets import CollateralBuilder
from crossmargin.widgets.style import fmt_usdt

RATIO = COLLATERAL_VALUE_RATIOS


def test_bars_show_margin_value_and_haircut_per_asset():
    w = CollateralBuilder(usdt=4_000, btc=0.2, eth=2, btc_price=60_000, eth_price=3_000)
    counted, haircut = (list(row) for row in w.bars.y)
    assert list(w.bars.x) == ["USDT", "BTC", "ETH"]
    assert counted == pytest.approx([4_000, 0.2 * 60_000 * RATIO["BTC"], 2 * 3_000 * RATIO["ETH"]])
    assert haircut == pytest.approx([0, 0.2 * 60_000 * (1 - RATIO["BTC"]),
                                     2 * 3_000 * (1 - RATIO["ETH"])])
    assert list(w.before.y) == pytest.approx(counted)      # no move yet
    total = Account()
    total.deposit(4_000)
    total.deposit(0.2, "BTC", price=60_000)
    total.deposit(2, "ETH", price=3_000)
    assert fmt_usdt(total.summary()["cross_wallet_balance"]) in w.total_label.value
    assert fmt_usdt(4_000 + 12_000 + 6_000) in w.market_label.value
    assert "cm-collateral-builder" in w._dom_classes


def test_btc_fall_shrinks_only_btc_and_the_labels_say_by_how_much():
    w = CollateralBuilder(usdt=5_000, btc=0.1, eth=1)
    before = list(w.bars.y[0])
    w.btc_move.value = -30
    after = list(w.bars.y[0])
    account = Account()
    account.deposit(0.1, "BTC", price=60_000)
    account.mark({"BTCUSDT": 42_000})
    assert after[1] == pytest.approx(account.summary()["cross_wallet_balance"])
    assert after[0] == before[0] and after[2] == before[2]
    assert list(w.before.y) == pytest.approx(before)
    change = sum(after) - sum(before)
    assert change == pytest.approx(-0.1 * 18_000 * RATIO["BTC"])
    assert f"{change:+,.2f} USDT" in w.change_label.value
    assert "42,000.00" in w.change_label.value
    assert w.y_scale.max >= max(w.collateral_table()["market_value"])


def test_eth_can_follow_btc():
    w = CollateralBuilder(usdt=0, btc=0, eth=1, btc_move=-20)
    assert w.bars.y[0][2] == pytest.approx(3_000 * RATIO["ETH"])
    w.eth_follows.value = True
    assert w.bars.y[0][2] == pytest.approx(2_400 * RATIO["ETH"])
    assert "BTC and ETH -20 %" in w.change_label.value


@pytest.mark.parametrize("move", [-50, 50])
def test_extremes_and_empty_wallet_never_raise(move):
    w = CollateralBuilder(usdt=0, btc=0, eth=0)
    w.btc_move.value = move
    assert list(w.bars.y[0]) == [0, 0, 0]
    assert fmt_usdt(0) in w.total_label.value and "--" in w.change_label.value
    w.btc.value = w.btc.max
    assert w.bars.y[0][1] > 0


@pytest.mark.parametrize("kwargs", [dict(usdt=-1), dict(btc="lots"), dict(eth=float("nan")),
                                    dict(btc_price=0), dict(btc_move=-80),
                                    dict(eth_follows="yes")])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(InvalidInput):
        CollateralBuilder(**kwargs)

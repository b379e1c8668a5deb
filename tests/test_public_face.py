"""The public face (crossmargin/__init__.py): every name in ``__all__`` is importable, and the
venue names a learner uses are the engine's own objects, not copies."""
import crossmargin
from crossmargin.engine import market, venues


def test_every_name_in_all_exists_once():
    assert len(crossmargin.__all__) == len(set(crossmargin.__all__))
    missing = [name for name in crossmargin.__all__ if not hasattr(crossmargin, name)]
    assert not missing, missing


def test_venue_names_are_exported_from_the_engine():
    from crossmargin import InsuranceFund, Market, Venue, VENUE_NAMES, venue
    assert {"Venue", "venue", "VENUE_NAMES", "Market", "InsuranceFund"} <= set(crossmargin.__all__)
    assert venue is venues.venue and Venue is venues.Venue and VENUE_NAMES is venues.VENUE_NAMES
    assert Market is market.Market and InsuranceFund is market.InsuranceFund


def test_each_public_venue_name_builds_an_account_on_that_venue():
    assert crossmargin.VENUE_NAMES[0] == "binance"          # the default comes first
    for name in crossmargin.VENUE_NAMES:
        rules = crossmargin.venue(name)
        assert isinstance(rules, crossmargin.Venue) and rules.name == name
        assert crossmargin.Account(venue=name).venue is rules


def test_a_market_from_the_public_face_shares_one_fund():
    market_ = crossmargin.Market(insurance_fund=crossmargin.InsuranceFund(500.0))
    trader = market_.add(crossmargin.Account(), "trader")
    assert trader.insurance_fund is market_.insurance_fund
    assert market_.insurance_fund.balance == 500.0

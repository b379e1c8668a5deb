"""The rest of the market: an insurance fund, and the other accounts that can be
auto-deleveraged (ADL) when the fund cannot pay for a bankrupt position.

Binance, Bybit and Hyperliquid publish the same two-stage rule (shared/reference/
venues-and-liquidation.md, section 1): a liquidated position that closes worse than its
bankruptcy price leaves a deficit; the **insurance fund** pays it while it can; what it cannot
pay is taken from **opposite profitable positions**, closed at the bankruptcy price, ranked
by profit and leverage. Nothing is created or destroyed: what the bankrupt trader's deficit
costs, the fund and the deleveraged traders pay (a property test checks it).

Assumed (the venues publish the ranking in words only): the ADL score is the position's
unrealized PnL on its initial margin times the account's effective leverage (notional of
all its positions / margin balance); profitable positions only, highest score first.
"""
import math

from .._validate import finite, non_negative, positive, side_sign
from ..errors import InvalidInput

__all__ = ["InsuranceFund", "Market", "adl_score"]


class InsuranceFund:
    """A venue's insurance fund: ``balance`` (``math.inf``: it never runs out, the default
    for an account trading alone), what it has ``received`` and ``paid``."""

    def __init__(self, balance=math.inf):
        field = "insurance fund balance"
        infinite = (isinstance(balance, (int, float)) and not isinstance(balance, bool)
                    and math.isinf(balance))
        value = balance if infinite else finite(balance, field)
        if value < 0:
            raise InvalidInput(f"{field} must be >= 0 (got {balance!r})")
        self.balance = value
        self.received = 0.0
        self.paid = 0.0
        #: What a deficit left unpaid when the fund was empty and nobody could be deleveraged.
        self.shortfall = 0.0

    def receive(self, amount):
        """Take the venue's share of a liquidation (a fee or the remaining margin)."""
        amount = non_negative(amount, "amount")
        self.balance += amount
        self.received += amount

    def pay(self, amount):
        """Pay up to ``amount`` of a deficit; returns what was paid."""
        paid = min(non_negative(amount, "amount"), self.balance)
        self.balance -= paid
        self.paid += paid
        return paid

    def __repr__(self):
        return (f"<InsuranceFund balance {self.balance:,.2f}, received {self.received:,.2f}, "
                f"paid {self.paid:,.2f}>")


def adl_score(upnl, initial_margin, notional, margin_balance):
    """ADL ranking of a position: ``upnl / initial_margin * notional / margin_balance``
    (profit on margin times effective leverage); 0 for a loss or an empty account."""
    if upnl <= 0 or initial_margin <= 0 or margin_balance <= 0:
        return 0.0
    return upnl / initial_margin * notional / margin_balance


class Market:
    """Accounts that trade on one venue and share its insurance fund.

    >>> from crossmargin import Account
    >>> market = Market(insurance_fund=0.0)
    >>> trader, crowd = market.add(Account(), "trader"), market.add(Account(), "crowd")
    """

    def __init__(self, *, insurance_fund=math.inf):
        self.insurance_fund = (insurance_fund if isinstance(insurance_fund, InsuranceFund)
                               else InsuranceFund(insurance_fund))
        self.accounts = {}
        self.events = []            # (account name, event) for every event, in order

    def add(self, account, name=None):
        """Put ``account`` in this market (it then uses the market's fund); returns it."""
        from .account import Account          # account.py imports this module
        if not isinstance(account, Account):
            raise InvalidInput(f"account must be an Account (got {account!r})")
        name = f"account {len(self.accounts) + 1}" if name is None else str(name)
        first = next(iter(self.accounts.values()), None)
        if first is not None and account.venue.name != first.venue.name:
            raise InvalidInput(f"account {name!r} trades on {account.venue.title} but this "
                               f"market's accounts trade on {first.venue.title}")
        if name in self.accounts:
            raise InvalidInput(f"name must be new in this market (got {name!r})")
        if account.market is not None:
            raise InvalidInput(f"account {name!r} already trades in another market")
        if account.open_symbols:
            raise InvalidInput(f"account {name!r} must join before it opens positions "
                               f"(it holds {', '.join(account.open_symbols)})")
        account.market, account.insurance_fund = self, self.insurance_fund
        self.accounts[name] = account
        return account

    def name_of(self, account):
        return next(n for n, a in self.accounts.items() if a is account)

    def mark(self, prices, time=None, *, last=None):
        """Mark every account (in the order they joined); returns ``(name, event)`` pairs,
        including the ADL events of accounts deleveraged by another's liquidation."""
        start = len(self.events)
        for name, account in self.accounts.items():
            for event in account.mark(prices, time, last=last):
                self.events.append((name, event))
        return self.events[start:]

    def deleverage(self, bankrupt, symbol, side, size, price):
        """Close up to ``size`` of ``symbol`` held on the side opposite to ``side`` by the
        other accounts, best ADL score first, at the bankruptcy ``price``; returns the size
        closed. Each close is an ``"adl"`` event of the account that lost the position."""
        if bankrupt not in self.accounts.values():
            raise InvalidInput(f"bankrupt must be an account of this market (got {bankrupt!r})")
        opposite = "short" if side_sign(side) > 0 else "long"
        size, price = positive(size, "size"), positive(price, "price")
        # ranked at the bankrupt account's marks: the accounts marked after it in this step
        # still hold the previous prices
        marks = {s: bankrupt.mark_price(s) for s in bankrupt.contracts
                 if bankrupt.mark_price(s) is not None}
        ranked = sorted(((a.adl_score(symbol, marks), n, a) for n, a in self.accounts.items()
                         if a is not bankrupt and symbol in a.contracts
                         and a.position_side(symbol) == opposite),
                        key=lambda t: -t[0])
        left = size
        for score, name, account in ranked:
            if left <= 0 or score <= 0:
                break
            event = account.deleverage(symbol, left, price)
            left -= event["size"]
            self.events.append((name, event))
        return size - left

    def total_money(self):
        """Every account's equity plus the insurance fund (finite funds only): what the
        property tests check is conserved."""
        return sum(a.summary()["equity"] for a in self.accounts.values()) + \
            self.insurance_fund.balance

import pytest

from crossmargin import Account


@pytest.fixture
def account():
    """10,000 USDT, nothing open, BTC at 60,000 and ETH at 3,000."""
    acc = Account()
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 60_000, "ETHUSDT": 3_000})
    return acc

import os

import pytest
from hypothesis import settings

from crossmargin import Account


@pytest.fixture
def account():
    """10,000 USDT, nothing open, BTC at 60,000 and ETH at 3,000."""
    acc = Account()
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 60_000, "ETHUSDT": 3_000})
    return acc


# CI runs the property tests derandomized, so a red build is reproducible; locally they explore.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

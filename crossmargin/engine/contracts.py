"""Contract specs of the USDT-margined perpetuals the course trades.

Fees: Binance USDⓈ-M regular tier, maker 0.02 %, taker 0.05 % of notional.
Liquidation (clearance) fee: Binance exchangeInfo ``liquidationFee``, 1.25 %
seen for BTCUSDT (assumed for the others). Funding every 8 h at 00:00, 08:00
and 16:00 UTC; 0.01 % per interval is the baseline rate used by default.
Stop-market fills: at the trigger price, or at the mark when the price gapped more
than 0.5 % past the trigger in one step (the course's slippage rule).
Collateral value ratios (Multi-Assets mode, cross only): Binance, 2021.
"""
from dataclasses import dataclass, replace

from .brackets import Brackets
from ..errors import InvalidInput, UnknownSymbol

__all__ = ["Contract", "contract", "default_contracts", "contract_specs",
           "COLLATERAL_VALUE_RATIOS", "FUNDING_INTERVAL_HOURS", "GAP_THRESHOLD"]

#: Hours between two funding payments (Binance USDⓈ-M: 8 h, at 00:00, 08:00 and 16:00 UTC).
FUNDING_INTERVAL_HOURS = 8
#: A stop fills at the mark instead of its trigger when the price moved more than this
#: fraction of the trigger past it in one step (0.005 = 0.5 %).
GAP_THRESHOLD = 0.005

#: Share of a non-USDT asset's value that counts as margin (Binance Multi-Assets mode, 2021).
#: USDT counts in full: the engine models single-asset USDT plus these assets.
COLLATERAL_VALUE_RATIOS = {"USDT": 1.0, "BTC": 0.95, "ETH": 0.95, "BNB": 0.95, "SOL": 0.90}


@dataclass(frozen=True)
class Contract:
    """One perpetual: its symbol, bracket table, fees, funding and stop-fill rule."""

    symbol: str
    brackets: Brackets
    base: str
    quote: str = "USDT"
    maker_fee: float = 0.0002
    taker_fee: float = 0.0005
    liquidation_fee_rate: float = 0.0125
    funding_rate: float = 0.0001
    funding_interval_hours: int = FUNDING_INTERVAL_HOURS
    gap_threshold: float = GAP_THRESHOLD

    @property
    def max_leverage(self):
        """Highest leverage of the first tier (what the leverage slider allows)."""
        return self.brackets.max_leverage(0.0)

    @property
    def ccxt_symbol(self):
        """The unified symbol ccxt uses, e.g. ``BTC/USDT:USDT``."""
        return f"{self.base}/{self.quote}:{self.quote}"

    def with_(self, **changes):
        """A copy with some fields changed, e.g. ``contract("BTCUSDT").with_(taker_fee=0)``."""
        return replace(self, **changes)


def _build(symbol, table, base):
    return Contract(symbol, Brackets.load(table), base)


def default_contracts():
    """The contracts an :class:`~crossmargin.Account` trades unless told otherwise."""
    return {c.symbol: c for c in (_build("BTCUSDT", "BTCUSDT", "BTC"),
                                  _build("ETHUSDT", "ETHUSDT", "ETH"),
                                  _build("SOLUSDT", "SOLUSDT", "SOL"))}


def contract_specs(contracts=None):
    """``{symbol: Contract}`` from a list or dict of :class:`Contract` specs (None: the
    defaults); anything that is not a Contract is refused."""
    if contracts is None:
        return default_contracts()
    items = contracts.values() if isinstance(contracts, dict) else contracts
    specs = {}
    for spec in items:
        if not isinstance(spec, Contract):
            raise InvalidInput(f"contracts must be Contract specs (got {spec!r})")
        specs[spec.symbol] = spec
    return specs


def contract(symbol, *, brackets=None):
    """The default contract for ``symbol``; ``brackets`` names another shipped table."""
    specs = default_contracts()
    if symbol not in specs:
        raise UnknownSymbol(f"symbol {symbol!r} has no contract spec (known: {', '.join(specs)})")
    spec = specs[symbol]
    return spec.with_(brackets=Brackets.load(brackets)) if brackets else spec

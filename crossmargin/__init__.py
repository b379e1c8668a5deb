"""Cross Margin, Step by Step: an exact, small engine of USDT-margined perpetuals.

The public API, in the words of the course::

    from crossmargin import Account, formulas, Brackets, scenarios
"""
from . import formulas, montecarlo, platforms, scenarios, simulate
from .account import Account, Position
from .brackets import Brackets
from .contracts import Contract, contract, default_contracts
from .errors import (CrossMarginError, InsufficientBalance, InvalidInput, LeverageTooHigh,
                     MarginModeLocked, NoPosition, ScenarioError, UnknownSymbol)
from .formulas import (initial_margin, liquidation_price, maintenance_margin, margin_ratio,
                       notional, unrealized_pnl)
from .simulate import Order, compare_modes, replay

__version__ = "0.1.0"

__all__ = [
    "Account", "Position", "Order", "replay", "compare_modes", "montecarlo", "platforms", "scenarios",
    "simulate", "Brackets", "Contract", "contract", "default_contracts", "formulas",
    "unrealized_pnl", "notional", "initial_margin", "maintenance_margin", "margin_ratio",
    "liquidation_price", "CrossMarginError", "InvalidInput", "UnknownSymbol",
    "InsufficientBalance", "LeverageTooHigh", "MarginModeLocked", "NoPosition", "ScenarioError",
]

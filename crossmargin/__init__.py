"""Cross Margin, Step by Step: an exact, small engine of USDT-margined perpetuals.

The public API, in the words of the course::

    from crossmargin import Account, formulas, Brackets, scenarios
    from crossmargin import venue, VENUE_NAMES, Market, InsuranceFund   # Account(venue="okx")

The package in layers (each folder one layer; imports point down only, see ARCHITECTURE.md):
``engine`` (the exchange's rules) ← ``scenarios`` and ``simulation`` (price paths, the engine
run over them) ← ``lessons`` (what each lesson measures) ← ``widgets`` and ``course``.
"""
import sys as _sys

from ._moved import install as _install_forwarder

_install_forwarder()

try:
    from . import scenarios
    from .engine import formulas, platforms
    from .engine.account import Account, Position
    from .engine.brackets import Brackets
    from .engine.contracts import Contract, contract, default_contracts
    from .engine.formulas import (bankruptcy_price, initial_margin, liquidation_price,
                                  maintenance_margin, margin_ratio, notional, unrealized_pnl)
    from .engine.market import InsuranceFund, Market
    from .engine.venues import VENUE_NAMES, Venue, venue
    from .errors import (CrossMarginError, InsufficientBalance, InvalidInput, LeverageTooHigh,
                         MarginModeLocked, NoPosition, ScenarioError, UnknownSymbol)
    from .simulation import montecarlo
    from .simulation import replay as simulate
    from .simulation.replay import Order, compare_modes, replay
    from .simulation.shocks import Leg, liquidation_move, shock_outcomes
except ModuleNotFoundError as _missing:
    # numpy or pandas is not importable: this is not the course's environment. While
    # ``python -m crossmargin ...`` locates its __main__ (sys.argv[0] is "-m" then), carry on
    # without the engine so that the doctor (standard library only) can say what to do;
    # anywhere else, stop with that diagnosis instead of numpy's bare ModuleNotFoundError.
    from .doctor import ENGINE_PACKAGES, wrong_environment
    if _missing.name not in ENGINE_PACKAGES:
        raise
    if _sys.argv[:1] != ["-m"] or __name__ not in getattr(_sys, "orig_argv", [__name__]):
        raise ImportError(wrong_environment()) from None

__version__ = "0.1.0"

__all__ = [
    "Account", "Position", "Venue", "venue", "VENUE_NAMES", "Market", "InsuranceFund",
    "Order", "replay", "compare_modes", "montecarlo", "platforms", "scenarios", "simulate",
    "Brackets", "Contract", "contract", "default_contracts", "formulas",
    "unrealized_pnl", "notional", "initial_margin", "maintenance_margin", "margin_ratio",
    "liquidation_price", "bankruptcy_price", "Leg", "shock_outcomes", "liquidation_move",
    "CrossMarginError", "InvalidInput", "UnknownSymbol",
    "InsufficientBalance", "LeverageTooHigh", "MarginModeLocked", "NoPosition", "ScenarioError",
]

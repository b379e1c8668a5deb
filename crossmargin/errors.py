"""Errors raised by the engine.

Every error is a ``ValueError`` subclass whose message names the field, the
value that was given and the limit it broke, e.g.::

    InvalidInput: size must be > 0 (got -1.0)
"""


class CrossMarginError(ValueError):
    """Base class of every error the engine raises on bad input."""


class InvalidInput(CrossMarginError):
    """A number or a name is malformed or out of range."""


class UnknownSymbol(CrossMarginError):
    """The symbol has no contract spec."""


class InsufficientBalance(CrossMarginError):
    """The order or withdrawal needs more than the available balance."""


class LeverageTooHigh(CrossMarginError):
    """Leverage above the bracket's (or contract's) maximum."""


class MarginModeLocked(CrossMarginError):
    """Margin mode cannot change while the symbol has an open position."""


class NoPosition(CrossMarginError):
    """The operation needs an open position in the symbol."""


class ScenarioError(InvalidInput):
    """A price path or a candle file is malformed (message names line and column)."""

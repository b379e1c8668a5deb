"""What the exercises of several lessons compute the same way (mostly for the slips they name).

Not a lesson: the registry reads only the ``lessonNN`` modules.
"""
from ...engine.contracts import contract

__all__ = ["opening_fees"]


def opening_fees(legs):
    """The taker fees paid to open ``legs`` (each :class:`~crossmargin.simulation.shocks.Leg`'s
    notional × its contract's taker fee): what left the wallet before any price moved."""
    return sum(leg.notional * contract(leg.symbol).taker_fee for leg in legs)

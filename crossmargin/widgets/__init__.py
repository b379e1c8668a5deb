"""The course's interactive tools (ipywidgets + bqplot), one module per tool.

Each tool is a class that displays itself and exposes its controls, figures and
labels as attributes, so tests (and curious learners) can drive it::

    from crossmargin.widgets import LeverageExplorer
    explorer = LeverageExplorer()
    explorer                      # shows it
    explorer.leverage.value = 50  # moves the slider; the plot follows

Widgets never do margin math themselves: they call the engine.
"""
import importlib

from .quiz import Quiz
from .style import COLORS

# Tool name -> module; imported on first use so one broken tool cannot hide the others.
_TOOLS = {
    "SetupCheck": "setup_check",
    "LeverageExplorer": "leverage_explorer",
    "ModeExplorer": "mode_explorer",
    "CollateralBuilder": "collateral_builder",
    "OrderTicket": "order_ticket",
    "MarginRatioMonitor": "margin_monitor",
    "StopLossLab": "stop_loss_lab",
    "ModeTimelines": "mode_timelines",
    "MarginRatioWalk": "margin_walk",
    "HedgeLab": "hedge_lab",
    "HedgeChart": "hedge_lab",
    "CascadeLab": "cascade_lab",
    "LiquidationChase": "cascade_lab",
    "CapstoneReport": "capstone_report",
    "ReserveTool": "reserve_tool",
    "SignalChart": "signal_chart",
    "LiquidationStepper": "liquidation_stepper",
    "VenueSwitcher": "venue_switcher",
}

__all__ = ["Quiz", "COLORS", *_TOOLS]


def __getattr__(name):
    if name in _TOOLS:
        return getattr(importlib.import_module(f"{__name__}.{_TOOLS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

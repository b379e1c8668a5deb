"""App mode: the course's main explorers in one tabbed view, large enough for a projector.

``make app`` serves ``notebooks/app.ipynb`` with Voila (no code on screen, only the
tools). In any notebook::

    from crossmargin.widgets.app import explorers
    explorers()                                   # every explorer, one tab each
    explorers(["ModeExplorer", "StopLossLab"], font_size=24)
"""
import html

import ipywidgets as W

from .. import widgets
from .._validate import finite
from ..errors import InvalidInput

#: Tool name in :mod:`crossmargin.widgets` -> (tab title, lesson that teaches it).
EXPLORERS = {
    "LeverageExplorer": ("Leverage", "01"),
    "ModeExplorer": ("Cross vs isolated", "02"),
    "MarginRatioMonitor": ("Margin ratio", "05"),
    "LiquidationStepper": ("At 100 %", "06"),
    "StopLossLab": ("Stop loss", "07"),
    "HedgeLab": ("Hedging", "09"),
    "CascadeLab": ("Cascades", "10"),
}
TITLE = "Cross Margin, Step by Step"
FONT_SIZES = (12, 40)
#: Height of every figure in the app (pixels): with the figure beside the controls, each tab
#: fits a 1280x720 screen at the default font size.
FIGURE_HEIGHT = 300

# Scoped to the app (class cm-app): ipywidgets' own size variables, the HTML labels (the tools
# write some sizes inline, hence !important), bqplot's text, tabs as wide as their titles,
# figures and sliders as wide as the screen.
# Each tab fits a 1280x720 screen: a tool laid out as one column (controls, figure, results)
# shows its figure in a right-hand column beside the controls and results, with its legend
# (cm-key) right under it (same grid area, pushed down by the figure's fixed height). Their
# negative bottom margins keep them from stretching the rows on the left; the min-height
# keeps them inside the tab. Figures are FIGURE_HEIGHT tall (the gauge keeps its own); the
# tools' tables are in smaller type.
_ONE_COLUMN = (".cm-app .cm-app-tabs .widget-tab-contents > "
               ".widget-vbox:not(.lm-mod-hidden):has(> .bqplot)")
_CSS = """
.cm-app {{
  --jp-widgets-font-size: {size}px;
  --jp-widgets-inline-height: {inline}px;
  --jp-widgets-inline-label-width: {label}px;
  --jp-widgets-slider-handle-size: {handle}px;
  --jp-widgets-horizontal-tab-height: {inline}px;
  font-size: {size}px;
}}
.cm-app .widget-html-content, .cm-app .widget-html-content * {{
  font-size: {size}px !important; line-height: 1.35;
}}
.cm-app .cm-app-title .widget-html-content, .cm-app .cm-app-title b {{
  font-size: {title}px !important;
}}
.cm-app .cm-app-subtitle {{ color: #555; margin-left: 0.5em; }}
.cm-app .cm-app-tabs.jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab {{ flex: 0 1 auto; }}
.cm-app .bqplot {{ max-width: 100% !important; }}
.cm-app .bqplot text {{ font-size: {small}px !important; }}
.cm-app .bqplot text.mainheading {{ font-size: {size}px !important; }}
.cm-app .widget-slider, .cm-app .jupyter-widget-slider {{ max-width: 100% !important; }}
{one_column} {{
  display: grid !important;
  grid-template-columns: minmax(0, 1fr) minmax(0, 1.15fr);
  grid-template-rows: repeat(12, auto);
  column-gap: 18px; align-items: start; align-content: start;
  min-height: {grid_min}px;
}}
{one_column} > * {{
  grid-column: 1; width: auto !important; max-width: 100% !important; min-width: 0 !important;
}}
{one_column} > .bqplot {{
  grid-column: 2; grid-row: 1 / 13; width: 100% !important; margin-bottom: -2000px !important;
}}
{one_column} > .cm-key {{
  grid-column: 2; grid-row: 1 / 13; margin-top: {key_top}px !important;
  margin-bottom: -2000px !important;
}}
.cm-app .bqplot:not(.cm-gauge) {{ height: {figure}px !important; }}
{one_column} > .cm-liquidation-stepper-summary {{
  grid-column: 2; grid-row: 1 / 13; margin-top: {key_top}px !important;
  margin-bottom: -2000px !important;
}}
.cm-app .cm-liquidation-stepper-totals .widget-html-content,
.cm-app .cm-liquidation-stepper-events-list .widget-html-content *,
.cm-app .cm-liquidation-stepper-summary .widget-html-content {{
  font-size: {small}px !important;
}}
.cm-app .cm-positions .widget-html-content *, .cm-app table, .cm-app table * {{
  font-size: {small}px !important;
}}
"""


def explorers(tools=tuple(EXPLORERS), *, font_size=20):
    """The course's explorers in one ``Tab`` (one tab per tool) under a title, for projecting.

    ``tools``: names from :data:`EXPLORERS`, in the order of the tabs; ``font_size``: text
    size in pixels (12 to 40). Returns a ``VBox`` (CSS class ``cm-app``) whose ``tabs`` is
    the ``Tab`` and ``tools`` maps each tool name to its (default) explorer.
    """
    names = [tools] if isinstance(tools, str) else tools
    if not isinstance(names, (list, tuple)) or not names \
            or any(not isinstance(n, str) or n not in EXPLORERS for n in names):
        raise InvalidInput(f"tools must name explorers from {', '.join(EXPLORERS)} "
                           f"(got {tools!r})")
    if len(set(names)) < len(names):
        raise InvalidInput(f"tools must name each explorer once (got {tools!r})")
    low, high = FONT_SIZES
    if not low <= finite(font_size, "font_size") <= high:
        raise InvalidInput(f"font_size must be from {low} to {high} pixels (got {font_size!r})")

    built = {name: getattr(widgets, name)() for name in names}
    tabs = W.Tab(children=list(built.values()),
                 titles=[f"{EXPLORERS[n][1]} · {EXPLORERS[n][0]}" for n in names])
    tabs.add_class("cm-app-tabs")
    size = round(font_size)
    css = _CSS.format(size=size, small=round(size * 0.8), title=round(size * 1.4),
                      figure=FIGURE_HEIGHT, key_top=FIGURE_HEIGHT + 6,
                      grid_min=FIGURE_HEIGHT + 100, one_column=_ONE_COLUMN,
                      inline=round(size * 1.7), label=size * 5, handle=round(size * 1.1))
    style = W.HTML(f"<style>{css}</style>")
    style.add_class("cm-app-style")
    header = W.HTML(f"<b>{html.escape(TITLE)}</b> <span class='cm-app-subtitle'>interactive "
                    f"explorers · the number on a tab is its lesson</span>")
    header.add_class("cm-app-title")
    app = W.VBox([style, header, tabs])
    app.add_class("cm-app")
    app.tabs, app.tools = tabs, built
    return app

"""Hedge lab: hedge ratio × correlation → how a BTC long / ETH short pair ends, isolated vs cross.

:class:`HedgeLab` is the tool: two sliders (hedge ratio 0–1.5, correlation −1…1)
choose the pair and the market; a Monte Carlo over seeded random paths
(:func:`crossmargin.lessons.hedging.hedge_outcomes`) gives the distribution of final
equity in both margin modes (grouped bars) and four numbers per mode: odds of any
liquidation, odds of a wipe-out, median final equity, upside kept. Every slider setting
(16 × 21) is one cell of a :class:`~crossmargin.widgets.precompute.Grid`: the tool computes
the one it opens on, then the others in the background, nearest first (tens of seconds
for 1,000 paths); a slider move is a lookup, and a setting not reached yet shows
"computing…" and is computed next.

:class:`HedgeChart` draws one column of :func:`crossmargin.lessons.hedging.hedge_grid`
against the hedge ratio: one line per margin mode and correlation.
"""
from collections import namedtuple

import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd

from ..lessons import hedging
from .._validate import MARGIN_MODES, finite, positive
from ..errors import InsufficientBalance, InvalidInput
from . import precompute, style

__all__ = ["HedgeLab", "HedgeChart"]

MODES = MARGIN_MODES[::-1]          # isolated first: the grid's rows and legends
#: Line style, marker and key symbol that tell correlations apart in a HedgeChart (the
#: colour tells the mode).
LINE_STYLES = (("solid", "circle", "●"), ("dashed", "square", "■"),
               ("dotted", "triangle-up", "▲"), ("dash_dotted", "diamond", "◆"))
#: Columns of hedge_grid that are shares (drawn in %); the others are USDT.
SHARES = ("p_liquidation", "p_wipeout", "upside_kept")
#: The grid a HedgeChart draws when given none: (hedge ratios, correlations).
DEFAULT_GRID = (np.round(np.arange(0, 1.51, 0.1), 1), (0.8, 0.0))
#: Axis labels of the columns a lesson plots (others: the column name in words).
AXIS_LABELS = {"p_liquidation": "odds of any liquidation (% of paths)",
               "p_wipeout": "odds of a wipe-out (% of paths)",
               "upside_kept": "upside kept (%)",
               "median_final_equity": "median final equity (USDT)"}


def _pct(x):
    return style.fmt_pct(x, 1)


#: One setting of a HedgeLab: the summary rows (indexed by mode), the bars (share of paths
#: in % per bin, row 0 isolated), the y axis's top and each mode's card (HTML).
Cell = namedtuple("Cell", "summary shares top cards")


def _axis(slider):
    """The values a slider can take (its min to its max in steps), rounded as keys are."""
    count = int(round((slider.max - slider.min) / slider.step)) + 1
    return [round(slider.min + n * slider.step, 10) for n in range(count)]


def _nearest_first(ratios, rhos, start):
    """The grid's keys, the row of the start correlation first, then the rows nearest it;
    in each row the ratios nearest the start ratio first (one row shares its paths)."""
    ratio, rho = start
    return [(h, r) for r in sorted(rhos, key=lambda r: abs(r - rho))
            for h in sorted(ratios, key=lambda h: abs(h - ratio))]


class _Cells:
    """compute(key) of a HedgeLab's grid: the cell of (hedge ratio, correlation), as
    ``summarize(hedge_outcomes([0, ratio], [correlation]))`` — ratio 0 is the reference of
    "upside kept", run once per correlation — and the histogram of its final equity."""

    def __init__(self, n_paths, options, edges):
        self.n_paths, self.options, self.edges = n_paths, options, edges
        self._references = {}

    def _outcomes(self, ratio, rho):
        return hedging.hedge_outcomes([ratio], [rho], self.n_paths, **self.options)

    def __call__(self, key):
        ratio, rho = key
        if rho not in self._references:
            self._references[rho] = self._outcomes(0.0, rho)
        reference = self._references[rho]
        mine = reference if ratio == 0 else self._outcomes(ratio, rho)
        out = reference if ratio == 0 else pd.concat([reference, mine], ignore_index=True)
        table = hedging.summarize(out)
        summary = table[table["hedge_ratio"] == ratio].set_index("mode")
        shares = np.vstack([self._histogram(mine.loc[mine["mode"] == m, "final_equity"])
                            for m in MODES])
        top = max(10.0, float(np.ceil(shares.max() / 5) * 5 + 5))
        return Cell(summary, shares, top, {m: _card_text(summary.loc[m], m) for m in MODES})

    def _histogram(self, equity):
        """Share of paths (%) per bin; values beyond the last edge count in the last bin."""
        clipped = np.clip(equity.to_numpy(), self.edges[0], self.edges[-1] - 1e-9)
        counts, _ = np.histogram(clipped, bins=self.edges)
        return 100.0 * counts / max(1, equity.size)


def _card_text(row, mode):
    """A mode's card: its odds, median final equity and upside kept (HTML)."""
    kept = row["upside_kept"]
    colour = style.COLORS[mode]
    warn = style.COLORS["liquidation"]
    wiped = (f"<span style='color:{warn};font-weight:600'>{_pct(row['p_wipeout'])}</span>"
             if row["p_wipeout"] > 0 else _pct(row["p_wipeout"]))
    return (f"<b style='color:{colour}'>{mode.capitalize()}</b><br>"
            f"any liquidation: <b>{_pct(row['p_liquidation'])}</b> of paths<br>"
            f"wiped out: <b>{wiped}</b><br>"
            f"median final equity: <b>{style.fmt_usdt(row['median_final_equity'], 0)}</b><br>"
            f"upside kept when BTC rose: <b>{'--' if np.isnan(kept) else _pct(kept)}</b>")


class HedgeLab(precompute.GridTool, W.VBox):
    """Sliders for the hedge ratio and the correlation → final-equity histogram and odds.

    The pair is :func:`~crossmargin.lessons.hedging.hedge_plan` (BTC long of ``btc_margin`` at
    ``leverage``, ETH short of ratio × its notional) in a ``deposit`` USDT account, over
    ``n_paths`` random paths of ``days`` days (hourly marks).

    Attributes: the sliders ``hedge_ratio`` and ``correlation`` (``continuous_update``
    off); the ``figure`` with ``bars`` (``y``: share of paths in % per equity bin, row 0
    isolated, row 1 cross; ``x``: bin centres in USDT) and ``deposit_line``; the labels
    ``isolated_status``, ``cross_status``, ``plan`` and ``status``; ``edges`` (bin edges,
    the last bin holds everything above); ``summary`` (the
    :func:`~crossmargin.lessons.hedging.summarize` rows of the setting shown, indexed by
    mode; None while it is computing); ``precomputed`` (the
    :class:`~crossmargin.widgets.precompute.Grid` of every slider setting, shared by the labs
    built with the same options).

    ``background=True``: the grid fills on a worker thread after the build, and a setting
    not computed yet shows "computing…" until it is (:meth:`wait` blocks until then);
    ``background=False``: nothing runs in the background, a slider move to a new setting
    computes it there and then (as a script or a test wants it).
    """

    MAX_RATIO = 1.5

    def __init__(self, *, hedge_ratio=0.6, correlation=0.8, btc_margin=hedging.BTC_MARGIN,
                 leverage=hedging.LEVERAGE, deposit=hedging.DEPOSIT, n_paths=hedging.N_PATHS,
                 days=hedging.DAYS, seed=hedging.SEED, background=True):
        hedge_ratio = finite(hedge_ratio, "hedge_ratio")
        if not 0 <= hedge_ratio <= self.MAX_RATIO:
            raise InvalidInput(f"hedge_ratio must be between 0 and {self.MAX_RATIO:g} "
                               f"(got {hedge_ratio!r})")
        correlation = finite(correlation, "correlation")
        if not -1 <= correlation <= 1:
            raise InvalidInput(f"correlation must be between -1 and 1 (got {correlation!r})")
        if isinstance(n_paths, bool) or not isinstance(n_paths, int) \
                or not 100 <= n_paths <= 5_000:
            raise InvalidInput(f"n_paths must be a whole number from 100 to 5,000, so that a "
                               f"slider move stays quick (got {n_paths!r})")
        if not isinstance(background, bool):
            raise InvalidInput(f"background must be True or False (got {background!r})")
        self.deposit = positive(deposit, "deposit")
        largest = hedging.opening_cost(btc_margin, self.MAX_RATIO, leverage)
        if largest > self.deposit:
            raise InsufficientBalance(
                f"deposit {self.deposit:,.2f} USDT cannot open the pair at hedge ratio "
                f"{self.MAX_RATIO:g} (it needs {largest:,.2f} USDT of margin and fees): "
                f"lower btc_margin or raise the deposit")
        options = dict(btc_margin=btc_margin, leverage=leverage, deposit=self.deposit,
                       days=days, seed=seed)
        self.n_paths = n_paths
        self.days = days
        self._btc_notional = hedging.hedge_plan(btc_margin, 0, leverage)[0].notional
        self._leverage = leverage

        width = self.deposit / 10
        self.edges = np.arange(0.0, 3 * self.deposit + width / 2, width)
        centres = (self.edges[:-1] + self.edges[1:]) / 2

        self.hedge_ratio = style.slider("Hedge ratio (ETH short ÷ BTC long)", hedge_ratio, 0.0,
                                        self.MAX_RATIO, 0.1, fmt=".1f",
                                        css_class="cm-hedge-ratio", continuous_update=False)
        self.correlation = style.slider("Correlation BTC–ETH", correlation, -1.0, 1.0, 0.1,
                                        fmt="+.1f", css_class="cm-correlation",
                                        continuous_update=False)
        start = self._key()
        keys = _nearest_first(_axis(self.hedge_ratio), _axis(self.correlation), start)
        shared = None if seed is None else ("HedgeLab", n_paths, *sorted(options.items()))
        self._watch(precompute.shared(shared, _Cells(n_paths, options, self.edges), keys),
                    background)

        colors = style.COLORS
        xs = bq.LinearScale(min=0.0, max=float(self.edges[-1]))
        ys = bq.LinearScale(min=0.0, max=10.0)
        scales = {"x": xs, "y": ys}
        self.bars = bq.Bars(x=centres, y=np.zeros((2, centres.size)), scales=scales,
                            type="grouped", colors=[colors["isolated"], colors["cross"]],
                            padding=0.15, labels=["isolated", "cross"], display_legend=True,
                            stroke=colors["text"], stroke_width=0.5)
        self.deposit_line = bq.Lines(x=[self.deposit, self.deposit], y=[0.0, 10.0],
                                     scales=scales, colors=[colors["neutral"]],
                                     line_style="dashed", stroke_width=2)
        self.figure, _, _ = style.figure("Final equity", "final equity (USDT)",
                                         "share of paths (%)", x_scale=xs, y_scale=ys,
                                         css_class="cm-hedge-figure",
                                         marks=[self.deposit_line, self.bars])
        self.figure.axes[0].tick_values = np.arange(0.0, self.edges[-1] + 1, self.deposit / 2)
        self.figure.axes[0].tick_format = ",.0f"
        self.figure.axes[1].tick_format = ".0f"
        self.caption = W.HTML(
            f"<small>Bars of {style.fmt_usdt(width, 0)}; the first holds the wiped-out "
            f"accounts, the last everything from {style.fmt_usdt(self.edges[-2], 0)} up. "
            f"<span style='color:{colors['neutral']}'>- - -</span> the deposit. "
            f"Random paths, not a forecast.</small>")

        self.plan = style.value_label("cm-hedge-plan")
        self.status = style.value_label("cm-hedge-status")
        self.isolated_status = style.value_label("cm-isolated-status")
        self.cross_status = style.value_label("cm-cross-status")
        self.summary = None

        self._update(now=True)          # the setting it opens on: computed here
        self.hedge_ratio.observe(self._update, names="value")
        self.correlation.observe(self._update, names="value")
        self._follow()

        cards = W.HBox([self._card(self.isolated_status, "isolated"),
                        self._card(self.cross_status, "cross")],
                       layout=W.Layout(max_width="760px", width="100%"))
        super().__init__([self.plan, self.hedge_ratio, self.correlation, self.status, cards,
                          self.figure, self.caption])
        self.add_class("cm-hedge-lab")

    @staticmethod
    def _card(label, mode):
        box = W.VBox([label], layout=W.Layout(width="50%", padding="2px 8px", margin="2px",
                                              border=f"solid 3px {style.COLORS[mode]}"))
        box.add_class(f"cm-{mode}-card")
        return box

    def _key(self):
        return round(self.hedge_ratio.value, 10), round(self.correlation.value, 10)

    def _update(self, _change=None, now=False):
        """A slider moved: the plan line, then the cell (:meth:`_select`)."""
        eth = self.hedge_ratio.value * self._btc_notional
        with self._lock:
            self.plan.value = (
                f"<b>{style.fmt_usdt(self.deposit, 0)} deposit</b> · "
                f"<span style='color:{style.COLORS['long']};font-weight:600'>BTC long</span> "
                f"{style.fmt_usdt(self._btc_notional, 0)} · "
                f"<span style='color:{style.COLORS['short']};font-weight:600'>ETH short</span> "
                f"{style.fmt_usdt(eth, 0)} · both at {self._leverage:g}x")
            self._select(now=now)

    def _computing(self, key):
        """The setting is not computed yet: dim the bars, blank the cards."""
        self.summary = None
        self.bars.opacities = [0.3, 0.3]
        self.figure.title = self._title(" · computing…")
        for label in (self.isolated_status, self.cross_status):
            label.value = "<i>computing…</i>"
        self._show_status("<i>computing… (next in line)</i>")

    def _show(self, key, note=""):
        cell = self.precomputed.get(key)
        self._shown, self._note = key, note
        self.summary = cell.summary
        with self.bars.hold_sync():
            self.bars.y = cell.shares
            self.bars.scales["y"].max = cell.top
            if self.bars.opacities:
                self.bars.opacities = []
        with self.deposit_line.hold_sync():
            self.deposit_line.y = [0.0, cell.top]
        self.figure.title = self._title()
        self.isolated_status.value = cell.cards["isolated"]
        self.cross_status.value = cell.cards["cross"]
        self._show_status(note)

    def _title(self, tail=""):
        return (f"Final equity after {self.days} days (ratio {self.hedge_ratio.value:.1f}, "
                f"correlation {self.correlation.value:+.1f}){tail}")

    def _show_status(self, note):
        done, total = self.precomputed.progress
        grid = (f"all {total} settings computed" if done == total
                else f"{done} of {total} settings computed"
                + (", the rest in the background" if self.background else ""))
        parts = [f"{self.n_paths:,} random paths of {self.days} days, hourly marks", note, grid]
        self.status.value = " · ".join(p for p in parts if p)


class HedgeChart(W.VBox):
    """One column of :func:`~crossmargin.lessons.hedging.hedge_grid` against the hedge ratio.

    One line per (correlation, mode): the colour is the mode (isolated orange, cross
    blue), the line style and marker the correlation (up to four). The ``key`` under the
    figure (HTML) has one row per mode, an entry per correlation. ``column`` is a share
    (``p_liquidation``, ``p_wipeout``, ``upside_kept``: drawn in %) or a USDT column.
    Attributes: ``figure``, ``lines`` (dict ``(correlation, mode) -> Lines``), ``key``.
    Without a ``grid`` it draws :data:`DEFAULT_GRID` (hedge ratios 0–1.5 at correlations
    0.8 and 0).
    """

    def __init__(self, grid=None, column="p_liquidation", *, title=None, modes=MODES):
        if grid is None:
            grid = hedging.hedge_grid(*DEFAULT_GRID)
        needed = {"hedge_ratio", "correlation", "mode", column}
        if not isinstance(grid, pd.DataFrame) or not needed <= set(grid.columns):
            raise InvalidInput(f"grid must be a DataFrame from hedge_grid with a {column!r} "
                               f"column (got {type(grid).__name__})")
        modes = tuple(modes)
        if not modes or any(m not in MODES for m in modes):
            raise InvalidInput(f"modes must be 'isolated' and/or 'cross' (got {modes!r})")
        rhos = list(dict.fromkeys(grid["correlation"]))
        if len(rhos) > len(LINE_STYLES):
            raise InvalidInput(f"grid must hold at most {len(LINE_STYLES)} correlations for "
                               f"one chart (got {len(rhos)})")
        share = column in SHARES
        scale = 100.0 if share else 1.0
        xs, ys = bq.LinearScale(min=0.0), bq.LinearScale()
        self.lines = {}
        rows = {mode: [] for mode in modes}
        for rho, (dash, marker, symbol) in zip(rhos, LINE_STYLES):
            for mode in modes:
                picked = grid[(grid["correlation"] == rho) & (grid["mode"] == mode)]
                picked = picked.sort_values("hedge_ratio")
                self.lines[(rho, mode)] = bq.Lines(
                    x=picked["hedge_ratio"].to_numpy(float),
                    y=picked[column].to_numpy(float) * scale, scales={"x": xs, "y": ys},
                    colors=[style.COLORS[mode]], line_style=dash, stroke_width=3,
                    marker=marker, marker_size=36)
                rows[mode].append((f"correlation {rho:+.1f}", style.COLORS[mode],
                                   f"{dash} {symbol}"))
        words = column.replace("_", " ")
        label = AXIS_LABELS.get(column, f"{words} ({'%' if share else 'USDT'})")
        self.figure, _, _ = style.figure(title or words, "hedge ratio (ETH short ÷ BTC long)",
                                         label,
                                         x_scale=xs, y_scale=ys, css_class="cm-hedge-chart",
                                         marks=list(self.lines.values()))
        self.figure.axes[0].tick_format = ".1f"
        # The key under the figure, one row per mode (the colour), one entry per correlation
        # (the line style and marker), each swatch drawn as its line is: it wraps, never
        # wider than the output.
        self.key = W.HTML("".join(style.key_html(entries, title=mode)
                                  for mode, entries in rows.items()))
        self.key.add_class("cm-key")
        super().__init__([self.figure, self.key])
        self.add_class("cm-hedge-chart-box")

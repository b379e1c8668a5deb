"""Setup check: do widgets work here, and is the kernel in the course's environment?

Two halves. The kernel side is :func:`crossmargin.doctor.diagnose` — plain Python,
standard library only, that displays nothing — which returns one :class:`Finding`
per check with the exact command that fixes a failure (``python -m crossmargin
doctor`` prints the same rows, even where ipywidgets itself is broken). The
browser side is :class:`SetupCheck`: a slider and a bqplot line that must tilt
when the slider moves; only the learner's eyes can confirm that part.

The usual causes of "Error displaying widget" (see the course's Jupyter notes):
the front-end extensions are missing or do not match the Python packages, or
the kernel runs in another environment than the JupyterLab server.
"""
import html

import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd

from ..engine import formulas
from .._validate import finite
from ..doctor import Finding, diagnose
from ..errors import InvalidInput
from . import style

__all__ = ["Finding", "diagnose", "SetupCheck"]


class SetupCheck(W.VBox):
    """A slider, a line that follows it, and the kernel-side diagnosis as a table.

    Move ``leverage``: the line (return on margin vs price move, from the
    engine's PnL and initial margin) must tilt. ``checks`` holds the
    :func:`diagnose` rows, ``table`` the same as a DataFrame, ``ok`` whether all passed.
    """

    MAX_LEVERAGE = 50

    def __init__(self, leverage=5, *, prefix=None, course_root=None):
        leverage = finite(leverage, "leverage")
        if not 1 <= leverage <= self.MAX_LEVERAGE:
            raise InvalidInput(f"leverage must be between 1 and {self.MAX_LEVERAGE} "
                               f"(got {leverage:g})")
        self.checks = diagnose(prefix, course_root)
        self.table = pd.DataFrame(self.checks, columns=Finding._fields)
        self.ok = all(f.ok for f in self.checks)

        self.moves = np.linspace(-0.10, 0.10, 41)
        self._entry, self._size = 60_000.0, 0.1
        self._prices = self._entry * (1 + self.moves)
        self.leverage = style.int_slider("leverage (x)", leverage, 1, self.MAX_LEVERAGE,
                                         css_class="cm-setup-leverage")
        # A little room either side of the line: the "-10" tick label was drawn over the
        # y axis. Fixed y range: the steeper the line, the higher the leverage (beyond
        # ±100 % the line leaves the plot: the whole margin is gone).
        xs = bq.LinearScale(min=-11.0, max=11.0)
        ys = bq.LinearScale(min=-100.0, max=100.0)
        self.line = bq.Lines(x=self.moves * 100, y=np.zeros_like(self.moves),
                             scales={"x": xs, "y": ys}, colors=[style.COLORS["long"]],
                             stroke_width=3)
        self.figure, _, _ = style.figure("Does this line tilt when you move the slider?",
                                         "BTC price move (%)", "gain or loss on margin (%)",
                                         x_scale=xs, y_scale=ys, marks=[self.line],
                                         css_class="cm-setup-figure")
        self.figure.axes[0].tick_values = [-10.0, -5.0, 0.0, 5.0, 10.0]
        self.figure.axes[1].tick_values = [-100.0, -50.0, 0.0, 50.0, 100.0]
        self.status = style.value_label("cm-setup-status")
        self.report = W.HTML(self._report_html())
        self.report.add_class("cm-setup-report")
        self.leverage.observe(self._update, names="value")
        self._update()
        super().__init__([W.HTML("<h3>Working-widgets check</h3>"), self.leverage, self.figure,
                          self.status, self.report])
        self.add_class("cm-setup-check")

    def _update(self, _change=None):
        lev = self.leverage.value
        margin = formulas.initial_margin(self._size, self._entry, lev)
        pnl = formulas.unrealized_pnl("long", self._size, self._entry, self._prices)
        with self.line.hold_sync():
            self.line.y = pnl / margin * 100
        one_pct = formulas.unrealized_pnl("long", self._size, self._entry, self._entry * 1.01)
        self.status.value = (f"At <b>{lev}x</b>, a 1 % price move is "
                             f"<b>{style.fmt_pct(one_pct / margin, 0)}</b> of your margin. "
                             "If the line tilted as you moved the slider, widgets work.")

    def _report_html(self):
        rows = []
        for f in self.checks:
            mark = style.badge("✓", "long") if f.ok else style.badge("✗", "liquidation")
            fix = "" if f.ok else f"<code>{html.escape(f.fix)}</code>"
            rows.append(f"<tr><td>{mark}</td><td><b>{html.escape(f.check)}</b></td>"
                        f"<td>{html.escape(f.detail)}</td>"
                        f"<td>{fix}</td></tr>")
        failed = sum(not f.ok for f in self.checks)
        verdict = ("All kernel-side checks passed." if not failed else
                   f"{failed} problem{'s' if failed > 1 else ''}: run the fix in a terminal, "
                   "then reload this page and run this notebook again.")
        return (f"<p>{verdict}</p><table style='border-collapse:collapse;text-align:left'>"
                "<tr><th></th><th>check</th><th>what the kernel sees</th><th>fix</th></tr>"
                f"{''.join(rows)}</table>")

"""Setup check: do widgets work here, and is the kernel in the course's environment?

Two halves. The kernel side is :func:`diagnose` — plain Python that displays nothing —
which returns one :class:`Finding` per check with the exact command that fixes
a failure (``python -m crossmargin doctor`` can print the same rows). The
browser side is :class:`SetupCheck`: a slider and a bqplot line that must tilt
when the slider moves; only the learner's eyes can confirm that part.

The usual causes of "Error displaying widget" (see the course's Jupyter notes):
the front-end extensions are missing or do not match the Python packages, or
the kernel runs in another environment than the JupyterLab server.
"""
import html
import importlib.metadata as metadata
import json
import sys
import sysconfig
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlparse

import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from .. import formulas
from .._validate import finite
from ..errors import InvalidInput
from . import style

__all__ = ["Finding", "diagnose", "SetupCheck"]

#: Lab extensions the widgets need: folder under share/jupyter/labextensions -> Python package.
LAB_EXTENSIONS = {"@jupyter-widgets/jupyterlab-manager": "jupyterlab_widgets", "bqplot": "bqplot"}


class Finding(NamedTuple):
    """One row of the diagnosis: what was checked, whether it is fine, what was seen, the fix."""

    check: str
    ok: bool
    detail: str
    fix: str


def _site_packages(prefix):
    return Path(sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})["purelib"])


def _distribution(name, prefix):
    """The distribution ``name`` installed in the environment at ``prefix``, or None."""
    return next(iter(metadata.distributions(name=name, path=[str(_site_packages(prefix))])), None)


def _requirements(dist):
    """``{package: specifier}`` a distribution declares (extras left out); {} without one."""
    found = {}
    for line in (dist.requires or []) if dist else []:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            found[req.name.lower().replace("-", "_")] = req.specifier
    return found


def _caret_allows(spec, version):
    """npm's ``^x.y.z``: same major (same minor while major is 0), and not older."""
    base = Version(spec.lstrip("^"))
    have = Version(version)
    same = have.major == base.major and (base.major > 0 or have.minor == base.minor)
    return same and have >= base


def _course_source(dist, prefix):
    """The folder crossmargin was installed from: the checkout if editable, else site-packages."""
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct.get("dir_info", {}).get("editable") and direct.get("url", "").startswith("file:"):
        return Path(unquote(urlparse(direct["url"]).path))
    return _site_packages(prefix)


def _inside(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def diagnose(prefix=None, course_root=None):
    """Check the kernel's environment; a list of :class:`Finding` rows (check, ok, detail, fix).

    ``prefix`` is the environment to inspect (default ``sys.prefix``, the kernel's);
    ``course_root`` the course folder (default: the folder crossmargin is
    imported from, when it holds ``pyproject.toml``). Package versions are those
    installed at ``prefix``, compared with the ranges crossmargin declares.
    ``fix`` is empty when the check passed.
    """
    prefix = Path(prefix or sys.prefix)
    package_dir = Path(sys.modules["crossmargin"].__file__).parent
    if course_root is None and (package_dir.parent / "pyproject.toml").is_file():
        course_root = package_dir.parent
    root = Path(course_root) if course_root else None
    where = f"cd {root} && " if root else "in the course folder: "
    install = (f"{where}{sys.executable} -m pip install -c requirements-lock.txt -e '.[test]'"
               "; then stop JupyterLab (Ctrl-C) and start it again with make lab")
    findings = []

    def add(check, ok, detail, fix=install):
        findings.append(Finding(check, bool(ok), detail, "" if ok else fix))

    python = ".".join(map(str, sys.version_info[:3]))
    add("Python", sys.version_info >= (3, 10), f"{python} at {sys.executable}",
        "install Python 3.11 or newer, then: make distclean && make lab PYTHON=python3.11")

    venv = root / ".venv" if root else None
    if venv is not None and venv.is_dir():
        same = prefix.resolve() == venv.resolve()
        add("kernel environment", same,
            f"the kernel runs in {prefix}" + ("" if same else f", the course's is {venv}"),
            f"stop this JupyterLab (Ctrl-C in its terminal), then: cd {root} && make lab")
    else:
        add("kernel environment", True, f"the kernel runs in {prefix} (no .venv in the course "
                                        "folder: conda, Binder or your own environment)")

    course = _distribution("crossmargin", prefix)
    if course is None:
        add("crossmargin package", False,
            f"not installed in {prefix}; imported from {package_dir} by chance (search path)")
    else:
        source = _course_source(course, prefix)
        here = _inside(package_dir, source)
        add("crossmargin package", here, f"imported from {package_dir}"
            + ("" if here else f", but this environment installed it from {source}"))

    wanted = _requirements(course)
    widgets = _distribution("ipywidgets", prefix)
    wanted["jupyterlab_widgets"] = _requirements(widgets).get("jupyterlab_widgets")
    for package in ("jupyterlab", "ipywidgets", "jupyterlab_widgets", "bqplot"):
        dist = _distribution(package, prefix)
        spec = wanted.get(package)
        if dist is None:
            add(package, False, f"not installed in {prefix}")
        else:
            needs = f" (the course needs {spec})" if spec else ""
            add(package, spec is None or spec.contains(dist.version, prereleases=True),
                f"{dist.version}{needs}")

    labextensions = prefix / "share" / "jupyter" / "labextensions"
    frontend = {"bqplot": bq.Figure._model_module_version.default_value}
    for folder, package in LAB_EXTENSIONS.items():
        manifest = labextensions / folder / "package.json"
        name = f"lab extension {folder}"
        if not manifest.is_file():
            add(name, False, f"missing: no {manifest}")
            continue
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version", "?")
        spec = frontend.get(folder)
        try:
            ok = spec is None or _caret_allows(spec, version)
        except InvalidVersion:
            ok = False
        add(name, ok, f"{version}" + (f" (the {package} package needs {spec})" if spec else ""))
    return findings


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
        self.leverage = W.IntSlider(value=int(leverage), min=1, max=self.MAX_LEVERAGE,
                                    description="leverage (x)", continuous_update=True,
                                    style={"description_width": "initial"},
                                    layout=W.Layout(width="95%", max_width="520px"))
        self.leverage.add_class("cm-setup-leverage")
        xs = bq.LinearScale(min=-10.0, max=10.0)
        ys = bq.LinearScale(min=-100.0, max=100.0)
        self.line = bq.Lines(x=self.moves * 100, y=np.zeros_like(self.moves),
                             scales={"x": xs, "y": ys}, colors=[style.COLORS["long"]],
                             stroke_width=3)
        self.figure, _, _ = style.figure("Does this line tilt when you move the slider?",
                                         "BTC price move (%)", "gain or loss on margin (%)",
                                         x_scale=xs, y_scale=ys, marks=[self.line],
                                         css_class="cm-setup-figure")
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

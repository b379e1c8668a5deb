"""SetupCheck and diagnose(): the line follows the slider; each problem comes with its fix."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from crossmargin import formulas
from crossmargin.doctor import Finding, _caret_allows, _site_packages, diagnose
from crossmargin.errors import InvalidInput
from crossmargin.widgets import SetupCheck
from crossmargin.widgets.style import fmt_pct

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ["Python", "kernel environment", "crossmargin package", "jupyterlab", "ipywidgets",
          "jupyterlab_widgets", "bqplot", "lab extension @jupyter-widgets/jupyterlab-manager",
          "lab extension bqplot"]
INSTALL = "pip install -c requirements-lock.txt -e '.[test]'"


def fake_environment(prefix, *, versions, extensions, crossmargin_from):
    """A prefix with dist-info folders and lab extensions, as pip would leave them."""
    site = _site_packages(prefix)
    for name, version in versions.items():
        info = site / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        requires = ""
        if name == "crossmargin":
            requires = ("Requires-Dist: jupyterlab<5,>=4.2\nRequires-Dist: ipywidgets<9,>=8.1\n"
                        "Requires-Dist: bqplot<0.14,>=0.13\n"
                        "Requires-Dist: pytest>=8; extra == \"test\"\n")
            (info / "direct_url.json").write_text(json.dumps(
                {"url": Path(crossmargin_from).as_uri(), "dir_info": {"editable": True}}))
        if name == "ipywidgets":
            requires = "Requires-Dist: jupyterlab_widgets~=3.0.17\n"
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                       + requires)
    for folder, version in extensions.items():
        ext = Path(prefix) / "share" / "jupyter" / "labextensions" / folder
        ext.mkdir(parents=True)
        (ext / "package.json").write_text(json.dumps({"name": folder, "version": version}))


def rows(findings):
    return {f.check: f for f in findings}


def test_rows_name_every_check_and_fixes_only_failures():
    findings = diagnose()
    assert [f.check for f in findings] == CHECKS
    for f in findings:
        assert isinstance(f, Finding) and isinstance(f.ok, bool) and f.detail
        assert bool(f.fix) != f.ok


@pytest.mark.skipif(Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
                    reason="only the course's own .venv is known to be complete")
def test_the_course_venv_passes_every_check():
    assert all(f.ok for f in diagnose()), [f for f in diagnose() if not f.ok]


def test_an_empty_environment_gets_the_install_command(tmp_path):
    (tmp_path / "course" / ".venv").mkdir(parents=True)
    found = rows(diagnose(prefix=tmp_path / "env", course_root=tmp_path / "course"))
    env = found["kernel environment"]
    assert not env.ok and "make lab" in env.fix and str(tmp_path / "course") in env.fix
    for name in CHECKS[2:]:
        assert not found[name].ok, name
        assert INSTALL in found[name].fix and sys.executable in found[name].fix
    assert "missing" in found["lab extension bqplot"].detail


def test_a_complete_environment_passes(tmp_path):
    prefix = tmp_path / "course" / ".venv"
    fake_environment(prefix, versions={"crossmargin": "0.1.0", "jupyterlab": "4.6.6",
                                       "ipywidgets": "8.1.9", "jupyterlab_widgets": "3.0.17",
                                       "bqplot": "0.13.1"},
                     extensions={"@jupyter-widgets/jupyterlab-manager": "5.0.16",
                                 "bqplot": "0.6.1"},
                     crossmargin_from=ROOT)
    found = diagnose(prefix=prefix, course_root=tmp_path / "course")
    assert all(f.ok for f in found), [f for f in found if not f.ok]


def test_wrong_versions_and_a_foreign_checkout_are_caught(tmp_path):
    prefix = tmp_path / "env"
    fake_environment(prefix, versions={"crossmargin": "0.1.0", "jupyterlab": "3.6.0",
                                       "ipywidgets": "7.8.1", "jupyterlab_widgets": "1.1.7",
                                       "bqplot": "0.12.45"},
                     extensions={"@jupyter-widgets/jupyterlab-manager": "3.1.7",
                                 "bqplot": "0.5.46"},
                     crossmargin_from=tmp_path / "another-clone")
    found = rows(diagnose(prefix=prefix))
    assert not found["crossmargin package"].ok
    assert "another-clone" in found["crossmargin package"].detail
    for name in ("jupyterlab", "ipywidgets", "jupyterlab_widgets", "bqplot"):
        assert not found[name].ok and "the course needs" in found[name].detail, name
    assert found["lab extension @jupyter-widgets/jupyterlab-manager"].ok   # present: no range
    assert not found["lab extension bqplot"].ok and "^0.6" in found["lab extension bqplot"].detail


@pytest.mark.parametrize("spec, version, ok", [
    ("^0.6.1", "0.6.1", True), ("^0.6.1", "0.6.9", True), ("^0.6.1", "0.7.0", False),
    ("^0.6.1", "0.6.0", False), ("^2.0.0", "2.3.1", True), ("^2.0.0", "3.0.0", False),
])
def test_caret_ranges(spec, version, ok):
    assert _caret_allows(spec, version) is ok


def test_widget_line_follows_the_slider():
    setup = SetupCheck()
    assert setup.leverage.value == 5
    for lev in (1, 10, 50):
        setup.leverage.value = lev
        margin = formulas.initial_margin(0.1, 60_000, lev)
        expected = formulas.unrealized_pnl("long", 0.1, 60_000, 60_000 * (1 + setup.moves))
        np.testing.assert_allclose(setup.line.y, expected / margin * 100)
        assert f"{lev}x" in setup.status.value
        assert fmt_pct(lev / 100, 0) in setup.status.value
    assert setup.line.y[-1] == pytest.approx(500)           # 50x, +10 %: five margins


def test_widget_exposes_the_diagnosis(tmp_path):
    setup = SetupCheck(prefix=tmp_path)
    assert [f.check for f in setup.checks] == CHECKS
    assert list(setup.table.columns) == ["check", "ok", "detail", "fix"]
    assert setup.table["ok"].tolist() == [f.ok for f in setup.checks]
    assert setup.ok is False
    assert "problems" in setup.report.value and "requirements-lock.txt" in setup.report.value
    assert "cm-setup-check" in setup._dom_classes
    assert "cm-setup-leverage" in setup.leverage._dom_classes


@pytest.mark.parametrize("leverage", [0, 51, -1, float("nan"), "five", None])
def test_bad_leverage_is_refused(leverage):
    with pytest.raises(InvalidInput, match="leverage"):
        SetupCheck(leverage)


def test_axes_have_a_zero_and_the_first_x_label_clears_the_y_axis(tmp_path):
    setup = SetupCheck()
    x_axis, y_axis = setup.figure.axes
    assert list(x_axis.tick_values) == [-10, -5, 0, 5, 10]
    assert 0 in list(y_axis.tick_values)
    # The scale reaches past the line's ends: "-10" is no longer drawn on the y axis.
    assert x_axis.scale.min < min(setup.line.x) and max(setup.line.x) < x_axis.scale.max
    assert x_axis.scale.min < min(x_axis.tick_values)

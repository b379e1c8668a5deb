"""The setup doctor: standard library only, OK on the course's venv, catches broken front-ends."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crossmargin.doctor import Finding, _site_packages, diagnose, report
from crossmargin.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
IN_COURSE_VENV = Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()
LABEXT = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
BQPLOT = "lab extension bqplot"
MANAGER = "lab extension @jupyter-widgets/jupyterlab-manager"


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def rows(findings):
    return {f.check: f for f in findings}


def fake_prefix(tmp, *, without=(), replace=None):
    """A copy of this venv's layout: site-packages linked, lab extensions linked one by one.

    ``without``: extension folders left out; ``replace``: ``{folder: package.json dict}``
    written as a real file instead of the link.
    """
    prefix = tmp / "venv"
    site = _site_packages(prefix)
    site.parent.mkdir(parents=True)
    site.symlink_to(_site_packages(sys.prefix), target_is_directory=True)
    for manifest in sorted(LABEXT.glob("**/package.json")):
        folder = manifest.parent.relative_to(LABEXT).as_posix()
        if folder.split("/")[0] in ("@jupyter-widgets", "bqplot", "bqscales",
                                    "jupyterlab_pygments") and folder.count("/") <= 1:
            if folder in without or folder.startswith(tuple(f"{w}/" for w in without)):
                continue
            target = prefix / "share" / "jupyter" / "labextensions" / folder
            target.parent.mkdir(parents=True, exist_ok=True)
            if replace and folder in replace:
                target.mkdir()
                (target / "package.json").write_text(json.dumps(replace[folder]))
            else:
                target.symlink_to(manifest.parent, target_is_directory=True)
    return prefix


needs_venv = pytest.mark.skipif(not IN_COURSE_VENV or not (LABEXT / "bqplot").is_dir(),
                                reason="needs the course's own, complete .venv")


def test_importing_the_doctor_loads_no_widget_library():
    code = ("import sys, crossmargin.doctor, crossmargin.__main__; "
            "bad = {'ipywidgets', 'bqplot'} & set(sys.modules); assert not bad, bad")
    result = run("-c", code)
    assert result.returncode == 0, result.stderr


def test_the_doctor_module_imports_only_the_standard_library():
    """At module level; (the crossmargin package itself brings numpy and pandas along)."""
    tree = ast.parse((ROOT / "crossmargin" / "doctor.py").read_text(encoding="utf-8"))
    imported = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no imports from the crossmargin package"
            imported.add(node.module.split(".")[0])
    assert imported and imported <= set(sys.stdlib_module_names), imported


def test_the_doctor_subcommand_runs_without_ipywidgets():
    code = ("import sys, runpy; sys.argv = ['crossmargin', 'doctor']\n"
            "try:\n    runpy.run_module('crossmargin', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "assert 'ipywidgets' not in sys.modules")
    result = run("-c", code)
    assert result.returncode == 0, result.stderr


@needs_venv
def test_the_course_venv_is_healthy():
    result = run("-m", "crossmargin", "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(("OK", "FIX"))]
    assert lines and all(line.startswith("OK  ") for line in lines), result.stdout
    assert any(line.startswith(f"OK  {BQPLOT} — ") for line in lines)
    assert "FIX" not in result.stdout


def test_help_lists_the_doctor():
    result = run("-m", "crossmargin", "--help")
    assert result.returncode == 0 and "doctor" in result.stdout


def test_no_subcommand_prints_help(capsys):
    assert main([]) == 2
    assert "doctor" in capsys.readouterr().out


@needs_venv
def test_the_fake_venv_mimics_a_healthy_one(tmp_path):
    found = diagnose(prefix=fake_prefix(tmp_path), course_root=ROOT)
    problems = [f for f in found if not f.ok and f.check != "kernel environment"]
    assert not problems


@needs_venv
def test_a_missing_bqplot_front_end_is_caught(tmp_path):
    prefix = fake_prefix(tmp_path, without=("bqplot",))
    found = rows(diagnose(prefix=prefix, course_root=ROOT))
    bq = found[BQPLOT]
    assert not bq.ok and "missing" in bq.detail
    assert "pip install" in bq.fix and "bqplot==0.13" in bq.fix and sys.executable in bq.fix
    assert found[MANAGER].ok and found["bqplot"].ok        # the Python side is fine


@needs_venv
def test_a_missing_widgets_manager_is_caught(tmp_path):
    prefix = fake_prefix(tmp_path, without=("@jupyter-widgets/jupyterlab-manager",))
    found = rows(diagnose(prefix=prefix, course_root=ROOT))
    assert not found[MANAGER].ok and "missing" in found[MANAGER].detail
    assert "pip install" in found[MANAGER].fix and "jupyterlab_widgets==3.0" in found[MANAGER].fix
    assert found[BQPLOT].ok


@needs_venv
def test_a_front_end_outside_the_packages_range_is_caught(tmp_path):
    prefix = fake_prefix(tmp_path, replace={"bqplot": {"name": "bqplot", "version": "0.5.46"}})
    bq = rows(diagnose(prefix=prefix, course_root=ROOT))[BQPLOT]
    assert not bq.ok and "0.5.46" in bq.detail and "^0.6" in bq.detail
    assert "pip install --force-reinstall" in bq.fix


@needs_venv
def test_a_replaced_front_end_is_caught_even_in_range(tmp_path):
    """Another install overwrote the manager with 5.0.9: in no range, but not the shipped file."""
    fake = {"name": "@jupyter-widgets/jupyterlab-manager", "version": "5.0.9"}
    prefix = fake_prefix(tmp_path, replace={"@jupyter-widgets/jupyterlab-manager": fake})
    manager = rows(diagnose(prefix=prefix, course_root=ROOT))[MANAGER]
    assert not manager.ok and "5.0.9" in manager.detail and "replaced" in manager.detail
    assert "pip install --force-reinstall --no-deps 'jupyterlab_widgets==" in manager.fix


@needs_venv
def test_a_kernel_from_another_environment_is_caught(tmp_path):
    env = rows(diagnose(prefix=fake_prefix(tmp_path), course_root=ROOT))["kernel environment"]
    assert not env.ok and str(ROOT / ".venv") in env.detail
    assert env.fix.endswith(f"cd {ROOT} && make lab")


def test_report_format():
    text = report([Finding("a", True, "fine", ""), Finding("b", False, "broken", "do this")])
    assert text.splitlines() == ["OK  a — fine", "FIX b — broken", "    run: do this"]


def test_a_broken_environment_exits_1(tmp_path):
    result = run("-m", "crossmargin", "doctor", "--prefix", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "FIX lab extension bqplot — missing" in result.stdout
    assert "    run: " in result.stdout


# ------------------------------------------------- outside the course's environment (no numpy)


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """A Python with nothing installed: a venv made without pip, site-packages empty."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    for module in ("numpy", "pandas", "packaging", "pip"):
        found = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
        assert found.returncode != 0, f"{module} is importable in the bare venv: no test"
    return python


def run_bare(python, *args):
    return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_the_doctor_without_numpy_diagnoses_instead_of_crashing(bare_python):
    result = run_bare(bare_python, "-m", "crossmargin", "doctor")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Traceback" not in out + result.stderr and result.stderr == ""
    assert out.startswith("FIX numpy, pandas — numpy and pandas are missing: "), out
    assert f"you are running {bare_python}, not the course's environment" in out
    assert f"run: cd {ROOT} && make lab" in out
    if (ROOT / ".venv").is_dir():
        assert str(ROOT / ".venv") in out and f"source {ROOT / '.venv/bin/activate'}" in out
    else:
        assert "the first run creates .venv" in out


def test_other_subcommands_without_numpy_print_the_same_fix(bare_python):
    result = run_bare(bare_python, "-m", "crossmargin", "data")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: numpy and pandas are missing: you are running ")
    assert "make lab" in result.stderr


def test_importing_crossmargin_without_numpy_names_the_fix(bare_python):
    """In a notebook whose kernel is the wrong Python: one clear ImportError, not numpy's."""
    for code in ("import crossmargin", "from crossmargin import Account"):
        result = run_bare(bare_python, "-c", code)
        last = result.stderr.strip().splitlines()[-1]
        assert result.returncode == 1
        assert last.startswith("ImportError: numpy and pandas are missing: you are running "), last
        assert "make lab" in last


def test_a_module_run_with_m_other_than_the_doctor_also_names_the_fix(bare_python):
    result = run_bare(bare_python, "-m", "crossmargin.course", "lint", "notebooks")
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 1 and last.startswith("ImportError: numpy and pandas are missing")


def test_engine_finding_when_one_package_is_missing(monkeypatch, tmp_path):
    import importlib.util
    from crossmargin import doctor

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pandas" else real(name, *a))
    (tmp_path / ".venv").mkdir()
    found = doctor.engine_finding(course_root=tmp_path)
    assert not found.ok and found.check == "numpy, pandas"
    assert found.detail.startswith("pandas is missing: you are running ")
    assert f"not the course's environment {tmp_path / '.venv'}" in found.detail
    assert found.fix.startswith(f"cd {tmp_path} && make lab")
    # No .venv yet: make lab creates it.
    (tmp_path / ".venv").rmdir()
    found = doctor.engine_finding(course_root=tmp_path)
    assert "not created yet" in found.detail and "first run creates .venv" in found.fix
    assert doctor.wrong_environment(tmp_path) == f"{found.detail}. Fix: {found.fix}"


@needs_venv
def test_engine_missing_inside_the_course_venv_gets_the_install_command(monkeypatch):
    import importlib.util
    from crossmargin import doctor

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    found = doctor.engine_finding()
    assert found.detail == f"numpy and pandas are missing from the course's environment {ROOT / '.venv'}"
    assert found.fix == (f"cd {ROOT} && {sys.executable} -m pip install -c requirements-lock.txt "
                         "-e '.[test]'")


def test_diagnose_works_without_packaging(monkeypatch):
    """A Python without packaging and pip: versions are listed, not compared; no crash."""
    from crossmargin import doctor

    monkeypatch.setattr(doctor, "_packaging", lambda: (None, None))
    found = rows(diagnose())
    assert set(found) >= {"Python", "kernel environment", BQPLOT, MANAGER}


def test_another_python_is_told_to_use_the_course_venv_not_to_install_into_itself(monkeypatch,
                                                                                  tmp_path):
    """Run from a Python that is not the course's .venv, no row says to pip install into it."""
    from crossmargin import doctor

    course = tmp_path / "course"
    (course / ".venv").mkdir(parents=True)
    real = doctor._distribution
    monkeypatch.setattr(doctor, "_distribution",
                        lambda name, prefix: None if name == "bqplot" else real(name, prefix))
    found = rows(diagnose(course_root=course))
    assert not found["kernel environment"].ok and not found["bqplot"].ok
    assert found["bqplot"].fix == (f"use the course's environment: cd {course} && make lab   "
                                   f"(or activate .venv in this terminal: source "
                                   f"{course / '.venv/bin/activate'} and run python -m "
                                   "crossmargin doctor again)")
    assert not any(f"{sys.executable} -m pip install -c" in f.fix for f in found.values())
    # Inspecting another environment on purpose (--prefix): install into it, as before.
    other = rows(diagnose(prefix=tmp_path / "other", course_root=course))
    assert f"{sys.executable} -m pip install -c requirements-lock.txt" in other["bqplot"].fix


def test_the_doctor_says_to_run_the_cells_again_first(tmp_path):
    """'model not found' after reopening a notebook: re-run before any reinstall."""
    for args in ((), ("--prefix", str(tmp_path / "empty"))):
        out = run("-m", "crossmargin", "doctor", *args).stdout
        hint = out.index("Run → Run All Cells")
        assert "model not found" in out[:hint] and "pip install" not in out[hint:]


# ------------------------------------------------- make check: the verdict and the smoke test


def test_verdict_ready_only_when_every_row_is_ok():
    from crossmargin.doctor import verdict

    ok = Finding("a", True, "fine", "")
    assert verdict([ok, ok]) == ("READY: this machine can run the course", 0)
    assert verdict([ok, Finding("b", False, "broken", "do this")]) == \
        ("NOT READY: 1 problem (see FIX lines above)", 1)
    two = [Finding("b", False, "x", "y"), ok, Finding("c", False, "x", "y")]
    assert verdict(two) == ("NOT READY: 2 problems (see FIX lines above)", 1)
    assert verdict([]) == ("NOT READY: no check ran", 1)


def smoke_rows(ok):
    from crossmargin.course.headless import SMOKE_FIGURE, SMOKE_WIDGET

    fix = "" if ok else "make distclean && make check"
    return [Finding(SMOKE_WIDGET[0], ok, "an IntSlider drawn 300×28 px", fix),
            Finding(SMOKE_FIGURE[0], True, "a Figure drawn 480×320 px", "")]


@needs_venv
@pytest.mark.parametrize("drawn", [True, False])
def test_check_ends_with_one_verdict_line(monkeypatch, capsys, drawn):
    """The doctor's rows, the smoke test's rows, then the verdict as the very last line."""
    from crossmargin.course import headless

    monkeypatch.setattr(headless, "smoke_test", lambda course_root=None: smoke_rows(drawn))
    status = main(["check"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("OK  numpy, pandas — ")
    assert any(line.startswith(f"OK  {BQPLOT} — ") for line in lines)
    assert lines[-1] == ("READY: this machine can run the course" if drawn
                         else "NOT READY: 1 problem (see FIX lines above)")
    assert status == (0 if drawn else 1)
    assert sum(line.startswith(("READY", "NOT READY")) for line in lines) == 1
    if not drawn:
        fix = lines.index("FIX headless smoke test: ipywidget — an IntSlider drawn 300×28 px")
        assert lines[fix + 1] == "    run: make distclean && make check"


def test_check_without_numpy_is_not_ready_without_a_traceback(bare_python):
    result = run_bare(bare_python, "-m", "crossmargin", "check")
    out = result.stdout.splitlines()
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert out[0].startswith("FIX numpy, pandas — numpy and pandas are missing")
    assert out[-1] == "NOT READY: 1 problem (see FIX lines above)"


def test_smoke_test_without_chromium_is_a_fix_line_naming_the_install(monkeypatch, tmp_path):
    from crossmargin.course import headless

    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium"))
    [row] = headless.smoke_test(course_root=ROOT)
    assert row.check == "headless smoke test" and not row.ok
    assert row.detail == f"not run: CHROMIUM={tmp_path / 'no-chromium'} is not an executable"
    assert "apt-get install chromium" in row.fix and "set CHROMIUM=" in row.fix
    monkeypatch.delenv("CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))                      # no chromium on the PATH
    [row] = headless.smoke_test(course_root=ROOT)
    assert "no chromium on the PATH and CHROMIUM is not set" in row.detail


def test_smoke_test_without_playwright_is_a_fix_line_naming_the_install(monkeypatch, tmp_path):
    import importlib.util
    from crossmargin.course import headless

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "playwright" else real(name, *a))
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(chromium))                  # found: only playwright lacks
    [row] = headless.smoke_test(course_root=ROOT)
    assert not row.ok and row.detail == "not run: the playwright package is not installed"
    assert row.fix == (f"cd {ROOT} && {sys.executable} -m pip install -c requirements-lock.txt "
                       "playwright")
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "none"))         # both missing: one row
    [row] = headless.smoke_test(course_root=ROOT)
    assert "apt-get install chromium" in row.fix and " && " in row.fix
    assert row.fix.endswith("-m pip install -c requirements-lock.txt playwright")


def test_the_smoke_notebook_builds_one_slider_and_one_bqplot_figure(tmp_path):
    """Its cells run in this kernel's Python (the page is the browser tests' job)."""
    from crossmargin.course.headless import SMOKE_FIGURE, SMOKE_WIDGET, smoke_notebook

    smoke_notebook(tmp_path / "smoke.ipynb")
    nb = json.loads((tmp_path / "smoke.ipynb").read_text())
    assert nb["nbformat"] == 4 and len(nb["cells"]) == 2
    space = {}
    results = []
    for cell in nb["cells"]:
        *body, last = cell["source"].splitlines()
        exec("\n".join(body), space)
        results.append(eval(last, space))
    slider, figure = results
    assert type(slider).__name__ == "IntSlider" and SMOKE_WIDGET[1] in slider._dom_classes
    assert type(figure).__module__.startswith("bqplot") and SMOKE_FIGURE[1] in figure._dom_classes
    assert len(figure.marks) == 1 and list(figure.marks[0].y) == [v * v for v in range(11)]


def test_help_lists_check_and_reset():
    out = run("-m", "crossmargin", "--help").stdout
    assert "check" in out and "reset" in out


def test_chromium_gets_a_short_temporary_folder_when_tmpdir_is_long(tmp_path, monkeypatch):
    """Chromium's profile sockets must fit a Unix socket path: under a long TMPDIR (pytest's
    own folders in CI) it closed as it started, and make check said NOT READY."""
    from crossmargin.course.headless import SHORT_TMPDIR, short_tmpdir
    import tempfile
    long = tmp_path / ("x" * 60)
    long.mkdir()
    monkeypatch.setenv("TMPDIR", str(long))
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert len(tempfile.gettempdir()) > SHORT_TMPDIR
    with short_tmpdir():
        inside = tempfile.gettempdir()
        assert len(inside) <= SHORT_TMPDIR and inside.startswith("/tmp/cm-")
        assert os.environ["TMPDIR"] == inside and Path(inside).is_dir()
    assert tempfile.gettempdir() == str(long) and not Path(inside).exists()
    short = tmp_path.parent if len(str(tmp_path.parent)) <= SHORT_TMPDIR else Path("/tmp")
    monkeypatch.setenv("TMPDIR", str(short))
    monkeypatch.setattr(tempfile, "tempdir", None)
    with short_tmpdir():
        assert tempfile.gettempdir() == str(short)     # short enough: left alone

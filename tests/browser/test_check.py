"""`make check` for real: the pre-flight on this machine, and the same pre-flight on a lab
whose widget front-end is switched off (so a READY verdict is known to mean something)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import CHROMIUM, ROOT, _need

READY = "READY: this machine can run the course"


def needs_browser():
    _need(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _need(False, "the playwright package")


def test_make_check_says_ready_on_this_machine(tmp_path):
    needs_browser()
    _need(shutil.which("make") is not None, "make")
    venv = Path(sys.prefix)   # this interpreter's environment; -o: make does not reinstall it
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "JUPYTER_CONFIG_PATH")}
    env["TMPDIR"] = str(tmp_path)                 # a failed smoke test keeps its folder here
    result = subprocess.run(["make", "-s", "-C", str(ROOT), "-o", str(venv / ".installed"),
                             "-o", str(venv / "bin" / "python"), "check", f"VENV={venv}"],
                            capture_output=True, text=True, timeout=600, env=env)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines[-1] == READY
    assert "FIX" not in result.stdout and "Traceback" not in result.stderr
    widget = next(line for line in lines if line.startswith("OK  headless smoke test: ipywidget"))
    figure = next(line for line in lines
                  if line.startswith("OK  headless smoke test: bqplot figure"))
    assert "an IntSlider drawn" in widget and "a Figure drawn 480×320 px in chromium" in figure


def test_without_the_widget_front_end_it_is_not_ready(tmp_path):
    """The widgets' lab extension switched off for this lab: both drawings fail, the doctor's
    file checks still pass, and the verdict counts exactly the two smoke rows."""
    needs_browser()
    config = tmp_path / "config" / "labconfig"
    config.mkdir(parents=True)
    (config / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyter-widgets/jupyterlab-manager": True}}))
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(tmp_path / "config"), TMPDIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "crossmargin", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines[-1] == "NOT READY: 2 problems (see FIX lines above)"
    fixes = [line for line in lines if line.startswith("FIX")]
    assert [f.split(" — ")[0] for f in fixes] == ["FIX headless smoke test: ipywidget",
                                                 "FIX headless smoke test: bqplot figure"]
    assert all("shown as text, not drawn" in f for f in fixes)
    kept = [p for p in tmp_path.glob("crossmargin-check-*") if (p / "server.log").is_file()]
    assert kept and str(kept[0]) in result.stdout

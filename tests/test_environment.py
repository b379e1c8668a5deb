"""The three descriptions of the course environment must agree.

- pyproject.toml: the package, its runtime dependencies and the `test` extra, as ranges;
- requirements-lock.txt: the exact versions `make lab` / `make test` install (a pip constraints file);
- environment.yml: the conda / Binder environment.

These tests fail when a package is added to one and forgotten in another, when a range differs,
or when the lock pins a version that the ranges do not allow.

Also the JupyterLab settings `make lab` ships (crossmargin/data/jupyter-config): valid for the
installed JupyterLab and passed by the Makefile (tests/browser/test_lab_settings.py checks the
running lab).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "crossmargin"
EXTRAS = ("test",)  # the extras the Makefile installs: `pip install -e '.[test]'`

# conda-forge names that differ from the PyPI names.
CONDA_TO_PYPI = {"playwright-python": "playwright"}
PYPI_TO_CONDA = {pypi: conda for conda, pypi in CONDA_TO_PYPI.items()}
# conda packages that are not Python dependencies of the package (checked separately).
CONDA_ONLY = {"python", "pip"}


def norm(name):
    """PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` become one `-`."""
    return canonicalize_name(name)


# ---------------------------------------------------------------- readers


def read_pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def pyproject_requirements():
    """{normalised name: Requirement} of the runtime dependencies and the EXTRAS."""
    project = read_pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in EXTRAS:
        lines += project["optional-dependencies"][extra]
    reqs = {}
    for line in lines:
        req = Requirement(line)
        if req.marker is not None:
            # a backport for older Pythons (tomli on 3.10): not in the lock (made on 3.11) nor
            # needed by conda, whose environment gets a current Python.
            assert "python_version" in str(req.marker), f"unexpected marker in pyproject.toml: {line}"
            continue
        name = norm(req.name)
        if name == PACKAGE:  # an extra that pulls in another extra of the package itself
            continue
        assert name not in reqs, f"pyproject.toml lists {name} twice"
        reqs[name] = req
    return reqs


CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*$")


def read_environment():
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def conda_dependencies():
    """(conda specs {PyPI-normalised name: version spec string}, pip entries list)."""
    specs, pip_entries = {}, []
    for item in read_environment()["dependencies"]:
        if isinstance(item, dict):
            assert set(item) == {"pip"}, f"unexpected mapping in environment.yml: {item}"
            pip_entries += item["pip"] or []
            continue
        match = CONDA_SPEC.match(str(item))
        assert match, f"cannot read the conda spec {item!r} in environment.yml"
        conda_name, spec = match.groups()
        assert conda_name.lower() not in PYPI_TO_CONDA, (
            f"environment.yml: on conda-forge {conda_name} is called {PYPI_TO_CONDA[conda_name.lower()]}"
        )
        name = norm(CONDA_TO_PYPI.get(conda_name.lower(), conda_name))
        assert name not in specs, f"environment.yml lists {conda_name} twice"
        specs[name] = spec.replace(" ", "")
    return specs, pip_entries


def conda_python_dependencies():
    specs, _ = conda_dependencies()
    return {name: spec for name, spec in specs.items() if name not in CONDA_ONLY}


LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def read_lock():
    """{normalised name: Version} from requirements-lock.txt; every line must be `name==version`."""
    pins = {}
    text = (ROOT / "requirements-lock.txt").read_text(encoding="utf-8")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LOCK_LINE.match(line)
        assert match, f"requirements-lock.txt line {number} is not an exact pin `name==version`: {raw!r}"
        name = norm(match.group(1))
        assert name not in pins, f"requirements-lock.txt pins {name} twice (line {number})"
        pins[name] = Version(match.group(2))
    return pins


# ---------------------------------------------------------------- pyproject <-> environment.yml


def test_environment_yml_and_pyproject_list_the_same_packages():
    in_pyproject = set(pyproject_requirements())
    in_conda = set(conda_python_dependencies())
    assert in_conda == in_pyproject, (
        f"only in pyproject.toml: {sorted(in_pyproject - in_conda)}; "
        f"only in environment.yml: {sorted(in_conda - in_pyproject)}"
    )


@pytest.mark.parametrize("name", sorted(pyproject_requirements()))
def test_environment_yml_uses_the_same_version_range(name):
    conda = conda_python_dependencies()
    if name not in conda:
        pytest.fail(f"{name} is in pyproject.toml but not in environment.yml")
    # conda's `>=a,<b` is written like pip's; a conda-only form (`=1.2`, `1.2.*`) fails to parse here.
    assert SpecifierSet(conda[name]) == pyproject_requirements()[name].specifier, (
        f"{name}: environment.yml says {conda[name]!r}, "
        f"pyproject.toml says {str(pyproject_requirements()[name].specifier)!r}"
    )


def test_environment_yml_asks_for_the_same_python():
    specs, _ = conda_dependencies()
    assert "python" in specs, "environment.yml does not list python"
    assert SpecifierSet(specs["python"]) == SpecifierSet(read_pyproject()["project"]["requires-python"])


def test_environment_yml_installs_pip_and_the_course_package():
    specs, pip_entries = conda_dependencies()
    assert "pip" in specs, "environment.yml has a pip section but does not install pip"
    assert any(entry.split() in (["-e", "."], ["."]) for entry in pip_entries), (
        f"environment.yml must install the package itself from the repo root (`- -e .`); pip: {pip_entries}"
    )


def test_environment_yml_uses_conda_forge_and_the_course_name():
    env = read_environment()
    assert env["name"] == "crossmargin-course"
    assert env["channels"] == ["conda-forge"]


# ---------------------------------------------------------------- pyproject <-> lock


def test_lock_file_pins_exact_versions_and_not_the_course_package():
    pins = read_lock()
    assert len(pins) > len(pyproject_requirements()), "the lock should pin the whole environment"
    assert PACKAGE not in pins, "the lock must not pin the course package itself (it is installed with -e .)"


@pytest.mark.parametrize("name", sorted(pyproject_requirements()))
def test_every_dependency_is_pinned_in_the_lock_within_its_range(name):
    pins = read_lock()
    if name not in pins:
        pytest.fail(f"{name} (pyproject.toml) is not pinned in requirements-lock.txt")
    req = pyproject_requirements()[name]
    assert req.specifier.contains(pins[name], prereleases=True), (
        f"requirements-lock.txt pins {name}=={pins[name]}, outside the pyproject.toml range {req.specifier}"
    )


def test_lock_includes_the_front_end_extensions_of_the_widgets():
    # The widgets only display when the lab extension comes from the same environment as the kernel.
    pins = read_lock()
    for name in ("jupyterlab-widgets", "widgetsnbextension", "bqscales"):
        assert name in pins, f"{name} missing from requirements-lock.txt"
    assert pins["jupyterlab-widgets"].major == 3 and pins["ipywidgets"].major == 8


# ---------------------------------------------------------------- JupyterLab settings (make lab)

LAB_CONFIG = ROOT / "crossmargin" / "data" / "jupyter-config"
OVERRIDES = LAB_CONFIG / "labconfig" / "default_setting_overrides.json"


def read_overrides():
    return json.loads(OVERRIDES.read_text(encoding="utf-8"))


def test_lab_settings_turn_off_news_and_keep_every_cell_in_the_page():
    overrides = read_overrides()
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"  # a string in JupyterLab's schema, not a bool
    assert notification["checkForUpdates"] is False
    # "full" windowing can drop widget outputs after scrolling (JupyterLab 4.4-4.6).
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] in ("defer", "none")


def test_lab_settings_are_valid_for_the_installed_jupyterlab():
    """Each plugin exists and each value is one its schema allows (a typo would be ignored)."""
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    if not schemas.is_dir():
        pytest.skip(f"no JupyterLab schemas in {schemas}")
    for plugin, values in read_overrides().items():
        package, _, name = plugin.partition(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text(encoding="utf-8"))
        for key, value in values.items():
            spec = schema["properties"][key]
            if "oneOf" in spec:
                assert value in [choice["const"] for choice in spec["oneOf"]], (plugin, key, value)
            else:
                assert {"boolean": bool, "string": str}[spec["type"]] is type(value), (plugin, key)


def test_make_lab_puts_the_course_settings_first_on_the_jupyter_config_path():
    result = subprocess.run(["make", "-n", "-s", "lab", "-o", ".venv/.installed"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    command = result.stdout.replace("\\\n", " ")
    expected = f'JUPYTER_CONFIG_PATH="{LAB_CONFIG}${{JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}}"'
    assert expected in command, command
    assert "/jupyter lab " in command.split(expected, 1)[1]
    # Never the learner's own settings folder: that would hide their settings from this lab.
    assert "user_settings_dir" not in command and "JUPYTERLAB_SETTINGS_DIR" not in command


def test_the_lab_settings_folder_explains_itself():
    text = (LAB_CONFIG / "README.md").read_text(encoding="utf-8")
    for key, value in [(k, v) for plugin in read_overrides().values() for k, v in plugin.items()]:
        assert f"`{key}`" in text and f"`{json.dumps(value)}`" in text, key

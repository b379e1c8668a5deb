"""The setup doctor: is this environment able to show the course's widgets?

``python -m crossmargin doctor`` prints one row per check and the exact command
that fixes a failure; :func:`diagnose` returns the same rows as :class:`Finding`
tuples (the SetupCheck widget shows them as a table).

This module imports only the standard library at import time — no ipywidgets,
bqplot or pandas — so it still runs on exactly the broken setups it has to
diagnose. ``packaging`` (for version ranges) is imported when needed, and
falls back to the copy pip ships.

It also runs where the course's packages are not installed at all: ``python3 -m
crossmargin doctor`` with a Python other than the course's (``crossmargin/__init__``
lets the ``-m`` run through when numpy or pandas is missing, and
:func:`engine_finding` says which Python this is and how to get the course's).

"Error displaying widget: model not found" most often means only that the
notebook was reopened without a live kernel (its saved outputs refer to widgets
that no longer exist): run the cells again (Run → Run All Cells). When it stays
after that, the usual causes (see the course's Jupyter notes) are front-end
extensions that are missing or do not match the Python packages, or a kernel
that runs in another environment than the JupyterLab server.
"""
import ast
import base64
import hashlib
try:
    import importlib.metadata as metadata
except ImportError:  # Python < 3.8: too old for the course; the doctor still says what to do
    metadata = None
import importlib.util
import json
import sys
import sysconfig
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlparse

__all__ = ["Finding", "diagnose", "engine_finding", "wrong_environment", "report", "verdict",
           "course_folder", "LAB_EXTENSIONS", "ENGINE_PACKAGES", "RERUN_HINT", "READY",
           "NOT_READY"]

#: Lab extensions the widgets need: folder under share/jupyter/labextensions -> Python package.
LAB_EXTENSIONS = {"@jupyter-widgets/jupyterlab-manager": "jupyterlab_widgets", "bqplot": "bqplot"}

#: What the engine imports: without them ``import crossmargin`` cannot work in this Python.
ENGINE_PACKAGES = ("numpy", "pandas")

#: The first thing to try when a notebook shows "Error displaying widget: model not found".
RERUN_HINT = ('If a notebook shows "Error displaying widget: model not found", first run the '
              "cells again (Run → Run All Cells): a saved notebook reopened without a live kernel "
              "shows this. Only when it stays after a fresh run is something to fix above.")

#: The last line of ``make check`` (:func:`verdict`).
READY = "READY: this machine can run the course"
NOT_READY = "NOT READY: {count} problem{s} (see FIX lines above)"

#: Python package -> (module file, variable) naming the front-end version range it needs.
FRONTEND_RANGE = {"bqplot": ("bqplot/_version.py", "__frontend_version__")}


class Finding(NamedTuple):
    """One row of the diagnosis: what was checked, whether it is fine, what was seen, the fix."""

    check: str
    ok: bool
    detail: str
    fix: str


def _packaging():
    """``packaging``'s Requirement and Version tools: the package, else pip's vendored copy.

    (None, None) where neither is importable (a Python without pip, ``python -I -S``):
    versions are then shown but not compared with the course's ranges.
    """
    try:
        from packaging import requirements, version
    except ImportError:  # packaging is a test extra; pip always carries a copy
        try:
            from pip._vendor.packaging import requirements, version
        except ImportError:
            return None, None
    return requirements, version


def course_folder(course_root=None):
    """The course folder: ``course_root``, else the checkout crossmargin is imported from
    (None when crossmargin is not imported from a checkout)."""
    if course_root is not None:
        return Path(course_root)
    package_dir = Path(__file__).resolve().parent
    return package_dir.parent if (package_dir.parent / "pyproject.toml").is_file() else None


def _course_venv(root):
    """The course's own environment (``.venv`` made by ``make lab``) when it exists, else None."""
    venv = root / ".venv" if root else None
    return venv if venv is not None and venv.is_dir() else None


def _runs_in(venv):
    """Whether this Python is the one of ``venv``."""
    return Path(sys.prefix).resolve() == Path(venv).resolve()


def _switch_fix(root, venv):
    """How to get into the course's environment from a terminal (``root`` is the course folder)."""
    if root is None:
        return ("start JupyterLab from the environment the course was installed in "
                "(conda: conda activate crossmargin-course), then run this again")
    fix = f"cd {root} && make lab"
    if venv is None:
        return fix + " (the first run creates .venv and installs the course's packages)"
    return (fix + f"   (or activate .venv in this terminal: source {venv / 'bin' / 'activate'}"
            " and run python -m crossmargin doctor again)")


def engine_finding(course_root=None):
    """Can this Python import the engine's packages (:data:`ENGINE_PACKAGES`)? A :class:`Finding`.

    When one is missing the detail says which Python runs (often ``/usr/bin/python3``
    instead of the course's ``.venv``) and the fix is to use the course's environment.
    """
    missing = [name for name in ENGINE_PACKAGES if importlib.util.find_spec(name) is None]
    check = ", ".join(ENGINE_PACKAGES)
    if not missing:
        return Finding(check, True, f"importable by {sys.executable}", "")
    root = course_folder(course_root)
    venv = _course_venv(root)
    what = " and ".join(missing) + (" is" if len(missing) == 1 else " are")
    if venv is not None and _runs_in(venv):
        return Finding(check, False, f"{what} missing from the course's environment {venv}",
                       f"cd {root} && {sys.executable} -m pip install -c requirements-lock.txt "
                       "-e '.[test]'")
    where = (f"not the course's environment {venv}" if venv is not None else
             f"not the course's environment (.venv in {root}, not created yet)" if root else
             "not the environment the course was installed in")
    return Finding(check, False, f"{what} missing: you are running {sys.executable}, {where}",
                   _switch_fix(root, venv))


def wrong_environment(course_root=None):
    """The message when the engine's packages are missing: what is wrong and the command to run."""
    finding = engine_finding(course_root)
    if finding.ok:
        return ""
    return f"{finding.detail}. Fix: {finding.fix}"


def _site_packages(prefix):
    return Path(sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})["purelib"])


def _distribution(name, prefix):
    """The distribution ``name`` installed in the environment at ``prefix``, or None."""
    return next(iter(metadata.distributions(name=name, path=[str(_site_packages(prefix))])), None)


def _requirements(dist):
    """``{package: specifier}`` a distribution declares (extras left out); {} without one."""
    found = {}
    requirements, _ = _packaging()
    if not dist or not dist.requires or requirements is None:
        return found
    for line in dist.requires:
        try:
            req = requirements.Requirement(line)
        except requirements.InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            found[req.name.lower().replace("-", "_")] = req.specifier
    return found


def _caret_allows(spec, version):
    """npm's ``^x.y.z``: same major (same minor while major is 0), and not older."""
    Version = _packaging()[1].Version  # callers check that packaging is there
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


def _module_constant(path, name):
    """The string ``name = '...'`` assigned in the Python file ``path``, read without importing it."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)):
            return node.value.value
    return None


def _frontend_range(package, prefix):
    """The front-end version range ``package`` (installed at ``prefix``) needs, or None.

    Read from the package's source file in ``prefix``; when that environment has
    no such file, from the copy this interpreter would import (found, not imported).
    """
    if package not in FRONTEND_RANGE:
        return None
    relative, name = FRONTEND_RANGE[package]
    candidates = [_site_packages(prefix) / relative]
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        candidates.append(Path(spec.origin).parent.parent / relative)
    for path in candidates:
        if path.is_file():
            return _module_constant(path, name)
    return None


def _shipped_hash(dist, folder):
    """The sha256 (RECORD's urlsafe base64) of the package.json ``dist`` installed for ``folder``."""
    suffix = f"share/jupyter/labextensions/{folder}/package.json"
    for line in (dist.read_text("RECORD") or "").splitlines() if dist else []:
        path, _, rest = line.partition(",")
        if path.replace("\\", "/").endswith(suffix):
            digest = rest.partition(",")[0]
            return digest.partition("=")[2] if digest.startswith("sha256=") else None
    return None


def _sha256(path):
    digest = hashlib.sha256(Path(path).read_bytes()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def diagnose(prefix=None, course_root=None):
    """Check the kernel's environment; a list of :class:`Finding` rows (check, ok, detail, fix).

    ``prefix`` is the environment to inspect (default ``sys.prefix``, the kernel's);
    ``course_root`` the course folder (default: the folder crossmargin is
    imported from, when it holds ``pyproject.toml``). Package versions are those
    installed at ``prefix``, compared with the ranges crossmargin declares; each
    lab extension's package.json is compared with the version range its Python
    package needs and with the file that package installed.
    ``fix`` is empty when the check passed.
    """
    inspect_this_python = prefix is None
    prefix = Path(prefix or sys.prefix)
    package_dir = Path(sys.modules["crossmargin"].__file__).parent
    root = course_folder(course_root)
    where = f"cd {root} && " if root else "in the course folder: "
    restart = "; then stop JupyterLab (Ctrl-C) and start it again with make lab"
    install = f"{where}{sys.executable} -m pip install -c requirements-lock.txt -e '.[test]'" + restart
    venv = _course_venv(root)
    if inspect_this_python and venv is not None and not _runs_in(venv):
        # Installing the course into some other Python is not the fix: use the course's own.
        install = "use the course's environment: " + _switch_fix(root, venv)
    findings = []

    def add(check, ok, detail, fix=install):
        findings.append(Finding(check, bool(ok), detail, "" if ok else fix))

    python = ".".join(map(str, sys.version_info[:3]))
    add("Python", sys.version_info >= (3, 10), f"{python} at {sys.executable}",
        "install Python 3.11 or newer, then: make distclean && make lab PYTHON=python3.11")

    if venv is not None:
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

    version_tools = _packaging()[1]
    labextensions = prefix / "share" / "jupyter" / "labextensions"
    for folder, package in LAB_EXTENSIONS.items():
        manifest = labextensions / folder / "package.json"
        name = f"lab extension {folder}"
        dist = _distribution(package, prefix)
        # The Python package is there but its front-end is not (or is another one's):
        # reinstalling exactly that version puts the right files back.
        reinstall = install if dist is None else (
            f"{sys.executable} -m pip install --force-reinstall --no-deps "
            f"'{dist.metadata['Name']}=={dist.version}'" + restart)
        if not manifest.is_file():
            add(name, False, f"missing: no {manifest}", reinstall)
            continue
        try:
            version = json.loads(manifest.read_text(encoding="utf-8")).get("version", "?")
        except (OSError, ValueError):
            add(name, False, f"unreadable: {manifest}", reinstall)
            continue
        spec = _frontend_range(package, prefix) if version_tools else None
        try:
            ok = spec is None or _caret_allows(spec, version)
        except version_tools.InvalidVersion:
            ok = False
        detail = f"{version}" + (f" (the {package} package needs {spec})" if spec else "")
        shipped = _shipped_hash(dist, folder)
        if ok and shipped is not None:
            if shipped == _sha256(manifest):
                detail += f", as {package} {dist.version} installed it"
            else:
                ok = False
                detail += (f", but not the front-end {package} {dist.version} installed "
                           "(another install replaced it)")
        add(name, ok, detail, reinstall)
    return findings


def report(findings):
    """The findings as the doctor prints them: ``OK  check — detail`` or ``FIX`` plus the command."""
    lines = []
    for f in findings:
        if f.ok:
            lines.append(f"OK  {f.check} — {f.detail}")
        else:
            lines.append(f"FIX {f.check} — {f.detail}\n    run: {f.fix}")
    return "\n".join(lines)


def verdict(findings):
    """``make check``'s one-line verdict and exit status for ``findings``: (:data:`READY`, 0)
    when every row is OK, else (:data:`NOT_READY` with the number of FIX rows, 1).

    >>> verdict([Finding("Python", True, "3.11", "")])
    ('READY: this machine can run the course', 0)
    >>> verdict([Finding("a", False, "x", "fix a"), Finding("b", False, "y", "fix b")])
    ('NOT READY: 2 problems (see FIX lines above)', 1)
    """
    if not findings:                  # nothing was checked: nothing is known to work
        return "NOT READY: no check ran", 1
    failed = sum(not f.ok for f in findings)
    if failed == 0:
        return READY, 0
    return NOT_READY.format(count=failed, s="" if failed == 1 else "s"), 1

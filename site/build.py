"""Build the course website: ``python site/build.py [--subset] [--out DIR]`` (``make site``).

1. *Sources*: puts together, in ``build/site-src/``, the pages Sphinx reads: site/index.md
   with the course map and schedules filled in from the notebooks' metadata, the lessons
   (``notebooks/NN-*.ipynb``, their cells tagged for the site by
   ``crossmargin.course.website.site_notebook`` and a note with launch links after the title),
   the instructor guide, adapting lessons, authoring notes, the cheat sheet, the glossary
   (as a Sphinx glossary, ``glossary_page``) and ``images/``. The notebooks are only read.
2. *Widget JavaScript*, served by the site itself: require.js and
   ``@jupyter-widgets/html-manager`` from the npm registry (``npm pack``, pinned versions,
   checked against the registry's sha512), bqplot's and bqscales' front-ends from the installed
   Python packages. npm's own cache makes later builds work offline.
3. *Sphinx* (myst-nb executes the lessons through jupyter-cache, so a lesson is executed again
   only when its code changes): ``-W``, a warning fails the build.

``--subset`` (``make test``) executes only the lessons in ``SUBSET`` (the others are pages
without outputs) and writes ``build/site-subset/``. Prints the build time and page count.
"""
import argparse
import base64
import fnmatch
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from crossmargin.course import GENERATED, generated_section, lessons
from crossmargin.course import website
from crossmargin.course.website import glossary_page, launch_links, site_notebook
from crossmargin.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
BUILD = ROOT / "build"
SOURCES = BUILD / "site-src"
VENDOR = BUILD / "site-vendor"
CACHE = BUILD / "site-cache"
#: Lessons executed by ``--subset``: one with a bqplot explorer (01), one with several
#: tools, exercises and many glossary links (07).
SUBSET = ("01", "07")
#: Pages of notebooks/ besides the lessons (the glossary is converted, the rest copied).
PAGES = ("glossary.md", "cheat-sheet.md", "instructor-guide.md", "adapting-lessons.md",
         "AUTHORING.md")

#: The widget front-end from npm: package -> (version, sha512 of the tarball as npm's
#: ``dist.integrity`` gives it, files to copy -> where under widgets/).
NPM = {
    "requirejs": ("2.3.8",
                  "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
                  {"require.js": "require.js"}),
    "@jupyter-widgets/html-manager": (
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        {"dist/embed-amd.js": "html-manager/embed-amd.js",
         "dist/embed.js.LICENSE.txt": "html-manager/LICENSES.txt",
         # the icon fonts of the widget controls, which embed-amd.js loads beside itself
         "dist/*.woff2": "html-manager/", "dist/*.woff": "html-manager/",
         "dist/*.ttf": "html-manager/", "dist/*.eot": "html-manager/",
         "dist/*.svg": "html-manager/"}),
}
#: The front-ends of the Python widget packages (nbextension folders in sys.prefix).
NBEXTENSIONS = ("bqplot", "bqscales")
#: Written in a built site: the fingerprint of what it was built from (inputs_fingerprint).
STAMP = ".crossmargin-inputs"


class BuildError(RuntimeError):
    """The site cannot be built; the message says why and what to do."""


# ---------------------------------------------------------------- sources

def repository():
    """The repository address in pyproject.toml's [project.urls] (``website.repository``)."""
    try:
        return website.repository(ROOT / "pyproject.toml")
    except InvalidInput as err:
        raise BuildError(str(err)) from None


def fingerprint(*folders_or_files):
    """A short hash of the files given (folders: every file in them, __pycache__ aside)."""
    digest = hashlib.sha256()
    for item in folders_or_files:
        files = sorted(item.rglob("*")) if item.is_dir() else [item]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                name = path.relative_to(item.parent).as_posix()
                digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def engine_fingerprint():
    """What a lesson's outputs depend on besides its own cells: the crossmargin package and
    the pinned environment. The executed lessons are cached under this key, so a change to
    the engine executes them again (jupyter-cache alone would only notice their code)."""
    return fingerprint(ROOT / "crossmargin", ROOT / "pyproject.toml", ROOT / "requirements-lock.txt")


def inputs_fingerprint():
    """Everything a build reads: a built site whose stamp differs is out of date."""
    return fingerprint(ROOT / "notebooks", ROOT / "images", SITE) + engine_fingerprint()


def write_if_changed(path, data):
    """Write ``data`` (str or bytes) unless the file already holds it, so Sphinx rebuilds
    only what changed."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def launch_note(notebook, jupyterhub=None):
    """The markdown cell put after a lesson's title: its tools are saved pictures; run the
    lesson to move them, with the launch links."""
    repo = repository()
    links = launch_links(repo, f"notebooks/{notebook}", jupyterhub=jupyterhub)
    hub = (f"[on JupyterHub]({links['JupyterHub']}) (your own copy, through nbgitpuller)"
           if "JupyterHub" in links else
           "on your class's JupyterHub (your instructor gives you an nbgitpuller link)")
    return ("```{admonition} Run the lesson to move its tools\n"
            ":class: tip crossmargin-launch\n"
            "Each tool on this page shows the figure saved when the lesson ran: you can read it "
            "but not move it, and the exercises cannot check an answer here. "
            f"Run the lesson to move the sliders and try the exercises: [on Binder]({links['Binder']}) "
            f"(in your browser, nothing to install), {hub}, or on your own machine with "
            "`make lab` (see the [course README]"
            f"({repo}#the-two-commands)).\n"
            "```")


def site_lesson(path, jupyterhub=None, engine=""):
    """The notebook at ``path`` as the site shows it (JSON text). ``engine`` (the engine's
    fingerprint) goes in its metadata, so Sphinx reads the lesson again when the engine changes."""
    nb = site_notebook(json.loads(path.read_text(encoding="utf-8")))
    nb["metadata"]["crossmargin_site"] = {"engine": engine}
    note = {"cell_type": "markdown", "id": "site-launch-note", "metadata": {},
            "source": launch_note(path.name, jupyterhub)}
    nb["cells"].insert(1, note)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def fill_index(template, notebooks):
    """site/index.md with its generated sections (course map, schedules) and the lessons'
    table of contents filled in."""
    def fill(match):
        return match[1] + generated_section(match["name"], notebooks, "notebooks/") + "\n" + match[4]

    text = GENERATED.sub(fill, template)
    toc = "\n".join(f"notebooks/{Path(row['notebook']).stem}"
                    for row in lessons(notebooks) if row["written"])
    if "<!-- site:lessons -->" not in text:
        raise BuildError("site/index.md must hold <!-- site:lessons --> where the lessons go")
    return text.replace("<!-- site:lessons -->", toc)


def stage(dest=SOURCES, jupyterhub=None, engine=""):
    """Put the site's sources together in ``dest``; returns the files written there."""
    notebooks = ROOT / "notebooks"
    files = {}
    for page in sorted(SITE.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        files[page.name] = fill_index(text, notebooks) if page.name == "index.md" else text
    for row in lessons(notebooks):
        if row["written"]:
            files[f"notebooks/{row['notebook']}"] = site_lesson(notebooks / row["notebook"],
                                                                jupyterhub, engine)
    for name in PAGES:
        text = (notebooks / name).read_text(encoding="utf-8")
        files[f"notebooks/{name}"] = glossary_page(text) if name == "glossary.md" else text
    for path in sorted((ROOT / "images").rglob("*")):
        if path.is_file():
            files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    for name, data in files.items():
        write_if_changed(dest / name, data)
    for path in sorted(dest.rglob("*"), reverse=True):  # what is no longer a source
        rel = path.relative_to(dest).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return sorted(files)


# ---------------------------------------------------------------- widget JavaScript

def npm_integrity(data):
    """npm's ``dist.integrity`` of a tarball: ``sha512-`` and the base64 of its SHA-512."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def npm_tarball(package, version, integrity, workdir):
    """The package's tarball from ``npm pack`` (npm's cache first), checked against
    ``integrity``."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("the site needs npm (Node.js) to fetch the widget JavaScript "
                         f"{package}@{version}: install Node.js and npm, e.g. "
                         "'apt-get install npm', then run make site again")
    proc = subprocess.run([npm, "pack", "--prefer-offline", "--silent", f"{package}@{version}"],
                          cwd=workdir, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"npm pack {package}@{version} failed (the first build needs the npm "
                         f"registry; later ones use npm's cache):\n{proc.stderr[-2000:]}")
    tarball = Path(workdir) / proc.stdout.strip().splitlines()[-1]
    data = tarball.read_bytes()
    if npm_integrity(data) != integrity:
        raise BuildError(f"{package}@{version} from npm does not match its pinned sha512 "
                         f"(got {npm_integrity(data)}); refusing to use it")
    return data


def vendor(dest=VENDOR):
    """Copy the widget JavaScript into ``dest/widgets/`` (served as ``_static/widgets/``),
    with ``SOURCES.json``: where each package comes from, its version and licence."""
    out = dest / "widgets"
    stamp = out / "SOURCES.json"
    wanted = {p: v for p, (v, _, _) in NPM.items()}
    wanted.update({name: _nbextension(name)[1] for name in NBEXTENSIONS})
    if stamp.exists() and {k: v["version"] for k, v in json.loads(stamp.read_text()).items()} == wanted:
        return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    sources = {}
    with tempfile.TemporaryDirectory() as workdir:
        for package, (version, integrity, wanted_files) in NPM.items():
            data = npm_tarball(package, version, integrity, workdir)
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                members = {m.name.removeprefix("package/"): m for m in tar.getmembers() if m.isfile()}
                meta = json.loads(tar.extractfile(members["package.json"]).read())
                for pattern, target in wanted_files.items():
                    found = sorted(n for n in members if fnmatch.fnmatch(n, pattern))
                    if not found:
                        raise BuildError(f"{package}@{version} has no {pattern}")
                    for name in found:
                        to = out / (target + Path(name).name if target.endswith("/") else target)
                        to.parent.mkdir(parents=True, exist_ok=True)
                        to.write_bytes(tar.extractfile(members[name]).read())
            sources[package] = {"version": version, "license": meta.get("license"),
                                "from": "npm registry", "integrity": integrity}
    for name in NBEXTENSIONS:
        folder, version = _nbextension(name)
        (out / name).mkdir()
        shutil.copy2(folder / "index.js", out / name / "index.js")
        licence = _licence(name)
        if licence:
            shutil.copy2(licence, out / name / "LICENSE.txt")
        sources[name] = {"version": version, "license": _licence_name(name),
                         "from": f"the {name} Python package (share/jupyter/nbextensions/{name})"}
    stamp.write_text(json.dumps(sources, indent=1) + "\n")
    return out


def _nbextension(name):
    """(folder of the installed nbextension, package version)."""
    from importlib.metadata import PackageNotFoundError, version
    folder = Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / name
    try:
        found = version(name)
    except PackageNotFoundError:
        found = None
    if found is None or not (folder / "index.js").is_file():
        raise BuildError(f"the site needs the {name} package's front-end in {folder}: "
                         f"run make install (or pip install {name})")
    return folder, found


def _licence_name(name):
    """The package's licence, in a few words (the full text is copied as LICENSE.txt)."""
    from importlib.metadata import metadata
    meta = metadata(name)
    short = meta.get("License-Expression") or meta.get("License") or ""
    if short and "\n" not in short.strip() and len(short) < 60:
        return short.strip()
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or ()
                   if c.startswith("License ::")]
    return classifiers[0] if classifiers else "see LICENSE.txt"


def _licence(name):
    from importlib.metadata import distribution
    for f in distribution(name).files or ():
        if Path(f).name.upper().startswith(("LICENSE", "LICENCE")):
            return Path(f.locate())
    return None


# ---------------------------------------------------------------- Sphinx

def pages(out):
    """The HTML pages of a built site, without Sphinx's own (search, index of terms)."""
    own = {"search.html", "genindex.html"}
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                  if p.name not in own and "_static" not in p.parts
                  and "_sources" not in p.parts)


def build(out, subset=False, jupyterhub=None, jobs="1"):
    """Stage, vendor and run Sphinx; returns (seconds, list of pages)."""
    start = time.monotonic()
    inputs, engine = inputs_fingerprint(), engine_fingerprint()
    stage(jupyterhub=jupyterhub, engine=engine)
    vendor()
    executions = CACHE / "jupyter-cache"
    if executions.is_dir():  # executions made with another engine are of no more use
        for old in executions.iterdir():
            if old.name != engine:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    env = dict(os.environ, CROSSMARGIN_SITE_VENDOR=str(VENDOR),
               CROSSMARGIN_SITE_CACHE=str(executions / engine))
    if subset:
        env["CROSSMARGIN_SITE_EXECUTE"] = ",".join(SUBSET)
    else:
        env.pop("CROSSMARGIN_SITE_EXECUTE", None)
    if jupyterhub:
        env["CROSSMARGIN_SITE_JUPYTERHUB"] = jupyterhub
    doctrees = CACHE / ("doctrees-subset" if subset else "doctrees")
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
           "-j", jobs, "-c", str(SITE), "-d", str(doctrees), str(SOURCES), str(out)]
    print("+", " ".join(cmd), flush=True)
    if subprocess.run(cmd, env=env).returncode != 0:
        raise BuildError("sphinx-build failed (its warnings are above; -W makes each one fail "
                         "the build)")
    (out / STAMP).write_text(inputs + "\n", encoding="utf-8")
    built = pages(out)
    return time.monotonic() - start, built


def ensure_built():
    """The built site the tests read: ``CROSSMARGIN_SITE_DIR`` if set, else build/site-subset/
    (``make test`` builds it first; built again here if it is missing or older than its
    sources, one process at a time)."""
    import fcntl
    if os.environ.get("CROSSMARGIN_SITE_DIR"):
        return Path(os.environ["CROSSMARGIN_SITE_DIR"]).resolve()
    out = BUILD / "site-subset"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = out / STAMP
        if not stamp.exists() or stamp.read_text(encoding="utf-8").strip() != inputs_fingerprint():
            build(out, subset=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python site/build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--subset", action="store_true",
                        help=f"execute only lessons {', '.join(SUBSET)} (for make test)")
    parser.add_argument("--out", default=None,
                        help="output folder (default build/site, or build/site-subset)")
    parser.add_argument("--jupyterhub", default=os.environ.get("CROSSMARGIN_SITE_JUPYTERHUB"),
                        help="a JupyterHub address for the lessons' nbgitpuller links")
    parser.add_argument("-j", "--jobs", default="1", help="Sphinx parallel jobs (default 1)")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else BUILD / ("site-subset" if args.subset else "site")
    try:
        seconds, built = build(out.resolve(), args.subset, args.jupyterhub, args.jobs)
    except BuildError as err:
        print(f"site/build.py: {err}", file=sys.stderr)
        return 1
    what = f"lessons {', '.join(SUBSET)} executed" if args.subset else "every lesson executed"
    print(f"Built {out} ({what}): {len(built)} pages in {seconds:.0f} s. "
          f"Open {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

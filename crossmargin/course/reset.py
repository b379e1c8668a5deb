"""Put a lesson back as the course ships it, keeping the learner's version beside it.

``make reset LESSON=07`` (``python -m crossmargin reset 07``) restores
``notebooks/07-stop-losses.ipynb``; ``make reset`` restores every lesson after a
confirmation. Before a file is overwritten, the learner's version is copied beside it as
``07-stop-losses.mine-YYYYMMDD-HHMMSS.ipynb`` (``-2``, ``-3``, ... when that name is taken:
an earlier copy is never overwritten). A lesson already as shipped is left alone.

Where the pristine lessons come from:

- **git** (the default): the notebook as committed at ``HEAD`` (``rev``), read with
  ``git show HEAD:./NN-name.ipynb``. The course is stored without outputs, so this is the
  lesson as published. On a JupyterHub, nbgitpuller commits a learner's edits ("WIP") when
  the link is clicked again: there, restore from the course's branch, ``rev="origin/main"``.
- **a folder** (``source``): the ``notebooks/`` folder of a fresh download of the course.
  A zip download has no git history, so nothing on the machine remembers the pristine
  lessons; outside a git checkout :func:`reset_lessons` refuses and says to download the
  course again and reset from it.

Nothing is kept inside the package: an editable install (``make install``) has no
separate copy of the notebooks, and a copy made at install time would go stale when the
course is updated with ``git pull``.
"""
import re
import subprocess
import time
from pathlib import Path
from typing import NamedTuple, Optional

from ..errors import InvalidInput
from . import CHECKOUT_NOTEBOOKS, LESSON_FILE, lesson_files

__all__ = ["KEPT_COPY", "Reset", "pristine_lessons", "plan", "apply",
           "reset_lessons", "kept_name"]

#: A learner's version kept by a reset: NN-name.mine-YYYYMMDD-HHMMSS[-N].ipynb.
KEPT_COPY = re.compile(r"(?P<lesson>\d\d-[a-z0-9]+(-[a-z0-9]+)*)\.mine-\d{8}-\d{6}(-\d+)?\.ipynb")


class Reset(NamedTuple):
    """One lesson's reset: the notebook, the pristine content, where it comes from, and
    ``kept``: the learner's copy (None before :func:`apply`, or when there was nothing to
    keep). ``changed`` is False when the notebook is already as shipped."""

    notebook: Path
    pristine: bytes
    source: str
    changed: bool
    kept: Optional[Path] = None


def _git(folder, *args):
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, timeout=60)


def _download_hint(folder):
    """What a learner without git does: download the course again and reset from it."""
    try:
        from importlib.metadata import metadata
        urls = dict(u.split(", ", 1) for u in metadata("crossmargin").get_all("Project-URL") or [])
        where = f" ({urls['Repository']})" if "Repository" in urls else ""
    except (ImportError, LookupError, ValueError):
        where = ""
    return (f"download the course again{where}, unpack it somewhere else and reset from its "
            f"notebooks folder, e.g. python -m crossmargin reset 07 --from "
            f"~/Downloads/cross-margin-step-by-step-main/notebooks --notebooks {folder}")


def _from_git(folder, rev):
    """``{file name: content}`` of the lesson notebooks in ``folder`` as committed at ``rev``."""
    try:
        inside = _git(folder, "rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        raise InvalidInput(f"git is needed to find the lessons as shipped, and it is not "
                           f"installed: install git, or {_download_hint(folder)}") from None
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise InvalidInput(f"{folder} is not in a git checkout, so nothing here remembers the "
                           "lessons as shipped (a zip download keeps no history): "
                           + _download_hint(folder))
    if _git(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise InvalidInput(f"rev must be a commit of this checkout, e.g. HEAD or origin/main "
                           f"(got {rev!r})")
    listed = _git(folder, "ls-tree", "-z", "--name-only", rev, "--", ".")
    names = [n for n in listed.stdout.decode().split("\0") if LESSON_FILE.fullmatch(n)]
    found = {}
    for name in names:
        shown = _git(folder, "show", f"{rev}:./{name}")
        if shown.returncode != 0:
            raise InvalidInput(f"git could not read {name} at {rev}: "
                               f"{shown.stderr.decode().strip()}")
        found[name] = shown.stdout
    return found


def _from_folder(source):
    source = Path(source).expanduser()
    if not source.is_dir():
        raise InvalidInput(f"source must be a folder of lesson notebooks, e.g. the notebooks/ "
                           f"of a fresh download (got {str(source)!r}: no such folder)")
    found = {p.name: p.read_bytes() for p in lesson_files(source) if p.is_file()}
    if not found:
        raise InvalidInput(f"source must hold lesson notebooks NN-name.ipynb (found none in "
                           f"{str(source)!r})")
    return found


def pristine_lessons(folder, rev="HEAD", source=None):
    """``{file name: content}`` of every lesson as shipped, and a label of where it came
    from: from the folder ``source`` when given, else from git at ``rev``."""
    if source is not None:
        return _from_folder(source), f"{Path(source).expanduser()}"
    return _from_git(Path(folder), rev), f"git {rev}"


def _select(wanted, pristine, folder):
    """File names for the lessons asked for (``"07"``, ``"7"``, ``"07-stop-losses"``, a path)."""
    if not wanted:
        return sorted(pristine)
    chosen = []
    for item in wanted:
        name = Path(str(item)).name
        stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
        if re.fullmatch(r"\d{1,2}", stem):
            lesson = f"{int(stem):02d}-"
            matches = [n for n in pristine if n.startswith(lesson)]
            here = [p.name for p in lesson_files(folder) if p.name.startswith(lesson)]
        else:
            matches = [n for n in pristine if n == f"{stem}.ipynb"]
            here = [f"{stem}.ipynb"] if (Path(folder) / f"{stem}.ipynb").is_file() else []
        if not matches:
            if here:
                raise InvalidInput(f"lesson {item!r} ({here[0]}) is not among the lessons as "
                                   "shipped, so there is nothing to restore it from")
            known = ", ".join(n[:2] for n in sorted(pristine))
            raise InvalidInput(f"lesson must be one of {known} or a notebook name "
                               f"(got {item!r})")
        chosen += [m for m in matches if m not in chosen]
    return chosen


def plan(lessons=None, folder=None, rev="HEAD", source=None):
    """What a reset would do, without writing anything: a :class:`Reset` per lesson asked for
    (every lesson when ``lessons`` is empty)."""
    folder = Path(folder) if folder is not None else CHECKOUT_NOTEBOOKS
    if not folder.is_dir():
        raise InvalidInput(f"folder must be the lessons folder (got {str(folder)!r}: "
                           "no such folder)")
    pristine, where = pristine_lessons(folder, rev, source)
    if not pristine:
        raise InvalidInput(f"no lesson notebooks NN-name.ipynb in {folder} at {where}")
    steps = []
    for name in _select(lessons, pristine, folder):
        path = folder / name
        current = path.read_bytes() if path.is_file() else None
        steps.append(Reset(path, pristine[name], where, current != pristine[name]))
    return steps


def kept_name(notebook, when=None):
    """Where the learner's version of ``notebook`` is kept: ``NN-name.mine-YYYYMMDD-HHMMSS.ipynb``
    beside it (local time ``when``, default now); ``-2``, ``-3``, ... when that name is taken."""
    notebook = Path(notebook)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when))
    base = f"{notebook.stem}.mine-{stamp}"
    candidate, n = notebook.with_name(f"{base}.ipynb"), 1
    while candidate.exists():
        n += 1
        candidate = notebook.with_name(f"{base}-{n}.ipynb")
    return candidate


def _keep(notebook, when):
    """Copy ``notebook`` to :func:`kept_name`, never over an existing file."""
    data = notebook.read_bytes()
    while True:
        target = kept_name(notebook, when)
        try:
            with open(target, "xb") as out:     # "x": fails rather than overwrite
                out.write(data)
            return target
        except FileExistsError:                 # taken between the check and the write
            continue


def apply(steps, when=None):
    """Carry out a :func:`plan`: for each changed lesson, keep the learner's version (when
    there is one) and write the pristine content. Returns the steps with ``kept`` filled in."""
    done = []
    for step in steps:
        if not step.changed:
            done.append(step)
            continue
        kept = _keep(step.notebook, when) if step.notebook.is_file() else None
        scratch = step.notebook.with_name(f".{step.notebook.name}.reset")
        scratch.write_bytes(step.pristine)
        scratch.replace(step.notebook)          # atomic: never a half-written lesson
        done.append(step._replace(kept=kept))
    return done


def reset_lessons(lessons=None, folder=None, rev="HEAD", source=None, when=None):
    """Restore lessons as shipped, keeping each learner version beside it; see the module doc.

    ``lessons``: numbers or notebook names (every lesson when empty); ``folder``: the lessons
    folder (default: the checkout's notebooks/); ``rev``: the git revision; ``source``: a
    folder of pristine notebooks instead of git. Returns a :class:`Reset` per lesson.
    """
    return apply(plan(lessons, folder, rev, source), when)

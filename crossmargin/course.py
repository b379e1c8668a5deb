"""The course map: every lesson, its title and its time, read from the notebooks themselves.

A written lesson's notebook carries its facts in the notebook metadata (``course``:
``lesson``, ``title``, ``minutes``; see notebooks/AUTHORING.md). :func:`lessons` reads
them; a planned lesson that has no notebook yet is listed with its planned title
and ``"coming"`` instead of minutes::

    from crossmargin.course import course_map
    course_map()            # one row per lesson: title, notebook, minutes

Nothing here is typed twice: titles and times of written lessons come from the
notebooks, so the map cannot drift from them.
"""
import json
from pathlib import Path

import pandas as pd

from .errors import InvalidInput

__all__ = ["PLANNED", "COMING", "lessons", "course_map"]

#: The twelve lessons in order: notebook name -> title used until the notebook exists.
PLANNED = {
    "00-start-here": "Start here",
    "01-margin-basics": "Margin basics",
    "02-cross-vs-isolated": "Cross vs isolated margin",
    "03-activate-deposit-select": "Activate, deposit, select",
    "04-open-positions": "Open positions",
    "05-monitor-margin-ratio": "Monitor the margin ratio",
    "06-stop-losses": "Stop losses",
    "07-practical-example": "The practical example",
    "08-hedging": "Hedging",
    "09-leverage-and-cascades": "Leverage and cascading liquidations",
    "10-tips-and-faq": "Tips and FAQ",
    "11-capstone": "Capstone",
}

#: What the minutes column says for a lesson still being written.
COMING = "coming"

#: Where the course's notebooks sit in a checkout (next to the package).
_CHECKOUT_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _notebooks_folder(folder):
    """The folder given, else the current one if it holds lessons, else the checkout's."""
    if folder is not None:
        if not isinstance(folder, (str, Path)):
            raise InvalidInput(f"folder must be a path to the notebooks folder (got {folder!r})")
        path = Path(folder)
        if not path.is_dir():
            raise InvalidInput(f"folder must be an existing folder of notebooks (got {str(folder)!r})")
        return path
    here = Path.cwd()
    if any(here.glob("[0-9][0-9]-*.ipynb")):
        return here
    return _CHECKOUT_NOTEBOOKS


def _course_metadata(path):
    """The ``course`` entry of a notebook's metadata, checked for what the map needs."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]["course"]
        minutes = meta["minutes"]
        title = meta["title"]
        total = minutes["teaching"] + minutes["exercises"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InvalidInput(f"notebook {path.name} must hold metadata course.title and "
                           f"course.minutes.teaching/exercises (got an error: {err!r})") from None
    if not isinstance(title, str) or not title or isinstance(total, bool) or \
            not isinstance(total, int) or total <= 0:
        raise InvalidInput(f"notebook {path.name}: course.title must be text and the minutes "
                           f"whole numbers > 0 (got {title!r}, {minutes!r})")
    return title, minutes


def lessons(folder=None):
    """Every lesson in order, planned or written, as a list of dicts.

    Each dict has ``lesson`` ("00"), ``title``, ``notebook`` (file name),
    ``written`` (whether the notebook exists), ``teaching`` and ``exercises``
    (minutes, None while coming) and ``minutes`` (their sum, or ``"coming"``).
    A lesson is found by its number, so a notebook renamed from the plan (or
    one the plan does not list) still appears, with its own name and title.
    ``folder`` defaults to the current folder when it holds lessons (as in a
    running notebook), else the checkout's notebooks folder.
    """
    path = _notebooks_folder(folder)
    by_number = {name[:2]: (name, title) for name, title in PLANNED.items()}
    found = {}
    for notebook in sorted(path.glob("[0-9][0-9]-*.ipynb")):
        number = notebook.name[:2]
        if number in found:
            raise InvalidInput(f"lesson {number} must have one notebook (got {found[number].name} "
                               f"and {notebook.name})")
        found[number] = notebook
    rows = []
    for number in sorted(set(by_number) | set(found)):
        if number in found:
            title, minutes = _course_metadata(found[number])
            rows.append({"lesson": number, "title": title, "notebook": found[number].name,
                         "written": True, "teaching": minutes["teaching"],
                         "exercises": minutes["exercises"],
                         "minutes": minutes["teaching"] + minutes["exercises"]})
        else:
            name, title = by_number[number]
            rows.append({"lesson": number, "title": title, "notebook": f"{name}.ipynb",
                         "written": False, "teaching": None, "exercises": None,
                         "minutes": COMING})
    return rows


def course_map(folder=None):
    """The course map as a table indexed by lesson: title, notebook and minutes
    (``"coming"`` for a lesson still being written). See :func:`lessons`."""
    frame = pd.DataFrame(lessons(folder)).set_index("lesson")
    return frame[["title", "notebook", "minutes"]]

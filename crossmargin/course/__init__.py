"""The course map: every lesson, its title and its time, read from the notebooks themselves.

A written lesson's notebook carries its facts in the notebook metadata (``course``:
``lesson``, ``title``, ``minutes``; see notebooks/AUTHORING.md). :func:`lessons` reads
them; a planned lesson that has no notebook yet is listed with its planned title
and ``"coming"`` instead of minutes::

    from crossmargin.course import course_map
    course_map()            # one row per lesson: title, notebook, minutes

Nothing here is typed twice: titles and times of written lessons come from the
notebooks, so the map cannot drift from them.

The same module is the instructor's command line (``python -m crossmargin.course --help``):

``learner SRC_DIR OUT_DIR [--recall]``
    learner copies of every ``NN-*.ipynb`` in SRC_DIR, written to ``OUT_DIR/notebooks/``
    without the cells tagged ``solution`` or ``instructor`` and with outputs stripped; the
    ``images/`` folder next to SRC_DIR is copied to ``OUT_DIR/images/``, so the lessons'
    ``../images/x.svg`` links still work; an optional extension (cells tagged ``extension``)
    is kept. ``--recall`` keeps only the headings (first line of each markdown cell that
    starts with ``#``), the code cells, the exercise cells and their questions (the last
    markdown cell before an exercise). The sources are never modified.
``lint [NOTEBOOK_DIR]``
    checks the conventions of notebooks/AUTHORING.md (:func:`lint_notebook`), the stated
    minutes against :func:`estimate_minutes` included (:func:`minutes_range`), prints one
    line per problem and exits with 1 if there is any.
``schedule [--full-day] [--start HH:MM]``
    the workshop schedule as a markdown table (:func:`schedule`).
``sync [--check] FILE...``
    rewrites the generated sections of markdown files (the README's course map, the
    schedules and the instructor guide's lesson summaries) from the notebooks' metadata
    (:func:`sync`); ``--check`` only reports, and ``make test`` runs it.
"""
import argparse
import json
import math
import os
import re
import shutil
import sys
from pathlib import Path

import pandas as pd

from ..errors import InvalidInput

__all__ = ["PLANNED", "LESSON_FILE", "CHECKOUT_NOTEBOOKS", "lesson_files", "COMING", "QUIZ_KIND",
           "QUIZ_QUESTIONS", "lessons", "course_map", "estimate_minutes", "minutes_range",
           "learner_copy", "lint_notebook", "lint", "schedule", "schedule_table",
           "generated_section", "sync", "main"]

#: The lessons in order: notebook name -> title used until the notebook exists.
PLANNED = {
    "00-start-here": "Start here",
    "01-margin-basics": "Margin basics",
    "02-cross-vs-isolated": "Cross vs isolated margin",
    "03-activate-deposit-select": "Activate, deposit, select",
    "04-open-positions": "Open positions",
    "05-monitor-margin-ratio": "Monitor the margin ratio",
    "06-liquidation-at-100": "What happens at 100 %",
    "07-stop-losses": "Stop losses",
    "08-practical-example": "The practical example",
    "09-hedging": "Hedging",
    "10-leverage-and-cascades": "Leverage and cascading liquidations",
    "11-tips-and-faq": "Tips and FAQ",
    "12-same-account-four-screens": "Same account, four screens",
    "13-crash-day-replay": "A reconstructed crash day",
    "14-capstone": "Capstone",
    "15-final-quiz": "Final quiz",
}

#: What the minutes column says for a lesson still being written.
COMING = "coming"

#: Where the course's notebooks sit in a checkout (next to the package).
CHECKOUT_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: A lesson notebook's file name (notebooks/AUTHORING.md): NN-short-name.ipynb.
LESSON_FILE = re.compile(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb")


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
    if lesson_files(here):
        return here
    return CHECKOUT_NOTEBOOKS


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
    extension = minutes.get("extension", 1)
    if not isinstance(title, str) or not title or isinstance(total, bool) or \
            not isinstance(total, int) or total <= 0 or isinstance(extension, bool) or \
            not isinstance(extension, int) or extension <= 0:
        raise InvalidInput(f"notebook {path.name}: course.title must be text and the minutes "
                           f"whole numbers > 0 (got {title!r}, {minutes!r})")
    return meta


def lessons(folder=None):
    """Every lesson in order, planned or written, as a list of dicts.

    Each dict has ``lesson`` ("00"), ``title``, ``notebook`` (file name),
    ``written`` (whether the notebook exists), ``teaching`` and ``exercises``
    (minutes, None while coming), ``minutes`` (their sum, or ``"coming"``), ``extension``
    (the minutes of its optional extension, not in ``minutes``; None when it has none), and
    the ``widgets`` and ``objectives`` lists of the metadata (empty while coming).
    A lesson is found by its number, so a notebook renamed from the plan (or
    one the plan does not list) still appears, with its own name and title.
    ``folder`` defaults to the current folder when it holds lessons (as in a
    running notebook), else the checkout's notebooks folder.
    """
    path = _notebooks_folder(folder)
    by_number = {name[:2]: (name, title) for name, title in PLANNED.items()}
    found = {}
    for notebook in lesson_files(path):
        number = notebook.name[:2]
        if number in found:
            raise InvalidInput(f"lesson {number} must have one notebook (got {found[number].name} "
                               f"and {notebook.name})")
        found[number] = notebook
    rows = []
    for number in sorted(set(by_number) | set(found)):
        if number in found:
            meta = _course_metadata(found[number])
            minutes = meta["minutes"]
            rows.append({"lesson": number, "title": meta["title"], "notebook": found[number].name,
                         "written": True, "teaching": minutes["teaching"],
                         "exercises": minutes["exercises"],
                         "minutes": minutes["teaching"] + minutes["exercises"],
                         "extension": minutes.get("extension"),
                         "widgets": meta.get("widgets", []),
                         "objectives": meta.get("objectives", [])})
        else:
            name, title = by_number[number]
            rows.append({"lesson": number, "title": title, "notebook": f"{name}.ipynb",
                         "written": False, "teaching": None, "exercises": None,
                         "minutes": COMING, "extension": None, "widgets": [],
                         "objectives": []})
    return rows


def course_map(folder=None):
    """The course map as a table indexed by lesson: title, notebook and minutes
    (``"coming"`` for a lesson still being written). See :func:`lessons`."""
    frame = pd.DataFrame(lessons(folder)).set_index("lesson")
    return frame[["title", "notebook", "minutes"]]


# ---------------------------------------------------------------- how long a lesson takes

#: The assumptions of :func:`estimate_minutes`: a learner reads the lesson's prose at
#: ``READING_WPM`` words a minute (dense, numeric text: about half the 200-250 of plain
#: prose), spends ``CODE_CELL_MINUTES`` running and reading each code cell's output,
#: ``WIDGET_MINUTES`` trying the things a lesson asks of each tool it shows, and
#: ``EXERCISE_MINUTES`` on each exercise (``QUIZ_MINUTES`` on a quiz question; the ``Quiz``
#: tool that asks it is not counted again as a tool to try).
READING_WPM = 120
CODE_CELL_MINUTES = 0.5
WIDGET_MINUTES = 3
EXERCISE_MINUTES = 4
QUIZ_MINUTES = 1
#: A stated figure (``course.minutes``: teaching, exercises, extension) may be off its
#: estimate by ``TOLERANCE`` of it either way, and always by half of the ``ROUND_TO``-minute
#: step figures are rounded to (see :func:`minutes_range`).
TOLERANCE = 0.25
ROUND_TO = 5
#: Cells tagged ``extension`` make up a lesson's optional extension: a section at the end,
#: just before the key points, left out of the lesson's minutes and the schedule and timed
#: on its own (``course.minutes.extension``).
EXTENSION_TAG = "extension"
EXTENSION_HEADING = "## Optional extension"
#: A lesson's length, teaching and exercises together (its optional extension not counted).
#: The design aims at 20-45 minutes; re-timed with :func:`estimate_minutes`, the dense
#: lessons 07, 10 and 14 take 50, so the limit is 60 until they are split.
MIN_LESSON, MAX_LESSON = 20, 60


def _round5(x):
    return int(ROUND_TO * max(1, round(x / ROUND_TO)))


def minutes_range(estimate):
    """The whole minutes a part estimated at ``estimate`` minutes (unrounded, from
    :func:`estimate_minutes`) may state: ``(low, high)``, every whole number with
    ``|stated - estimate| <= max(TOLERANCE x estimate, ROUND_TO / 2)``.

    Rounding: figures are stated in whole minutes, as a rule a multiple of 5, and the
    estimate is compared unrounded. 25 % alone would leave a short part no multiple of 5
    (7 minutes: 25 % allows 5.25-8.75), so the allowance is never less than half a 5-minute
    step: the multiple of 5 nearest the estimate always passes (7 minutes may say 5 or 10,
    3 minutes may say 5), and a long part keeps its 25 % (40 minutes: 30 to 50).

    >>> minutes_range(40), minutes_range(12), minutes_range(7)
    ((30, 50), (9, 15), (5, 9))
    """
    slack = max(TOLERANCE * estimate, ROUND_TO / 2)
    low = max(0, math.ceil(estimate - slack - 1e-9))
    return low, math.floor(estimate + slack + 1e-9)


def _words(markdown):
    return len(re.sub(r"[#*`|>_\-]+", " ", markdown).split())


def _count(cells, widgets):
    """Words, code cells, exercises and quizzes of ``cells`` and their minutes."""
    words = code = exercises = quizzes = 0
    for cell in cells:
        tags = set(_tags(cell))
        if "instructor" in tags:
            continue
        if cell.cell_type == "markdown":
            words += _words(cell.source)
        elif cell.cell_type == "code" and not {"solution", "verify"} & tags:
            code += 1
            exercises += "exercise" in tags
            quizzes += len(re.findall(r"\bQuiz\(", cell.source))
    teaching = words / READING_WPM + (code - exercises) * CODE_CELL_MINUTES \
        + widgets * WIDGET_MINUTES
    practice = exercises * EXERCISE_MINUTES + quizzes * QUIZ_MINUTES
    return {"words": words, "code_cells": code, "widgets": widgets, "exercises": exercises,
            "quizzes": quizzes, "teaching": teaching, "exercises_minutes": practice}


def estimate_minutes(path):
    """How long the lesson at ``path`` takes, estimated from what is in it (words of prose,
    code cells, tools, exercises, quizzes) with the assumptions above.

    Returns ``{"teaching": T, "exercises": E, "extension": X, "exact": {...},
    "measured": {...}}``: T, E and X rounded to 5 minutes, ``exact`` the same three
    unrounded (what :func:`minutes_range` and lint compare a stated figure with), and
    ``measured`` the counts behind them (``measured["extension"]`` those of the extension).
    Cells tagged ``extension`` are left out of T and E and make up X, all of it reading,
    code, tools and exercises together (0 when the lesson has no extension). A tool listed
    in ``course.widgets`` belongs to the extension when only extension cells name it;
    ``Quiz`` is not a tool to try but the quiz questions themselves (``QUIZ_MINUTES`` each).
    """
    import nbformat

    nb = nbformat.read(Path(path), as_version=4)
    core = [c for c in nb.cells if EXTENSION_TAG not in _tags(c)]
    extra = [c for c in nb.cells if EXTENSION_TAG in _tags(c)]
    tools = [w for w in nb.metadata.get("course", {}).get("widgets", []) if w != "Quiz"]

    def named(widget, cells):
        return any(c.cell_type == "code" and re.search(rf"\b{re.escape(widget)}\(", c.source)
                   for c in cells)

    only_extra = sum(named(w, extra) and not named(w, core) for w in tools)
    measured = _count(core, len(tools) - only_extra)
    measured["extension"] = _count(extra, only_extra)
    extension = measured["extension"]["teaching"] + measured["extension"]["exercises_minutes"]
    exact = {"teaching": measured["teaching"], "exercises": measured["exercises_minutes"],
             "extension": extension if extra else 0}
    measured["teaching"] = round(measured["teaching"], 1)
    return {"teaching": _round5(exact["teaching"]), "exercises": _round5(exact["exercises"]),
            "extension": _round5(extension) if extra else 0, "exact": exact,
            "measured": measured}


# ---------------------------------------------------------------- learner copies

#: Cell tags a learner copy leaves out.
HIDDEN_TAGS = ("solution", "instructor")


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def lesson_files(folder):
    """The lesson notebooks in ``folder`` (``NN-short-name.ipynb``), in order; a learner's
    copy kept by ``make reset`` (``NN-name.mine-….ipynb``) is not a lesson."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]-*.ipynb")
                  if LESSON_FILE.fullmatch(p.name))


def _strip(cell):
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def _learner_cells(cells, recall=False):
    """The cells a learner sees: no solution or instructor cell; with ``recall``, only
    headings (first line), code, exercises and the question before each exercise (the last
    markdown cell before it: a predict-measure exercise has code cells in between).
    Cells of an optional extension (tagged ``extension``) are kept like any other."""
    kept = [c for c in cells if not any(t in _tags(c) for t in HIDDEN_TAGS)]
    if not recall:
        return [_strip(c) for c in kept]
    questions, last_markdown = set(), None
    for n, cell in enumerate(kept):
        if cell.cell_type == "markdown":
            last_markdown = n
        elif "exercise" in _tags(cell) and last_markdown is not None:
            questions.add(last_markdown)
    out = []
    for n, cell in enumerate(kept):
        if cell.cell_type == "code":
            out.append(_strip(cell))
        elif cell.cell_type == "markdown":
            if n in questions:
                out.append(cell)
            elif cell.source.lstrip().startswith("#"):
                cell.source = cell.source.lstrip().splitlines()[0]
                out.append(cell)
    return out


#: Reference pages the lessons link to, copied beside the learner copies.
REFERENCE_PAGES = ("glossary.md", "cheat-sheet.md")


def learner_copy(src_dir, out_dir, recall=False):
    """Write learner copies of every lesson in ``src_dir`` to ``out_dir/notebooks/``, copy the
    reference pages they link to (:data:`REFERENCE_PAGES`) beside them and the ``images/``
    folder next to ``src_dir`` to ``out_dir/images/``; return the paths written.

    Cells tagged ``solution`` or ``instructor`` are left out and outputs stripped; ``recall``
    keeps only headings, code, exercises and their questions. The sources are only read.
    """
    import nbformat

    src = _notebooks_folder(src_dir)
    files = lesson_files(src)
    if not files:
        raise InvalidInput(f"{str(src)!r} must hold lesson notebooks NN-name.ipynb (found none)")
    out = Path(out_dir)
    if out.resolve() == src.resolve().parent:
        raise InvalidInput("OUT_DIR must not be the folder that holds the sources")
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    written = []
    for path in files:
        nb = nbformat.read(path, as_version=4)
        nb.cells = _learner_cells(nb.cells, recall)
        target = out / "notebooks" / path.name
        nbformat.write(nb, target)
        written.append(target)
    for name in REFERENCE_PAGES:
        if (src / name).is_file():
            shutil.copy(src / name, out / "notebooks" / name)
            written.append(out / "notebooks" / name)
    images = src.parent / "images"
    if images.is_dir():
        shutil.copytree(images, out / "images", dirs_exist_ok=True)
    return written


# ---------------------------------------------------------------- lint

CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']\s*,\s*answer\s*(,\s*strict\s*=\s*True\s*)?[,)]""")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)|<img\s[^>]*>")
METADATA_KEYS = ("lesson", "title", "questions", "objectives", "prerequisites", "minutes",
                 "key_points")
MAX_CELL_LINES = 14
#: ``course.kind`` of a summative quiz lesson (the final quiz): it asks only quiz questions,
#: ``QUIZ_QUESTIONS`` of them (low, high), no exercise and no solution.
QUIZ_KIND = "quiz"
QUIZ_QUESTIONS = (15, 20)
#: A Quiz in a lesson names its registered question; the answer stays out of the cell.
QUIZ_CALL = re.compile(r"""Quiz\(\s*["'](\d\d\.q\d+)["']\s*\)""")
#: The first line of a collapsed cell is all JupyterLab shows of it.
SOLUTION_FIRST_LINE = "# Worked solution"
VERIFY_FIRST_LINE = "# Check"


def _shown(path):
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _metadata_problems(path, nb):
    where = f"{_shown(path)} metadata"
    if not LESSON_FILE.fullmatch(path.name):
        return [f"{_shown(path)}: file name — name it NN-short-name.ipynb (lowercase, hyphens)"]
    meta = nb.metadata.get("course")
    if not isinstance(meta, dict) or not meta:
        return [f"{where}: no 'course' entry — add it as in notebooks/AUTHORING.md"]
    problems = [f"{where}: course.{key} is missing — add it (see notebooks/AUTHORING.md)"
                for key in METADATA_KEYS if key not in meta]
    if problems:
        return problems
    if meta["lesson"] != int(path.name[:2]):
        problems.append(f"{where}: course.lesson is {meta['lesson']!r} — set it to {int(path.name[:2])}")
    for key in ("questions", "objectives", "key_points"):
        if not meta[key]:
            problems.append(f"{where}: course.{key} is empty — list at least one")
    minutes = meta["minutes"]
    if not isinstance(minutes, dict) or not {"teaching", "exercises"} <= set(minutes) \
            <= {"teaching", "exercises", "extension"}:
        problems.append(f"{where}: course.minutes is {minutes!r} — give teaching and exercises "
                        "(and extension if the lesson has an optional extension)")
    elif meta["lesson"] != 0 and not MIN_LESSON <= minutes["teaching"] + minutes["exercises"] \
            <= MAX_LESSON:
        problems.append(f"{where}: the lesson takes {minutes['teaching'] + minutes['exercises']} "
                        f"minutes — a lesson takes {MIN_LESSON}-{MAX_LESSON} minutes; split or "
                        "trim it")
    else:
        problems += _timing_problems(path, where, minutes)
    return problems


def _plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _timing_problems(path, where, minutes):
    """Each stated figure within :func:`minutes_range` of its estimate; an extension's
    figure stated exactly when the lesson has extension cells."""
    estimate = estimate_minutes(path)
    measured, problems = estimate["measured"], []
    has_extension = bool(estimate["exact"]["extension"])
    if has_extension and "extension" not in minutes:
        problems.append(f"{where}: cells tagged '{EXTENSION_TAG}' but no course.minutes.extension"
                        f" — state the optional extension's minutes (about "
                        f"{estimate['extension']})")
    elif "extension" in minutes and not has_extension:
        problems.append(f"{where}: course.minutes.extension is {minutes['extension']!r} but no "
                        f"cell is tagged '{EXTENSION_TAG}' — tag the extension's cells or drop "
                        "the figure")
    for part in ("teaching", "exercises", "extension"):
        if part not in minutes or (part == "extension" and not has_extension):
            continue
        counts = measured["extension"] if part == "extension" else measured
        basis = (f"{counts['words']:,} words at {READING_WPM} a minute, "
                 f"{counts['code_cells'] - counts['exercises']} code cells, "
                 f"{_plural(counts['widgets'], 'tool')}" if part == "teaching" else
                 f"{_plural(counts['exercises'], 'exercise')}, "
                 f"{_plural(counts['quizzes'], 'quiz question')}"
                 if part == "exercises" else
                 f"{counts['words']:,} words, {counts['code_cells']} code cells, "
                 f"{_plural(counts['widgets'], 'tool')}, "
                 f"{_plural(counts['exercises'], 'exercise')}")
        exact, stated = estimate["exact"][part], minutes[part]
        low, high = minutes_range(exact)
        if isinstance(stated, bool) or not isinstance(stated, int) or not low <= stated <= high:
            problems.append(f"{where}: course.minutes.{part} is {stated!r} but the {part} part "
                            f"is estimated at {exact:.1f} minutes ({basis}) — state {low} to "
                            f"{high} minutes (within {TOLERANCE * 100:g} % of the estimate, "
                            f"{estimate[part]} rounded to {ROUND_TO}), or trim the lesson")
    return problems


def _first_and_last_cell_problems(path, nb):
    name, meta, problems = _shown(path), nb.metadata["course"], []
    if not nb.cells:
        return [f"{name}: no cells — start with the title cell, end with the key points"]
    first = nb.cells[0]
    title = f"# {path.name[:2]} · {meta['title']}"
    if first.cell_type != "markdown" or not first.source.startswith(title):
        problems.append(f"{name} cell 0: the first cell must be markdown starting {title!r} — "
                        "make it the title cell")
    else:
        text = first.source
        for heading in ("**Questions**", "**Objectives**", "**Prerequisites**", "**Time**"):
            if heading not in text:
                problems.append(f"{name} cell 0: no {heading} — add it to the first cell")
        m = meta["minutes"]
        for kind in ("teaching", "exercises"):
            if f"{m.get(kind)} minutes {kind}" not in text:
                problems.append(f"{name} cell 0: does not say '{m.get(kind)} minutes {kind}' — "
                                "make **Time** match course.minutes")
        if isinstance(m, dict) and "extension" in m and \
                f"{m['extension']} minutes optional extension" not in text:
            problems.append(f"{name} cell 0: does not say '{m['extension']} minutes optional "
                            "extension' — make **Time** match course.minutes.extension")
        for question in meta["questions"]:
            if question not in text:
                problems.append(f"{name} cell 0: question {question!r} is missing — copy it from "
                                "course.questions")
    last_n, last = len(nb.cells) - 1, nb.cells[-1]
    if last.cell_type != "markdown" or "## Key points" not in last.source:
        problems.append(f"{name} cell {last_n}: the last cell is not the '## Key points' markdown "
                        "cell — end the lesson with it")
    else:
        for point in meta["key_points"]:
            if point not in last.source:
                problems.append(f"{name} cell {last_n}: key point {point!r} is missing — copy it "
                                "from course.key_points")
    return problems


def _cell_problems(path, nb):
    name, problems = _shown(path), []
    asked, solved, quizzes, shows = [], [], [], False
    for n, cell in enumerate(nb.cells):
        where = f"{name} cell {n}"
        if cell.cell_type == "markdown":
            problems += _image_problems(path, where, cell.source)
            continue
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{where}: stored outputs — clear outputs before saving")
        if cell.get("execution_count") is not None:
            problems.append(f"{where}: stored execution count — clear outputs before saving")
        lines = cell.source.splitlines()
        if len(lines) > MAX_CELL_LINES:
            problems.append(f"{where}: {len(lines)} lines — keep code cells to {MAX_CELL_LINES} "
                            "lines or fewer (split it, or move logic into crossmargin)")
        if re.search(r"^\s*(def|class)\s", cell.source, re.M):
            problems.append(f"{where}: defines a function or class — move it into crossmargin "
                            "with a docstring and a test")
        if re.search(r"crossmargin\.widgets|from crossmargin\.widgets import|bqplot", cell.source):
            shows = True
        calls = CHECK_CALL.findall(cell.source)
        tags = _tags(cell)
        if "exercise" in tags:
            if "answer = ..." not in cell.source:
                problems.append(f"{where}: exercise cell has no 'answer = ...' — start it with "
                                "the placeholder")
            if not calls or any(strict for _, strict in calls):
                problems.append(f"{where}: exercise cell must call check(\"NN.k\", answer) without "
                                "strict — fix the check call")
            asked += [i for i, _ in calls]
        hidden = cell.get("metadata", {}).get("jupyter", {}).get("source_hidden") is True
        prints = re.search(r"^\s*(print|display)\(", cell.source, re.M)
        if "solution" in tags:
            if not calls or not all(strict for _, strict in calls):
                problems.append(f"{where}: a solution must call check(\"NN.k\", answer, "
                                "strict=True) — add strict=True")
            if not hidden:
                problems.append(f"{where}: solution cell is not collapsed — set cell metadata "
                                "jupyter.source_hidden to true")
            if not cell.source.startswith(SOLUTION_FIRST_LINE):
                problems.append(f"{where}: a collapsed cell shows its first line — start the "
                                f"solution with '{SOLUTION_FIRST_LINE}: open it after you have "
                                "tried'")
            if prints:
                problems.append(f"{where}: a solution prints — its output would be on screen "
                                "after Run All; pass the text as check(..., notes=...)")
            solved += [i for i, _ in calls]
        if re.search(r"^\s*assert\b", cell.source, re.M) and "solution" not in tags:
            if "verify" not in tags or not hidden:
                problems.append(f"{where}: asserts in a cell learners read — move them to a "
                                "cell tagged 'verify' with jupyter.source_hidden true")
        if "verify" in tags:
            if not cell.source.startswith(VERIFY_FIRST_LINE) or prints:
                problems.append(f"{where}: a verify cell starts with '{VERIFY_FIRST_LINE}: "
                                "what the text claims' and prints nothing")
        named = QUIZ_CALL.findall(cell.source)
        quizzes += named
        if len(named) != cell.source.count("Quiz("):
            problems.append(f"{where}: a quiz names its registered question, Quiz(\"NN.qK\") — "
                            "define it in crossmargin/course/exercises/lessonNN.py")
        if "solution" in tags:
            pass
        elif calls and any(strict for _, strict in calls) and "exercise" not in tags:
            problems.append(f"{where}: calls check(..., strict=True) but is not tagged "
                            "'solution' — tag it solution (and collapse it)")
        elif calls and "exercise" not in tags:
            problems.append(f"{where}: calls check() but is not tagged 'exercise' — tag it exercise")
    if nb.metadata["course"].get("kind") == QUIZ_KIND:
        problems += _quiz_lesson_problems(path, asked, solved, quizzes)
    else:
        problems += _exercise_problems(path, asked, solved)
    if not shows:
        problems.append(f"{name}: no widget or plot — show a tool from crossmargin.widgets or a plot")
    return problems + _extension_problems(name, nb.cells)


def _extension_problems(name, cells):
    """The cells tagged ``extension`` are one run that ends just before the key points and
    starts with the markdown heading ``## Optional extension``."""
    marked = [n for n, cell in enumerate(cells) if EXTENSION_TAG in _tags(cell)]
    if not marked:
        return []
    first, last, problems = marked[0], marked[-1], []
    gaps = [n for n in range(first, last + 1) if n not in marked]
    if gaps:
        problems.append(f"{name} cell {gaps[0]}: inside the optional extension (cells {first}-"
                        f"{last}) but not tagged '{EXTENSION_TAG}' — tag it or move it out")
    if last != len(cells) - 2:
        problems.append(f"{name} cell {last}: the optional extension must end just before the "
                        "key points — move it to the end of the lesson")
    if cells[first].cell_type != "markdown" or \
            not cells[first].source.startswith(EXTENSION_HEADING):
        problems.append(f"{name} cell {first}: the optional extension starts with a markdown "
                        f"cell '{EXTENSION_HEADING} · ...' — say what it adds and how long it "
                        "takes")
    return problems


def _image_problems(path, where, source):
    problems = []
    for match in IMAGE.finditer(source):
        if match.group(0).startswith("<img"):
            alt = re.search(r'alt="([^"]+)"', match.group(0))
            src = re.search(r'src="([^"]+)"', match.group(0))
            if not (alt and src):
                problems.append(f"{where}: <img> needs src and alt — add both attributes")
                continue
            alt, src = alt.group(1), src.group(1)
        else:
            alt, src = match.group(1), match.group(2)
        if not alt.strip():
            problems.append(f"{where}: image {src} has no alt text — write ![what it shows]({src})")
        if not (path.parent / src).resolve().is_file():
            problems.append(f"{where}: image {src} does not exist — add it to images/ or fix the link")
    return problems


def _quiz_lesson_problems(path, asked, solved, quizzes):
    """A summative quiz lesson (``course.kind == "quiz"``): 15-20 quiz questions, each of its
    lesson's registered quizzes once, and no exercise or solution."""
    from ..check import all_exercises

    name, lesson, problems = _shown(path), path.name[:2], []
    low, high = QUIZ_QUESTIONS
    if asked or solved:
        problems.append(f"{name}: a quiz lesson asks quiz questions only — move exercises "
                        f"{sorted(set(asked + solved))} to a lesson")
    if not low <= len(quizzes) <= high:
        problems.append(f"{name}: {len(quizzes)} quiz questions — a quiz lesson asks {low}-{high}")
    registered = sorted(i for i, ex in all_exercises().items()
                        if i.startswith(lesson + ".") and ex.is_quiz)
    if sorted(quizzes) != registered:
        problems.append(f"{name}: notebook asks {sorted(quizzes)} but the registry has "
                        f"{registered} — ask each quiz of quizzes/lesson{lesson}.json once")
    return problems


def _exercise_problems(path, asked, solved):
    from ..check import all_exercises

    name, lesson, problems = _shown(path), path.name[:2], []
    if not 2 <= len(asked) <= 4:
        problems.append(f"{name}: {len(asked)} exercises — a lesson has 2-4 exercise cells")
    if sorted(asked) != sorted(solved):
        problems.append(f"{name}: exercises {sorted(asked)} but solutions {sorted(solved)} — give "
                        "each exercise one solution cell tagged 'solution'")
    wrong = [i for i in asked if not i.startswith(lesson + ".")]
    if wrong:
        problems.append(f"{name}: exercises {wrong} belong to another lesson — number them {lesson}.k")
    registered = {i for i, ex in all_exercises().items()
                  if i.startswith(lesson + ".") and not ex.is_quiz}
    if set(asked) != registered:
        problems.append(f"{name}: notebook asks {sorted(set(asked))} but the registry has "
                        f"{sorted(registered)} — match crossmargin/course/exercises/lesson{lesson}.py")
    return problems


def lint_notebook(path):
    """Every way the notebook at ``path`` breaks notebooks/AUTHORING.md, as a list of lines
    "path cell K: what is wrong — how to fix" (empty when it follows the conventions).

    A lesson asks 2-4 exercises, each with its solution; a summative quiz lesson (metadata
    ``course.kind`` = ``"quiz"``, the final quiz) asks instead each quiz of its lesson's quiz
    file once, 15-20 of them (:data:`QUIZ_QUESTIONS`), and no exercise."""
    import nbformat

    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # noqa: BLE001 - any unreadable file is one problem to report
        return [f"{_shown(path)}: cannot be read ({err}) — save it as a valid notebook"]
    problems = _metadata_problems(path, nb)
    if any("is missing" in p or "file name" in p or "no 'course' entry" in p for p in problems):
        return problems
    return problems + _first_and_last_cell_problems(path, nb) + _cell_problems(path, nb)


def lint(folder=None):
    """``(number of notebooks, problems)`` for every lesson notebook in ``folder``."""
    files = lesson_files(_notebooks_folder(folder))
    problems = [p for path in files for p in lint_notebook(path)]
    return len(files), problems


# ---------------------------------------------------------------- schedule

#: A half-day session holds at most this many minutes, breaks included.
HALF_DAY = 210
#: A break comes before a lesson that would take the stretch since the last break past this.
STRETCH = 90
BREAK = 10
LUNCH = 60
#: When a session starts, unless told otherwise.
START = "09:00"
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _minutes_of_day(start):
    match = _HHMM.fullmatch(start) if isinstance(start, str) else None
    if match is None:
        raise InvalidInput(f"start must be a time of day as HH:MM, 00:00 to 23:59 (got {start!r})")
    return int(match[1]) * 60 + int(match[2])


def _hhmm(minutes):
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _sessions(folder):
    """Lessons and breaks packed into half-day sessions: lists of (kind, lesson or None, minutes)."""
    sessions, current, elapsed, stretch = [], [], 0, 0
    for lesson in (r for r in lessons(folder) if r["written"]):
        length = lesson["minutes"]
        needs_break = stretch and stretch + length > STRETCH
        if current and elapsed + (BREAK if needs_break else 0) + length > HALF_DAY:
            sessions.append(current)
            current, elapsed, stretch, needs_break = [], 0, 0, False
        if needs_break:
            current.append(("break", None, BREAK))
            elapsed, stretch = elapsed + BREAK, 0
        current.append(("lesson", lesson, length))
        elapsed, stretch = elapsed + length, stretch + length
    return sessions + [current] if current else sessions


def schedule(folder=None, full_day=False, start=START):
    """The workshop plan as rows: dicts with ``session``, ``kind`` ("lesson", "break" or
    "lunch"), ``lesson``, ``title``, ``teaching``, ``exercises``, ``minutes``, ``starts`` and
    ``ends`` (clock times, "HH:MM").

    Lessons go in order into half-day sessions of at most 3.5 h (``HALF_DAY``), with a
    10-minute break before any lesson that would make the stretch since the last break
    longer than 90 minutes; each session starts at ``start``. ``full_day`` pairs two
    sessions into a day, the second after a lunch hour. Lessons still being written are
    left out.
    """
    first = _minutes_of_day(start)
    rows = []
    for number, session in enumerate(_sessions(folder)):
        afternoon = full_day and number % 2 == 1
        name = f"Day {number // 2 + 1}" if full_day else f"Half-day {number + 1}"
        clock = first
        if afternoon:
            clock = rows[-1]["ends_at"]
            rows.append({"session": name, "kind": "lunch", "lesson": "", "title": "Lunch",
                         "teaching": None, "exercises": None, "minutes": LUNCH,
                         "starts_at": clock, "ends_at": clock + LUNCH})
            clock += LUNCH
        for kind, lesson, length in session:
            row = {"session": name, "kind": kind, "lesson": "", "title": "Break",
                   "teaching": None, "exercises": None}
            if lesson is not None:
                row.update({key: lesson[key] for key in ("lesson", "title", "teaching",
                                                         "exercises")})
            row.update(minutes=length, starts_at=clock, ends_at=clock + length)
            rows.append(row)
            clock += length
    for row in rows:
        row["starts"], row["ends"] = _hhmm(row.pop("starts_at")), _hhmm(row.pop("ends_at"))
    return rows


def schedule_table(folder=None, full_day=False, start=START):
    """:func:`schedule` as a markdown table, with a closing line of totals."""
    rows = schedule(folder, full_day, start)
    lines = ["| Session | Time | Lesson | Minutes (teaching + exercises) |",
             "|---|---|---|---:|"]
    for row in rows:
        time = f"{row['starts']}–{row['ends']}"
        if row["kind"] == "lesson":
            lines.append(f"| {row['session']} | {time} | {row['lesson']} {row['title']} | "
                         f"{row['teaching']} + {row['exercises']} |")
        else:
            lines.append(f"| {row['session']} | {time} | *{row['title']}* | {row['minutes']} |")
    taught = [r for r in rows if r["kind"] == "lesson"]
    teaching = sum(r["teaching"] for r in taught)
    exercises = sum(r["exercises"] for r in taught)
    breaks = sum(r["minutes"] for r in rows if r["kind"] == "break")
    sessions = len({r["session"] for r in rows})
    unit = ("days (a morning, lunch, an afternoon)" if full_day
            else "half-day sessions of at most 3 h 30 min")
    lines += ["", f"{len(taught)} lessons: {teaching + exercises} minutes ({teaching} teaching + "
                  f"{exercises} exercises) and {breaks} minutes of breaks, in {sessions} {unit}."]
    extra = [f"{r['lesson']} ({r['extension']} min)" for r in lessons(folder)
             if r["written"] and r["extension"]]
    if extra:
        lines[-1] += (" Optional extensions are left out of the schedule, for learners to do "
                      f"on their own: lesson{'s' if len(extra) > 1 else ''} "
                      f"{', '.join(extra)}.")
    return "\n".join(lines)


# ---------------------------------------------------------------- generated sections

#: A generated section of a markdown file: everything between the two markers.
GENERATED = re.compile(r"(<!-- generated:(?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)"
                       r"(<!-- /generated:(?P=name) -->)", re.S)


def _duration(minutes):
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _optional(lesson, words="optional"):
    """`` (+15 optional)`` after a lesson's minutes when it has an optional extension."""
    return f" (+{lesson['extension']} {words})" if lesson.get("extension") else ""


def _lesson_summary(lesson, link):
    """Time, notebook, widgets and objectives of one :func:`lessons` row."""
    widgets = ", ".join(f"`{w}`" for w in lesson["widgets"]) or "none"
    lines = [f"**{lesson['minutes']} min** ({lesson['teaching']} teaching + "
             f"{lesson['exercises']} exercises){_optional(lesson, 'min optional extension')}"
             f" · notebook "
             f"[`{lesson['notebook']}`]({link}{lesson['notebook']}) · widgets: {widgets}",
             "", "Learners will be able to:", ""]
    return "\n".join(lines + [f"- {objective}" for objective in lesson["objectives"]])


def _course_map_table(rows, link):
    lines = ["| # | Lesson | Notebook | Interactive tools | Minutes (teaching + exercises) |",
             "|---|---|---|---|---:|"]
    for row in rows:
        widgets = ", ".join(f"`{w}`" for w in row["widgets"])
        lines.append(f"| {row['lesson']} | {row['title']} | [`{row['notebook']}`]"
                     f"({link}{row['notebook']}) | {widgets} | "
                     f"{row['teaching']} + {row['exercises']}{_optional(row)} |")
    total = sum(r["minutes"] for r in rows)
    extra = sum(r["extension"] or 0 for r in rows)
    optional = f", and {extra} min of optional extensions" if extra else ""
    lines += ["", f"{len(rows)} lessons, {_duration(total)} in all, without breaks{optional}. "
                  f"Minutes are estimated from each lesson's content: prose read at "
                  f"{READING_WPM} words a minute, {CODE_CELL_MINUTES:g} min per code cell, "
                  f"{WIDGET_MINUTES} per interactive tool, {EXERCISE_MINUTES} per exercise and "
                  f"{QUIZ_MINUTES} per quiz question; `lint` keeps each stated figure within "
                  f"{TOLERANCE * 100:g} % of that estimate."]
    return "\n".join(lines)


def generated_section(name, folder=None, link=""):
    """The text of a generated section, from the notebooks' metadata.

    ``course-map`` (the lessons with their notebooks, widgets and minutes),
    ``schedule-half-day``, ``schedule-full-day`` (:func:`schedule_table`) and
    ``lesson-NN`` (one lesson's time, notebook, widgets and objectives). ``link`` is
    put before notebook file names in links (the path from the markdown file to them).
    """
    path = _notebooks_folder(folder)
    if name == "course-map":
        return _course_map_table([r for r in lessons(path) if r["written"]], link)
    if name in ("schedule-half-day", "schedule-full-day"):
        return schedule_table(path, full_day=name == "schedule-full-day")
    match = re.fullmatch(r"lesson-(\d\d)", name)
    if match:
        written = {r["lesson"]: r for r in lessons(path) if r["written"]}
        if match[1] not in written:
            raise InvalidInput(f"section lesson-{match[1]} needs a notebook {match[1]}-*.ipynb "
                               f"in {path} (found none)")
        return _lesson_summary(written[match[1]], link)
    raise InvalidInput(f"generated section must be course-map, schedule-half-day, "
                       f"schedule-full-day or lesson-NN (got {name!r})")


def sync(markdown, folder=None, check=False):
    """Rewrite the generated sections of a markdown file from the notebooks' metadata.

    A section is whatever lies between ``<!-- generated:NAME -->`` and
    ``<!-- /generated:NAME -->`` (see :func:`generated_section`). Returns the names
    of the sections that were out of date; with ``check`` nothing is written.
    """
    path = Path(markdown)
    if not path.is_file():
        raise InvalidInput(f"markdown must be an existing file (got {str(markdown)!r})")
    notebooks = _notebooks_folder(folder)
    link = Path(os.path.relpath(notebooks.resolve(), path.resolve().parent)).as_posix()
    link = "" if link == "." else link + "/"
    text = path.read_text(encoding="utf-8")
    stale = []

    def fill(match):
        body = generated_section(match["name"], notebooks, link) + "\n"
        if body != match["body"]:
            stale.append(match["name"])
        return match[1] + body + match[4]

    updated = GENERATED.sub(fill, text)
    if stale and not check:
        path.write_text(updated, encoding="utf-8")
    return stale


# ---------------------------------------------------------------- command line

def main(argv=None):
    """``python -m crossmargin.course {learner,lint,schedule}``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m crossmargin.course",
        description="Instructor tools for the course: learner copies, lint, schedule, "
                    "generated sections of the README and the instructor guide.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "learner", help="write learner copies without solutions",
        description="Write OUT_DIR/notebooks/NN-*.ipynb without the cells tagged 'solution' or "
                    "'instructor', outputs stripped, and copy the images/ folder next to SRC_DIR "
                    "to OUT_DIR/images/ (the lessons link ../images/x.svg). Sources are not "
                    "modified.")
    p.add_argument("src_dir", help="folder of the lesson notebooks, e.g. notebooks")
    p.add_argument("out_dir", help="folder to write notebooks/ and images/ into")
    p.add_argument("--recall", action="store_true",
                   help="keep only headings, code cells, exercises and their questions")
    p = sub.add_parser("lint", help="check the notebooks against notebooks/AUTHORING.md",
                       description="Print one line per problem; exit 1 if there is any.")
    p.add_argument("notebook_dir", nargs="?", default=None,
                   help="folder of lesson notebooks (default: the checkout's notebooks/)")
    p = sub.add_parser("schedule", help="print the workshop schedule as a markdown table",
                       description="Half-day sessions of at most 3.5 h, a 10-minute break "
                                   "about every 90 minutes, from the notebooks' metadata.")
    p.add_argument("--full-day", action="store_true",
                   help="pair half-days into full days with a lunch hour")
    p.add_argument("--start", default=START, help=f"when each session starts, HH:MM (default {START})")
    p.add_argument("--notebooks", default=None, help="folder of lesson notebooks")
    p = sub.add_parser("sync", help="refresh the generated sections of markdown files",
                       description="Rewrite what lies between <!-- generated:NAME --> and "
                                   "<!-- /generated:NAME --> (course-map, schedule-half-day, "
                                   "schedule-full-day, lesson-NN) from the notebooks' metadata.")
    p.add_argument("markdown", nargs="+", help="markdown files, e.g. README.md")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a section is out of date")
    p.add_argument("--notebooks", default=None, help="folder of lesson notebooks")
    args = parser.parse_args(argv)
    try:
        if args.command == "learner":
            written = learner_copy(args.src_dir, args.out_dir, recall=args.recall)
            print(f"wrote {len(written)} learner notebooks to {Path(args.out_dir) / 'notebooks'}")
        elif args.command == "lint":
            count, problems = lint(args.notebook_dir)
            for problem in problems:
                print(problem)
            if problems:
                print(f"{count} notebooks, {len(problems)} problems", file=sys.stderr)
                return 1
            print(f"{count} notebooks, no problems")
        elif args.command == "schedule":
            print(schedule_table(args.notebooks, full_day=args.full_day, start=args.start))
        else:
            stale = {md: sync(md, args.notebooks, check=args.check) for md in args.markdown}
            for md, names in stale.items():
                verb = "out of date" if args.check else "updated"
                print(f"{md}: {verb}: {', '.join(names)}" if names else f"{md}: up to date")
            if args.check and any(stale.values()):
                print("run: python -m crossmargin.course sync " + " ".join(args.markdown),
                      file=sys.stderr)
                return 1
    except InvalidInput as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0

"""python -m crossmargin.course: learner copies, lint and schedule (instructor kit)."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crossmargin.course import (QUIZ_KIND, estimate_minutes, lessons, lint, lint_notebook, main,
                                minutes_range, schedule, sync)
from crossmargin.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}


def tagged(cell, tag):
    return tag in cell.get("metadata", {}).get("tags", [])


def solution_lines(path):
    """Lines of the solution cells that appear in no other cell of the lesson."""
    nb = nbformat.read(path, as_version=4)
    others = "\n".join(c.source for c in nb.cells if not tagged(c, "solution"))
    return [line.strip() for c in nb.cells if tagged(c, "solution")
            for line in c.source.splitlines()
            if len(line.strip()) > 12 and line.strip() not in others]


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    out = tmp_path_factory.mktemp("learner")
    before = digests(NOTEBOOKS)
    assert main(["learner", str(NOTEBOOKS), str(out)]) == 0
    assert digests(NOTEBOOKS) == before, "the source notebooks changed"
    return out


def test_learner_copies_have_no_solution(learner):
    copies = sorted((learner / "notebooks").glob("*.ipynb"))
    assert [p.name for p in copies] == [p.name for p in LESSONS]
    for source, copy in zip(LESSONS, copies):
        nb = nbformat.read(copy, as_version=4)
        assert not [c for c in nb.cells if tagged(c, "solution") or tagged(c, "instructor")]
        text = copy.read_text(encoding="utf-8")
        lines = solution_lines(source)
        if nb.metadata["course"].get("kind") == QUIZ_KIND:        # the final quiz: no exercise
            assert nb.cells == nbformat.read(source, as_version=4).cells
            assert not lines and sum(tagged(c, "exercise") for c in nb.cells) == 0
        else:
            assert sum(tagged(c, "exercise") for c in nb.cells) >= 2
            assert lines, f"{source.name}: found no solution text to look for"
        for line in lines:
            assert json.dumps(line)[1:-1] not in text, f"{copy.name} leaks {line!r}"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
        assert nb.cells[-1].source.startswith("## Key points")


def test_learner_copies_keep_their_images(learner):
    for copy in (learner / "notebooks").glob("*.ipynb"):
        for src in re.findall(r"\]\((\.\./images/[^)\s]+)", copy.read_text(encoding="utf-8")):
            assert (copy.parent / src).resolve().is_file(), src


def test_every_learner_copy_runs_under_nbval(learner):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
         "-p", "no:cacheprovider", str(learner / "notebooks")],
        cwd=learner, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", run.stdout) and "skipped" not in run.stdout


def test_instructor_cells_are_left_out_of_learner_copies(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(NOTEBOOKS, course / "notebooks")
    shutil.copytree(ROOT / "images", course / "images")
    path = course / "notebooks" / "04-open-positions.ipynb"
    nb = nbformat.read(path, as_version=4)
    note = nbformat.v4.new_markdown_cell("**Instructor note**: ask the room for the fee first.",
                                         metadata={"tags": ["instructor"]})
    nb.cells.insert(3, note)
    nbformat.write(nb, path)
    assert main(["learner", str(course / "notebooks"), str(tmp_path / "out")]) == 0
    copy = nbformat.read(tmp_path / "out" / "notebooks" / path.name, as_version=4)
    assert "Instructor note" not in json.dumps([c.source for c in copy.cells])
    kept = [c.source for c in nb.cells if not (tagged(c, "solution") or tagged(c, "instructor"))]
    assert [c.source for c in copy.cells] == kept


def test_recall_keeps_headings_code_and_exercises(tmp_path):
    before = digests(NOTEBOOKS)
    assert main(["learner", "--recall", str(NOTEBOOKS), str(tmp_path)]) == 0
    assert digests(NOTEBOOKS) == before
    source = nbformat.read(NOTEBOOKS / "01-margin-basics.ipynb", as_version=4)
    nb = nbformat.read(tmp_path / "notebooks" / "01-margin-basics.ipynb", as_version=4)
    code = [c.source for c in source.cells if c.cell_type == "code" and not tagged(c, "solution")]
    assert [c.source for c in nb.cells if c.cell_type == "code"] == code
    assert nb.cells[0].source == source.cells[0].source.splitlines()[0]
    assert nb.cells[-1].source == "## Key points"
    for n, cell in enumerate(nb.cells):
        if tagged(cell, "exercise"):
            assert nb.cells[n - 1].cell_type == "markdown" and "Exercise" in nb.cells[n - 1].source
    prose = next(c.source for n, c in enumerate(source.cells)    # prose, not a heading
                 if c.cell_type == "markdown" and not c.source.startswith("#")
                 and not tagged(source.cells[n + 1], "exercise"))
    assert prose not in json.dumps([c.source for c in nb.cells])


def test_lint_passes_on_the_course(capsys):
    assert main(["lint", str(NOTEBOOKS)]) == 0
    assert capsys.readouterr().out.strip() == f"{len(LESSONS)} notebooks, no problems"


@pytest.fixture
def broken(tmp_path):
    """A copy of the course folder (notebooks + images) to break on purpose."""
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    shutil.copytree(ROOT / "images", tmp_path / "images")
    return tmp_path / "notebooks"


def edit(path, change):
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def lint_output(folder, capsys):
    code = main(["lint", str(folder)])
    return code, capsys.readouterr().out


def test_lint_finds_a_missing_key_points_cell(broken, capsys):
    def retitle(nb):       # the same words under another heading: the timing stays right
        nb.cells[-1].source = nb.cells[-1].source.replace("## Key points", "## Summary")
    edit(broken / "02-cross-vs-isolated.ipynb", retitle)
    code, out = lint_output(broken, capsys)
    assert code == 1
    assert re.search(r"02-cross-vs-isolated\.ipynb cell \d+: the last cell is not the "
                     r"'## Key points' markdown cell — end the lesson with it", out), out
    assert len(out.strip().splitlines()) == 1


def test_lint_finds_a_stored_output(broken, capsys):
    def add_output(nb):
        n = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells[n].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
        nb.cells[n].execution_count = 1
        add_output.n = n
    edit(broken / "03-activate-deposit-select.ipynb", add_output)
    code, out = lint_output(broken, capsys)
    assert code == 1
    assert f"03-activate-deposit-select.ipynb cell {add_output.n}: stored outputs — clear outputs" in out
    assert f"cell {add_output.n}: stored execution count" in out


def test_lint_finds_an_untagged_solution(broken, capsys):
    def untag(nb):
        n = next(i for i, c in enumerate(nb.cells) if tagged(c, "solution"))
        nb.cells[n].metadata["tags"] = []
        untag.n = n
    edit(broken / "01-margin-basics.ipynb", untag)
    code, out = lint_output(broken, capsys)
    assert code == 1
    assert (f"01-margin-basics.ipynb cell {untag.n}: calls check(..., strict=True) but is not "
            "tagged 'solution' — tag it solution") in out
    assert "01-margin-basics.ipynb: exercises" in out  # three asked, two solved


def test_lint_finds_long_cells_missing_metadata_and_images(broken):
    def spoil(nb):
        nb.cells.insert(1, nbformat.v4.new_code_cell("def f():\n" + "    x = 1\n" * 15))
        nb.cells.insert(1, nbformat.v4.new_markdown_cell("![](../images/nope.svg)"))
    edit(broken / "01-margin-basics.ipynb", spoil)
    problems = lint_notebook(broken / "01-margin-basics.ipynb")
    text = "\n".join(problems)
    assert "cell 1: image ../images/nope.svg has no alt text" in text
    assert "cell 1: image ../images/nope.svg does not exist" in text
    assert "cell 2: 16 lines" in text and "cell 2: defines a function or class" in text
    edit(broken / "04-open-positions.ipynb", lambda nb: nb.metadata["course"].pop("key_points"))
    assert lint_notebook(broken / "04-open-positions.ipynb") == [
        f"{broken / '04-open-positions.ipynb'} metadata: course.key_points is missing — add it "
        "(see notebooks/AUTHORING.md)"]
    count, problems = lint(broken)
    assert count == len(LESSONS) and len(problems) == 5


def test_learner_copies_fail_lint_as_they_should(learner):
    count, problems = lint(learner / "notebooks")
    assert count == len(LESSONS) and any("solutions []" in p for p in problems)


@pytest.mark.parametrize("full_day", [False, True])
def test_schedule_lists_every_lesson_and_its_minutes(full_day, capsys):
    assert main(["schedule"] + (["--full-day"] if full_day else [])) == 0
    out = capsys.readouterr().out
    written = [r for r in lessons(NOTEBOOKS) if r["written"]]
    rows = [line for line in out.splitlines() if re.match(r"\| [^|]+ \| [\d:–]+ \| \d\d ", line)]
    assert len(rows) == len(written)
    for row, lesson in zip(rows, written):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2:] == [f"{lesson['lesson']} {lesson['title']}",
                             f"{lesson['teaching']} + {lesson['exercises']}"]
    teaching = sum(r["teaching"] for r in written)
    exercises = sum(r["exercises"] for r in written)
    assert (f"{len(written)} lessons: {teaching + exercises} minutes ({teaching} teaching + "
            f"{exercises} exercises)") in out


def minutes(clock):
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


@pytest.mark.parametrize("full_day", [False, True])
def test_schedule_sessions_breaks_and_clock(full_day):
    rows = schedule(NOTEBOOKS, full_day=full_day, start="08:30")
    written = [r for r in lessons(NOTEBOOKS) if r["written"]]
    assert [r["lesson"] for r in rows if r["kind"] == "lesson"] == [r["lesson"] for r in written]
    for session in {r["session"] for r in rows}:
        mine = [r for r in rows if r["session"] == session]
        assert mine[0]["starts"] == "08:30" and mine[0]["kind"] == "lesson"
        for before, after in zip(mine, mine[1:]):
            assert before["ends"] == after["starts"]
        for row in mine:
            assert minutes(row["ends"]) - minutes(row["starts"]) == row["minutes"]
        # each half of a day holds at most 3.5 h; a break at least every 90 min of teaching
        halves = [[]]
        for row in mine:
            halves.append([]) if row["kind"] == "lunch" else halves[-1].append(row)
        for half in halves:
            assert sum(r["minutes"] for r in half) <= 210
            stretch = 0
            for r in half:
                stretch = 0 if r["kind"] == "break" else stretch + r["minutes"]
                assert stretch <= 90 or r["minutes"] > 90
    lunches = [r for r in rows if r["kind"] == "lunch"]
    assert all(r["minutes"] == 60 for r in lunches) and (len(lunches) > 0) == full_day
    assert schedule(NOTEBOOKS) == schedule(NOTEBOOKS)


@pytest.mark.parametrize("start", ["24:00", "9h00", "", 900, None])
def test_schedule_rejects_a_start_that_is_not_a_time(start):
    with pytest.raises(InvalidInput, match=r"start must be a time of day as HH:MM.*got"):
        schedule(NOTEBOOKS, start=start)


def test_the_schedule_start_option_on_the_command_line(capsys):
    minutes = lessons()[0]["minutes"]                           # lesson 00 opens the day
    assert main(["schedule", "--start", "13:30"]) == 0
    assert f"| Half-day 1 | 13:30–{13 + (30 + minutes) // 60}:{(30 + minutes) % 60:02d} | 00 " \
        in capsys.readouterr().out
    assert main(["schedule", "--start", "1pm"]) == 2
    assert "start must be a time of day" in capsys.readouterr().err


# ---------------------------------------------------------------- generated sections

GUIDE = """# Notes

<!-- generated:lesson-04 -->
stale text
<!-- /generated:lesson-04 -->

Hand-written text stays.

<!-- generated:course-map -->
<!-- /generated:course-map -->
"""


def test_sync_fills_generated_sections_from_metadata_and_keeps_the_rest(tmp_path):
    page = tmp_path / "docs" / "guide.md"
    page.parent.mkdir()
    page.write_text(GUIDE, encoding="utf-8")
    assert sync(page, NOTEBOOKS, check=True) == ["lesson-04", "course-map"]
    assert page.read_text(encoding="utf-8") == GUIDE  # check writes nothing
    assert sync(page, NOTEBOOKS) == ["lesson-04", "course-map"]
    text = page.read_text(encoding="utf-8")
    assert "stale text" not in text and "Hand-written text stays." in text
    meta = nbformat.read(NOTEBOOKS / "04-open-positions.ipynb", as_version=4).metadata["course"]
    link = os.path.relpath(NOTEBOOKS, page.parent).replace(os.sep, "/")
    assert f"[`04-open-positions.ipynb`]({link}/04-open-positions.ipynb)" in text
    for objective in meta["objectives"]:
        assert f"- {objective}\n" in text
    minutes_04 = meta["minutes"]["teaching"] + meta["minutes"]["exercises"]
    assert f"**{minutes_04} min**" in text
    assert sync(page, NOTEBOOKS) == []  # now up to date


def test_sync_notices_a_change_of_metadata(tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    page = tmp_path / "README.md"
    page.write_text(GUIDE, encoding="utf-8")
    sync(page, notebooks)
    nb = nbformat.read(notebooks / "04-open-positions.ipynb", as_version=4)
    nb.metadata["course"]["minutes"]["exercises"] += 5
    nbformat.write(nb, notebooks / "04-open-positions.ipynb")
    assert sync(page, notebooks, check=True) == ["lesson-04", "course-map"]


def test_the_sync_command_checks_and_writes(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text(GUIDE, encoding="utf-8")
    assert main(["sync", "--check", "--notebooks", str(NOTEBOOKS), str(page)]) == 1
    captured = capsys.readouterr()
    assert "out of date: lesson-04, course-map" in captured.out
    assert "run: python -m crossmargin.course sync" in captured.err
    assert main(["sync", "--notebooks", str(NOTEBOOKS), str(page)]) == 0
    assert main(["sync", "--check", "--notebooks", str(NOTEBOOKS), str(page)]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize("section, message", [
    ("lesson-42", r"section lesson-42 needs a notebook 42-\*.ipynb"),
    ("timetable", r"generated section must be course-map, .* \(got 'timetable'\)"),
])
def test_an_unknown_section_is_an_error_and_writes_nothing(tmp_path, section, message):
    page = tmp_path / "page.md"
    text = f"<!-- generated:{section} -->\n<!-- /generated:{section} -->\n"
    page.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        sync(page, NOTEBOOKS)
    assert page.read_text(encoding="utf-8") == text


def test_sync_needs_an_existing_file(tmp_path):
    with pytest.raises(InvalidInput, match="markdown must be an existing file"):
        sync(tmp_path / "missing.md", NOTEBOOKS)


def test_lint_finds_answers_and_checks_in_the_learners_way(broken):
    def spoil(nb):
        n = next(i for i, c in enumerate(nb.cells) if tagged(c, "solution"))
        nb.cells[n].source = nb.cells[n].source.replace("# Worked solution", "# solution", 1) \
            + "\nprint(answer)"
        spoil.n = n
        nb.cells.insert(1, nbformat.v4.new_code_cell("x = 1\nassert x == 1"))
        nb.cells.insert(1, nbformat.v4.new_code_cell('Quiz("Which?", ["a", "b"], correct="a")'))
    edit(broken / "07-stop-losses.ipynb", spoil)
    text = "\n".join(lint_notebook(broken / "07-stop-losses.ipynb"))
    n = spoil.n + 2
    assert f"cell {n}: a collapsed cell shows its first line" in text
    assert f"cell {n}: a solution prints" in text
    assert "cell 2: asserts in a cell learners read" in text
    assert 'cell 1: a quiz names its registered question, Quiz("NN.qK")' in text


def test_the_glossary_and_cheat_sheet_the_lessons_link_to_are_copied(learner):
    """Lessons link glossary.md#term: a learner copy without it would hold broken links."""
    for name in ("glossary.md", "cheat-sheet.md"):
        assert (learner / "notebooks" / name).read_text() == (NOTEBOOKS / name).read_text()
    linked = set()
    for copy in (learner / "notebooks").glob("*.ipynb"):
        linked |= set(re.findall(r"\]\(([\w.-]+\.md)#", copy.read_text()))
    assert linked and all((learner / "notebooks" / page).is_file() for page in linked)


# ---------------------------------------------------------------- minutes and extensions

@pytest.mark.parametrize("estimate, allowed", [
    (40, (30, 50)),      # 25 % either way
    (12, (9, 15)),       # lesson 04's exercises: 10 and 15 are both honest
    (7, (5, 9)),         # 25 % alone (5.25-8.75) would leave no multiple of 5
    (3.4, (1, 5)),       # a short part may say 5
    (46.9, (36, 58)),
])
def test_minutes_range_is_25_percent_either_way_but_never_less_than_half_a_step(estimate,
                                                                                 allowed):
    low, high = minutes_range(estimate)
    assert (low, high) == allowed
    nearest = 5 * max(1, round(estimate / 5))
    assert low <= nearest <= high


def set_minutes(path, teaching=None, exercises=None, time_line=True):
    def change(nb):
        minutes = nb.metadata["course"]["minutes"]
        old = (minutes["teaching"], minutes["exercises"])
        minutes.update({k: v for k, v in (("teaching", teaching), ("exercises", exercises))
                        if v is not None})
        if time_line:
            nb.cells[0].source = nb.cells[0].source.replace(
                f"{old[0]} minutes teaching, {old[1]} minutes exercises",
                f"{minutes['teaching']} minutes teaching, {minutes['exercises']} minutes exercises")
    edit(path, change)


@pytest.mark.parametrize("teaching", [15, 40])
def test_lint_finds_stated_minutes_off_the_estimate_in_either_direction(broken, teaching):
    path = broken / "04-open-positions.ipynb"
    exact = estimate_minutes(path)["exact"]["teaching"]
    low, high = minutes_range(exact)
    assert not low <= teaching <= high                 # the case is really out of range
    set_minutes(path, teaching=teaching)
    problems = lint_notebook(path)
    assert len(problems) == 1, problems
    assert re.search(rf"04-open-positions\.ipynb metadata: course\.minutes\.teaching is "
                     rf"{teaching} but the teaching part is estimated at {exact:.1f} minutes "
                     rf"\([\d,]+ words at 120 a minute, \d+ code cells, \d+ tools?\) — state "
                     rf"{low} to {high} minutes \(within 25 % of the estimate", problems[0])


def test_lint_accepts_any_figure_in_range_and_names_the_exercises_part(broken):
    path = broken / "04-open-positions.ipynb"
    low, high = minutes_range(estimate_minutes(path)["exact"]["exercises"])
    for inside in (low, high):
        set_minutes(path, exercises=inside)
        assert lint_notebook(path) == []
    set_minutes(path, exercises=high + 1)
    (problem,) = lint_notebook(path)
    assert f"course.minutes.exercises is {high + 1} but the exercises part" in problem
    assert re.search(r"\(\d+ exercises?, \d+ quiz questions?\)", problem)


EXTENSION_CELLS = [
    ("markdown", "## Optional extension · More on fees\n\n" + "A longer look at fees. " * 60),
    ("code", "fees = [0.0002, 0.0005]\nprint(fees)"),
    ("markdown", "What the fees add up to over a month of trading. " * 20),
]


def add_extension(nb, cells=EXTENSION_CELLS, at=-1, tag=True):
    made = [nbformat.v4.new_markdown_cell(src) if kind == "markdown"
            else nbformat.v4.new_code_cell(src) for kind, src in cells]
    for cell in made:
        cell.metadata["tags"] = ["extension"] if tag else []
    nb.cells[at:at] = made


def test_an_extension_is_timed_apart_and_must_be_stated(broken):
    path = broken / "04-open-positions.ipynb"
    before = estimate_minutes(path)
    edit(path, add_extension)
    after = estimate_minutes(path)
    assert (after["exact"]["teaching"], after["exact"]["exercises"]) == \
        (before["exact"]["teaching"], before["exact"]["exercises"])
    ext = after["measured"]["extension"]
    assert (ext["code_cells"], ext["exercises"]) == (1, 0) and ext["words"] > 500
    assert after["exact"]["extension"] == pytest.approx(ext["words"] / 120 + 0.5)
    assert after["extension"] == 5 * round(after["exact"]["extension"] / 5) > 0
    (problem,) = lint_notebook(path)
    assert "cells tagged 'extension' but no course.minutes.extension" in problem
    stated = after["extension"]

    def state(nb):
        nb.metadata["course"]["minutes"]["extension"] = stated
        nb.cells[0].source = nb.cells[0].source.replace(
            "15 minutes exercises", f"15 minutes exercises, plus {stated} minutes optional "
                                    "extension")
    edit(path, state)
    assert lint_notebook(path) == []
    edit(path, lambda nb: nb.metadata["course"]["minutes"].update(extension=stated * 3))
    problems = lint_notebook(path)
    assert any(f"course.minutes.extension is {stated * 3} but the extension part" in p
               for p in problems)
    assert any(f"does not say '{stated * 3} minutes optional extension'" in p for p in problems)


def test_an_extension_sits_at_the_end_in_one_run_under_its_heading(broken):
    path = broken / "04-open-positions.ipynb"

    def misplace(nb):
        add_extension(nb, at=5)                         # in the middle of the lesson
        nb.metadata["course"]["minutes"]["extension"] = 5
    edit(path, misplace)
    text = "\n".join(lint_notebook(path))
    assert "the optional extension must end just before the key points" in text
    nb = nbformat.read(path, as_version=4)
    nb.cells[5:8] = []
    add_extension(nb)
    nb.cells[-3].metadata["tags"] = []                  # a hole in the run
    nb.cells[-4].source = "## More on fees"             # and no 'Optional extension' heading
    nbformat.write(nb, path)
    text = "\n".join(lint_notebook(path))
    assert f"cell {len(nb.cells) - 3}: inside the optional extension" in text
    assert f"cell {len(nb.cells) - 4}: the optional extension starts with a markdown cell " \
           "'## Optional extension · ...'" in text


def test_the_course_map_shows_an_extension_and_the_schedule_leaves_it_out(broken, tmp_path):
    path = broken / "04-open-positions.ipynb"
    plain = schedule(broken)

    def extend(nb):
        add_extension(nb)
        nb.metadata["course"]["minutes"]["extension"] = 10
    edit(path, extend)
    row = next(r for r in lessons(broken) if r["lesson"] == "04")
    assert (row["extension"], row["minutes"]) == (10, row["teaching"] + row["exercises"])
    assert schedule(broken) == plain
    page = tmp_path / "README.md"
    page.write_text(GUIDE, encoding="utf-8")
    sync(page, broken)
    text = page.read_text(encoding="utf-8")
    assert f"| {row['teaching']} + {row['exercises']} (+10 optional) |" in text
    assert f"**{row['minutes']} min** ({row['teaching']} teaching + {row['exercises']} " \
           "exercises) (+10 min optional extension)" in text
    assert "min of optional extensions" in text and "120 words a minute" in text
    assert main(["schedule", "--notebooks", str(broken)]) == 0


def test_learner_copies_keep_the_extension(broken, tmp_path):
    edit(broken / "04-open-positions.ipynb", add_extension)
    source = nbformat.read(broken / "04-open-positions.ipynb", as_version=4)
    assert main(["learner", str(broken), str(tmp_path / "out")]) == 0
    copy = nbformat.read(tmp_path / "out" / "notebooks" / "04-open-positions.ipynb",
                         as_version=4)
    kept = [c.source for c in source.cells if "extension" in c.metadata.get("tags", [])]
    assert len(kept) == 3 and [c.source for c in copy.cells
                               if "extension" in c.metadata.get("tags", [])] == kept


def test_recall_keeps_the_question_of_a_predict_measure_exercise(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Some teaching."),
                nbformat.v4.new_markdown_cell("**Exercise 99.1** Predict, then measure."),
                nbformat.v4.new_code_cell("prediction = ..."),
                nbformat.v4.new_code_cell("measured = 1"),
                nbformat.v4.new_code_cell('answer = ...\ncheck("99.1", answer)',
                                          metadata={"tags": ["exercise"]})]
    (tmp_path / "src").mkdir()
    nbformat.write(nb, tmp_path / "src" / "99-predict.ipynb")
    assert main(["learner", "--recall", str(tmp_path / "src"), str(tmp_path / "out")]) == 0
    copy = nbformat.read(tmp_path / "out" / "notebooks" / "99-predict.ipynb", as_version=4)
    assert [c.source for c in copy.cells] == [
        "**Exercise 99.1** Predict, then measure.", "prediction = ...", "measured = 1",
        'answer = ...\ncheck("99.1", answer)']

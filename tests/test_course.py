"""Course structure: every lesson follows notebooks/AUTHORING.md."""
import re
from pathlib import Path

import nbformat
import pytest

from crossmargin.check import all_exercises
from crossmargin.course import MAX_LESSON, MIN_LESSON, QUIZ_KIND, QUIZ_QUESTIONS, estimate_minutes

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']\s*,\s*answer\s*(,\s*strict\s*=\s*True\s*)?[,)]""")
QUIZ_CALL = re.compile(r"""Quiz\(\s*["'](\d\d\.q\d+)["']\s*\)""")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)|<img\s[^>]*>")


def load(path):
    return nbformat.read(path, as_version=4)


def tagged(cell, tag):
    return tag in cell.get("metadata", {}).get("tags", [])


def test_there_are_lessons():
    assert NOTEBOOKS, "no notebooks/NN-name.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_file_name_and_metadata(path):
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", path.name)
    meta = load(path).metadata.get("course")
    assert meta, f"{path.name}: notebook metadata has no 'course' entry"
    for key in ("lesson", "title", "questions", "objectives", "prerequisites", "minutes",
                "key_points"):
        assert key in meta, f"{path.name}: metadata course.{key} is missing"
    assert meta["lesson"] == int(path.name[:2])
    assert meta["questions"] and meta["objectives"] and meta["key_points"]
    minutes = meta["minutes"]
    assert {"teaching", "exercises"} <= set(minutes) <= {"teaching", "exercises", "extension"}
    assert MIN_LESSON <= minutes["teaching"] + minutes["exercises"] <= MAX_LESSON \
        or meta["lesson"] == 0, \
        f"{path.name}: a lesson takes {MIN_LESSON}-{MAX_LESSON} minutes (got {minutes})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_each_stated_figure_is_within_25_percent_of_the_estimate_either_way(path):
    minutes = load(path).metadata["course"]["minutes"]
    estimate = estimate_minutes(path)
    assert ("extension" in minutes) == (estimate["extension"] > 0), (path.name, estimate)
    for part, stated in minutes.items():
        exact = estimate["exact"][part]
        assert abs(stated - exact) <= max(0.25 * exact, 2.5) + 1e-9, \
            f"{path.name}: {part} says {stated} minutes, estimated {exact:.1f}"


def test_an_optional_extension_closes_its_lesson_in_one_run():
    extended = 0
    for path in NOTEBOOKS:
        cells = load(path).cells
        marked = [n for n, c in enumerate(cells) if tagged(c, "extension")]
        if marked:
            extended += 1
            assert marked == list(range(marked[0], len(cells) - 1)), f"{path.name}: {marked}"
            assert cells[marked[0]].source.startswith("## Optional extension"), path.name
    assert extended >= 1, "lesson 11 ends with an optional extension"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_states_the_metadata(path):
    nb = load(path)
    meta, first = nb.metadata["course"], nb.cells[0]
    assert first.cell_type == "markdown"
    text = first.source
    assert text.startswith(f"# {path.name[:2]} · {meta['title']}"), text.splitlines()[0]
    for heading in ("**Questions**", "**Objectives**", "**Prerequisites**", "**Time**"):
        assert heading in text, f"{path.name}: first cell lacks {heading}"
    m = meta["minutes"]
    assert f"{m['teaching']} minutes teaching" in text
    assert f"{m['exercises']} minutes exercises" in text
    for question in meta["questions"]:
        assert question in text, f"{path.name}: question {question!r} not in the first cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_last_cell_has_the_key_points(path):
    nb = load(path)
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and "## Key points" in last.source
    for point in nb.metadata["course"]["key_points"]:
        assert point in last.source, f"{path.name}: key point {point!r} not in the last cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_are_stripped(path):
    for n, cell in enumerate(load(path).cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {n}: stored outputs"
            assert cell.execution_count is None, f"{path.name} cell {n}: execution count"


def is_quiz_lesson(path):
    """The final quiz (metadata course.kind "quiz") asks quiz questions instead of exercises."""
    return load(path).metadata["course"].get("kind") == QUIZ_KIND


QUIZ_LESSONS = [p for p in NOTEBOOKS if is_quiz_lesson(p)]
EXERCISE_LESSONS = [p for p in NOTEBOOKS if p not in QUIZ_LESSONS]


@pytest.mark.parametrize("path", QUIZ_LESSONS, ids=[p.name for p in QUIZ_LESSONS])
def test_a_quiz_lesson_asks_every_quiz_of_its_file_once_and_no_exercise(path):
    cells = [c for c in load(path).cells if c.cell_type == "code"]
    asked = [i for c in cells for i in QUIZ_CALL.findall(c.source)]
    assert not [c for c in cells if tagged(c, "exercise") or tagged(c, "solution")]
    assert not [c for c in cells if CHECK_CALL.search(c.source)]
    lesson = path.name[:2]
    registered = [i for i, ex in all_exercises().items() if i.startswith(lesson + ".")]
    assert all(all_exercises()[i].is_quiz for i in registered)
    assert asked == registered, "each quiz once, in the file's order"
    low, high = QUIZ_QUESTIONS
    assert low <= len(asked) <= high
    assert all(len(QUIZ_CALL.findall(c.source)) == 1 for c in cells), "one question per cell"


@pytest.mark.parametrize("path", EXERCISE_LESSONS, ids=[p.name for p in EXERCISE_LESSONS])
def test_every_exercise_has_a_check_and_a_proving_solution(path):
    cells = load(path).cells
    asked, solved = [], []
    for n, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        calls = CHECK_CALL.findall(cell.source)
        if tagged(cell, "exercise"):
            assert "answer = ..." in cell.source, f"{path.name} cell {n}: no placeholder"
            assert calls and not any(strict for _, strict in calls), \
                f"{path.name} cell {n}: an exercise cell calls check() without strict"
            asked += [i for i, _ in calls]
        if tagged(cell, "solution"):
            assert calls and all(strict for _, strict in calls), \
                f"{path.name} cell {n}: a solution must call check(..., strict=True)"
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, \
                f"{path.name} cell {n}: solution cell is not collapsed"
            solved += [i for i, _ in calls]
    lesson = path.name[:2]
    assert 2 <= len(asked) <= 4, f"{path.name}: {len(asked)} exercises (want 2-4)"
    assert sorted(asked) == sorted(solved), f"{path.name}: exercises {asked} vs solutions {solved}"
    assert all(i.startswith(lesson + ".") for i in asked)
    registered = {i for i, ex in all_exercises().items()
                  if i.startswith(lesson + ".") and not ex.is_quiz}
    assert set(asked) == registered, f"{path.name}: notebook {sorted(asked)} vs registry {sorted(registered)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_images_exist_and_have_alt_text(path):
    for n, cell in enumerate(load(path).cells):
        if cell.cell_type != "markdown":
            continue
        for match in IMAGE.finditer(cell.source):
            if match.group(0).startswith("<img"):
                tag = match.group(0)
                alt = re.search(r'alt="([^"]+)"', tag)
                src = re.search(r'src="([^"]+)"', tag)
                assert alt and src, f"{path.name} cell {n}: <img> needs src and alt"
                alt, src = alt.group(1), src.group(1)
            else:
                alt, src = match.group(1), match.group(2)
            assert alt.strip(), f"{path.name} cell {n}: image {src} has no alt text"
            assert (path.parent / src).resolve().is_file(), f"{path.name} cell {n}: {src} missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_each_lesson_shows_a_widget_or_a_plot(path):
    code = "\n".join(c.source for c in load(path).cells if c.cell_type == "code")
    assert re.search(r"crossmargin\.widgets|from crossmargin\.widgets import|bqplot", code), \
        f"{path.name}: no widget or plot"


def test_every_registered_exercise_is_used():
    used = set()
    for path in NOTEBOOKS:
        for cell in load(path).cells:
            used |= {i for i, _ in CHECK_CALL.findall(cell.source)}
            used |= set(QUIZ_CALL.findall(cell.source))
    assert set(all_exercises()) <= used, sorted(set(all_exercises()) - used)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_cells_are_short_and_the_package_does_the_work(path):
    for n, cell in enumerate(load(path).cells):
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        assert len(lines) <= 14, f"{path.name} cell {n}: {len(lines)} lines (keep cells short)"
        assert not re.search(r"^\s*(def|class)\s", cell.source, re.M), \
            f"{path.name} cell {n}: defines a function or class (move it into crossmargin)"

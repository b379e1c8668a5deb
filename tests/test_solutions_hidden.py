"""After Run All, no answer is on screen: every lesson is executed top to bottom and what a
learner sees (outputs outside folds, the first line of collapsed cells) is searched for a
solved exercise or a solution's code."""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from crossmargin.course import QUIZ_KIND

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SOLVED = re.compile(r"✓ Exercise \d\d\.\d+")


def visible_text(output):
    """The text JupyterLab shows for one output: its richest format, minus closed folds."""
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join(output.traceback)
    data = output.get("data", {})
    html = data.get("text/html")
    if html is not None:
        return re.sub(r"<details(?![^>]*\bopen\b).*?</details>", "", html, flags=re.S)
    return data.get("text/plain", "")


def shown_source(cell):
    """Everything of an open cell; the first line of a collapsed one."""
    if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
        return cell.source.splitlines()[0] if cell.source else ""
    return cell.source


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def executed(request):
    nb = nbformat.read(request.param, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(request.param.parent)}}).execute()
    return request.param.name, nb


def test_run_all_puts_no_answer_on_screen(executed):
    name, nb = executed
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    quiz_lesson = nb.metadata["course"].get("kind") == QUIZ_KIND      # the final quiz
    assert solutions or name.startswith("00") or quiz_lesson, f"{name}: no solution cells to check"
    for n, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        seen = shown_source(cell) + "".join(visible_text(o) for o in cell.outputs)
        assert not SOLVED.search(seen), f"{name} cell {n} shows a solved exercise: {seen[:300]}"
        if cell in solutions:
            assert shown_source(cell).startswith("# Worked solution"), f"{name} cell {n}"
            assert "check(" not in seen and "answer =" not in seen, f"{name} cell {n}"
            folded = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
            assert SOLVED.search(folded), f"{name} cell {n}: the fold holds no proven answer"

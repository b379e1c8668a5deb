"""crossmargin.course: the course map reads each written lesson's metadata; the rest is 'coming'."""
import json
from pathlib import Path

import nbformat
import pytest

from crossmargin.course import COMING, PLANNED, course_map, lessons
from crossmargin.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def write_notebook(folder, name, title="A lesson", teaching=20, exercises=10):
    meta = {"course": {"lesson": int(name[:2]), "title": title,
                       "minutes": {"teaching": teaching, "exercises": exercises}}}
    (folder / name).write_text(json.dumps({"cells": [], "metadata": meta}), encoding="utf-8")


def test_every_planned_lesson_is_listed_in_order():
    rows = lessons(NOTEBOOKS)
    assert [r["lesson"] for r in rows] == [f"{n:02d}" for n in range(16)]
    assert len(PLANNED) == 16


def test_written_lessons_come_from_their_metadata():
    written = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    assert written, "the checkout has lessons"
    table = course_map(NOTEBOOKS)
    for path in written:
        meta = nbformat.read(path, as_version=4).metadata["course"]
        row = table.loc[path.name[:2]]
        assert row["title"] == meta["title"]
        assert row["notebook"] == path.name
        assert row["minutes"] == meta["minutes"]["teaching"] + meta["minutes"]["exercises"]


def test_unwritten_lessons_say_coming_with_the_planned_title(tmp_path):
    write_notebook(tmp_path, "00-start-here.ipynb", "Start here", 10, 5)
    table = course_map(tmp_path)
    assert table.loc["00", "minutes"] == 15
    assert (table.loc["01":, "minutes"] == COMING).all()
    assert table.loc["09", "title"] == "Hedging"
    assert table.loc["10", "title"] == "Leverage and cascading liquidations"
    assert table.loc["14", "notebook"] == "14-capstone.ipynb"
    assert list(table.columns) == ["title", "notebook", "minutes"]


def test_a_notebook_found_by_number_keeps_its_own_name_and_title(tmp_path):
    write_notebook(tmp_path, "08-hedge-lab.ipynb", "Hedging, measured", 25, 15)
    write_notebook(tmp_path, "16-bonus.ipynb", "Bonus", 20, 5)
    rows = {r["lesson"]: r for r in lessons(tmp_path)}
    assert rows["08"]["notebook"] == "08-hedge-lab.ipynb"
    assert (rows["08"]["title"], rows["08"]["minutes"]) == ("Hedging, measured", 40)
    assert (rows["08"]["teaching"], rows["08"]["exercises"], rows["08"]["written"]) == (25, 15, True)
    assert rows["16"]["title"] == "Bonus" and len(rows) == 17
    assert rows["07"]["written"] is False and rows["07"]["teaching"] is None


def test_default_folder_is_the_current_one_when_it_holds_lessons(tmp_path, monkeypatch):
    write_notebook(tmp_path, "00-start-here.ipynb", "Here", 10, 5)
    monkeypatch.chdir(tmp_path)
    assert course_map().loc["00", "title"] == "Here"
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)               # no lessons here: the checkout's notebooks
    assert course_map().loc["00", "title"] == lessons(NOTEBOOKS)[0]["title"]


def test_bad_folder_is_refused_with_its_name(tmp_path):
    with pytest.raises(InvalidInput, match="folder must be an existing folder.*nowhere"):
        lessons(tmp_path / "nowhere")
    with pytest.raises(InvalidInput, match="folder must be a path.*42"):
        lessons(42)


def test_malformed_metadata_names_the_notebook(tmp_path):
    (tmp_path / "03-broken.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="03-broken.ipynb"):
        lessons(tmp_path)
    (tmp_path / "03-broken.ipynb").unlink()
    write_notebook(tmp_path, "03-zero.ipynb", "Zero", 0, 0)
    with pytest.raises(InvalidInput, match="03-zero.ipynb.*minutes"):
        lessons(tmp_path)


def test_two_notebooks_for_one_lesson_are_refused(tmp_path):
    write_notebook(tmp_path, "04-a.ipynb")
    write_notebook(tmp_path, "04-b.ipynb")
    with pytest.raises(InvalidInput, match="lesson 04 must have one notebook.*04-a.*04-b"):
        lessons(tmp_path)

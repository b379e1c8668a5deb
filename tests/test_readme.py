"""The README tells the truth: its course map matches the notebooks' metadata."""
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (\d\d) \| ([^|]+) \| \[`([^`]+)`\]\(notebooks/([^)]+)\) \| [^|]+ \| (\d+) \+ (\d+) \|$")


def course_map():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text, [ROW.match(line).groups() for line in text.splitlines() if ROW.match(line)]


def test_course_map_lists_every_lesson_with_its_metadata():
    _, rows = course_map()
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert [r[3] for r in rows] == notebooks
    for number, title, shown, link, teaching, exercises in rows:
        assert shown == link
        meta = nbformat.read(ROOT / "notebooks" / link, as_version=4).metadata["course"]
        assert (int(number), title.strip()) == (meta["lesson"], meta["title"])
        assert (int(teaching), int(exercises)) == (meta["minutes"]["teaching"],
                                                   meta["minutes"]["exercises"])


def test_course_map_total_time():
    text, rows = course_map()
    total = sum(int(r[4]) + int(r[5]) for r in rows)
    assert f"takes {total // 60} h {total % 60} min in all" in text


def test_the_two_commands_come_first():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_section = text.split("\n## ")[1]
    assert first_section.startswith("The two commands")
    assert "make lab" in first_section and "make test" in first_section

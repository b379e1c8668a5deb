"""`make reset`: lessons restored as shipped, each learner version kept beside it.

Every test works in a scratch git checkout (or a plain folder) under tmp_path with small
stand-in lessons: the course's real notebooks are never touched.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crossmargin.__main__ import main
from crossmargin.course import lessons
from crossmargin.course.reset import KEPT_COPY, kept_name, plan, reset_lessons
from crossmargin.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
WHEN = 1_780_000_000          # a fixed moment, so two resets can fall in the same second
NAMES = ("00-start-here.ipynb", "07-stop-losses.ipynb", "08-practical-example.ipynb")


def lesson(number, text):
    """A small notebook with the metadata the course map reads."""
    return json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": f"# {number} · {text}"}],
        "metadata": {"course": {"lesson": number, "title": text,
                                "minutes": {"teaching": 20, "exercises": 10}}},
        "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True,
                          capture_output=True, text=True)


@pytest.fixture
def checkout(tmp_path):
    """A git checkout with three committed lessons in notebooks/: returns that folder."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "course" / "notebooks"
    folder.mkdir(parents=True)
    for name in NAMES:
        (folder / name).write_text(lesson(int(name[:2]), f"shipped {name[:2]}"))
    git(folder.parent, "init", "-q")
    git(folder.parent, "add", ".")
    git(folder.parent, "commit", "-q", "-m", "the course")
    return folder


def shipped(name):
    return lesson(int(name[:2]), f"shipped {name[:2]}").encode()


def break_(folder, name, text="my broken version"):
    (folder / name).write_text(text)
    return text.encode()


# ---------------------------------------------------------------- the library


def test_one_lesson_is_restored_and_the_learners_version_kept_beside_it(checkout):
    mine = break_(checkout, "07-stop-losses.ipynb")
    break_(checkout, "08-practical-example.ipynb", "also mine")
    [done] = reset_lessons(["07"], folder=checkout, when=WHEN)
    assert (checkout / "07-stop-losses.ipynb").read_bytes() == shipped("07-stop-losses.ipynb")
    assert done.kept.parent == checkout and done.kept.read_bytes() == mine
    assert KEPT_COPY.fullmatch(done.kept.name)["lesson"] == "07-stop-losses"
    assert done.kept.name.startswith("07-stop-losses.mine-2026")
    assert (checkout / "08-practical-example.ipynb").read_text() == "also mine"   # not asked


def test_the_kept_copy_is_named_with_the_local_date_and_time(checkout):
    import time
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(WHEN))
    assert kept_name(checkout / "07-stop-losses.ipynb", WHEN).name == \
        f"07-stop-losses.mine-{stamp}.ipynb"


def test_an_earlier_copy_is_never_overwritten(checkout):
    """Two resets in the same second: the second copy gets -2, the first is intact."""
    first = break_(checkout, "07-stop-losses.ipynb", "first try")
    [one] = reset_lessons(["07"], folder=checkout, when=WHEN)
    second = break_(checkout, "07-stop-losses.ipynb", "second try")
    [two] = reset_lessons(["07"], folder=checkout, when=WHEN)
    assert one.kept != two.kept and two.kept.name.endswith("-2.ipynb")
    assert one.kept.read_bytes() == first and two.kept.read_bytes() == second


def test_a_lesson_already_as_shipped_is_left_alone(checkout):
    before = sorted(p.name for p in checkout.iterdir())
    steps = reset_lessons(["00", "07"], folder=checkout, when=WHEN)
    assert [s.changed for s in steps] == [False, False] and all(s.kept is None for s in steps)
    assert sorted(p.name for p in checkout.iterdir()) == before


def test_a_deleted_lesson_comes_back_with_nothing_to_keep(checkout):
    (checkout / "08-practical-example.ipynb").unlink()
    [done] = reset_lessons(["8"], folder=checkout, when=WHEN)
    assert done.changed and done.kept is None
    assert (checkout / "08-practical-example.ipynb").read_bytes() == \
        shipped("08-practical-example.ipynb")


def test_every_lesson_without_a_name(checkout):
    for name in NAMES:
        break_(checkout, name)
    steps = reset_lessons(folder=checkout, when=WHEN)
    assert [s.notebook.name for s in steps] == list(NAMES)
    for name in NAMES:
        assert (checkout / name).read_bytes() == shipped(name)
    assert len([p for p in checkout.iterdir() if KEPT_COPY.fullmatch(p.name)]) == 3


@pytest.mark.parametrize("asked", ["07", "7", "07-stop-losses", "07-stop-losses.ipynb",
                                   "notebooks/07-stop-losses.ipynb"])
def test_a_lesson_is_named_by_number_name_or_path(checkout, asked):
    [step] = plan([asked], folder=checkout)
    assert step.notebook == checkout / "07-stop-losses.ipynb"


def test_a_kept_copy_is_not_a_lesson_to_reset(checkout):
    break_(checkout, "07-stop-losses.ipynb")
    reset_lessons(["07"], folder=checkout, when=WHEN)
    assert [s.notebook.name for s in plan(folder=checkout)] == list(NAMES)


def test_an_unknown_lesson_names_the_known_ones(checkout):
    with pytest.raises(InvalidInput, match=r"lesson must be one of 00, 07, 08 .*got '06'"):
        plan(["06"], folder=checkout)


def test_a_lesson_git_does_not_know_cannot_be_restored(checkout):
    (checkout / "09-hedging.ipynb").write_text(lesson(9, "new, uncommitted"))
    with pytest.raises(InvalidInput, match=r"'09' \(09-hedging.ipynb\) is not among the "
                                           r"lessons as shipped"):
        plan(["09"], folder=checkout)


def test_another_revision(checkout):
    """--rev: the course's branch (e.g. origin/main on a hub where nbgitpuller committed)."""
    break_(checkout, "07-stop-losses.ipynb", "committed by mistake")
    git(checkout.parent, "commit", "-q", "-am", "WIP")
    [step] = plan(["07"], folder=checkout)                      # HEAD has the learner's edit
    assert not step.changed
    [done] = reset_lessons(["07"], folder=checkout, rev="HEAD~1", when=WHEN)
    assert done.source == "git HEAD~1" and done.kept.read_text() == "committed by mistake"
    assert (checkout / "07-stop-losses.ipynb").read_bytes() == shipped("07-stop-losses.ipynb")
    with pytest.raises(InvalidInput, match=r"rev must be a commit .*got 'no-such-branch'"):
        plan(["07"], folder=checkout, rev="no-such-branch")


def test_outside_a_git_checkout_it_refuses_and_says_how(tmp_path):
    """A zip download: no history to restore from; the message says what to do instead."""
    folder = tmp_path / "zip" / "notebooks"
    folder.mkdir(parents=True)
    (folder / "07-stop-losses.ipynb").write_text("mine")
    with pytest.raises(InvalidInput) as err:
        reset_lessons(["07"], folder=folder)
    message = str(err.value)
    assert f"{folder} is not in a git checkout" in message and "zip download" in message
    assert "download the course again" in message and "--from" in message
    assert (folder / "07-stop-losses.ipynb").read_text() == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["07-stop-losses.ipynb"]


def test_without_git_installed_it_says_so(checkout, monkeypatch):
    monkeypatch.setenv("PATH", str(checkout / "empty"))          # no git on the PATH
    with pytest.raises(InvalidInput, match="git is needed .* not installed: install git, or "
                                           "download the course again"):
        plan(["07"], folder=checkout)


def test_from_a_fresh_download_without_git(tmp_path):
    mine_folder = tmp_path / "mine" / "notebooks"
    fresh = tmp_path / "download" / "notebooks"
    for folder in (mine_folder, fresh):
        folder.mkdir(parents=True)
    (fresh / "07-stop-losses.ipynb").write_text(lesson(7, "fresh"))
    (fresh / "README.md").write_text("not a lesson")
    (mine_folder / "07-stop-losses.ipynb").write_text("mine")
    [done] = reset_lessons(["07"], folder=mine_folder, source=fresh, when=WHEN)
    assert (mine_folder / "07-stop-losses.ipynb").read_text() == lesson(7, "fresh")
    assert done.kept.read_text() == "mine" and done.source == str(fresh)
    with pytest.raises(InvalidInput, match="source must be a folder"):
        plan(["07"], folder=mine_folder, source=tmp_path / "nowhere")
    with pytest.raises(InvalidInput, match="source must hold lesson notebooks"):
        plan(["07"], folder=mine_folder, source=tmp_path / "mine")


def test_the_course_map_ignores_kept_copies(checkout):
    break_(checkout, "07-stop-losses.ipynb")
    reset_lessons(["07"], folder=checkout, when=WHEN)
    assert [r["notebook"] for r in lessons(checkout) if r["written"]] == list(NAMES)


# ---------------------------------------------------------------- the command line


def test_cli_resets_one_lesson_and_prints_what_was_kept(checkout, capsys):
    break_(checkout, "07-stop-losses.ipynb")
    assert main(["reset", "07", "--notebooks", str(checkout)]) == 0
    out = capsys.readouterr().out
    [kept] = [p for p in checkout.iterdir() if KEPT_COPY.fullmatch(p.name)]
    assert "07-stop-losses.ipynb: restored from git HEAD; your version is kept as " in out
    assert str(kept) in out or kept.name in out
    assert "close its tab without saving" in out


def test_cli_asks_before_resetting_every_lesson(checkout, capsys, monkeypatch):
    break_(checkout, "07-stop-losses.ipynb")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: "n")
    assert main(["reset", "--notebooks", str(checkout)]) == 1
    assert "Nothing was changed." in capsys.readouterr().out
    assert (checkout / "07-stop-losses.ipynb").read_text() == "my broken version"
    asked = []
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or "y")
    assert main(["reset", "--notebooks", str(checkout)]) == 0
    assert asked == ["Reset 1 lesson (07) from git HEAD? Your versions are kept beside them. "
                     "[y/N] "]
    assert (checkout / "07-stop-losses.ipynb").read_bytes() == shipped("07-stop-losses.ipynb")


def test_cli_without_a_terminal_needs_yes_for_every_lesson(checkout, capsys, monkeypatch):
    break_(checkout, "07-stop-losses.ipynb")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["reset", "--notebooks", str(checkout)]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert (checkout / "07-stop-losses.ipynb").read_text() == "my broken version"
    assert main(["reset", "--yes", "--notebooks", str(checkout)]) == 0
    assert (checkout / "07-stop-losses.ipynb").read_bytes() == shipped("07-stop-losses.ipynb")


def test_cli_bad_lesson_is_an_error_line(checkout, capsys):
    assert main(["reset", "42", "--notebooks", str(checkout)]) == 2
    assert capsys.readouterr().err.startswith("error: lesson must be one of 00, 07, 08")


def test_make_reset_lesson(checkout):
    """`make reset LESSON=07` in a scratch checkout holding a copy of the Makefile."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = checkout.parent
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    mine = break_(checkout, "07-stop-losses.ipynb")
    venv = Path(sys.prefix)   # this interpreter's environment; -o: make does not reinstall it
    result = subprocess.run(["make", "-s", "-C", str(root), "-o", str(venv / ".installed"),
                             "-o", str(venv / "bin" / "python"), "reset", f"VENV={venv}",
                             "LESSON=07"], capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if k != "MAKEFLAGS"})
    assert result.returncode == 0, result.stdout + result.stderr
    [kept] = [p for p in checkout.iterdir() if KEPT_COPY.fullmatch(p.name)]
    assert kept.read_bytes() == mine and f"kept as notebooks/{kept.name}" in result.stdout
    assert (checkout / "07-stop-losses.ipynb").read_bytes() == shipped("07-stop-losses.ipynb")

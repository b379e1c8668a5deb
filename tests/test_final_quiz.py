"""Lesson 15, the final quiz: 18 questions over lessons 01-14 whose numbers the engine computes,
an explanation for every option, and the lint rules of a quiz lesson."""
import re
import shutil
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from crossmargin.check import all_exercises
from crossmargin.course import QUIZ_KIND, lint_notebook
from crossmargin.course.exercises import lesson15

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "15-final-quiz.ipynb"
QUIZZES = {i: ex for i, ex in all_exercises().items() if i.startswith("15.")}


def test_eighteen_quizzes_of_three_or_four_options_each_explained():
    assert list(QUIZZES) == [f"15.q{k}" for k in range(1, 19)]
    for quiz_id, ex in QUIZZES.items():
        assert ex.is_quiz and 3 <= len(ex.options) <= 4, quiz_id
        assert set(ex.feedback) == set(ex.options)
        assert ex.feedback[ex.expected()].startswith("Right"), quiz_id
        assert not any(ex.feedback[o].startswith("Right") for o in ex.options
                       if o != ex.expected()), quiz_id
        assert "{" not in ex.prompt + "".join(ex.options) + ex.hint, quiz_id   # all filled


def test_the_right_answer_moves_around():
    places = Counter(ex.options.index(ex.expected()) for ex in QUIZZES.values())
    assert len(places) >= 3 and max(places.values()) <= len(QUIZZES) // 2


def test_the_numbers_are_the_engines_by_hand():
    v = lesson15.QUIZ_VALUES
    assert (v["notional"], v["initial_margin"], v["maintenance_margin"]) == ("30,000", "3,000", "120")
    assert v["leveraged_twice"] == "300,000"
    assert (v["low_rate"], v["high_rate"]) == ("0.4 %", "0.5 %")             # BTCUSDT tiers 1, 2
    assert (v["low_max_leverage"], v["high_max_leverage"]) == ("125x", "100x")
    assert lesson15.funding_paid() == pytest.approx(0.5 * 60_000 * 0.0001)  # 3 USDT, long pays
    assert (v["fee"], v["margin_low"], v["margin_high"]) == ("15", "6,000", "1,500")
    assert (v["fee_share_low"], v["fee_share_high"]) == ("0.25 %", "1.00 %")
    assert (v["clearance_fee"], v["first_rate"]) == ("1.25 %", "0.4 %")     # fee > rate: no cut
    assert v["bankruptcy_price"] == "54,000"                                # 60,000 − 3,000 / 0.5
    # liquidation: 3,000 + 0.5 (P − 60,000) = 0.5 P × 0.4 %  →  P = 27,000 / 0.498
    assert v["liquidation_price"] == f"{27_000 / 0.498:,.2f}"
    # Binance 50 %: equity = 2 × MM (MM = 0.4 % of 50,000 = 200); OKX = 400 / (200 + 25)
    assert v["okx_ratio"] == f"{400 / 225 * 100:.0f} %"
    assert v["wilson_high"] == "0.38 %"                                     # 0 of 1,000 paths
    # 100 / (3,570 + 0.05 % × (60,000 + 56,430)) BTC at 60,000, at 5x and at 20x
    notional = 100 / (3_570 + 0.0005 * 116_430) * 60_000
    assert (v["sized_margin_low"], v["sized_margin_high"]) == (f"{notional / 5:,.2f}",
                                                               f"{notional / 20:,.2f}")


def test_the_notebook_asks_each_quiz_once_and_its_table_maps_every_question_to_a_lesson():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["course"]["kind"] == QUIZ_KIND
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert [re.findall(r'Quiz\("(15\.q\d+)"\)', s) for s in code] == [[i] for i in QUIZZES]
    rows = re.findall(r"^\| (\d+)(?:–(\d+))? \| (\d\d) ", nb.cells[0].source, flags=re.M)
    covered = [k for low, high, _ in rows for k in range(int(low), int(high or low) + 1)]
    assert covered == list(range(1, 19))
    listed = [lesson for *_, lesson in rows]
    # every lesson from 01 to 11 is named once; 06 (what happens at 100 %) comes before 05's ratio question
    assert sorted(listed) == [f"{n:02d}" for n in range(1, 12)]


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "images", tmp_path / "images")
    return tmp_path / "notebooks" / NOTEBOOK.name


def test_lint_passes_the_quiz_lesson():
    assert lint_notebook(NOTEBOOK) == []


def test_lint_refuses_an_exercise_or_a_missing_quiz_in_a_quiz_lesson(copy):
    nb = nbformat.read(copy, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('answer = ...\ncheck("07.1", answer)',
                                                 metadata={"tags": ["exercise"]}))
    del nb.cells[3:7]                                  # the new exercise stays; q2-q5 go
    nbformat.write(nb, copy)
    problems = "\n".join(lint_notebook(copy))
    assert "a quiz lesson asks quiz questions only" in problems
    assert "14 quiz questions — a quiz lesson asks 15-20" in problems
    assert "ask each quiz of quizzes/lesson15.json once" in problems

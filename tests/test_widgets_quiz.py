import pytest

from crossmargin.errors import InvalidInput
from crossmargin.widgets import Quiz


def test_quiz_grades_answers():
    q = Quiz("Which price triggers liquidation?", ["last price", "mark price"], "mark price",
             "Exchanges use the mark price.")
    assert q.feedback.value == ""
    q.submit.click()
    assert "Pick an answer first" in q.feedback.value
    assert q.answer("last price") is False and "Not quite" in q.feedback.value
    assert q.answer("mark price") is True and "Exchanges use the mark price." in q.feedback.value
    assert "cm-quiz" in q._dom_classes


@pytest.mark.parametrize("options, correct", [(["a", "b"], "c"), (["a", "a"], "a"), (["a"], "a")])
def test_quiz_refuses_bad_definitions(options, correct):
    with pytest.raises(InvalidInput):
        Quiz("?", options, correct)

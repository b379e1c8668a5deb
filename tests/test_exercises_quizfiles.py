"""The quizzes are data (crossmargin/course/exercises/quizzes/lessonNN.json): every one loads into
the registry, and a malformed file is refused with its file, quiz id and field named."""
import json
import re
from pathlib import Path

import pytest

from crossmargin.check import all_exercises
from crossmargin.course.exercises import QUIZ_FOLDER, load_quizzes
from crossmargin.errors import InvalidInput

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
GOOD = {"id": "09.q9", "prompt": "Which?", "options": ["a", "b", "{right}"], "answer": "{right}",
        "feedback": {"a": "not a", "b": "not b", "{right}": "yes"}, "hint": "think"}


def _file(tmp_path, quizzes, name="lesson09.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"quizzes": quizzes}), encoding="utf-8")
    return path


def test_every_quiz_of_the_course_comes_from_a_quiz_file():
    in_files = [q["id"] for path in sorted(QUIZ_FOLDER.glob("lesson*.json"))
                for q in json.loads(path.read_text(encoding="utf-8"))["quizzes"]]
    assert in_files == [i for i, ex in all_exercises().items() if ex.is_quiz]
    # ... and every one is asked exactly once, by a Quiz("NN.qK") cell of lesson NN
    asked = []
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        ids = [i for c in cells if c["cell_type"] == "code"
               for i in re.findall(r'Quiz\("(\d\d\.q\d+)"\)', "".join(c["source"]))]
        assert all(i.startswith(notebook.name[:2] + ".") for i in ids), (notebook.name, ids)
        asked += ids
    assert sorted(asked) == sorted(in_files)


def test_a_good_file_gives_choice_exercises_with_the_values_filled_in(tmp_path):
    [quiz] = load_quizzes(_file(tmp_path, [GOOD]), {"right": "+600 USDT"}, "09")
    assert quiz.kind == "choice" and quiz.is_quiz and quiz.id == "09.q9"
    assert quiz.options == ("a", "b", "+600 USDT") and quiz.expected() == "+600 USDT"
    assert quiz.feedback == {"a": "not a", "b": "not b", "+600 USDT": "yes"}
    assert quiz.hint == "think" and quiz.prompt == "Which?"


@pytest.mark.parametrize("change, words", [
    ({"answer": "c"}, "answer must be one of the options"),
    ({"options": ["a", "{right}"]}, "options must be a list of at least three"),
    ({"options": ["a", "a", "{right}"]}, "options must differ"),
    ({"feedback": {"a": "x", "{right}": "y"}}, "feedback has no explanation for the option 'b'"),
    ({"feedback": {"a": "x", "b": "y", "{right}": "z", "d": "w"}}, "feedback explains 'd'"),
    ({"feedback": {"a": "x", "b": "", "{right}": "z"}}, "feedback['b'] must be non-empty text"),
    ({"prompt": "What is {nothing}?"}, "prompt names {nothing}, which is not a value"),
    ({"hint": 3}, "hint must be non-empty text"),
    ({"id": "10.q1"}, 'id must be "09.qK"'),
    ({"colour": "red"}, "colour is not a field here"),
])
def test_a_malformed_quiz_names_the_file_the_quiz_and_the_field(tmp_path, change, words):
    quiz = {**GOOD, **change}
    with pytest.raises(InvalidInput) as err:
        load_quizzes(_file(tmp_path, [GOOD, quiz]), {"right": "+600 USDT"}, "09")
    message = str(err.value)
    assert message.startswith(f"lesson09.json, quiz {quiz['id']!r}: ") and words in message


def test_a_missing_field_and_a_broken_file_are_named(tmp_path):
    quiz = {k: v for k, v in GOOD.items() if k != "hint"}
    with pytest.raises(InvalidInput, match=r"lesson09.json, quiz '09.q9': hint is missing"):
        load_quizzes(_file(tmp_path, [quiz]), {"right": "x"}, "09")
    with pytest.raises(InvalidInput, match=r"lesson09.json, quizzes\[0\]: a quiz must be a JSON "):
        load_quizzes(_file(tmp_path, ["not a quiz"]))
    with pytest.raises(InvalidInput, match="lesson09.json: quizzes must be a list"):
        load_quizzes(_file(tmp_path, {}))
    broken = tmp_path / "lesson09.json"
    broken.write_text('{"quizzes": [\n{"id": "09.q1",}]}', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"lesson09.json line 2, column"):
        load_quizzes(broken)

"""The exercises of every lesson: one module per lesson (``lesson01.py`` ...) and its quizzes.

Each module defines ``EXERCISES``, a list of :class:`crossmargin.check.Exercise` whose answers
the engine computes. Ids are ``"NN.k"``: lesson number, then the exercise's number in that
lesson. A lesson's quizzes (ids ``"NN.qK"``) are data, not code: ``quizzes/lessonNN.json``
beside the module holds their question, options, answer, one explanation per option and hint
(format: notebooks/AUTHORING.md, "Quizzes"). A quiz's text may name a number the engine
computes as ``{name}``, taken from the module's ``QUIZ_VALUES``. :data:`REGISTRY` holds both,
each lesson's exercises followed by its quizzes.
"""
import importlib
import pkgutil
import re
from pathlib import Path

from ...datafiles import check_fields, read_json, text
from ...errors import InvalidInput
from ..exercise import Exercise

__all__ = ["QUIZ_FOLDER", "QUIZ_FIELDS", "REGISTRY", "load_quizzes"]

QUIZ_FOLDER = Path(__file__).parent / "quizzes"
#: The fields of one quiz, all required.
QUIZ_FIELDS = ("id", "prompt", "options", "answer", "feedback", "hint")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def load_quizzes(path, values=None, lesson=None):
    """The quizzes of the file ``path`` as ``Exercise(kind="choice", ...)`` objects.

    The file holds ``{"quizzes": [{"id", "prompt", "options", "answer", "feedback", "hint"},
    ...]}``; ``{name}`` in a text is replaced by ``values[name]``. ``lesson`` (``"08"``) is the
    number every id must start with. A malformed quiz is an :class:`InvalidInput` naming the
    file, the quiz's id and the field.
    """
    path = Path(path)
    values = values or {}
    data = read_json(path)
    try:
        check_fields(data, ("quizzes",), ("quizzes",))
        if not isinstance(data["quizzes"], list) or not data["quizzes"]:
            raise InvalidInput(f"quizzes must be a list of quizzes [{{...}}, ...] "
                               f"(got {data['quizzes']!r})")
    except InvalidInput as err:
        raise InvalidInput(f"{path.name}: {err}") from None
    quizzes = []
    for number, item in enumerate(data["quizzes"]):
        where = (f"{path.name}, quiz {item['id']!r}" if isinstance(item, dict)
                 and isinstance(item.get("id"), str) else f"{path.name}, quizzes[{number}]")
        try:
            quizzes.append(_quiz(item, values, lesson))
        except InvalidInput as err:
            raise InvalidInput(f"{where}: {err}") from None
    return quizzes


def _quiz(item, values, lesson):
    if not isinstance(item, dict):
        raise InvalidInput(f"a quiz must be a JSON object {{...}} with the fields "
                           f"{', '.join(QUIZ_FIELDS)} (got {item!r})")
    check_fields(item, QUIZ_FIELDS, QUIZ_FIELDS)
    quiz_id = text(item["id"], "id")
    if not re.fullmatch(r"\d\d\.q\d+", quiz_id) or (lesson and not quiz_id.startswith(lesson)):
        raise InvalidInput(f"id must be \"{lesson or 'NN'}.qK\", the lesson's number, then q "
                           f"and the quiz's number (got {quiz_id!r})")

    def filled(value, field):
        def value_of(match):
            if match.group(1) not in values:
                raise InvalidInput(f"{field} names {{{match.group(1)}}}, which is not a value "
                                   f"the lesson computes (values: {', '.join(values) or 'none'})")
            return values[match.group(1)]
        return _PLACEHOLDER.sub(value_of, text(value, field))

    options = item["options"]
    if not isinstance(options, list) or len(options) < 3:
        raise InvalidInput(f"options must be a list of at least three texts (got {options!r})")
    options = tuple(filled(option, f"options[{i}]") for i, option in enumerate(options))
    if len(set(options)) < len(options):
        raise InvalidInput("options must differ from one another (two are the same)")
    answer = filled(item["answer"], "answer")
    if answer not in options:
        raise InvalidInput(f"answer must be one of the options, word for word (got {answer!r})")
    feedback = item["feedback"]
    if not isinstance(feedback, dict):
        raise InvalidInput(f"feedback must be an object {{option: explanation}} "
                           f"(got {feedback!r})")
    feedback = {filled(option, "feedback"): text(why, f"feedback[{option!r}]")
                for option, why in feedback.items()}
    for option in options:
        if option not in feedback:
            raise InvalidInput(f"feedback has no explanation for the option {option!r} "
                               "(every option needs one, keyed by its text word for word)")
    for option in feedback:
        if option not in options:
            raise InvalidInput(f"feedback explains {option!r}, which is not an option")
    return Exercise(id=quiz_id, prompt=filled(item["prompt"], "prompt"), kind="choice",
                    options=options, expected=lambda: answer,
                    feedback={option: feedback[option] for option in options},
                    hint=filled(item["hint"], "hint"))


REGISTRY = {}

_LESSONS = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("lesson"))
for _stray in sorted(f.name for f in QUIZ_FOLDER.glob("*.json") if f.stem not in _LESSONS):
    raise InvalidInput(f"{_stray}: a quiz file is named after its lesson's module "
                       f"(lesson09.json for lesson09.py); there is no {_stray[:-5]}.py")
for _name in _LESSONS:
    _module = importlib.import_module(f"{__name__}.{_name}")
    _exercises = list(_module.EXERCISES)
    _file = QUIZ_FOLDER / f"{_name}.json"
    if _file.exists():
        _exercises += load_quizzes(_file, getattr(_module, "QUIZ_VALUES", None),
                                   _name.removeprefix("lesson"))
    for _ex in _exercises:
        if _ex.id in REGISTRY:
            raise ValueError(f"exercise id {_ex.id!r} is defined twice")
        REGISTRY[_ex.id] = _ex

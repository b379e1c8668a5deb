"""Where the course finds its data files: price scenarios, example portfolios, bracket tables.

Each kind of file has a folder of its own — ``scenarios/`` (CSV prices), ``portfolios/``
(JSON accounts) and ``brackets/`` (JSON tier tables) — searched in this order:

1. the shipped folder, ``crossmargin/data/<kind>/``;
2. ``<entry>/<kind>/`` for each folder named by the environment variable
   ``CROSSMARGIN_DATA_PATH`` (several are separated by ``os.pathsep``: ``:`` on Linux and
   macOS, ``;`` on Windows). An entry is a course-data folder holding at least one of the three
   subfolders, like ``crossmargin/data`` itself;
3. the ``folder=`` given to a loader, which holds that kind's files directly.

A file's name without its extension is the name you load it by:
``scenarios/ETHUSDT-1h-2024-05.csv`` is the scenario ``"ETHUSDT-1h-2024-05"``. Extensions are
lower case (``.csv``, ``.zip``, ``.json``). Nothing is overridden silently: two files with one
name, or a file named like a built-in, is an error that names both. Folders are read when a list
or load function is called, never on import. The file formats are described in
``notebooks/adapting-lessons.md``.

``python -m crossmargin data`` prints the folders searched and checks every file found.
"""
import json
import os
from pathlib import Path

from .errors import InvalidInput

__all__ = ["ENV", "KINDS", "PACKAGE_DATA", "folders", "files", "find", "read_json", "number",
           "text", "flag", "check_fields"]

ENV = "CROSSMARGIN_DATA_PATH"
KINDS = ("scenarios", "portfolios", "brackets")
_ONE = {"scenarios": "scenario", "portfolios": "portfolio", "brackets": "bracket table"}
PACKAGE_DATA = Path(__file__).parent / "data"


def _data_roots():
    """The course-data folders named by CROSSMARGIN_DATA_PATH, checked."""
    roots = []
    for entry in os.environ.get(ENV, "").split(os.pathsep):
        if not entry.strip():
            continue
        root = Path(entry.strip()).expanduser()
        if not root.is_dir():
            raise InvalidInput(f"{ENV} entry {entry!r} must be a folder (no folder there)")
        if not any((root / kind).is_dir() for kind in KINDS):
            raise InvalidInput(f"{ENV} entry {entry!r} must hold a scenarios/, portfolios/ or "
                               f"brackets/ folder (it holds none: put your files in one of them)")
        roots.append(root)
    return roots


def folders(kind, folder=None):
    """The existing folders searched for ``kind`` files, in search order, without repeats."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    found = [PACKAGE_DATA / kind] + [root / kind for root in _data_roots()]
    if folder is not None:
        if not isinstance(folder, (str, os.PathLike)) or not Path(folder).expanduser().is_dir():
            raise InvalidInput(f"folder must be an existing folder of {kind} files "
                               f"(got {folder!r})")
        found.append(Path(folder).expanduser())
    if len(found) == 1:  # the usual case, kept fast: Brackets.load runs for every Account
        return found
    unique, seen = [], set()
    for path in found:
        key = os.path.realpath(path)
        if key not in seen and path.is_dir():
            seen.add(key)
            unique.append(path)
    return unique


def _clash(kind, name, first, second):
    return InvalidInput(f"two {_ONE[kind]}s are named {name!r}: {first} and {second}; rename one "
                        "(a file's name without its extension is its name)")


def files(kind, suffixes, folder=None, taken=None):
    """``{name: path}`` of every ``kind`` file ending in one of ``suffixes``, in search order.

    ``taken`` maps the names of built-ins to what they are; a file with such a name, or two
    files with one name, raise InvalidInput naming both.
    """
    taken = taken or {}
    found = {}
    for where in folders(kind, folder):
        for path in sorted(where.iterdir()):
            if path.suffix not in suffixes or not path.is_file():
                continue
            other = taken.get(path.stem) or found.get(path.stem)
            if other is not None:
                raise _clash(kind, path.stem, other, path)
            found[path.stem] = path
    return found


def find(kind, name, suffixes, folder=None, taken=None):
    """The one ``kind`` file called ``name`` (with one of ``suffixes``), or None.

    Raises InvalidInput if ``name`` is also in ``taken`` (a built-in) or names two files.
    """
    if not isinstance(name, str) or not name or name != Path(name).name:
        raise InvalidInput(f"name must be a {_ONE[kind]} name without folder or extension "
                           f"(got {name!r})")
    hits = [where / f"{name}{suffix}" for where in folders(kind, folder) for suffix in suffixes
            if (where / f"{name}{suffix}").is_file()]
    if hits and taken and name in taken:
        raise _clash(kind, name, taken[name], hits[0])
    if len(hits) > 1:
        raise _clash(kind, name, hits[0], hits[1])
    return hits[0] if hits else None


def read_json(path):
    """The JSON object in the file ``path``; a syntax error names the file, line and column."""
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise InvalidInput(f"{path.name} must be UTF-8 text ({err})") from None
    except json.JSONDecodeError as err:
        raise InvalidInput(f"{path.name} line {err.lineno}, column {err.colno}: {err.msg} "
                           "(the file must be valid JSON)") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path.name} must hold one JSON object {{...}} "
                           f"(got a {type(data).__name__})")
    return data


def number(value, field, check):
    """A JSON number (not text, not true/false) that passes ``check`` (e.g.
    ``_validate.positive``), returned as written: 20 stays 20, 0.004 stays 0.004."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{field} must be a number (got {value!r})")
    check(value, field)
    return value


def text(value, field):
    """A JSON string with something in it, returned as written."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must be non-empty text (got {value!r})")
    return value


def flag(value, field):
    """A JSON ``true`` or ``false``."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be true or false (got {value!r})")
    return value


def check_fields(data, allowed, required=(), where=""):
    """Refuse a JSON object with an unknown or a missing field; ``where`` prefixes field names
    (e.g. ``"positions[1]"``)."""
    prefix = f"{where}." if where else ""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where or 'the file'} must be a JSON object {{...}} (got {data!r})")
    for key in data:
        if key not in allowed:
            raise InvalidInput(f"{prefix}{key} is not a field here (fields: "
                               f"{', '.join(allowed)})")
    for key in required:
        if key not in data:
            raise InvalidInput(f"{prefix}{key} is missing (required: {', '.join(required)})")

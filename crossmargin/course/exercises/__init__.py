"""The exercises of every lesson, one module per lesson (``lesson01.py`` ...).

Each module defines ``EXERCISES``, a list of :class:`crossmargin.check.Exercise`.
Ids are ``"NN.k"``: lesson number, then the exercise's number in that lesson.
"""
import importlib
import pkgutil

REGISTRY = {}

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("lesson"):
        for _ex in importlib.import_module(f"{__name__}.{_info.name}").EXERCISES:
            if _ex.id in REGISTRY:
                raise ValueError(f"exercise id {_ex.id!r} is defined twice")
            REGISTRY[_ex.id] = _ex

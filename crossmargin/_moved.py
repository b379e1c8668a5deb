"""Old module paths of the flat layout, forwarded for one release with a DeprecationWarning.

Instructors' copies of the lessons that say ``from crossmargin.simulate import replay`` or
``from crossmargin import stops`` keep running; the warning names the new home. Installed as
an import hook by ``crossmargin/__init__.py``; nothing in the package itself uses an old path
(tests/test_layout.py checks that).
"""
import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: old module path -> new module path
MOVED = {
    **{f"crossmargin.{m}": f"crossmargin.engine.{m}"
       for m in ("formulas", "brackets", "contracts", "platforms", "account")},
    "crossmargin.simulate": "crossmargin.simulation.replay",
    **{f"crossmargin.{m}": f"crossmargin.simulation.{m}"
       for m in ("shocks", "montecarlo", "progress")},
    **{f"crossmargin.{m}": f"crossmargin.lessons.{m}"
       for m in ("comparison", "monitoring", "stops", "examples", "hedging", "cascade",
                 "reserve", "funding", "indicators", "capstone")},
    "crossmargin.app": "crossmargin.widgets.app",
    "crossmargin.exercises": "crossmargin.course.exercises",
}


def new_path(old):
    """Where the module once at ``old`` lives now (``old`` itself if it did not move)."""
    for before, after in MOVED.items():
        if old == before or old.startswith(before + "."):
            return after + old[len(before):]
    return old


class Forwarder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old paths and hands out the module at the new one, with a warning."""

    def find_spec(self, name, path=None, target=None):
        if new_path(name) != name:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        old, new = module.__name__, new_path(module.__name__)
        warnings.warn(f"{old} moved to {new}: import it from there (the old path works for "
                      "one more release)", DeprecationWarning, stacklevel=2)
        sys.modules[old] = importlib.import_module(new)


def install():
    """Put the forwarder on ``sys.meta_path`` once."""
    if not any(isinstance(f, Forwarder) for f in sys.meta_path):
        sys.meta_path.append(Forwarder())

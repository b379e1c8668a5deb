"""The package's layers (ARCHITECTURE.md): imports point down, and no module reaches into
another module's private names. Read from the source with ast, so a new module is checked
the day it is added."""
import ast
import importlib
import warnings
from pathlib import Path

import pytest

from crossmargin._moved import MOVED

PACKAGE = Path(__file__).resolve().parents[1] / "crossmargin"

#: Layer of each top-level part of the package: a module may import its own layer and below.
LAYERS = {
    "errors": 0, "_validate": 0, "formats": 0, "datafiles": 0, "doctor": 0, "_moved": 0,
    "engine": 1,
    "scenarios": 2, "simulation": 2,
    "lessons": 3,
    "widgets": 4, "course": 4, "check": 4,
}
FACE = {"crossmargin", "crossmargin.__main__"}       # the public face may import anything


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(name):
    parts = name.split(".")
    return None if len(parts) < 2 else LAYERS[parts[1]]


def imports(name, path):
    """(line, imported module, imported names) for every crossmargin import in the file."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("crossmargin"):
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in MODULES:          # "from . import formulas": a module
                    found.append((node.lineno, full, []))
                else:
                    found.append((node.lineno, target, [alias.name]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names
                      if a.name.startswith("crossmargin")]
    return found


def test_every_part_of_the_package_has_a_layer():
    parts = {n.split(".")[1] for n in MODULES if n.count(".") >= 1 and n not in FACE}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))


@pytest.mark.parametrize("name", sorted(set(MODULES) - FACE))
def test_imports_point_down(name):
    here = layer(name)
    for line, target, _ in imports(name, MODULES[name]):
        assert target not in FACE, f"{name}:{line} imports the public face {target}"
        assert layer(target) <= here, \
            f"{name}:{line} (layer {here}) imports {target} (layer {layer(target)})"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_name_is_imported_across_modules(name):
    tree = ast.parse(MODULES[name].read_text())
    module_aliases = {}
    for line, target, names in imports(name, MODULES[name]):
        for n in names:
            assert not (n.startswith("_") and not n.startswith("__")), \
                f"{name}:{line} imports {target}.{n}, a private name"
        if not names:
            module_aliases[target.rsplit(".", 1)[-1]] = target
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            pytest.fail(f"{name}:{node.lineno} uses {node.value.id}.{node.attr}, a private name "
                        f"of {module_aliases[node.value.id]}")


def test_nothing_in_the_package_uses_an_old_path():
    for name, path in MODULES.items():
        if name == "crossmargin._moved":
            continue
        for line, target, _ in imports(name, path):
            assert target not in MOVED, f"{name}:{line} imports the old path {target}"


@pytest.mark.parametrize("old, new", sorted(MOVED.items()))
def test_old_paths_forward_with_a_warning(old, new):
    import sys
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert any(issubclass(w.category, DeprecationWarning) and new in str(w.message)
               for w in caught), [str(w.message) for w in caught]

"""The pieces of the course website that are not Sphinx: pure text in, text out.

``make site`` builds ``build/site/`` with Sphinx and myst-nb from the notebooks (site/build.py
puts the sources together; site/conf.py and its extension use these functions). Kept here so
they can be tested without Sphinx:

- :func:`slug` the anchor GitHub and MyST give a heading (``### Liquidation price`` ->
  ``liquidation-price``), which the lessons' glossary links use;
- :func:`glossary_page` notebooks/glossary.md (``### Term`` sections) as a MyST page with one
  Sphinx ``glossary`` directive, so every term gets a Sphinx glossary entry;
- :func:`site_cell` what the site does with a lesson cell from its tags (notebooks/AUTHORING.md):
  a ``solution`` is folded behind "Show the worked solution", ``verify`` and ``instructor``
  cells are left out of the page (they still run);
- :func:`launch_links` the Binder and JupyterHub (nbgitpuller) links of a lesson.

>>> slug("Account MM rate (Bybit)")
'account-mm-rate-bybit'
>>> print(glossary_page("# Glossary\\n\\nIntro.\\n\\n### Long and short\\n\\nA long gains.\\n"))
# Glossary
<BLANKLINE>
Intro.
<BLANKLINE>
````{glossary}
Long and short
   A long gains.
````
<BLANKLINE>
"""
import copy
import re
from urllib.parse import quote, urlencode

from ..errors import InvalidInput

__all__ = ["SOLUTION_PROMPT", "REMOVED_TAGS", "repository", "slug", "glossary_terms", "glossary_page",
           "site_cell", "site_notebook", "launch_links"]

#: What the folded worked solution says, closed and open.
SOLUTION_PROMPT = ("Show the worked solution", "Hide the worked solution")
#: Cells the site leaves out of the page: checks of the text, notes for instructors.
REMOVED_TAGS = ("verify", "instructor")

_TERM = re.compile(r"^### (?P<term>.+?)\s*$")
_HEADING = re.compile(r"^#{1,6} ")
_FENCE = re.compile(r"^(`{3,}|~{3,})")


def slug(heading):
    """The anchor GitHub and MyST's heading anchors give a heading: lower case, characters
    other than letters, digits, ``-``, ``_`` and spaces dropped, spaces made ``-``.

    >>> slug("Cum (maintenance amount)")
    'cum-maintenance-amount'
    """
    if not isinstance(heading, str):
        raise InvalidInput(f"heading must be a string (got {heading!r})")
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _check_text(text, name):
    if not isinstance(text, str):
        raise InvalidInput(f"{name} must be the markdown text, a string (got {type(text).__name__})")


def glossary_terms(text):
    """The terms of a glossary in markdown, in order: ``[(term, slug), ...]``.

    A term is a ``### Term`` heading outside code fences.

    >>> glossary_terms("### Margin ratio\\n\\nMM / equity.\\n\\n### USDT\\n\\nA coin.\\n")
    [('Margin ratio', 'margin-ratio'), ('USDT', 'usdt')]
    """
    _check_text(text, "text")
    terms, fence = [], None
    for line in text.splitlines():
        fence = _fence_state(line, fence)
        match = None if fence else _TERM.match(line)
        if match:
            terms.append((match["term"], slug(match["term"])))
    return terms


def _fence_state(line, fence):
    """The open code fence after ``line`` (None outside one)."""
    match = _FENCE.match(line.lstrip())
    if not match:
        return fence
    if fence is None:
        return match[1]
    return None if match[1].startswith(fence) else fence


def glossary_page(text):
    """A glossary in markdown (``### Term`` sections under a title) as a MyST page whose
    terms are one Sphinx ``glossary`` directive: each term's text becomes a definition,
    indented by three spaces, a blank line between entries. Anything else (the title, the introduction, other headings) is
    kept as it is, outside the directive. Raises :class:`InvalidInput` when there is no term,
    a term is given twice (its slug would land on the first) or a term has no definition.
    """
    _check_text(text, "text")
    out, entries, fence = [], [], None

    def close():
        if not entries:
            return
        while out and out[-1] == "":
            out.pop()
        out.extend(["", "````{glossary}"])
        for i, (term, body) in enumerate(entries):
            while body and not body[-1].strip():
                body.pop()
            while body and not body[0].strip():
                body.pop(0)
            if not body:
                raise InvalidInput(f"glossary term {term!r} must have a definition (got none)")
            out.extend([term] if i == 0 else ["", term])
            out.extend(("   " + line) if line.strip() else "" for line in body)
        out.extend(["````", ""])
        entries.clear()

    for line in text.splitlines():
        fence = _fence_state(line, fence)
        match = None if fence else _TERM.match(line)
        if match:
            entries.append((match["term"], []))
        elif entries and fence is None and _HEADING.match(line):
            close()
            out.append(line)
        elif entries:
            entries[-1][1].append(line)
        else:
            out.append(line)
    close()
    slugs = [s for _, s in glossary_terms(text)]
    if not slugs:
        raise InvalidInput("glossary text must have at least one '### Term' heading (got none)")
    twice = sorted({s for s in slugs if slugs.count(s) > 1})
    if twice:
        raise InvalidInput(f"glossary terms must have different anchors (got {', '.join(twice)} "
                           f"more than once)")
    return "\n".join(out).rstrip("\n") + "\n"


def _tags(cell):
    return list(cell.get("metadata", {}).get("tags", []))


def site_cell(cell):
    """A copy of a notebook cell (a dict) with the tags myst-nb reads for the site, or None
    when the page leaves the cell out. ``solution`` cells get ``hide-cell`` (input and
    output folded in one "Show the worked solution"); ``verify`` and ``instructor`` cells get
    ``remove-cell`` (myst-nb still executes them: a wrong claim still fails the build).

    >>> site_cell({"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": ""})["metadata"]
    {'tags': ['solution', 'hide-cell'], 'mystnb': {'code_prompt_show': 'Show the worked solution', 'code_prompt_hide': 'Hide the worked solution'}}
    """
    if not isinstance(cell, dict) or "cell_type" not in cell:
        raise InvalidInput(f"cell must be a notebook cell, a dict with a cell_type (got {cell!r:.60})")
    cell = copy.deepcopy(cell)
    tags = _tags(cell)
    metadata = cell.setdefault("metadata", {})
    if any(t in tags for t in REMOVED_TAGS):
        metadata["tags"] = tags + ["remove-cell"]
    elif "solution" in tags:
        metadata["tags"] = tags + ["hide-cell"]
        metadata["mystnb"] = {**metadata.get("mystnb", {}),
                              "code_prompt_show": SOLUTION_PROMPT[0],
                              "code_prompt_hide": SOLUTION_PROMPT[1]}
    return cell


def site_notebook(nb):
    """A copy of a notebook (a dict, as ``json.load`` gives it) with :func:`site_cell` applied
    to every cell."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InvalidInput(f"nb must be a notebook, a dict with a list of cells (got {nb!r:.60})")
    out = {k: v for k, v in nb.items() if k != "cells"}
    out["cells"] = [site_cell(c) for c in nb["cells"]]
    return copy.deepcopy(out)


def launch_links(repository, path, *, branch="main", jupyterhub=None):
    """``{"Binder": url, "JupyterHub": url}`` for the notebook ``path`` of a GitHub
    ``repository`` (``https://github.com/OWNER/NAME``). The JupyterHub link is an nbgitpuller
    link that gives the learner their own copy of the repository; without a hub address
    (``jupyterhub``, e.g. ``https://hub.example.org``) it is left out.

    >>> launch_links("https://github.com/o/r", "notebooks/01-x.ipynb")["Binder"]
    'https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/notebooks/01-x.ipynb'
    """
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)/?", str(repository))
    if not match:
        raise InvalidInput(f"repository must be https://github.com/OWNER/NAME (got {repository!r})")
    if not isinstance(path, str) or not path or path.startswith("/"):
        raise InvalidInput(f"path must be a path inside the repository, e.g. "
                           f"notebooks/01-x.ipynb (got {path!r})")
    owner, name = match.groups()
    links = {"Binder": f"https://mybinder.org/v2/gh/{owner}/{name}/{quote(branch)}"
                       f"?urlpath=lab/tree/{quote(path)}"}
    if jupyterhub:
        hub = str(jupyterhub).rstrip("/")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", hub):
            raise InvalidInput(f"jupyterhub must be the hub's address, e.g. "
                               f"https://hub.example.org (got {jupyterhub!r})")
        query = urlencode({"repo": f"https://github.com/{owner}/{name}", "branch": branch,
                           "urlpath": f"lab/tree/{name}/{path}"})
        links["JupyterHub"] = f"{hub}/hub/user-redirect/git-pull?{query}"
    return links


def repository(pyproject):
    """The repository address that ``pyproject`` (the path of pyproject.toml) names in
    ``[project.urls]`` as ``Repository``: the site's launch links and its GitHub button.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pyproject.toml"
    >>> _ = path.write_text('[project.urls]\\nRepository = "https://github.com/o/r"\\n')
    >>> repository(path)
    'https://github.com/o/r'
    """
    match = re.search(r'^Repository\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
    if not match:
        raise InvalidInput(f"{pyproject} must name the Repository in [project.urls] "
                           '(Repository = "https://github.com/...")')
    return match[1]

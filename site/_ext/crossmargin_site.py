"""Sphinx extension of the course website.

The glossary page is a Sphinx ``glossary`` (crossmargin.course.website.glossary_page), whose
entries Sphinx names ``term-...``. The lessons link a term as on GitHub,
``glossary.md#liquidation-price``: each term is given a label of that name, so those links
land on the glossary entry.
"""
from docutils import nodes

from crossmargin.course.website import slug

GLOSSARY_DOC = "notebooks/glossary"


def label_glossary_terms(app, doctree):
    """Give every term of the glossary page a label named after its GitHub anchor."""
    env = app.env
    if env.docname != GLOSSARY_DOC:
        return
    std = env.domains.standard_domain
    for term in doctree.findall(nodes.term):
        if not term["ids"]:
            continue
        text = term.astext()
        name = slug(text)
        if name in std.labels and std.labels[name][0] != GLOSSARY_DOC:
            other = std.labels[name][0]
            raise ValueError(f"glossary term {text!r}: label {name!r} is already used in {other}")
        std.anonlabels[name] = (GLOSSARY_DOC, term["ids"][0])
        std.labels[name] = (GLOSSARY_DOC, term["ids"][0], text)


def setup(app):
    app.connect("doctree-read", label_glossary_terms)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}

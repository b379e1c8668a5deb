"""CITATION.cff (Citation File Format 1.2.0) and CODE_OF_CONDUCT.md, as course repositories have."""
import datetime
import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: What CFF 1.2.0 requires, and what the course adds to it.
REQUIRED = {"cff-version", "message", "title", "authors"}
ADDED = {"type", "license", "repository-code", "version", "date-released"}


def citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_parses_and_has_the_required_keys():
    cff = citation()
    assert REQUIRED | ADDED <= set(cff), sorted(REQUIRED | ADDED - set(cff))
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert cff["title"] == "Cross Margin, Step by Step" and cff["message"].strip()
    for author in cff["authors"]:       # a person (family-names) or an entity (name)
        assert author.get("name") or author.get("family-names"), author
    assert isinstance(cff["date-released"], datetime.date)


def test_citation_agrees_with_the_package_and_the_licences():
    cff = citation()
    assert str(cff["version"]) == PYPROJECT["version"]
    assert cff["repository-code"] == PYPROJECT["urls"]["Repository"]
    # code under MIT (LICENSE), lesson content under CC BY 4.0 (LICENSE-content.md)
    assert cff["license"] == ["MIT", "CC-BY-4.0"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "CC BY 4.0" in (ROOT / "LICENSE-content.md").read_text()


def test_code_of_conduct_says_where_reports_go_and_credits_the_covenant():
    text = (ROOT / "CODE_OF_CONDUCT.md").read_text(encoding="utf-8")
    enforcement = text.split("## Enforcement\n", 1)[1].split("\n## ", 1)[0]
    assert "[INSERT CONTACT METHOD]" not in text
    assert "At a workshop" in enforcement and "github.com/cross-margin-course" in enforcement
    attribution = text.split("## Attribution\n", 1)[1]
    assert "Contributor Covenant" in attribution and "version 2.1" in attribution
    assert "creativecommons.org/licenses/by/4.0" in attribution and "Changes made" in attribution


def test_readme_links_both():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    outside = re.sub(r"<!-- generated:(\S+) -->.*?<!-- /generated:\1 -->", "", readme, flags=re.S)
    assert "(CITATION.cff)" in outside and "(CODE_OF_CONDUCT.md)" in outside

"""The GitHub Pages workflow (.github/workflows/pages.yml) cannot run here: it is checked as
data. It must build the site with ``make site``, upload build/site/ and deploy it with
actions/deploy-pages, with the permissions that needs."""
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def workflow():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(job):
    return workflow()["jobs"][job]["steps"]


def uses(step, action):
    return re.fullmatch(rf"{re.escape(action)}@v\d+", step.get("uses", "")) is not None


def test_it_runs_on_pushes_to_main_and_by_hand():
    on = workflow()["on"]
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on


def test_it_builds_with_make_site_after_setting_up_python_and_node():
    build = steps("build")
    runs = [s.get("run", "") for s in build]
    make = [i for i, run in enumerate(runs) if re.match(r"make site\b", run.strip())]
    assert len(make) == 1, runs
    python = next(i for i, s in enumerate(build) if uses(s, "actions/setup-python"))
    node = next(i for i, s in enumerate(build) if uses(s, "actions/setup-node"))
    checkout = next(i for i, s in enumerate(build) if uses(s, "actions/checkout"))
    assert checkout < python < make[0] and node < make[0]
    # the lock file pins versions for Python >= 3.11 (the Makefile falls back to ranges below)
    assert float(build[python]["with"]["python-version"]) >= 3.11


def test_it_uploads_build_site_and_deploys_it_to_pages():
    build = steps("build")
    upload = [s for s in build if uses(s, "actions/upload-pages-artifact")]
    assert len(upload) == 1 and upload[0]["with"]["path"] == "build/site"
    deploy = workflow()["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert any(uses(s, "actions/deploy-pages") for s in deploy["steps"])


def test_it_has_the_permissions_pages_needs_and_no_more():
    assert workflow()["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_make_site_is_a_target_that_runs_the_site_build():
    dry = subprocess.run(["make", "-n", "site", "SITE_ARGS=--jupyterhub https://hub.example.org"],
                         cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert re.search(r"python site/build\.py --jupyterhub https://hub\.example\.org$", dry.stdout, re.M)

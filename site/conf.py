"""Sphinx configuration of the course website. Build it with ``make site`` (site/build.py puts
the sources together in build/site-src/ and runs Sphinx with this folder as its -c)."""
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))

from crossmargin.course import lesson_files, lessons  # noqa: E402
from crossmargin.course.website import repository  # noqa: E402

REPOSITORY = repository(ROOT / "pyproject.toml")
VENDOR = Path(os.environ.get("CROSSMARGIN_SITE_VENDOR", ROOT / "build" / "site-vendor"))
#: Lessons to execute (``make test`` builds a subset: "01,07"); empty: every lesson.
EXECUTE = [n for n in os.environ.get("CROSSMARGIN_SITE_EXECUTE", "").split(",") if n]
JUPYTERHUB = os.environ.get("CROSSMARGIN_SITE_JUPYTERHUB", "")

project = "Cross Margin, Step by Step"
author = "The Cross Margin, Step by Step contributors"
copyright = "the contributors: lesson content CC BY 4.0, code MIT"
language = "en"

extensions = ["myst_nb", "crossmargin_site"]
exclude_patterns = ["**/.ipynb_checkpoints"]
root_doc = "index"

# -- MyST and the notebooks ---------------------------------------------------------------
myst_heading_anchors = 3          # [x](glossary.md#margin-ratio), as on GitHub
myst_enable_extensions = ["colon_fence"]
nb_execution_mode = "cache"       # executed once; again only when a lesson's code changes
nb_execution_cache_path = os.environ.get("CROSSMARGIN_SITE_CACHE",
                                         str(ROOT / "build" / "site-cache" / "jupyter-cache"))
nb_execution_timeout = 300
nb_execution_raise_on_error = True  # a failing cell (a false claim in a verify cell) fails the build
nb_execution_show_tb = True
nb_execution_excludepatterns = (
    [f"notebooks/{n}-*.ipynb" for n in
     {p.name[:2] for p in lesson_files(ROOT / "notebooks")} - set(EXECUTE)]
    if EXECUTE else [])
# A lesson may link a planned lesson that has no notebook yet: its link stays plain text.
nitpick_ignore_regex = [("myst", rf"(.*/)?{re.escape(row['notebook'])}(#.*)?")
                        for row in lessons(ROOT / "notebooks") if not row["written"]]
nb_merge_streams = True
nb_output_stderr = "remove-warn"

# The widget manager and the widgets' front-ends come from this site (build/site-vendor/widgets/
# is copied into _static/widgets/): nothing is loaded from another host. crossmargin-widgets.js tells
# require.js where bqplot and bqscales are, before the manager starts.
nb_ipywidgets_js = {
    "widgets/require.js": {},
    "crossmargin-widgets.js": {},
    "widgets/html-manager/embed-amd.js": {},
}

# -- HTML ----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static", str(VENDOR)]
html_css_files = ["crossmargin.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
html_show_sphinx = False
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "jupyterhub_url": JUPYTERHUB,
                       "notebook_interface": "jupyterlab"},
    # one search field, in the sidebar (pydata-sphinx-theme would add one to a header too)
    "navbar_persistent": [],
}
html_context = {"default_mode": "light"}

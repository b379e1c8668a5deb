"""Driving a notebook in JupyterLab: open, run all, wait, find widgets.

The helpers live in the package (crossmargin/course/headless.py), shared with `make check`'s
smoke test and the browser benchmark; this module adds the tests' assertion.
"""
from crossmargin.course.headless import (CURRENT, ERROR_TEXT, cell_errors,  # noqa: F401
                                         open_notebook, run_all, widget_errors)


def assert_no_widget_errors(page):
    """No output area shows that ipywidgets could not draw a widget (its error view, or
    "Error displaying widget"; lesson text may mention the phrase)."""
    errors = widget_errors(page)
    assert not errors, f"the page shows '{ERROR_TEXT}': {errors}"

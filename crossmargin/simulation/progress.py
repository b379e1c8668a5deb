"""Progress feedback for long runs: a bar in a notebook, a callback, or nothing."""
from ..errors import InvalidInput

__all__ = ["reporter"]


def reporter(progress, total, unit="paths"):
    """A function to call with how many of ``total`` items are done.

    ``progress=True`` shows an ipywidgets bar with "done / total unit" beside it (in a
    notebook); a callable receives the fraction done; ``None``/``False`` reports nothing.
    """
    if callable(progress):
        return lambda done: progress(done / total)
    if progress is True:
        try:
            import ipywidgets as W
            from IPython.display import display
        except ImportError:
            return lambda done: None
        bar = W.IntProgress(min=0, max=total, description=unit, bar_style="info")
        label = W.Label(f"0 / {total:,} {unit}")
        display(W.HBox([bar, label]))

        def update(done):
            bar.value, label.value = done, f"{done:,} / {total:,} {unit}"
            if done >= total:
                bar.bar_style = "success"
        return update
    if progress not in (None, False):
        raise InvalidInput(f"progress must be True, False, None or a callable (got {progress!r})")
    return lambda done: None

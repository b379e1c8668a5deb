"""How sure a share of paths is: the Wilson score interval of a binomial proportion.

A Monte Carlo run that liquidates ``k`` of its ``n`` paths estimates the model's odds as
``k / n``; :func:`wilson_interval` says where the odds lie given that only ``n`` paths were
drawn. ``MonteCarlo.summary()`` and the capstone's odds use it.
"""
from statistics import NormalDist

import numpy as np

from .._validate import finite
from ..errors import InvalidInput

__all__ = ["wilson_interval", "CONFIDENCE"]

#: The confidence of every interval the course states (95 %).
CONFIDENCE = 0.95


def _counts(values, field):
    """``values`` as a float array of finite whole numbers, else InvalidInput naming ``field``."""
    if isinstance(values, (bool, np.bool_, str)):
        raise InvalidInput(f"{field} must be a whole number (got {values!r})")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a whole number (got {values!r})") from None
    bad = ~np.isfinite(arr) | (arr != np.round(arr))
    if bad.any():
        raise InvalidInput(f"{field} must be a whole number (got {float(arr[bad].flat[0])!r})")
    return arr


def wilson_interval(successes, n, confidence=CONFIDENCE):
    """The Wilson score interval ``(low, high)`` of the proportion ``successes / n``.

    With ``p = successes / n`` and ``z`` the standard normal quantile of
    ``(1 + confidence) / 2`` (1.96 for 95 %)::

        centre = (p + z² / (2n)) / (1 + z² / n)
        half   = z / (1 + z² / n) * sqrt(p (1 - p) / n + z² / (4 n²))
        (low, high) = (centre - half, centre + half)

    Source: E. B. Wilson, "Probable inference, the law of succession, and statistical
    inference", JASA 22 (1927) 209-212; recommended over ``p ± z sqrt(p(1-p)/n)`` by Brown,
    Cai and DasGupta, "Interval estimation for a binomial proportion", Statistical Science 16
    (2001) 101-133. Unlike that one, it never leaves [0, 1] and is not zero-wide at 0 or n.
    ``successes`` and ``n`` may be arrays (numpy broadcasting); scalars give floats.

    >>> [round(x, 4) for x in wilson_interval(0, 10)]
    [0.0, 0.2775]
    >>> [round(x, 4) for x in wilson_interval(50, 100)]
    [0.4038, 0.5962]
    """
    k, size = _counts(successes, "successes"), _counts(n, "n")
    if (size <= 0).any():
        raise InvalidInput(f"n must be >= 1 (got {float(size[size <= 0].flat[0]):g})")
    if (k < 0).any():
        raise InvalidInput(f"successes must be >= 0 (got {float(k[k < 0].flat[0]):g})")
    try:
        k, size = np.broadcast_arrays(k, size)
    except ValueError:
        raise InvalidInput(f"successes and n must have shapes that broadcast together "
                           f"(got {np.shape(successes)} and {np.shape(n)})") from None
    over = k > size
    if over.any():
        i = np.flatnonzero(over.ravel())[0]
        raise InvalidInput(f"successes must be <= n (got {k.flat[i]:g} > {size.flat[i]:g})")
    level = finite(confidence, "confidence")
    if not 0 < level < 1:
        raise InvalidInput(f"confidence must be between 0 and 1, both excluded "
                           f"(got {confidence!r})")
    z = NormalDist().inv_cdf((1 + level) / 2)
    p = k / size
    shrink = 1 + z * z / size
    centre = (p + z * z / (2 * size)) / shrink
    half = z / shrink * np.sqrt(p * (1 - p) / size + z * z / (4 * size * size))
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k == size, 1.0, np.clip(centre + half, 0.0, 1.0))
    if low.ndim == 0:
        return float(low), float(high)
    return low, high

"""The engine run over prices.

``replay`` (one account along one path: :class:`Order`, :func:`replay`), ``shocks`` (instant
moves: :class:`Leg`, :func:`shock_outcomes`), ``montecarlo`` (the one vectorized stepper that
every many-paths result goes through) and ``progress`` (the progress bar of long runs).
Uses the engine and the scenarios; never the lessons, widgets or course tools.
"""

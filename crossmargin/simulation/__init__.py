"""The engine run over prices.

``orders`` (the position vocabulary: :class:`Order`, :class:`Leg`, :func:`open_orders`),
``replay`` (one account along one path: :func:`replay`), ``shocks`` (instant moves:
:func:`shock_outcomes`), ``montecarlo`` (the one vectorized stepper that every many-paths
result goes through) and ``progress`` (the progress bar of long runs).
Uses the engine and the scenarios; never the lessons, widgets or course tools.
"""

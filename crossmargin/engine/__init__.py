"""The exchange in miniature, with no price paths and no screen.

``formulas`` (pure, vectorized), ``brackets`` (maintenance-margin tiers), ``contracts``
(per-symbol specs), ``platforms`` (how other venues show the same account) and ``account``
(the :class:`~crossmargin.engine.account.Account` that applies the rules step by step).
Nothing here imports from the layers above.
"""

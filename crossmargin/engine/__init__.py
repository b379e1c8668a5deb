"""The exchange in miniature, with no price paths and no screen.

``formulas`` (pure, vectorized), ``brackets`` (maintenance-margin tiers), ``contracts``
(per-symbol specs), ``venues`` (the rule sets of Binance, Bybit, OKX and Hyperliquid:
tiers, fees, funding, how each liquidates), ``platforms`` (how other venues show the same
account), ``market`` (the insurance fund and the other accounts that can be auto-deleveraged)
and ``account`` (the :class:`~crossmargin.engine.account.Account` that applies a venue's rules
step by step). Nothing here imports from the layers above.
"""

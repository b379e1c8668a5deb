"""What each lesson measures, one module per topic.

``comparison`` (02, and 12: one portfolio on four venues), ``examples`` (the lessons' accounts),
``monitoring`` (05), ``liquidation`` (06: one liquidation event by event on each venue), ``stops``
(07), ``hedging`` (09), ``cascade`` (10), ``reserve``, ``funding`` and ``indicators`` (11),
``crashday`` (13: the reconstructed 2025-10-10 replayed for the course's accounts),
``capstone`` (14). Built on the engine, the scenarios and the simulation; the widgets and
the notebooks call these. In a lesson::

    from crossmargin.lessons import stops, examples
"""

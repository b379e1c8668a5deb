"""What each lesson measures, one module per topic.

``comparison`` (02), ``examples`` (the lessons' accounts), ``monitoring`` (05), ``stops``
(06), ``hedging`` (08), ``cascade`` (09), ``reserve``, ``funding`` and ``indicators`` (10),
``capstone`` (11), ``liquidation`` (what happens at 100 %: one liquidation event by event on
each venue, for the lesson still to be placed). Built on the engine, the scenarios and the simulation; the widgets and
the notebooks call these. In a lesson::

    from crossmargin.lessons import stops, examples
"""

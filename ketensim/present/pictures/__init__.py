"""Pictures: matplotlib figures of runs, comparisons and sweeps, and the animation.

Takes: Results, a Comparison or a Sweep. Gives: matplotlib Figures and
their PNG/SVG bytes. ``style`` holds the shared look; ``plots`` the run's
standard pictures; ``barcharts``, ``diagram`` (the chain coloured by
load), ``sweep`` (KPI against the swept value), ``scene`` and ``animate``
(queues over time as a GIF or MP4).
"""

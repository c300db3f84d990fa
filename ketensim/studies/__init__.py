"""Several runs and how they relate: compare, sweep, bands.

Takes: scenarios (or one scenario and a grid of changes). Gives: a
:class:`~ketensim.studies.compare.Comparison` or a
:class:`~ketensim.studies.sweep.Sweep`, pure data: every scenario's
Results, run with common random numbers, and the tables across them
(``comparison.csv``, ``sweep.csv``). A study never draws, words or writes:
the command line or the API hands what it returns to
:mod:`ketensim.present`.
"""

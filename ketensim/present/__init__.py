"""Results for people: pictures, words and pages, and the results folder that holds them.

Takes: Results, a Comparison or a Sweep (and the findings of
:mod:`ketensim.results.insights`). Gives: pictures (``pictures/``,
matplotlib only here), sentences and terminal tables in Dutch or English
(``words/``), self-contained HTML reports (``pages/``, jinja2 only here),
and the whole results folder written at once (``folder``). Never
simulates: everything shown was computed before.
"""

"""Words: findings and tables as Dutch or English text.

Takes: Results, a Comparison or a Sweep, and the findings of
:mod:`ketensim.results.insights`. Gives: sentences and terminal tables.
``i18n`` holds numbers, units and labels per language; ``verdict`` words
the findings (it decides nothing); ``summary`` is what ``run`` prints,
``check``, ``compare`` and ``sweep`` what those commands print;
``mechanisms`` and ``scenario`` describe mechanisms and settings.
"""

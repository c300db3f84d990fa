"""From the engine's records to results tables, and what they mean.

Takes: a Scenario and its replications' records (``replications`` runs the
engine, in order, here or in worker processes). Gives: a
:class:`~ketensim.results.tables.Results` with the contract's tables as
pandas DataFrames, their 95% intervals (``stats``), norms and costs, what
every werkvoorraad did (``judgement``, read from the curves), the
mechanisms that showed up (``mechanisms``), harm that is no pile and what
each partner holds (``damage``), the findings a verdict is worded from
(``insights``, data only, no words), and where a results folder goes (``folders``). Nothing
here draws or words; everything here is pure data.
"""

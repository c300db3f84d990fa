"""From a scenario file to a frozen, validated chain model.

Takes: a TOML file (with the files it ``extends`` and the CSV data files it
names). Gives: a :class:`~ketensim.scenario.model.Scenario`, frozen data
that every later stage reads and none changes, or a
:class:`~ketensim.errors.ScenarioError` listing every problem with its key
path. Also what can be said of a model on paper, before any simulation: the
traffic equations (offered load per step and period) and the loops in the
routing.

Modules: ``loader`` (files, ``extends``), ``schema/`` (the validator, one
module per table), ``model`` and ``parts`` (the frozen data),
``distributions``, ``calendars``, ``capacity`` (plans over time),
``datafiles`` (CSV columns), ``loops``, ``traffic`` (loads per period), ``periods`` (seasons
and the warm-up to use, read from those loads) and
``network`` (the traffic equations, solved sparse).
"""

"""The validator: a parsed TOML document in, a frozen Scenario (or every problem) out.

Takes: the merged TOML tables of a scenario file and the files it extends.
Gives: a :class:`~ketensim.scenario.model.Scenario`, or a
:class:`~ketensim.errors.ScenarioError` with one problem per wrong key
(file, key path, expected, got). One module per table: ``build`` splits the
document and assembles the model, ``chain`` partners, steps and arrivals,
``routes``, ``events``, ``inflow`` (patterns and replayed times),
``mechanisms`` (buffers, deadlines, sessions, backlog, ...), ``analysis``
(norms, costs, bands); ``fields`` checks single values.
"""

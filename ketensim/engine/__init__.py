"""The simulation engine: one replication of a chain, the only package that imports SimPy.

Takes: a frozen Scenario, a replication index and a seed. Gives: a
:class:`~ketensim.engine.records.ReplicationRecord`, plain numbers and
NumPy arrays (time integrals, counters, per-case tallies), aggregated while
the run goes. Every random number comes from a named stream
(``streams``), so a replication is a pure function of its three inputs.
``core`` holds the runtime chain, ``station`` a step with its own servers
(``door`` what may happen to a case before service: a full waiting room,
a deadline, a legal term), ``routing`` where a finished case goes,
``sources``, ``pools``, ``sessions``, ``policies`` the mechanisms,
``sampling`` draws by inversion, ``run`` sets it all going and takes the
records. ``fast*`` compute a plain chain case by case (the exact fast path,
the same record bit for bit) and ``visits`` streams the event log.

The chain and its stations know each other (``core`` <-> ``station``,
``pools``, ``sessions``, ``sources``): a station hands a finished case to
the chain on every event, and the chain starts cases at stations. The
stations see the chain only for type hints, never at import time; a
protocol between them would restate the chain's interface on the hottest
path without loosening anything, so the circle stays, inside this package.
"""

from ketensim.engine.run import run_replication, sample_times

__all__ = ["run_replication", "sample_times"]

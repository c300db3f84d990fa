"""The few SimPy internals the engine leans on, held so that an upgrade that moves them fails here.

The engine schedules plain events and reads their values directly (one event
per visit is what makes it fast); SimPy documents these attributes but marks
them private. pyproject pins SimPy below the next minor release; this test
says what to check before moving the pin.
"""

from __future__ import annotations

import simpy
from simpy.core import Environment
from simpy.events import URGENT, Event, Timeout


def test_the_simpy_internals_the_engine_uses_are_there():
    env = Environment()
    seen = []
    timeout = Timeout(env, 2.0, "waarde")
    timeout.callbacks.append(lambda e: seen.append((env.now, e._value)))
    event = Event(env)
    event._ok = True
    event._value = None
    event.callbacks.append(lambda e: seen.append((env.now, "eerst")))
    env.schedule(event, URGENT, 2.0)
    env.run(until=5)
    assert seen == [(2.0, "eerst"), (2.0, "waarde")]  # urgent goes before a normal event
    assert simpy.__version__.startswith("4.1")

"""A running app for the web tests: a tiny scenario folder, a server on a free port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

TINY = """
[scenario]
name = "klein"
title = "Kleine keten"
description = "Twee schakels om het te proberen."
horizon = 200
warmup = 20
replications = 3
seed = 3

[[partner]]
id = "gemeente"

[[partner]]
id = "rechtbank"

[[step]]
id = "intake"
partner = "gemeente"
capacity = 2
service = { dist = "exponential", mean = 0.8 }
routes = [
  { to = "besluit", p = 0.6 }, { to = "zitting", p = 0.3 },
  { to = "exit", p = 0.1, outcome = "ingetrokken" },
]

[[step]]
id = "besluit"
partner = "gemeente"
capacity = 1
service = { dist = "gamma", mean = 0.5, cv = 0.5 }
routes = [{ to = "zitting", p = 0.5 }, { to = "exit", p = 0.5, outcome = "besloten" }]

[[step]]
id = "zitting"
partner = "rechtbank"
capacity = 1
service = { dist = "exponential", mean = 0.6 }
routes = [{ to = "exit", p = 1.0, outcome = "vonnis" }]

[[arrival]]
id = "aanvragen"
to = "intake"
rate = 2
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "scenarios"
    (root / "keten").mkdir(parents=True)
    (root / "keten" / "klein.toml").write_text(TINY, encoding="utf-8")
    (tmp_path / "buiten.toml").write_text(TINY, encoding="utf-8")  # outside the folder
    return root


@pytest.fixture
def app(folder: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from ketensim.web.app import App

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return App(folder, scratch, "nl", slots=1, jobs_per_run=1)


@pytest.fixture
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    from ketensim.web.app import build
    from ketensim.web.server import free_port

    port = free_port("127.0.0.1")
    config = uvicorn.Config(build(app), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)

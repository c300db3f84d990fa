"""Starting the browser app: a free port on localhost, the address printed, the browser opened."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path


def free_port(host: str) -> int:
    """A port nobody listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def check_port(host: str, port: int) -> None:
    """Raise OSError, before anything is printed, when the app cannot listen on host:port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, port))


def serve(folder: Path, host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
          lang: str = "nl", say: Callable[[str], None] = print) -> None:
    """Run the app until interrupted; the scratch folder of its runs goes with it.

    Runs go one at a time, each on every core of the machine (a queue keeps
    the others waiting), which keeps each run fast and the machine responsive.
    """
    import uvicorn

    from ketensim.web.app import App, build

    if port:
        check_port(host, port)  # a clear refusal instead of a server that starts and stops
    port = port or free_port(host)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/"
    with tempfile.TemporaryDirectory(prefix="ketensim-serve-") as scratch:
        app = App(folder, Path(scratch), lang, slots=1, jobs_per_run=os.cpu_count() or 1)
        say(f"ketensim serve: {address}  (scenarios in {folder}; Ctrl-C stops)")
        if open_browser:
            threading.Timer(1.0, webbrowser.open, args=(address,)).start()
        try:
            uvicorn.run(build(app), host=host, port=port, log_level="warning")
        finally:
            app.jobs.stop_all()


__all__ = ["free_port", "serve"]

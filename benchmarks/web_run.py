"""How long a policy maker waits for "Doorrekenen": the browser app's run, timed end to end.

Starts the app on a free port in this process, and for each scenario sends the
what-if the README shows (the OM's ZSM capacity up to 450 from day 90) with
10 replications, as the browser does, and times it from the click until the
result can be shown (polling as the page does). The run goes in its own
process on every core (two on the reference machine). Aim: the police
scenario within 20 seconds on two cores.

    python benchmarks/web_run.py
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from ketensim.scenario.catalogue import bundled_folder

SCENARIOS = ("strafrechtketen/basis.toml", "strafrechtketen/politie-levert-meer.toml")
WHAT_IF = {"at": "90", "capacity.om_zsm": "450", "replications": "10"}


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def main() -> None:
    import os

    import uvicorn

    from ketensim.web.app import App, build
    from ketensim.web.server import free_port

    with tempfile.TemporaryDirectory() as scratch:
        app = App(bundled_folder(), Path(scratch), "nl", slots=1,
                  jobs_per_run=os.cpu_count() or 1)
        port = free_port("127.0.0.1")
        server = uvicorn.Server(uvicorn.Config(build(app), port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        for key in SCENARIOS:
            start = time.perf_counter()
            job = post(f"{base}/api/run/{key}", WHAT_IF)["job"]
            while True:
                with urllib.request.urlopen(f"{base}/api/job/{job}") as answer:
                    state = json.loads(answer.read())["state"]
                if state != "queued" and state != "running":
                    break
                time.sleep(0.4)
            seconds = time.perf_counter() - start
            print(f"{key:45s} {state:6s} {seconds:6.1f} s on {os.cpu_count()} cores "
                  f"(aim for the police scenario: 20 s)")
        server.should_exit = True


if __name__ == "__main__":
    main()

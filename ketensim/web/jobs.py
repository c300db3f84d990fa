"""Runs of the browser app: queued, a bounded number at once, cancellable, nothing left behind.

Each run is a base and its variant compared with common random numbers, in
a process of its own (so a cancel can stop it at once and a crash cannot
take the server with it). At most ``slots`` runs go at a time; the others
wait in line, so ten users clicking at once slow down but do not overload
the machine. A run writes into a folder of its own under the server's
scratch folder; a cancelled or failed run's folder is removed, and finished
ones are removed oldest first once more than ``keep`` are kept.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import shutil
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_WAITING = 40  # runs in line at most; more are refused (the server is busy)


@dataclass
class Job:
    id: str
    folder: Path
    total: int
    state: str = "queued"  # queued, running, done, failed, cancelled
    done: int = 0
    error: str = ""
    variant: str = ""  # the variant file's text, for the download
    process: Any = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    files: threading.Event = field(default_factory=threading.Event)  # the results folder is in

    def status(self) -> dict[str, Any]:
        return {"state": self.state, "done": self.done, "total": self.total,
                "error": self.error}


@dataclass(frozen=True)
class Request:
    """What a run needs, all plain data (it crosses into the run's process)."""

    base_text: str  # the base scenario file's text
    base_name: str  # its path relative to the folder (how extends names it)
    folder: str  # the scenarios folder: extends and data files are looked for inside it
    variant_text: str
    replications: int
    lang: str
    jobs: int


class Jobs:
    """The queue of runs of one server."""

    def __init__(self, scratch: Path, slots: int = 1, keep: int = 50):
        self.scratch = scratch
        self.slots = threading.Semaphore(slots)
        self.keep = keep
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.context = multiprocessing.get_context("spawn")  # no server state in the child

    def submit(self, request: Request) -> Job:
        """Queue a run; raises RuntimeError when too many wait already."""
        with self.lock:
            waiting = sum(j.state in ("queued", "running") for j in self.jobs.values())
            if waiting >= MAX_WAITING:
                raise RuntimeError("the server is busy: too many runs in line, try again later")
            job = Job(secrets.token_hex(8), self.scratch / secrets.token_hex(8),
                      2 * request.replications, variant=request.variant_text)
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, request), daemon=True,
                         name=f"ketensim-job-{job.id}").start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def cancel(self, job_id: str) -> bool:
        job = self.jobs.get(job_id)
        if job is None or job.state not in ("queued", "running"):
            return False  # a run whose result is shown is kept (its files are being written)
        job.cancelled.set()
        process = job.process
        if process is not None and process.is_alive():
            process.terminate()
        return True

    def stop_all(self) -> None:
        """Stop every run (the server is going): nothing keeps the process from ending."""
        for job in list(self.jobs.values()):
            self.cancel(job.id)
            process = job.process
            if process is not None:
                process.join(5)

    def _run(self, job: Job, request: Request) -> None:
        """Run one job; its slot is given back as soon as its result can be shown.

        The results folder (pictures, report) is written after that at the
        lowest priority, so the next user's run does not wait for it.
        """
        self.slots.acquire()
        held = [True]

        def give_back() -> None:
            if held[0]:
                held[0] = False
                self.slots.release()

        try:
            self._go(job, request, give_back)
        finally:
            give_back()

    def _go(self, job: Job, request: Request, give_back: Any) -> None:
        if job.cancelled.is_set():
            self._end(job, "cancelled")
            return
        job.state = "running"
        queue = self.context.Queue()
        process = self.context.Process(target=work, args=(request, str(job.folder), queue))
        job.process = process
        process.start()
        kind = ""
        while True:
            try:
                kind, value = queue.get(timeout=0.2)
            except Exception:  # nothing yet: is the run still there?
                if not process.is_alive():
                    break
                continue
            if kind == "tick":
                job.done += 1
            elif kind == "view":
                job.state = "done"
                give_back()
            elif kind in ("done", "failed"):
                job.error = str(value)
                break
        process.join()
        if job.cancelled.is_set():
            self._end(job, "cancelled")
        elif kind == "done" and process.exitcode == 0:
            self._end(job, "done")
            job.files.set()
        else:
            job.error = job.error or f"the run stopped (exit code {process.exitcode})"
            self._end(job, "failed")

    def _end(self, job: Job, state: str) -> None:
        job.state = state
        job.process = None
        if state != "done":
            shutil.rmtree(job.folder, ignore_errors=True)
        with self.lock:
            finished = [j for j in self.jobs.values() if j.state == "done"]
            for old in finished[:-self.keep] if len(finished) > self.keep else []:
                shutil.rmtree(old.folder, ignore_errors=True)
                del self.jobs[old.id]


def work(request: Request, folder: str, queue: Any) -> None:
    """The run itself, in its own process: compare, write the results folder and the view."""
    try:
        from ketensim.present.folder import write_comparison
        from ketensim.present.pages.web import result_data
        from ketensim.scenario.loader import load_text
        from ketensim.studies.compare import compare

        memory = {request.base_name: request.base_text}
        base = load_text(request.base_text, request.base_name, request.folder, memory)
        variant = load_text(request.variant_text, beside(request.base_name, "wat-als.toml"),
                            request.folder, memory)
        done = compare(base, [variant], replications=request.replications,
                       jobs=request.jobs, progress=lambda _rep: queue.put(("tick", 1)))
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        view = result_data(done, request.lang)
        (out / "view.json").write_text(json.dumps(view), encoding="utf-8")
        queue.put(("view", ""))  # the page can show the result; the files follow
        os.nice(19)  # ... behind the next user's run
        write_comparison(done, out / "resultaten", request.lang,
                         command="ketensim serve (browser)")
        queue.put(("done", ""))
    except BaseException as exc:  # the server reports it; the traceback helps a bug report
        message = " ".join(str(exc).split()) or type(exc).__name__
        if os.environ.get("KETENSIM_DEBUG") == "1":
            message += "\n" + traceback.format_exc()
        queue.put(("failed", message[:2000]))
        raise SystemExit(1) from None


def beside(name: str, file: str) -> str:
    """A file name in the same folder as ``name`` (so its ``extends`` finds the base)."""
    parent = Path(name).parent
    return file if str(parent) in ("", ".") else (parent / file).as_posix()


__all__ = ["Job", "Jobs", "Request", "beside", "work"]

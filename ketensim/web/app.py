"""The browser app: routes over the scenario folder, the levers, the runs and their files.

Starlette (an ASGI toolkit) serves server-rendered pages and a few JSON
endpoints; uvicorn runs it (:mod:`ketensim.web.server`). Every page and
number comes from the same code as the command line: the loads from the
traffic equations, the run from :func:`ketensim.studies.compare.compare`,
the words from ``present``. Only files listed from FOLDER are read (a key
that is not on the list is refused, so no path can reach outside it), and
an upload is parsed as TOML and validated, never executed or stored on disk.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ketensim.errors import ScenarioError
from ketensim.present.pages import web as pages
from ketensim.present.words import i18n
from ketensim.scenario.loader import load_text
from ketensim.scenario.model import Scenario
from ketensim.scenario.traffic import phases
from ketensim.web import levers as lv
from ketensim.web.jobs import Jobs, beside
from ketensim.web.jobs import Request as RunRequest

MAX_UPLOAD = 256 * 1024  # bytes: a scenario file is a few kilobytes
MAX_UPLOADS = 200  # uploaded scenarios kept in memory at most (oldest go first)
DEFAULT_REPLICATIONS = 10


@dataclass
class Source:
    """A scenario the app can show: from FOLDER, or uploaded (text only, never on disk)."""

    key: str
    name: str  # path relative to FOLDER (how extends and problems name it)
    text: str
    title: str
    description: str


class App:
    """The state of one server: its folder, uploads and runs."""

    def __init__(self, folder: Path, scratch: Path, lang: str = "nl", slots: int = 1,
                 jobs_per_run: int = 2):
        self.folder = folder.resolve()
        self.lang = i18n.check_lang(lang)
        self.jobs = Jobs(scratch, slots)
        self.jobs_per_run = jobs_per_run
        self.uploads: dict[str, Source] = {}
        self.loaded: dict[tuple[str, str], Scenario] = {}  # by name and text: an edited file
        # is read afresh

    # -- scenarios ---------------------------------------------------------------------
    def listing(self) -> dict[str, Source]:
        """Every scenario file under FOLDER (symbolic links out of it left out)."""
        import tomllib

        out = {}
        for path in sorted(self.folder.rglob("*.toml")):
            resolved = path.resolve()
            if not resolved.is_relative_to(self.folder) or not resolved.is_file():
                continue
            name = path.relative_to(self.folder).as_posix()
            try:
                text = path.read_text(encoding="utf-8")
                table = tomllib.loads(text).get("scenario", {})
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if not isinstance(table, dict):
                continue
            out[name] = Source(name, name, text, str(table.get("title", "")),
                               " ".join(str(table.get("description", "")).split()))
        return out

    def source(self, key: str) -> Source | None:
        return self.uploads.get(key) or self.listing().get(key)

    def scenario(self, src: Source) -> Scenario:
        key = (src.name, src.text)
        if key not in self.loaded:
            if len(self.loaded) >= MAX_UPLOADS:
                self.loaded.pop(next(iter(self.loaded)))
            self.loaded[key] = load_text(src.text, src.name, self.folder, {src.name: src.text})
        return self.loaded[key]

    def variant(self, src: Source, form: dict[str, Any]) -> tuple[lv.Levers, str, Scenario]:
        """The levers of a form, the variant file and the variant as a scenario."""
        base = self.scenario(src)
        levers = lv.parse(form, base)
        text = lv.variant_text(base, Path(src.name).name, levers, self.lang)
        name = beside(src.name, "wat-als.toml")
        return levers, text, load_text(text, name, self.folder, {src.name: src.text})


def _errors(exc: Exception) -> dict[str, str]:
    if isinstance(exc, lv.LeverError):
        return {exc.key: str(exc).split(": ", 1)[1]}
    if isinstance(exc, ScenarioError):
        return {"": " ".join(str(p).removeprefix("error: ") for p in exc.problems)}
    raise exc


def _form_of(body: Any) -> dict[str, Any]:
    return {str(k): v for k, v in body.items()} if isinstance(body, dict) else {}


def _loads_at(scenario: Scenario, at: float, lang: str) -> dict[str, dict[str, Any]]:
    """The offered load per step in the period that holds ``at``."""
    periods = phases(scenario)
    phase = [p for p in periods if p.start <= at][-1]
    return {item.step: {"text": i18n.number(item.rho, lang, digits=2), "over": item.overloaded}
            for item in phase.loads}


def build(app: App) -> Starlette:
    """The ASGI application of ``app``: its routes, with the app in ``state``."""
    web = Starlette(routes=[
        Route("/", index), Route("/upload", upload, methods=["POST"]),
        Route("/scenario/{key:path}", scenario_page),
        Route("/api/loads/{key:path}", loads, methods=["POST"]),
        Route("/api/diagram/{key:path}", diagram, methods=["POST"]),
        Route("/api/run/{key:path}", run, methods=["POST"]),
        Route("/api/job/{job}", status), Route("/api/job/{job}/cancel", cancel, methods=["POST"]),
        Route("/job/{job}", result), Route("/job/{job}/{what}", download),
    ])
    web.state.ketensim = app
    return web


def _app(request: Request) -> App:
    return request.app.state.ketensim  # type: ignore[no-any-return]


# -- the routes ---------------------------------------------------------------------------


def index(request: Request) -> Response:
    app = _app(request)
    return HTMLResponse(pages.render("index", app.lang, title=pages.WORDS[app.lang]["app"],
                                     intro=str(app.folder), errors=[],
                                     scenarios=list(app.listing().values())))


async def upload(request: Request) -> Response:
    app = _app(request)
    errors = await _upload(app, request)
    if isinstance(errors, str):
        return RedirectResponse(f"/scenario/{errors}", status_code=303)
    return HTMLResponse(pages.render("index", app.lang, title=pages.WORDS[app.lang]["app"],
                                     intro=str(app.folder), errors=errors,
                                     scenarios=list(app.listing().values())), 400)


def scenario_page(request: Request) -> Response:
    app = _app(request)
    src = app.source(request.path_params["key"])
    if src is None:
        return HTMLResponse("Not found", 404)
    try:
        sc = app.scenario(src)
    except ScenarioError as exc:
        return HTMLResponse(pages.render("index", app.lang, title="ketensim", intro="",
                                         errors=[str(p) for p in exc.problems],
                                         scenarios=list(app.listing().values())), 400)
    return HTMLResponse(pages.render("scenario", app.lang, **_scenario_context(app, src, sc)))


async def loads(request: Request) -> Response:
    app = _app(request)
    src = app.source(request.path_params["key"])
    if src is None:
        return JSONResponse({"error": "not found"}, 404)
    form = _form_of(await request.json())
    try:  # the work goes to a thread: one user's keystroke never holds up another's page
        levers, _, variant = await run_in_threadpool(app.variant, src, form)
    except (lv.LeverError, ScenarioError) as exc:
        return JSONResponse({"errors": _errors(exc)})
    found = await run_in_threadpool(_loads_at, variant, levers.at, app.lang)
    return JSONResponse({"loads": found, "errors": {}})


async def diagram(request: Request) -> Response:
    app = _app(request)
    src = app.source(request.path_params["key"])
    if src is None:
        return JSONResponse({"error": "not found"}, 404)
    try:
        levers, _, variant = await run_in_threadpool(app.variant, src,
                                                     _form_of(await request.json()))
    except (lv.LeverError, ScenarioError) as exc:
        return JSONResponse({"errors": _errors(exc)}, 400)
    uri = await run_in_threadpool(pages.diagram_uri, variant, app.lang, levers.at)
    return JSONResponse({"uri": uri})


async def run(request: Request) -> Response:
    app = _app(request)
    src = app.source(request.path_params["key"])
    if src is None:
        return JSONResponse({"error": "not found"}, 404)
    form = _form_of(await request.json())
    try:
        reps = int(float(form.get("replications", DEFAULT_REPLICATIONS)))
        if not 2 <= reps <= 50:
            raise lv.LeverError("replications", "out of range", "2 to 50", reps)
        _, text, _ = await run_in_threadpool(app.variant, src, form)
    except (lv.LeverError, ScenarioError) as exc:
        return JSONResponse({"errors": _errors(exc)}, 400)
    except ValueError:
        return JSONResponse({"errors": {"replications": "not a whole number"}}, 400)
    try:
        job = app.jobs.submit(RunRequest(src.text, src.name, str(app.folder), text, reps,
                                         app.lang, app.jobs_per_run))
    except RuntimeError as exc:
        return JSONResponse({"error": str(exc)}, 503)
    return JSONResponse({"job": job.id})


def status(request: Request) -> Response:
    app = _app(request)
    job = app.jobs.get(request.path_params["job"])
    return JSONResponse(job.status()) if job else JSONResponse({"state": "unknown"}, 404)


def cancel(request: Request) -> Response:
    app = _app(request)
    return JSONResponse({"cancelled": app.jobs.cancel(request.path_params["job"])})


def result(request: Request) -> Response:
    app = _app(request)
    job = app.jobs.get(request.path_params["job"])
    if job is None or job.state != "done":
        return HTMLResponse("Not found", 404)
    view = json.loads((job.folder / "view.json").read_text(encoding="utf-8"))
    return HTMLResponse(pages.render("result", app.lang, data=view, job=job.id,
                                     worst=_worst(view)))


def download(request: Request) -> Response:
    app = _app(request)
    job = app.jobs.get(request.path_params["job"])
    what = request.path_params["what"]
    if job is None or job.state != "done":
        return Response("Not found", 404)
    if what == "variant.toml":
        return Response(job.variant, media_type="application/toml", headers={
            "Content-Disposition": 'attachment; filename="wat-als.toml"'})
    if what in ("report.html", "results.zip") and not job.files.wait(120):
        return Response("The files are still being written; try again.", 503)
    if what == "report.html":
        return HTMLResponse((job.folder / "resultaten" / "report.html").read_text("utf-8"))
    if what == "results.zip":
        return Response(_zipped(job.folder / "resultaten"), media_type="application/zip",
                        headers={"Content-Disposition":
                                 'attachment; filename="resultaten.zip"'})
    return Response("Not found", 404)


async def _upload(app: App, request: Request) -> str | list[str]:
    """Take an uploaded scenario: its key, or the problems with it."""
    if int(request.headers.get("content-length", "0") or 0) > MAX_UPLOAD + 4096:
        return [f"upload: too large (expected at most {MAX_UPLOAD // 1024} KiB)"]
    form = await request.form(max_files=1, max_fields=5)
    item = form.get("file")
    if item is None or isinstance(item, str):
        return ["upload: no file (expected a .toml file)"]
    data = await item.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return [f"upload: too large (expected at most {MAX_UPLOAD // 1024} KiB)"]
    name = Path(item.filename or "eigen.toml").name
    name = name if name.endswith(".toml") else f"{name}.toml"
    try:
        text = data.decode("utf-8-sig")
        load_text(text, name, app.folder, {name: text})
    except UnicodeDecodeError:
        return [f"{name}: not UTF-8 text (expected a TOML file)"]
    except ScenarioError as exc:
        return [str(p).removeprefix("error: ") for p in exc.problems]
    key = f"eigen-{secrets.token_hex(6)}"
    if len(app.uploads) >= MAX_UPLOADS:
        app.uploads.pop(next(iter(app.uploads)))
    app.uploads[key] = Source(key, name, text, name, "")
    return key


def _scenario_context(app: App, src: Source, sc: Scenario) -> dict[str, Any]:
    now = _loads_at(sc, 0.0, app.lang)
    steps = [{"id": s.id, "label": s.name or s.id, "partner": s.partner,
              "capacity": s.capacity, "service": f"{s.service.mean:g}",
              "adjustable": lv.adjustable(s), "removable": lv.removal_problem(sc, s.id) is None,
              "load": now[s.id]["text"]} for s in sc.steps]
    arrivals = [{"id": a.id, "rate": i18n.number(a.rate or 0.0, app.lang, digits=2),
                 "adjustable": a.times is None} for a in sc.arrivals]
    return {"title": sc.title or sc.name, "description": sc.description or "",
            "key": src.key, "steps": steps, "arrivals": arrivals, "at": 0,
            "horizon": sc.horizon, "unit": i18n.unit_name(sc.time_unit, app.lang, plural=True),
            "unit_one": i18n.unit_name(sc.time_unit, app.lang),
            "replications": DEFAULT_REPLICATIONS, "diagram": pages.diagram_uri(sc, app.lang)}


def _worst(view: dict[str, Any]) -> str:
    """The step whose backlog the variant changes most: the chart opens on it."""
    steps = view["chart"]["steps"]
    return max(steps, key=lambda s: abs(steps[s]["variant"][-1] - steps[s]["base"][-1]),
               default="")


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


__all__ = ["App", "Source", "build"]

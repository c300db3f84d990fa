"""The results folder: tables, pictures, manifest and report, written whole or not at all.

The folder is written through :func:`ketensim.results.folders.staged`, so a
crash, a full disk or Ctrl-C never leaves a folder that looks finished but
is not. The tables and the manifest come from :mod:`ketensim.results.files`
(the same bytes on every machine); this module adds what people look at:
the pictures, drawn once and saved as PNG and SVG, and the report that
embeds them. One writer per kind of run: :func:`write_results` for ``run``,
:func:`write_comparison` for ``compare`` and ``bands``, :func:`write_sweep`
for ``sweep``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ketensim.results.files import (
    manifest,
    version,
    write_csv,
    write_json,
    write_tables,
    write_xlsx,
)
from ketensim.results.folders import (
    EXCEL_MAX_ROWS,
    FORMATS,
    OutputError,
    check_formats,
    check_out,
    default_out,
    iso,
    staged,
    utc_now,
)
from ketensim.results.tables import Results

if TYPE_CHECKING:
    from ketensim.studies.compare import Comparison
    from ketensim.studies.sweep import Sweep

__all__ = [
    "EXCEL_MAX_ROWS", "FORMATS", "OutputError", "check_formats", "check_out",
    "default_out", "draw_pictures", "iso", "manifest", "plain_report", "render_report", "staged",
    "utc_now", "write_bundle", "write_comparison", "write_csv", "write_results", "write_sweep",
    "write_xlsx",
]


# -- writing ---------------------------------------------------------------------------


def write_results(
    results: Results,
    out: Path | str,
    *,
    formats: Sequence[str] = (),
    lang: str = "nl",
    command: str = "",
    started: datetime | None = None,
    finished: datetime | None = None,
    force: bool = False,
    sample_every: float | None = None,
    events: Path | str | None = None,
    event_formats: Sequence[str] = ("csv",),
) -> Path:
    """Write the whole results folder and return its path.

    Args:
        results: what to write.
        out: the folder; created with its parents.
        formats: extra table formats besides CSV ("xlsx", "parquet").
        lang: language of the report, "nl" or "en".
        command: the command line, for the manifest.
        started: when the run started (defaults to now).
        finished: when the simulation finished (defaults to now).
        force: replace an existing non-empty folder.
        sample_every: the timeseries' sample interval, for the manifest.
        events: the folder the run streamed its event log to (``simulate(events=...)``):
            events.csv, and per replication XES and OCEL files as ``event_formats`` asks.
        event_formats: ``csv``, ``xes``, ``ocel`` (events.csv is always written).

    Raises:
        OutputError: when ``out`` may not be written or a format cannot be produced.
    """
    out = Path(out)
    extras = [f for f in dict.fromkeys(formats) if f != "csv"]
    check_out(out, force)
    check_formats(extras, len(results.timeseries))
    with staged(out, force) as tmp:
        meta = {"command": command, "sample_every": sample_every, "formats": ["csv", *extras]}
        if events is not None:
            from ketensim.results.events import write_event_files

            write_event_files(results.scenario, Path(events), results.replications, tmp,
                              tuple(event_formats))
        _write_all(results, tmp, extras, lang, meta, started or utc_now(), finished or utc_now())
    return out


def write_bundle(
    out: Path | str,
    runs: Sequence[tuple[str, Results]],
    tables: dict[str, pd.DataFrame],
    report: str,
    doc: dict[str, Any],
    *,
    formats: Sequence[str] = (),
    lang: str = "nl",
    command: str = "",
    started: datetime | None = None,
    finished: datetime | None = None,
    force: bool = False,
    sample_every: float | None = None,
    files: Mapping[str, bytes] | None = None,
    run_report: Callable[[Results, str], str] | None = None,
) -> Path:
    """Write several runs, each in its own sub-folder, with tables that span them.

    What ``compare``, ``sweep`` and ``bands`` write: a normal results folder
    per scenario or grid point, and at the top the tables across them (e.g.
    ``comparison.csv``), one report and a manifest. Written whole or not at all.

    Args:
        out: the folder.
        runs: (sub-folder name, results) in the order to write them.
        tables: top-level tables by file stem, written as CSV (and extra formats).
        report: the top-level report page.
        doc: what the top-level manifest says besides the times, command and files.
        formats, lang, command, started, finished, force, sample_every: as for
            :func:`write_results`, applied to every sub-folder too.
        files: more top-level files by name (pictures), written as given.
        run_report: renders each sub-folder's report (default :func:`render_report`);
            a sweep with many points may prefer the quicker :func:`plain_report`.

    Raises:
        OutputError: when ``out`` may not be written or a format cannot be produced.
    """
    out = Path(out)
    extras = [f for f in dict.fromkeys(formats) if f != "csv"]
    check_out(out, force)
    check_formats(extras, max((len(r.timeseries) for _, r in runs), default=0))
    started, finished = started or utc_now(), finished or utc_now()
    meta = {"command": command, "sample_every": sample_every, "formats": ["csv", *extras]}
    with staged(out, force) as tmp:
        for name, results in runs:
            (tmp / name).mkdir()
            _write_all(results, tmp / name, extras, lang, meta, started, finished, run_report)
        write_tables(tables, tmp, extras, workbook=next(iter(tables), "results"))
        for name, data in (files or {}).items():
            (tmp / name).write_bytes(data)
        (tmp / "report.html").write_text(report, encoding="utf-8")
        listed = [*sorted(p.name for p in tmp.iterdir()), "manifest.json"]
        top = {**doc, **meta, "ketensim_version": version(), "started": iso(started),
               "finished": iso(finished), "files": listed}
        write_json(top, tmp / "manifest.json")
    return out


def _write_all(
    results: Results, folder: Path, extras: list[str], lang: str, meta: dict[str, Any],
    started: datetime, finished: datetime, run_report: Callable[[Results, str], str] | None = None,
) -> None:
    front = {"samenvatting" if lang == "nl" else "summary": people_summary(results, lang)} \
        if "xlsx" in extras else None
    write_tables(results.tables, folder, extras, front=front)
    if run_report is None:
        figures, pictures = draw_pictures(results, lang, svg="svg" in extras)
        for name, data in pictures.items():
            (folder / name).write_bytes(data)
        page = render_report(results, lang, figures=figures, files=pictures)
    else:
        page = run_report(results, lang)
    (folder / "report.html").write_text(page, encoding="utf-8")
    files = [*sorted(p.name for p in folder.iterdir()), "manifest.json"]
    doc = manifest(results, started=started, finished=finished, files=files, **meta)
    write_json(doc, folder / "manifest.json")


def draw_pictures(results: Results, lang: str = "nl", svg: bool = False
                  ) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The run's standard pictures and their PNG (and SVG) files, drawn and rendered once.

    Returns:
        The figures by stem, and the file contents by file name (``werkvoorraad.png``, ...).
    """
    from ketensim.present.pictures import plots

    figures = plots.figures(results, lang)
    return figures, plots.picture_files(figures, svg)


def render_report(
    results: Results, lang: str = "nl", figures: dict[str, Any] | None = None,
    files: dict[str, bytes] | None = None,
) -> str:
    """The run's report page.

    ``figures`` and ``files`` are the pictures already drawn for the folder,
    which the report embeds instead of drawing them again.
    """
    from ketensim.present.pages.report import render_run_report

    return str(render_run_report(results, lang, figures=figures, files=files))


def plain_report(results: Results, lang: str = "nl", **_pictures: Any) -> str:
    """A self-contained page with the summary and the tables, no pictures."""
    nl = lang == "nl"
    sc = results.scenario
    title = escape(sc.label)
    intro = (
        f"{results.replications} replicaties, seed {results.seed}, horizon {sc.horizon:g} "
        f"({sc.time_unit}), warm-up {sc.warmup:g}."
        if nl else
        f"{results.replications} replications, seed {results.seed}, horizon {sc.horizon:g} "
        f"({sc.time_unit}), warm-up {sc.warmup:g}."
    )
    heads = (
        {"summary": "Samenvatting (gemiddelde en 95%-interval over replicaties)",
         "steps": "Schakels", "chain": "Keten", "outcomes": "Uitkomsten"}
        if nl else
        {"summary": "Summary (mean and 95% interval over replications)",
         "steps": "Steps", "chain": "Chain", "outcomes": "Outcomes"}
    )
    frames = {"summary": results.summary(), "steps": results.steps,
              "chain": results.chain, "outcomes": results.outcomes}
    body = "\n".join(
        f"<h2>{escape(heads[k])}</h2>\n{df.to_html(index=False, na_rep='', float_format=_fmt)}"
        for k, df in frames.items()
    )
    note = "De tijdreeks staat in timeseries.csv." if nl else "The timeseries is in timeseries.csv."
    return (
        f'<!DOCTYPE html>\n<html lang="{"nl" if nl else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n<p>{escape(intro)}</p>\n{body}\n<p>{escape(note)}</p>\n"
        "</body>\n</html>\n"
    )


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def write_comparison(comparison: Comparison, out: Path | str, lang: str = "nl",
                     **options: Any) -> Path:
    """Write a folder per scenario (named by scenario name), ``comparison.csv`` and the report.

    Args:
        comparison: what to write.
        out: the folder.
        lang: language of the reports.
        **options: passed on to :func:`write_bundle` (formats, command, started,
            finished, force, sample_every).
    """
    from ketensim.present.pages import studies as pages

    doc = {
        "kind": "compare", "base": comparison.base.scenario.name,
        "scenarios": [r.scenario.name for r in comparison.results],
        "seed": comparison.seed, "replications": comparison.replications,
    }
    runs = [(r.scenario.name, r) for r in comparison.results]
    pictures = pages.compare_pictures(comparison, lang, svg="svg" in options.get("formats", ()))
    report = pages.render_compare_report(comparison, lang, files=pictures)
    return write_bundle(out, runs, {"comparison": comparison.table}, report, doc,
                        lang=lang, files=pictures, **options)


def write_sweep(done: Sweep, out: Path | str, lang: str = "nl", **options: Any) -> Path:
    """Write a folder per point, ``sweep.csv``, ``sweep_summary.csv``, the plots and the report.

    Args:
        done: the finished sweep.
        out: the folder.
        lang: language of the pictures and reports.
        **options: passed on to :func:`write_bundle`.
    """
    from ketensim.present.pages.sweep import render_sweep_report
    from ketensim.present.pictures import plots
    from ketensim.present.pictures import sweep as sweepplots

    figures = sweepplots.figures(done, lang)
    pictures = plots.picture_files(figures, svg="svg" in options.get("formats", ()))
    report = render_sweep_report(done, figures, lang, files=pictures)
    doc = {
        "kind": "sweep", "scenario_name": done.scenario.name,
        "keys": {a.key: list(a.values) for a in done.axes},
        "target": done.target.norm.id if done.target else None,
        "seed": done.scenario.seed, "replications": done.scenario.replications,
        "points": {p.folder: dict(zip(done.keys, p.values, strict=True)) for p in done.points},
    }
    runs = [(p.folder, r) for p, r in zip(done.points, done.results, strict=True)]
    tables = {"sweep": done.table, "sweep_summary": done.summary}
    return write_bundle(out, runs, tables, report, doc, lang=lang, files=pictures,
                        run_report=plain_report, **options)


def people_summary(results: Results, lang: str = "nl") -> pd.DataFrame:
    """The run's KPIs for people: named in words, with the 95% interval beside each mean.

    The first sheet of ``results.xlsx``: what a reader opens the workbook for,
    before the raw tables that scripts read.
    """
    from ketensim.present.words import i18n

    summary = results.summary()
    names = {s.id: s.label for s in results.scenario.steps}
    heads = (("schakel", "kengetal", "gemiddelde", "95%-interval van", "95%-interval tot",
              "replicaties") if lang == "nl" else
             ("step", "KPI", "mean", "95% interval from", "95% interval to", "replications"))
    frame = pd.DataFrame({
        heads[0]: [names.get(s, s) if s else ("keten" if lang == "nl" else "chain")
                   for s in summary["step"]],
        heads[1]: [i18n.kpi_name(k, lang) for k in summary["kpi"]],
        heads[2]: summary["mean"], heads[3]: summary["ci_low"], heads[4]: summary["ci_high"],
        heads[5]: summary["n"],
    })
    return frame

"""The results folder: tables, manifest and report, written whole or not at all.

The folder is written through :func:`ketensim.folders.staged`, so a crash, a
full disk or Ctrl-C never leaves a folder that looks finished but is not
(where results go and what may be replaced lives in :mod:`ketensim.folders`,
re-exported here). CSV files are written with a fixed column order, row
order, float format and line ending, so the same run gives the same bytes on
every machine; the manifest records what was run and when.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from ketensim.folders import (
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
from ketensim.results import Results

__all__ = [
    "EXCEL_MAX_ROWS", "FLOAT_FORMAT", "FORMATS", "OutputError", "check_formats", "check_out",
    "default_out", "draw_pictures", "iso", "manifest", "plain_report", "render_report", "staged",
    "utc_now", "write_bundle", "write_csv", "write_results", "write_xlsx",
]

FLOAT_FORMAT = "%.10g"


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

    Raises:
        OutputError: when ``out`` may not be written or a format cannot be produced.
    """
    out = Path(out)
    extras = [f for f in dict.fromkeys(formats) if f != "csv"]
    check_out(out, force)
    check_formats(extras, len(results.timeseries))
    with staged(out, force) as tmp:
        meta = {"command": command, "sample_every": sample_every, "formats": ["csv", *extras]}
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
        _write_tables(tables, tmp, extras)
        for name, data in (files or {}).items():
            (tmp / name).write_bytes(data)
        (tmp / "report.html").write_text(report, encoding="utf-8")
        listed = [*sorted(p.name for p in tmp.iterdir()), "manifest.json"]
        top = {**doc, **meta, "ketensim_version": _version(), "started": iso(started),
               "finished": iso(finished), "files": listed}
        _write_json(top, tmp / "manifest.json")
    return out


def _write_tables(tables: dict[str, pd.DataFrame], folder: Path, extras: list[str]) -> None:
    for name, frame in tables.items():
        write_csv(frame, folder / f"{name}.csv")
    if "xlsx" in extras and tables:
        write_xlsx(tables, folder / f"{next(iter(tables))}.xlsx")
    if "parquet" in extras:
        for name, frame in tables.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")


def _write_json(doc: dict[str, Any], path: Path) -> None:
    path.write_text(
        json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )


def _version() -> str:
    from ketensim import __version__

    return __version__


def _write_all(
    results: Results, folder: Path, extras: list[str], lang: str, meta: dict[str, Any],
    started: datetime, finished: datetime, run_report: Callable[[Results, str], str] | None = None,
) -> None:
    for name, frame in results.tables.items():
        write_csv(frame, folder / f"{name}.csv")
    if "xlsx" in extras:
        write_xlsx(results.tables, folder / "results.xlsx")
    if "parquet" in extras:
        for name, frame in results.tables.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")
    if run_report is None:
        figures, pictures = draw_pictures(results, lang)
        for name, data in pictures.items():
            (folder / name).write_bytes(data)
        page = render_report(results, lang, figures=figures, files=pictures)
    else:
        page = run_report(results, lang)
    (folder / "report.html").write_text(page, encoding="utf-8")
    files = [*sorted(p.name for p in folder.iterdir()), "manifest.json"]
    doc = manifest(results, started=started, finished=finished, files=files, **meta)
    _write_json(doc, folder / "manifest.json")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """One table as the contract's CSV: UTF-8, comma, header, no index, fixed float format."""
    frame.to_csv(
        path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n", encoding="utf-8"
    )


def write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """All tables in one workbook, one sheet per table."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def manifest(
    results: Results,
    *,
    command: str = "",
    started: datetime | None = None,
    finished: datetime | None = None,
    sample_every: float | None = None,
    formats: Sequence[str] = ("csv",),
    files: Sequence[str] = (),
) -> dict[str, Any]:
    """What was run, from what, and when: enough to run it again."""
    from ketensim import __version__

    return {
        "scenario_name": results.scenario.name,
        "scenario": results.scenario.to_dict(),
        "seed": results.seed,
        "replications": results.replications,
        "ketensim_version": __version__,
        "command": command,
        "started": iso(started or utc_now()),
        "finished": iso(finished or utc_now()),
        "sample_every": sample_every,
        "formats": list(formats),
        "files": list(files),
    }


def draw_pictures(results: Results, lang: str = "nl") -> tuple[dict[str, Any], dict[str, bytes]]:
    """The run's standard pictures and their PNG and SVG files, drawn and rendered once.

    Returns:
        The figures by stem, and the file contents by file name (``werkvoorraad.png``, ...).
    """
    from ketensim import plots

    figures = plots.figures(results, lang)
    return figures, plots.picture_files(figures)


def render_report(
    results: Results, lang: str = "nl", figures: dict[str, Any] | None = None,
    files: dict[str, bytes] | None = None,
) -> str:
    """The report page, from ``ketensim.report`` when it is installed, else a plain one.

    ``figures`` and ``files`` are the pictures already drawn for the folder,
    which the report embeds instead of drawing them again.
    """
    try:
        report = importlib.import_module("ketensim.report")
    except ModuleNotFoundError as exc:
        if exc.name != "ketensim.report":
            raise
        return plain_report(results, lang)
    render = getattr(report, "render_run_report", None)
    if render is None:
        return plain_report(results, lang)
    return str(render(results, lang, figures=figures, files=files))


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

"""The results folder's tables and manifest, as bytes that never depend on the machine.

CSV files are written with a fixed column order, row order, float format
and line ending, so the same run gives the same bytes on every machine;
extra formats (Excel, Parquet) carry the same tables. The manifest records
what was run, from what and when: enough to run it again. Pictures and
the report are added by :mod:`ketensim.present.folder`, which writes the
whole folder at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ketensim.results.folders import iso, utc_now
from ketensim.results.tables import Results

FLOAT_FORMAT = "%.10g"


def write_csv(frame: pd.DataFrame, path: Path, dutch: bool = False) -> None:
    """One table as the contract's CSV: UTF-8, comma, header, no index, fixed float format.

    With ``dutch`` the same table for a Dutch spreadsheet: semicolons between
    cells and a decimal comma (``--format csv-nl``, written beside the contract's CSV).
    """
    frame.to_csv(
        path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n", encoding="utf-8",
        sep=";" if dutch else ",", decimal="," if dutch else ".",
    )


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path,
               front: Mapping[str, pd.DataFrame] | None = None) -> None:
    """All tables in one workbook, one sheet per table, every text cell stored as text.

    A step id or outcome from a shared scenario file such as ``=HYPERLINK(...)``
    would otherwise become a live formula when the workbook is opened (CSV
    injection): ketensim writes no formulas, so every cell that openpyxl took
    for one is turned back into plain text. ``front`` holds sheets for people
    (a summary with Dutch headers) that come before the raw tables.
    """
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in {**(front or {}), **tables}.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        for sheet in writer.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"


def write_tables(
    tables: Mapping[str, pd.DataFrame], folder: Path, extras: Sequence[str],
    workbook: str = "results", front: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Every table as CSV, and in the extra formats asked for (one workbook, Parquet files,
    CSV for a Dutch spreadsheet as ``<table>.nl.csv``)."""
    for name, frame in tables.items():
        write_csv(frame, folder / f"{name}.csv")
        if "csv-nl" in extras:
            write_csv(frame, folder / f"{name}.nl.csv", dutch=True)
    if "xlsx" in extras and tables:
        write_xlsx(tables, folder / f"{workbook}.xlsx", front)
    if "parquet" in extras:
        for name, frame in tables.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")


def write_json(doc: Mapping[str, Any], path: Path) -> None:
    """A manifest: sorted keys, two-space indent, UTF-8, one trailing newline."""
    path.write_text(
        json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )


def version() -> str:
    """The installed ketensim version, for manifests."""
    from ketensim import __version__

    return __version__


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
    return {
        "scenario_name": results.scenario.name,
        "scenario": results.scenario.to_dict(),
        "seed": results.seed,
        "replications": results.replications,
        "ketensim_version": version(),
        "command": command,
        "started": iso(started or utc_now()),
        "finished": iso(finished or utc_now()),
        "sample_every": sample_every,
        "formats": list(formats),
        "files": list(files),
    }

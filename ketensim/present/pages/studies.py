"""Report pages for comparisons and sweeps, with a plain fallback.

``ketensim.present.pages.report`` renders the full pages with pictures when it provides a
renderer; this module asks it first and otherwise builds a plain,
self-contained page (no external resources) from the same tables, so every
results folder holds a ``report.html`` whatever is installed.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Sequence
from html import escape
from typing import Any

import pandas as pd


def compare_pictures(comparison: Any, lang: str = "nl", svg: bool = False) -> dict[str, bytes]:
    """The comparison's pictures (one colour per scenario) as PNG (and SVG) files."""
    report = _report_module()
    if report is None or not hasattr(report, "compare_figures"):
        return {}
    from ketensim.present.pictures import plots

    return plots.picture_files(report.compare_figures(comparison.results, lang), svg)


def render_compare_report(
    comparison: Any, lang: str = "nl", files: dict[str, bytes] | None = None
) -> str:
    """The comparison's page, from ``ketensim.present.pages.report`` when it can, else a plain one.

    Args:
        comparison: a ``ketensim.comparison.Comparison``.
        lang: "nl" or "en".
    """
    render = getattr(_report_module(), "render_compare_report", None)
    if render is None:
        return plain_compare_report(comparison, lang)
    return str(render(comparison.results, comparison.table, lang, files=files))


def _report_module() -> Any:
    try:
        return importlib.import_module("ketensim.present.pages.report")
    except ModuleNotFoundError as exc:
        if exc.name != "ketensim.present.pages.report":
            raise
        return None


def plain_compare_report(comparison: Any, lang: str = "nl", **_pictures: Any) -> str:
    """A self-contained comparison page: the differences table, and every scenario's KPIs."""
    from ketensim.present.words import compare as compare_text

    nl = lang == "nl"
    names = ", ".join(r.scenario.name for r in comparison.results)
    intro = (f"{comparison.replications} replicaties per scenario, seed {comparison.seed}, "
             f"gemeenschappelijke toevalsgetallen. Scenario's: {names}. De mappen per scenario "
             "hebben elk hun eigen rapport." if nl else
             f"{comparison.replications} replications per scenario, seed {comparison.seed}, "
             f"common random numbers. Scenarios: {names}. Each scenario's folder has its "
             "own report.")
    text = "\n".join([*compare_text.kpi_table(comparison, lang), "",
                      *compare_text.change_sentences(comparison, lang)])
    head = "Vergelijking" if nl else "Comparison"
    full = "Alle kengetallen (comparison.csv)" if nl else "All KPIs (comparison.csv)"
    return plain_page(head, intro, [(head, f"<pre>{escape(text)}</pre>"),
                                    (full, html_table(comparison.table))], lang)


def plain_page(title: str, intro: str, sections: Sequence[tuple[str, str]],
               lang: str = "nl") -> str:
    """One self-contained HTML page: a title, an intro and (heading, HTML) sections."""
    body = "\n".join(f"<h2>{escape(head)}</h2>\n{html}" for head, html in sections)
    return (
        f'<!DOCTYPE html>\n<html lang="{"nl" if lang == "nl" else "en"}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
        "<style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}img{max-width:100%}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<p>{escape(intro)}</p>\n{body}\n</body>\n</html>\n"
    )


def html_table(frame: pd.DataFrame) -> str:
    """A table as HTML, empty cells for missing values, four significant digits."""
    return str(frame.to_html(index=False, na_rep="", float_format=_fmt))


def image(png: bytes, alt: str) -> str:
    """A PNG embedded in the page itself, so the page needs no other file."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _fmt(x: float) -> str:
    return f"{x:.4g}"

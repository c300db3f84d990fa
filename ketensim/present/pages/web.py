"""The pages of ``ketensim serve``: choose a chain, decide, see; with the report's words.

The browser app shows the same numbers and sentences as ``ketensim compare``:
the verdict comes from :mod:`ketensim.present.words.compare`, the intervals
and paired differences from the comparison table. Pages are rendered here
(jinja2 lives in ``present``); the web package only routes requests.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from ketensim import __version__
from ketensim.present.pages.report import env
from ketensim.present.pictures.diagram import chain_diagram
from ketensim.present.pictures.plots import png_bytes
from ketensim.present.words import i18n
from ketensim.present.words.compare import change_sentences
from ketensim.present.words.verdict import verdict_lines
from ketensim.results import insights

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "app": "ketensim: wat als?", "choose": "Kies een keten",
        "upload": "Of laad een eigen scenario (TOML)", "upload_button": "Laden",
        "decide": "Wat besluit u?", "moment": "Vanaf moment ({unit})",
        "capacity": "Capaciteit", "handling": "Behandeltijd ({unit})", "skip": "Overslaan",
        "inflow": "Instroom (% wijziging)", "load_now": "Belasting nu",
        "load_then": "Belasting na besluit",
        "step": "Schakel", "partner": "Partner", "source": "Bron", "rate": "per {unit}",
        "run": "Doorrekenen", "cancel": "Annuleren", "replications": "Replicaties",
        "overloaded": "overbelast", "queued": "In de wachtrij ...", "running": "Bezig ...",
        "cancelled": "Geannuleerd.", "failed": "Mislukt", "verdict": "Oordeel",
        "chart": "Werkvoorraad over de tijd", "chart_sub": "Gemiddelde over de replicaties; "
        "beweeg over de grafiek voor de waarden.", "base": "basis", "variant": "wat-als",
        "waits": "Wachttijd en werkvoorraad per schakel", "partners": "Per partner",
        "kpi": "maat", "difference": "verschil (95%-interval)", "download": "Bewaren",
        "toml": "Wat-als als scenario (TOML)", "report": "Rapport (HTML)",
        "zip": "Resultatenmap (ZIP)", "back": "Terug",
        "diagram": "De keten, gekleurd naar belasting",
        "mean_wait": "gem. wachttijd", "queue_at_end": "wachtrij aan het eind",
        "utilization": "bezetting", "stock_at_end": "werkvoorraad aan het eind",
        "mean_time": "gem. tijd bij de partner", "mean_lead_time": "gem. doorlooptijd",
        "p90_lead_time": "doorlooptijd p90", "wip_at_end": "zaken onderhanden aan het eind",
        "chain": "keten", "none": "Het model ziet geen duidelijk verschil.",
        "errors": "Dit klopt niet:", "day": "moment",
    },
    "en": {
        "app": "ketensim: what if?", "choose": "Choose a chain",
        "upload": "Or load a scenario of your own (TOML)", "upload_button": "Load",
        "decide": "What do you decide?", "moment": "From moment ({unit})",
        "capacity": "Capacity", "handling": "Handling time ({unit})", "skip": "Bypass",
        "inflow": "Inflow (% change)", "load_now": "Load now", "load_then": "Load after decision",
        "step": "Step", "partner": "Partner", "source": "Source", "rate": "per {unit}",
        "run": "Run", "cancel": "Cancel", "replications": "Replications",
        "overloaded": "overloaded", "queued": "Queued ...", "running": "Running ...",
        "cancelled": "Cancelled.", "failed": "Failed", "verdict": "Verdict",
        "chart": "Backlog over time", "chart_sub": "Mean over the replications; move over the "
        "chart for the values.", "base": "base", "variant": "what-if",
        "waits": "Waiting and backlog per step", "partners": "Per partner",
        "kpi": "measure", "difference": "difference (95% interval)", "download": "Keep",
        "toml": "What-if as a scenario (TOML)", "report": "Report (HTML)",
        "zip": "Results folder (ZIP)", "back": "Back", "diagram": "The chain, coloured by load",
        "mean_wait": "mean wait", "queue_at_end": "queue at the end",
        "utilization": "utilisation", "stock_at_end": "stock at the end",
        "mean_time": "mean time with the partner", "mean_lead_time": "mean lead time",
        "p90_lead_time": "lead time p90", "wip_at_end": "cases in progress at the end",
        "chain": "chain", "none": "The model shows no clear difference.",
        "errors": "This is not right:", "day": "moment",
    },
}


def render(name: str, lang: str, **context: Any) -> str:
    """One page of the app (``index``, ``scenario`` or ``result``)."""
    lang = i18n.check_lang(lang)
    return env().get_template(f"web_{name}.html.j2").render(
        lang=lang, W=WORDS[lang], version=__version__, **context)


def diagram_uri(scenario: Any, lang: str, at: float | None = None) -> str:
    """The chain diagram (coloured by offered load) as a PNG data URI."""
    data = png_bytes(chain_diagram(scenario, lang, at), dpi=80)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def result_data(comparison: Any, lang: str) -> dict[str, Any]:
    """Everything the result view shows, as plain JSON-ready data."""
    base, variant = comparison.results[0], comparison.results[1]
    sentences = change_sentences(comparison, lang) or [WORDS[lang]["none"]]
    verdict = sentences + verdict_lines(insights.analyse(variant), variant.scenario, lang)[:3]
    chart = _chart(base, variant)
    chart["unit"] = i18n.unit_name(base.scenario.time_unit, lang, plural=True)
    return {"verdict": verdict, "chart": chart,
            "steps": _rows(comparison, [s.id for s in base.scenario.steps],
                           ("mean_wait", "queue_at_end", "utilization"), lang),
            "chain": _rows(comparison, [""], ("mean_lead_time", "p90_lead_time", "wip_at_end"),
                           lang),
            "partners": _partner_rows(comparison, lang),
            "unit": i18n.unit_name(base.scenario.time_unit, lang, plural=True)}


def _chart(base: Any, variant: Any) -> dict[str, Any]:
    """Stock (waiting + in handling) per step over time, mean over replications."""
    out: dict[str, Any] = {"t": [], "steps": {}}
    for label, res in (("base", base), ("variant", variant)):
        ts = res.timeseries
        stock = ts.assign(stock=ts["queue"] + ts["in_service"])
        mean = stock.groupby(["step", "t"], sort=False)["stock"].mean()
        for step in res.scenario.steps:
            series = mean.loc[step.id]
            if not out["t"]:
                out["t"] = [round(float(t), 6) for t in _thin(series.index.to_numpy())]
            values = _thin(series.to_numpy())
            out["steps"].setdefault(step.id, {})[label] = [round(float(v), 3) for v in values]
    return out


def _thin(values: np.ndarray, at_most: int = 400) -> np.ndarray:
    """At most ``at_most`` evenly spaced points: enough for a line on a screen."""
    if values.size <= at_most:
        return values
    return values[np.linspace(0, values.size - 1, at_most).round().astype(int)]


def _rows(comparison: Any, steps: list[str], kpis: tuple[str, ...], lang: str
          ) -> list[dict[str, Any]]:
    table = comparison.table
    names = [r.scenario.name for r in comparison.results]
    rows = []
    for step in steps:
        for kpi in kpis:
            hit = table[(table["step"] == step) & (table["kpi"] == kpi)]
            if hit.empty:
                continue
            base = hit[hit["scenario"] == names[0]].iloc[0]
            other = hit[hit["scenario"] == names[1]].iloc[0]
            share = kpi == "utilization"
            rows.append({"step": step or WORDS[lang]["chain"], "kpi": WORDS[lang].get(kpi, kpi),
                         "base": _cell(base["mean"], base["ci_low"], base["ci_high"], lang, share),
                         "variant": _cell(other["mean"], other["ci_low"], other["ci_high"], lang,
                                          share),
                         "diff": _cell(other["diff"], other["diff_low"], other["diff_high"],
                                       lang, share, signed=True),
                         "clear": _clear(other)})
    return rows


def _partner_rows(comparison: Any, lang: str) -> list[dict[str, Any]]:
    table = comparison.table
    out = []
    for partner in comparison.base.scenario.partners:
        for kpi in ("stock_at_end", "mean_time"):
            key = f"partner:{partner.id}:{kpi}"
            hit = table[table["kpi"] == key]
            if len(hit) < 2:
                continue
            base, other = hit.iloc[0], hit.iloc[1]
            out.append({"step": partner.name or partner.id, "kpi": WORDS[lang][kpi],
                        "base": _cell(base["mean"], base["ci_low"], base["ci_high"], lang),
                        "variant": _cell(other["mean"], other["ci_low"], other["ci_high"], lang),
                        "diff": _cell(other["diff"], other["diff_low"], other["diff_high"], lang,
                                      signed=True),
                        "clear": _clear(other)})
    return out


def _clear(row: Any) -> bool:
    low, high = float(row["diff_low"]), float(row["diff_high"])
    return math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0)


def _cell(mean: float, low: float, high: float, lang: str, share: bool = False,
          signed: bool = False) -> dict[str, str]:
    def fmt(x: float) -> str:
        x = float(x)
        if not math.isfinite(x):
            return "-"
        if share:
            return i18n.number(100 * x, lang, digits=1) + "%"
        text = i18n.number(x, lang, digits=1)
        return ("+" + text) if signed and x > 0 else text

    interval = "" if not (math.isfinite(float(low)) and math.isfinite(float(high))) \
        else f"{fmt(low)} .. {fmt(high)}"
    return {"mean": fmt(mean), "ci": interval}


__all__ = ["WORDS", "diagram_uri", "render", "result_data"]

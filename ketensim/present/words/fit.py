"""What ``ketensim fit --aggregates`` prints: what was derived, then published beside simulated."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ketensim.present.words import i18n
from ketensim.present.words.termtext import WIDTH, num, table

if TYPE_CHECKING:
    import pandas as pd

    from ketensim.studies.aggregates import Derived, StepFigures

TEXT: dict[str, dict[str, Any]] = {
    "nl": {
        "written": "Scenario geschreven: {path} ({steps}, periode {start} tot {end} {units}).",
        "steps": ("schakel", "schakels"),
        "periods": "{n} perioden: de eerste geeft het begin (hieronder), de latere een "
                   "instroomschema en gebeurtenissen voor de bezetting vanaf hun begin.",
        "period": "periode",
        "derived": "Afgeleid per schakel (de herkomst van elk getal staat als commentaar in het "
                   "bestand):",
        "head": ["schakel", "capaciteit", "werk per zaak", "instroom van buiten",
                 "voorraad begin"],
        "sub": ["", "", "({units})", "(per {unit})", "(wachtend + bezig)"],
        "backtest": "Terugtoets over dezelfde periode ({reps} herhalingen): gepubliceerd naast "
                    "gesimuleerd, met het 95%-interval.",
        "bt_head": ["schakel", "kengetal", "gepubliceerd", "gesimuleerd", "95%-interval",
                    "binnen 10%"],
        "kpi": {"output": "afgehandeld", "stock_end": "voorraad eind",
                "lead_time": "tijd bij schakel ({units})"},
        "yes": "ja", "no": "NEE",
        "all_within": "Alle {n} kengetallen liggen binnen 10% van de gepubliceerde: het model "
                      "reproduceert de periode; nu kan het een wat-als beantwoorden.",
        "some_off": "{k} van de {n} kengetallen liggen verder dan 10% van de gepubliceerde: "
                    "pas de schattingen (staf, uren) aan voordat je het model een wat-als vraagt.",
        "csv": "Terugtoets: {path}",
        "next": "Volgende stap: ketensim check {path}",
    },
    "en": {
        "written": "Scenario written: {path} ({steps}, period {start} to {end} {units}).",
        "steps": ("step", "steps"),
        "periods": "{n} periods: the first gives the start (below), the later ones an inflow "
                   "schedule and events for the staff from their start on.",
        "period": "period",
        "derived": "Derived per step (where each value came from is a comment in the file):",
        "head": ["step", "capacity", "work per case", "inflow from outside", "stock at start"],
        "sub": ["", "", "({units})", "(per {unit})", "(waiting + busy)"],
        "backtest": "Back-test over the same period ({reps} replications): published beside "
                    "simulated, with the 95% interval.",
        "bt_head": ["step", "figure", "published", "simulated", "95% interval", "within 10%"],
        "kpi": {"output": "finished", "stock_end": "stock at end",
                "lead_time": "time at step ({units})"},
        "yes": "yes", "no": "NO",
        "all_within": "All {n} figures lie within 10% of the published ones: the model "
                      "reproduces the period; now it can answer a what-if.",
        "some_off": "{k} of the {n} figures lie further than 10% from the published ones: "
                    "adjust the estimates (staff, hours) before asking the model a what-if.",
        "csv": "Back-test: {path}",
        "next": "Next: ketensim check {path}",
    },
}


def fit_lines(figures: Sequence[StepFigures], derived: Sequence[Derived], out: str,
              unit: str, lang: str = "nl") -> list[str]:
    """The scenario written and the values derived for each step."""
    t = TEXT[i18n.check_lang(lang)]
    units = i18n.unit_name(unit, lang, plural=True)
    one = i18n.unit_name(unit, lang)
    steps = list(dict.fromkeys(f.step for f in figures))
    word = t["steps"][0 if len(steps) == 1 else 1]
    start, end = min(f.start for f in figures), max(f.end for f in figures)
    lines = [*_wrap(t["written"].format(path=out, steps=f"{len(steps)} {word}",
                                        start=num(start, lang), end=num(end, lang),
                                        units=units))]
    periods = sorted({f.start for f in figures})
    if len(periods) > 1:
        lines += _wrap(t["periods"].format(n=len(periods)))
    lines += ["", *_wrap(t["derived"])]
    head = [t["head"], [s.format(units=units, unit=one) for s in t["sub"]]]
    rows = [[d.step, str(d.capacity), num(d.service, lang), num(d.arrival_rate, lang),
             num(d.queue + d.in_service, lang)] for d in derived]
    return lines + table(head, rows)


def backtest_lines(frame: pd.DataFrame, replications: int, unit: str, path: str,
                   lang: str = "nl") -> list[str]:
    """Published beside simulated, and whether the model may be asked a what-if."""
    from ketensim.studies.aggregates import within

    t = TEXT[i18n.check_lang(lang)]
    units = i18n.unit_name(unit, lang, plural=True)
    rows, off = [], 0
    several = "period" in frame and frame["period"].nunique() > 1
    for _, row in frame.iterrows():
        ok = within(row)
        off += not ok
        interval = "–" if not math.isfinite(row["ci_low"]) else \
            f"{num(row['ci_low'], lang)} – {num(row['ci_high'], lang)}"
        rows.append([str(row["step"]), *([str(row["period"])] if several else []),
                     t["kpi"][row["kpi"]].format(units=units),
                     num(row["observed"], lang), num(row["simulated"], lang), interval,
                     t["yes"] if ok else t["no"]])
    verdict = t["all_within"].format(n=len(rows)) if not off else \
        t["some_off"].format(k=off, n=len(rows))
    head = [t["bt_head"][0], *([t["period"]] if several else []), *t["bt_head"][1:]]
    return ["", *_wrap(t["backtest"].format(reps=replications)), *table([head], rows),
            "", *_wrap(verdict), t["csv"].format(path=path)]


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH)

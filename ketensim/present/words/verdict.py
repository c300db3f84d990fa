"""Findings as sentences, in Dutch or English.

Kept apart from the analysis (``ketensim.results.insights``) because wording changes
for readers, numbers change for methods; a translator should not need to
read statistics code. Numbers are rounded to what a reader can use
("ongeveer 5 zaken per dag"), times are named in the scenario's own unit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from ketensim.present.words.i18n import (
    check_lang,
    number,
    percent,
    readable_duration,
    readable_rate,
    unit_for,
    unit_name,
)
from ketensim.present.words.norms import title as norm_title
from ketensim.results.stats import Interval, has_interval
from ketensim.scenario.model import Scenario

if TYPE_CHECKING:
    from ketensim.results.insights import Findings, Load, NormFinding, Shield, Trend

# The sentence templates of one language; every language has the same keys.
_Sentences = TypedDict("_Sentences", {
    "from": str, "from_start": str, "cause": str, "growing": str, "at_end": str,
    "ref_warmup": str, "ref_start": str, "settled": str, "shrinking": str, "jump_up": str,
    "jump_down": str, "jump_cause": str, "all_stable": str, "none_growing": str, "lead": str,
    "lead_ci": str, "lead_one": str, "lead_q": str, "understated": str, "busiest": str,
    "overloaded": str, "load_item": str, "load_since": str, "shielded": str,
    "gets": tuple[str, str], "them": tuple[str, str], "shield_extra": str,
    "also": tuple[str, str], "and": str, "one_rep": str, "norm_met": str, "norm_mean": str,
    "norm_not": str, "norm_ci": str, "norm_none": str,
})

_S: dict[str, _Sentences] = {
    "nl": {
        "from": "vanaf {unit} {t}",
        "from_start": "al vanaf het begin",
        "cause": ", na de ingreep ‘{title}’ ({unit} {t})",
        "growing": "De werkvoorraad van {step} groeit {since} met ongeveer {rate} zaken per "
        "{unit}{cause}.",
        "at_end": " Aan het eind wachten er ongeveer {end} zaken ({ref}: {before}).",
        "ref_warmup": "na de opwarmperiode",
        "ref_start": "aan het begin",
        "settled": "De werkvoorraad van {step} stijgt {since}{cause} van ongeveer {before} naar "
        "{end} zaken en blijft daarna op dat hogere niveau.",
        "shrinking": "De werkvoorraad van {step} neemt {since}{cause} af met ongeveer {rate} "
        "zaken per {unit}, van ongeveer {before} naar {end} zaken.",
        "jump_up": "De werkvoorraad van {step} stijgt rond {unit} {t} snel van ongeveer {before} "
        "naar {end} zaken{cause}.",
        "jump_down": "De werkvoorraad van {step} daalt rond {unit} {t} snel van ongeveer {before} "
        "naar {end} zaken{cause}.",
        "jump_cause": ", na de ingreep ‘{title}’ ({unit} {t})",
        "all_stable": "Geen enkele schakel raakt verstopt: alle werkvoorraden blijven stabiel.",
        "none_growing": "Geen enkele werkvoorraad blijft groeien.",
        "lead": "De doorlooptijd van de keten is gemiddeld {mean} {unit}{ci}",
        "lead_ci": " (95%-interval: {low} tot {high} {unit})",
        "lead_one": " (één herhaling, dus zonder interval)",
        "lead_q": "; de helft van de zaken is binnen {p50} klaar, 90% binnen {p90}",
        "understated": "Dat is te gunstig: de ongeveer {n} zaken die aan het eind nog wachten bij "
        "{steps}, tellen niet mee.",
        "busiest": "De drukste schakel is {step}: gemiddeld is {pct} van de capaciteit bezet.",
        "overloaded": "Op papier is de capaciteit te klein voor het aanbod (belasting 1 of "
        "meer) bij: {items}.",
        "load_item": "{step} (belasting {rho}{since})",
        "load_since": " vanaf {unit} {t}",
        "shielded": "{steps} {gets} ongeveer {drop} minder zaken binnen dan er worden aangeboden, "
        "omdat {upstream} vastloopt: die verstopping schermt {them} af.",
        "gets": ("krijgt", "krijgen"),
        "them": ("deze schakel", "deze schakels"),
        "shield_extra": "Zonder die verstopping zou{also} {steps} overbelast zijn.",
        "also": (" ook", " ook"),
        "and": " en ",
        "one_rep": "Let op: dit is één herhaling; draai er meer voor betrouwbare intervallen.",
        "norm_met": "De norm ‘{title}’ wordt gehaald: {pct} binnen de termijn{ci}.",
        "norm_mean": "De norm ‘{title}’ wordt gemiddeld gehaald, maar niet met zekerheid: "
        "{pct} binnen de termijn{ci}.",
        "norm_not": "De norm ‘{title}’ wordt niet gehaald: {pct} binnen de termijn{ci}.",
        "norm_ci": " (95%: {low} tot {high}%)",
        "norm_none": "De norm ‘{title}’ is niet te beoordelen: er zijn geen zaken gemeten.",
    },
    "en": {
        "from": "from {unit} {t}",
        "from_start": "from the start",
        "cause": ", after the intervention ‘{title}’ ({unit} {t})",
        "growing": "The backlog of {step} grows {since} by about {rate} cases per {unit}{cause}.",
        "at_end": " At the end about {end} cases are waiting ({ref}: {before}).",
        "ref_warmup": "after the warm-up",
        "ref_start": "at the start",
        "settled": "The backlog of {step} rises {since}{cause} from about {before} to {end} cases "
        "and then stays at that higher level.",
        "shrinking": "The backlog of {step} falls {since}{cause} by about {rate} cases per "
        "{unit}, from about {before} to {end} cases.",
        "jump_up": "The backlog of {step} jumps around {unit} {t} from about {before} to {end} "
        "cases{cause}.",
        "jump_down": "The backlog of {step} drops around {unit} {t} from about {before} to {end} "
        "cases{cause}.",
        "jump_cause": ", after the intervention ‘{title}’ ({unit} {t})",
        "all_stable": "No step backs up: all backlogs stay stable.",
        "none_growing": "No backlog keeps growing.",
        "lead": "The chain lead time averages {mean} {unit}{ci}",
        "lead_ci": " (95% interval: {low} to {high} {unit})",
        "lead_one": " (one replication, so no interval)",
        "lead_q": "; half of the cases finish within {p50}, 90% within {p90}",
        "understated": "That is too rosy: the roughly {n} cases still waiting at {steps} at the "
        "end are not counted.",
        "busiest": "The busiest step is {step}: on average {pct} of its capacity is busy.",
        "overloaded": "On paper the capacity falls short of the work offered (load 1 or more) "
        "at: {items}.",
        "load_item": "{step} (load {rho}{since})",
        "load_since": " from {unit} {t}",
        "shielded": "{steps} {gets} about {drop} fewer cases than offered because {upstream} "
        "backs up: that bottleneck shields {them}.",
        "gets": ("receives", "receive"),
        "them": ("it", "them"),
        "shield_extra": "Without that bottleneck {steps} would be overloaded{also}.",
        "also": (" too", " too"),
        "and": " and ",
        "one_rep": "Note: this is a single replication; run more for reliable intervals.",
        "norm_met": "The norm ‘{title}’ is met: {pct} within the term{ci}.",
        "norm_mean": "The norm ‘{title}’ is met on average, but not with confidence: {pct} "
        "within the term{ci}.",
        "norm_not": "The norm ‘{title}’ is not met: {pct} within the term{ci}.",
        "norm_ci": " (95%: {low} to {high}%)",
        "norm_none": "The norm ‘{title}’ cannot be judged: no cases were measured.",
    },
}


def step_name(scenario: Any, step_id: str) -> str:
    """A step as people know it: its label, with the partner when the label lacks it."""
    try:
        step = scenario.step(step_id)
    except (KeyError, AttributeError):
        return step_id
    name = step.label
    try:
        partner = scenario.partner(step.partner).label
    except (KeyError, AttributeError):
        return name
    if partner.lower() in name.lower():
        return name
    return f"{name} ({partner})"


def verdict_lines(findings: Findings, scenario: Any, lang: str = "nl") -> list[str]:
    """The summary in plain sentences, most important first.

    Args:
        findings: from ``ketensim.insights.analyse``.
        scenario: for step and partner names, the time unit and the warm-up.
        lang: ``nl`` or ``en``.
    """
    s = _S[check_lang(lang)]
    order = {"growing": 0, "settled": 1, "shrinking": 2}
    moving = sorted((tr for tr in findings.trends if tr.status in order),
                    key=lambda tr: order[tr.status])
    lines = [_trend_line(tr, scenario, lang) for tr in moving]
    if not lines:
        lines.append(s["all_stable"])
    elif not findings.backing_up:
        lines.insert(0, s["none_growing"])
    lines += _shield_lines(findings, scenario, lang)
    if findings.overloaded:
        items = [_load_item(ld, scenario, lang) for ld in findings.overloaded]
        lines.append(s["overloaded"].format(items=_join(items, lang)))
    lines += [_norm_line(nf, scenario, lang) for nf in findings.norms]
    if findings.lead_time is not None and findings.lead_time.n:
        lines.append(_lead_line(findings, scenario, lang))
    if findings.busiest is not None and findings.busiest.utilization.n:
        lines.append(s["busiest"].format(step=step_name(scenario, findings.busiest.step),
                                         pct=percent(findings.busiest.utilization.mean, lang)))
    if findings.replications == 1:
        lines.append(s["one_rep"])
    return lines


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _S[lang]["and"] + items[-1]


def _moment(t: float, unit: str, lang: str) -> str:
    return _S[lang]["from"].format(unit=unit_name(unit, lang), t=number(t, lang, digits=0))


def _trend_line(tr: Trend, scenario: Any, lang: str) -> str:
    s = _S[lang]
    unit = getattr(scenario, "time_unit", "day")
    if tr.abrupt:
        return _jump_line(tr, scenario, lang)
    since = s["from_start"] if tr.from_first else _moment(tr.start or 0.0, unit, lang)
    cause = ""
    if tr.event is not None and not tr.from_first:
        cause = s["cause"].format(title=tr.event[1], unit=unit_name(unit, lang),
                                  t=number(tr.event[0], lang, digits=0))
    rate, rate_unit = readable_rate(abs(tr.rate), unit)
    values = {
        "step": step_name(scenario, tr.step), "since": since, "cause": cause,
        "rate": number(rate, lang), "unit": unit_name(rate_unit, lang),
        "before": number(max(tr.level_before, 0.0), lang),
        "end": number(tr.queue_at_end, lang),
    }
    if tr.status == "growing":
        warm = float(getattr(scenario, "warmup", 0.0) or 0.0) > 0
        ref = s["ref_warmup"] if warm else s["ref_start"]
        values["before"] = number(max(tr.queue_at_warmup, 0.0), lang)
        return s["growing"].format(**values) + s["at_end"].format(ref=ref, **values)
    # growing trends were worded above; the moving ones left are settled or shrinking
    return s[cast("Literal['settled', 'shrinking']", tr.status)].format(**values)


def _jump_line(tr: Trend, scenario: Any, lang: str) -> str:
    """A quick move to a new level: when and how far, a rate would mislead."""
    s = _S[lang]
    unit = unit_name(getattr(scenario, "time_unit", "day"), lang)
    when = tr.event[0] if tr.event is not None else ((tr.start or 0.0) + (tr.end or 0.0)) / 2
    cause = ""
    if tr.event is not None:
        cause = s["jump_cause"].format(title=tr.event[1], unit=unit,
                                       t=number(tr.event[0], lang, digits=0))
    key: Literal["jump_down", "jump_up"] = "jump_down" if tr.rate < 0 else "jump_up"
    return s[key].format(step=step_name(scenario, tr.step), unit=unit,
                         t=number(when, lang, digits=0),
                         before=number(max(tr.level_before, 0), lang),
                         end=number(tr.queue_at_end, lang), cause=cause)


def _duration(value: float, unit: str, lang: str) -> str:
    """'3 dagen' rather than '0,43 weken': a small duration in a smaller unit."""
    value, unit = readable_duration(value, unit)
    return f"{number(value, lang)} {unit_for(value, unit, lang)}"


def _lead_line(findings: Findings, scenario: Any, lang: str) -> str:
    s = _S[lang]
    unit = getattr(scenario, "time_unit", "day")
    est: Interval = findings.lead_time  # type: ignore[assignment]
    mean, shown = readable_duration(est.mean, unit)
    factor = mean / est.mean if est.mean else 1.0
    ci = s["lead_one"]
    if has_interval(est):  # a duration is never negative, whatever the t-interval says
        ci = s["lead_ci"].format(low=number(max(0.0, est.low) * factor, lang),
                                 high=number(est.high * factor, lang),
                                 unit=unit_for(est.high * factor, shown, lang))
    text = s["lead"].format(mean=number(mean, lang), unit=unit_for(mean, shown, lang), ci=ci)
    p50, p90 = findings.p50_lead_time, findings.p90_lead_time
    if p50 is not None and p90 is not None and p50.n and p90.n:
        text += s["lead_q"].format(p50=_duration(p50.mean, unit, lang),
                                   p90=_duration(p90.mean, unit, lang))
    text += "."
    if findings.backing_up:
        waiting = sum(tr.queue_at_end for tr in findings.backing_up)
        names = _join([step_name(scenario, tr.step) for tr in findings.backing_up], lang)
        text += " " + s["understated"].format(n=number(waiting, lang), steps=names)
    return text


def _load_item(ld: Load, scenario: Any, lang: str) -> str:
    s = _S[lang]
    since = ""
    if ld.offered_from:
        unit = getattr(scenario, "time_unit", "day")
        since = s["load_since"].format(unit=unit_name(unit, lang),
                                       t=number(ld.offered_from, lang, digits=0))
    return s["load_item"].format(step=step_name(scenario, ld.step),
                                 rho=number(ld.offered or 0.0, lang, digits=2), since=since)


def _shield_lines(findings: Findings, scenario: Any, lang: str) -> list[str]:
    """One sentence per bottleneck for all the steps it shields, not one per step."""
    s = _S[lang]
    groups: dict[tuple[str, ...], list[Shield]] = {}
    for sh in findings.shielded:
        groups.setdefault(sh.upstream, []).append(sh)
    overloaded = {ld.step for ld in findings.overloaded}
    lines = []
    for upstream, shields in groups.items():
        many = len(shields) > 1
        drops = sorted(sh.drop for sh in shields)
        drop = percent(drops[0], lang)
        if percent(drops[0], lang) != percent(drops[-1], lang):
            drop = f"{number(100 * drops[0], lang, digits=0)}-{percent(drops[-1], lang)}"
        text = s["shielded"].format(
            steps=_join([step_name(scenario, sh.step) for sh in shields], lang),
            gets=s["gets"][many], drop=drop, them=s["them"][many],
            upstream=_join([step_name(scenario, u) for u in upstream], lang))
        heavy = [step_name(scenario, sh.step) for sh in shields if sh.step in overloaded]
        if heavy:
            text += " " + s["shield_extra"].format(steps=_join(heavy, lang),
                                                   also=s["also"][len(heavy) > 1])
        lines.append(text[0].upper() + text[1:])
    return lines


def _norm_line(nf: NormFinding, scenario: Any, lang: str) -> str:
    """Whether one norm is met, with the share within its term and its interval."""
    s = _S[lang]
    name = norm_title(nf.norm, scenario if isinstance(scenario, Scenario)
                      else getattr(scenario, "time_unit", "day"), lang)
    if not nf.share.n or not math.isfinite(nf.share.mean):
        return s["norm_none"].format(title=name)
    ci = ""
    if has_interval(nf.share):
        ci = s["norm_ci"].format(low=number(100 * max(nf.share.low, 0.0), lang, digits=0),
                                 high=number(100 * min(nf.share.high, 1.0), lang, digits=0))
    key: Literal["norm_met", "norm_mean", "norm_not"] = (
        "norm_met" if nf.met.by_lower_bound else "norm_mean" if nf.met.in_mean else "norm_not")
    return s[key].format(title=name, pct=percent(nf.share.mean, lang), ci=ci)

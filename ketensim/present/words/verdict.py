"""Findings as sentences, in Dutch or English.

Kept apart from the analysis (``ketensim.results.insights``) because wording changes
for readers, numbers change for methods; a translator should not need to
read statistics code. Numbers are rounded to what a reader can use
("ongeveer 5 zaken per dag"), times are named in the scenario's own unit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

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
from ketensim.present.words.verdict_text import S
from ketensim.results.stats import Interval, has_interval
from ketensim.scenario.model import Scenario

if TYPE_CHECKING:
    from ketensim.results.damage import Damage, Plateau
    from ketensim.results.insights import Findings, Load, NormFinding, QueueFinding, Shield

ORDER = {"growing": 0, "bounded": 1, "settled": 2, "swinging": 3, "cleared": 4, "shrinking": 5}
WAIT_GAP = 0.5  # the waits of cases still waiting are told when this much longer (and 1 unit)
DOOR_LEVEL = 10.0  # a level queue at the door is told from this many cases


class Said(NamedTuple):
    """One sentence of the verdict and its kind (``growing``, ``bounded``, ``diverted``, ...)."""

    kind: str
    text: str

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
    """The summary in plain sentences, most important first (see :func:`verdict_sentences`)."""
    return [said.text for said in verdict_sentences(findings, scenario, lang)]


def verdict_sentences(findings: Findings, scenario: Any, lang: str = "nl") -> list[Said]:
    """The verdict as sentences with their kind: what the queues did, then the harm that is
    no pile, what the paper load adds, the norms, the lead time and the busiest step.

    Args:
        findings: from :func:`ketensim.results.insights.analyse`.
        scenario: for step and partner names, the time unit and the warm-up.
        lang: ``nl`` or ``en``.
    """
    s = S[check_lang(lang)]
    out = _queue_sentences(findings, scenario, lang)
    harm = [*_damage_sentences(findings, scenario, lang),
            *_plateau_sentences(findings, scenario, lang)]
    if not out and not harm:
        out.append(Said("all_stable", s["all_stable"]))
    elif not findings.backing_up:
        out.insert(0, Said("none_growing", s["none_growing"]))
    out += harm
    out += _shield_lines(findings, scenario, lang)
    out += _paper_sentences(findings, scenario, lang)
    out += [_norm_line(nf, scenario, lang) for nf in findings.norms]
    if findings.lead_time is not None and findings.lead_time.n:
        out.append(Said("lead", _lead_line(findings, scenario, lang)))
    if findings.busiest is not None and findings.busiest.utilization.n:
        out.append(Said("busiest", s["busiest"].format(
            step=step_name(scenario, findings.busiest.step),
            pct=percent(findings.busiest.utilization.mean, lang))))
    if starts_empty_unwarmed(scenario):
        out.append(Said("filling", s["filling"]))
    if findings.replications == 1:
        out.append(Said("one_rep", s["one_rep"]))
    return out


def starts_empty_unwarmed(scenario: Any) -> bool:
    """True for a run whose figures include the filling-up: no warm-up and no werkvoorraad
    at the start anywhere (a chain that starts from its stock needs no warm-up for it)."""
    if float(getattr(scenario, "warmup", 0.0) or 0.0) > 0:
        return False
    return not any(getattr(step, "backlog", None) is not None
                   for step in getattr(scenario, "steps", ()))


# -- what the queues did --------------------------------------------------------------------


def _told(findings: Findings) -> list[QueueFinding]:
    """Queues worth a sentence, most urgent first; a pool only when its steps say nothing."""
    moving = {q.queue for q in findings.queues if q.kind == "step" and q.status in ORDER}
    out = []
    for q in findings.queues:
        if q.kind == "pool" and (q.status not in ORDER or moving & set(q.steps)):
            continue
        if q.status in ORDER or (q.kind == "door" and q.reading.typical >= DOOR_LEVEL):
            out.append(q)
    return sorted(out, key=lambda q: ORDER.get(q.status, len(ORDER)))


def _queue_sentences(findings: Findings, scenario: Any, lang: str) -> list[Said]:
    out = []
    for q in _told(findings):
        kind = q.status if q.status in ORDER else "door_level"
        text = queue_sentence(q, scenario, lang, findings.waits.get(q.queue)
                              if q.kind == "step" else None)
        out.append(Said(kind, text))
    return out


def growing_names(findings: Findings, scenario: Any, lang: str = "nl") -> str:
    """The queues still growing at the end, named briefly (for a table cell): steps by name,
    the door of a cap on work in progress, shared capacities by id; "geen" when none."""
    s = S[check_lang(lang)]
    names = [step_name(scenario, q.queue) if q.kind == "step" else
             s["short_door"] if q.kind == "door" else q.queue for q in findings.backing_up]
    return ", ".join(names) or s["nothing_grows"]


def _subject(q: QueueFinding, scenario: Any, lang: str) -> str:
    s = S[lang]
    if q.kind == "door":
        return s["subject_door"].format(cap=getattr(scenario, "wip_cap", "?"))
    if q.kind == "pool":
        steps = _join([step_name(scenario, x) for x in q.steps], lang)
        return s["subject_pool"].format(pool=q.queue, steps=steps)
    return s["subject_step"].format(step=step_name(scenario, q.queue))


def _at(t: float | None, unit: str, lang: str) -> str:
    return number(t or 0.0, lang, digits=0) if t is not None else "?"


def queue_sentence(q: QueueFinding, scenario: Any, lang: str = "nl",
                   waits: tuple[float, float, float] | None = None) -> str:
    """One queue's state at the end as a sentence (its kind is ``q.status``).

    Long on purpose: one branch per state, each a template and its figures;
    split up, the reader would hunt for which figure goes into which sentence.
    """
    s = S[check_lang(lang)]
    r = q.reading
    unit_id = getattr(scenario, "time_unit", "day")
    unit = unit_name(unit_id, lang)
    subject = _subject(q, scenario, lang)
    cause = ""
    if q.event is not None:
        cause = s["cause"].format(title=q.event[1], unit=unit, t=_at(q.event[0], unit, lang))
    values: dict[str, Any] = {
        "subject": subject, "Subject": subject[0].upper() + subject[1:], "cause": cause,
        "unit": unit, "end": number(max(r.level_end, 0.0), lang),
        "before": number(max(r.level_before, 0.0), lang), "peak": number(r.peak, lang),
        "peak_at": _at(r.peak_at, unit, lang),
    }
    if q.status == "growing":
        rate, rate_unit = readable_rate(abs(r.rate), unit_id)
        first = r.since is None or (r.stretches and r.since <= r.stretches[0].start + 1e-9)
        if first and q.event is not None and q.event[0] > 0:
            # growth that starts with the window and an intervention at its start: "from the
            # start" next to "after the intervention (week 52)" would contradict itself
            first = False
            since_at: float | None = r.since if r.since is not None else q.event[0]
        else:
            since_at = r.since
        warm = float(getattr(scenario, "warmup", 0.0) or 0.0) > 0
        # a rise that changed pace says today's pace from when it began, and the one before
        paced = r.rate_from is not None
        text = s["growing_pace" if paced else "growing"].format(**{
            **values, "rate": number(rate, lang), "unit": unit_name(rate_unit, lang),
            "when": s["pace_from"].format(unit=unit, t=_at(r.rate_from, unit, lang)) if paced
            else "",
            "early": number(r.rate_before * rate / abs(r.rate), lang) if paced else "",
            "since": s["from_start"] if first else s["from"].format(unit=unit, t=_at(
                since_at, unit, lang)),
            "ref": s["ref_warmup"] if warm else s["ref_start"],
            "before": number(max(r.level_start, 0.0), lang)})
        if r.piles:
            peak = max(h for _, h in r.pile_peaks) if r.pile_peaks else r.peak
            text += s["earlier_piles"].format(n=r.piles, peak=number(peak, lang))
        if q.losses is not None:
            text += s["still_lost"].format(**_loss_values(q, lang))
        return text + _waiting_now(waits, unit_id, lang)
    if q.status == "bounded":
        return s["bounded"].format(**values, **_loss_values(q, lang),
                                   level=number(r.typical, lang))
    if q.status == "cleared":
        at_start = bool(r.stretches) and r.peak_at <= r.stretches[0].start + 0.05 * (
            r.stretches[-1].end - r.stretches[0].start)
        key = "cleared_start" if at_start else "cleared"
        return s[key].format(**values, t=_at(r.cleared_at, unit, lang))
    if q.status == "swinging":
        times = _join([_at(t, unit, lang) for t, _ in r.pile_peaks], lang)
        return s["swinging"].format(**values, times=times, n=r.piles)
    if q.status in ("settled", "shrinking") and q.abrupt:
        key = "jump_down" if q.status == "shrinking" else "jump_up"
        when = q.event[0] if q.event is not None else r.since
        return s[key].format(**values, t=_at(when, unit, lang))
    if q.status in ("settled", "shrinking"):
        rate, rate_unit = readable_rate(abs(r.rate), unit_id)
        text = s[q.status].format(**{**values, "rate": number(rate, lang),
                                     "unit": unit_name(rate_unit, lang),
                                     "since": s["from"].format(unit=unit,
                                                               t=_at(r.since, unit, lang))})
        return text + (_waiting_now(waits, unit_id, lang) if q.status == "settled" else "")
    mean = number(r.typical, lang)
    return s["door_level"].format(end=number(r.level_end, lang), mean=mean,
                                  cap=getattr(scenario, "wip_cap", "?"))


def _loss_values(q: QueueFinding, lang: str) -> dict[str, str]:
    s = S[lang]
    losses = q.losses
    assert losses is not None
    how = _join([s[f"how_{kind}"] for kind, _ in losses.by], lang, s["or"])
    return {"share": percent(losses.share, lang), "how": how,
            "n": number(losses.cases, lang), "per": s["per_rep"]}


def _waiting_now(waits: tuple[float, float, float] | None, unit: str, lang: str) -> str:
    """The waits of cases still waiting, when they are materially longer than the measured one."""
    if waits is None:
        return ""
    wait, age, ahead = waits
    longest = max((x for x in (age, ahead) if math.isfinite(x)), default=math.nan)
    if not math.isfinite(longest) or not math.isfinite(wait):
        return ""
    if longest - wait < max(1.0, WAIT_GAP * wait):
        return ""
    return S[lang]["waiting_now"].format(
        ahead=_duration(ahead, unit, lang) if math.isfinite(ahead) else "?",
        age=_duration(age, unit, lang) if math.isfinite(age) else "?",
        wait=_duration(wait, unit, lang))


# -- harm that is no pile ----------------------------------------------------------------------


def damage_sentence(d: Damage, scenario: Any, lang: str = "nl") -> str:
    """Blocking, diversion or rejection at one step, with its size."""
    s = S[check_lang(lang)]
    name = step_name(scenario, d.step)
    where = _join([step_name(scenario, w) for w in d.where], lang)
    if d.kind == "mean_blocked":
        cap = scenario.step(d.step).capacity
        return s["mean_blocked"].format(
            step=name, n=number(d.size.mean, lang), cap=cap, pct=percent(d.share, lang),
            where=s["blocked_where_many" if len(d.where) > 1 else "blocked_where"].format(
                where=where) if where else "")
    values = {"Step": name, "n": number(d.size.mean, lang),
              "pct": percent(d.share, lang), "per": s["per_rep"],
              "where": s["diverted_where"].format(where=where) if where else ""}
    return s[d.kind].format(**values)


def _damage_sentences(findings: Findings, scenario: Any, lang: str) -> list[Said]:
    """Damage sentences, leaving out losses a bounded queue's sentence names already."""
    told = {(q.queue, kind) for q in findings.steps if q.losses is not None
            for kind, _ in q.losses.by}
    return [Said(d.kind, damage_sentence(d, scenario, lang)) for d in findings.damage
            if (d.step, d.kind) not in told]


def plateau_sentence(p: Plateau, scenario: Any, lang: str = "nl") -> str:
    """A level queue with long waits: its level, and how long its cases wait."""
    s = S[check_lang(lang)]
    unit = getattr(scenario, "time_unit", "day")
    ahead = ""
    if math.isfinite(p.wait_ahead) and p.wait_ahead - p.wait >= max(1.0, WAIT_GAP * p.wait):
        ahead = s["plateau_ahead"].format(ahead=_duration(p.wait_ahead, unit, lang))
    wait = _duration(p.wait, unit, lang) if math.isfinite(p.wait) else "?"
    return s["plateau"].format(step=step_name(scenario, p.step), level=number(p.level, lang),
                               work=_duration(p.work, unit, lang), wait=wait, ahead=ahead)


def _plateau_sentences(findings: Findings, scenario: Any, lang: str) -> list[Said]:
    return [Said("plateau", plateau_sentence(p, scenario, lang)) for p in findings.plateaus]


# -- the paper load, as context -----------------------------------------------------------------


def _paper_sentences(findings: Findings, scenario: Any, lang: str) -> list[Said]:
    """Steps overloaded on paper: listed when they grow, explained when they do not."""
    s = S[lang]
    shielded = {sh.step for sh in findings.shielded}
    growing = []
    held: dict[str, list[Load]] = {}  # steps with the same reason share one sentence
    for ld in findings.overloaded:
        q = findings.queue(ld.step)
        if q is None or q.status == "growing":
            growing.append(_load_item(ld, scenario, lang))
            continue
        if ld.step in shielded:
            continue  # the shield sentence says it already
        held.setdefault(s.get(f"why_{q.steered or q.status}", ""), []).append(ld)
    out = [Said("paper_growing", s["paper_growing"].format(items=_join(growing, lang)))] \
        if growing else []
    for why, loads in held.items():
        if len(loads) == 1:
            ld = loads[0]
            text = s["paper_held"].format(
                step=step_name(scenario, ld.step), rho=number(ld.offered or 0.0, lang, digits=2),
                since=_since(ld, scenario, lang), why=why)
        else:
            text = s["paper_held_many"].format(
                items=_join([_load_item(ld, scenario, lang) for ld in loads], lang), why=why)
        out.append(Said("paper_held", text))
    return out


def _since(ld: Load, scenario: Any, lang: str) -> str:
    if not ld.offered_from:
        return ""
    unit = unit_name(getattr(scenario, "time_unit", "day"), lang)
    return S[lang]["load_since"].format(unit=unit, t=number(ld.offered_from, lang, digits=0))


def _load_item(ld: Load, scenario: Any, lang: str) -> str:
    return S[lang]["load_item"].format(step=step_name(scenario, ld.step),
                                       rho=number(ld.offered or 0.0, lang, digits=2),
                                       since=_since(ld, scenario, lang))


def _shield_lines(findings: Findings, scenario: Any, lang: str) -> list[Said]:
    """One sentence per bottleneck for all the steps it shields, not one per step."""
    s = S[lang]
    groups: dict[tuple[str, ...], list[Shield]] = {}
    for sh in findings.shielded:
        groups.setdefault(sh.upstream, []).append(sh)
    overloaded = {ld.step for ld in findings.overloaded}
    lines = []
    for upstream, shields in groups.items():
        many = "many" if len(shields) > 1 else "one"
        drops = sorted(sh.drop for sh in shields)
        drop = percent(drops[0], lang)
        if percent(drops[0], lang) != percent(drops[-1], lang):
            drop = f"{number(100 * drops[0], lang, digits=0)}-{percent(drops[-1], lang)}"
        text = s["shielded"].format(
            steps=_join([step_name(scenario, sh.step) for sh in shields], lang),
            gets=s[f"gets_{many}"], drop=drop, them=s[f"them_{many}"],
            jams=s["jams_many" if len(upstream) > 1 else "jams_one"],
            upstream=_join([step_name(scenario, u) for u in upstream], lang))
        heavy = [step_name(scenario, sh.step) for sh in shields if sh.step in overloaded]
        if heavy:
            would = s["would_many" if len(heavy) > 1 else "would_one"]
            text += " " + s["shield_extra"].format(steps=_join(heavy, lang), also=s["also"],
                                                   would=would)
        lines.append(Said("shielded", text[0].upper() + text[1:]))
    return lines


# -- the chain and the norms --------------------------------------------------------------------


def _join(items: list[str], lang: str, last: str | None = None) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (last or S[lang]["and"]) + items[-1]


def _duration(value: float, unit: str, lang: str) -> str:
    """'3 dagen' rather than '0,43 weken': a small duration in a smaller unit."""
    value, unit = readable_duration(value, unit)
    shown = number(value, lang)
    return f"{shown} {unit_for(1.0 if shown == '1' else value, unit, lang)}"  # "1 week", shown


def _lead_line(findings: Findings, scenario: Any, lang: str) -> str:
    s = S[lang]
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
    growing = [q for q in findings.backing_up if q.kind in ("step", "door")]
    if growing:
        waiting = sum(q.reading.level_end for q in growing)
        names = _join([step_name(scenario, q.queue) if q.kind == "step"
                       else _subject(q, scenario, lang) for q in growing], lang)
        text += " " + s["understated"].format(n=number(waiting, lang), steps=names)
    failure = sorted({step.failure_demand.case_type for step in getattr(scenario, "steps", ())
                      if getattr(step, "failure_demand", None) is not None})
    if failure:  # appeals against lateness are cases too, quick ones: say so next to the mean
        text += " " + s["lead_failure"].format(kinds=_join(failure, lang))
    return text


def _norm_line(nf: NormFinding, scenario: Any, lang: str) -> Said:
    """Whether one norm is met, with the share within its term and its interval."""
    s = S[lang]
    name = norm_title(nf.norm, scenario if isinstance(scenario, Scenario)
                      else getattr(scenario, "time_unit", "day"), lang)
    if not nf.share.n or not math.isfinite(nf.share.mean):
        return Said("norm_none", s["norm_none"].format(title=name))
    ci = ""
    if has_interval(nf.share):
        ci = s["norm_ci"].format(low=number(100 * max(nf.share.low, 0.0), lang, digits=0),
                                 high=number(100 * min(nf.share.high, 1.0), lang, digits=0))
    key = "norm_met" if nf.met.by_lower_bound else "norm_mean" if nf.met.in_mean else "norm_not"
    return Said(key, s[key].format(title=name, pct=percent(nf.share.mean, lang), ci=ci))

"""Checks of the keys that say how to judge a chain: norms (``[[norm]]``) and costs.

None of these change what the engine simulates; they say which shares of
cases must be in time (a beslistermijn or duurnorm) and what capacity and
cases cost, so that results, comparisons and sweeps can report them. They
are checked as strictly as the chain itself: a misspelt ``withn`` must not
silently drop a norm from every report.
"""

from __future__ import annotations

from typing import Any

from ketensim.scenario.model import CostSettings, Norm
from ketensim.scenario.schema import fields
from ketensim.scenario.schema.fields import MISSING, Ctx, one_of

NORM_KINDS = ("wait", "lead_time")
NORM_REQUIRED = ("kind", "within", "share")
NORM_OPTIONAL = ("id", "step", "label")
COST_KEYS = ("sharing", "currency")
SHARING = ("use", "equal")
PARTNER_COST_KEYS = ("cost_per_server",)
STEP_COST_KEYS = ("cost_per_server", "cost_per_case")


def norm(ctx: Ctx, data: dict[str, Any], ident: str | None, steps: tuple[str, ...],
         window: float | None) -> Norm | None:
    """One ``[[norm]]``: ``share`` of the cases within ``within`` (wait at a step, or lead time).

    Args:
        ctx: where the table sits.
        data: the table.
        ident: its id, None when unusable.
        steps: the step ids a wait norm may name.
        window: ``horizon - warmup`` when both are valid: a norm's term must fit
            in it, or no case could be judged.
    """
    before = ctx.count
    fields.table(ctx, data, NORM_REQUIRED, NORM_OPTIONAL)
    kind = fields.get(ctx, data, "kind", _kind)
    within = fields.get(ctx, data, "within", _within(window))
    share = fields.get(ctx, data, "share",
                       lambda c, v: fields.number(c, v, 0.0, above=True, high=1.0))
    step = fields.get(ctx, data, "step", fields.reference("step", steps))
    label = fields.get(ctx, data, "label", fields.text)
    if kind == "wait" and data.get("step", MISSING) is MISSING:
        ctx.at("step").fail("missing required key for a wait norm",
                            "the step whose waiting time the norm is about", None)
    if kind == "lead_time" and "step" in data:
        ctx.at("step").fail("a lead_time norm is about the whole chain",
                            'no step (or kind = "wait")', data["step"])
    if ident is None or ctx.count > before:
        return None
    return Norm(ident, kind, within, share, step, label)


def _kind(ctx: Ctx, value: Any) -> str | None:
    if not isinstance(value, str) or value not in NORM_KINDS:
        ctx.fail("unknown kind of norm", one_of(NORM_KINDS), value)
        return None
    return value


def _within(window: float | None) -> Any:
    def check(ctx: Ctx, value: Any) -> float | None:
        within = fields.number(ctx, value, 0.0, above=True)
        if within is not None and window is not None and within >= window:
            ctx.fail("must be shorter than the time after the warm-up (horizon - warmup), "
                     "or no case can be judged", f"a number < {window:g}", value)
            return None
        return within

    return check


def costs(ctx: Ctx, data: dict[str, Any]) -> CostSettings | None:
    """The ``[costs]`` table: how the partners share the bill, and in what currency."""
    before = ctx.count
    fields.table(ctx, data, (), COST_KEYS)
    sharing = fields.get(ctx, data, "sharing", _sharing, "use")
    currency = fields.get(ctx, data, "currency", fields.text, "EUR")
    if ctx.count > before:
        return None
    return CostSettings(sharing, currency)


def _sharing(ctx: Ctx, value: Any) -> str | None:
    if not isinstance(value, str) or value not in SHARING:
        ctx.fail("unknown sharing rule", one_of(SHARING), value)
        return None
    return value


def money(ctx: Ctx, value: Any) -> float | None:
    """A cost rate: a number >= 0 (per server per time unit, or per case)."""
    return fields.number(ctx, value, 0.0)


def cost_rates(ctx: Ctx, data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, float]:
    """The cost keys a partner or step table holds, checked (absent keys are left out)."""
    out = {}
    for key in keys:
        value = fields.get(ctx, data, key, money)
        if value is not None:
            out[key] = value
    return out

"""The chain as a picture: partners as columns, steps as boxes, flows as arrows.

A policy maker recognises his chain before he trusts any number about it.
This diagram shows who does what (steps grouped under their partner), how
much work flows where (cases per time unit from the traffic equations), and
where the chain cannot keep up (boxes coloured by offered load). Left to
right follows the work: a partner's column sits at the depth where its first
step is reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ketensim.present.pictures.style import framed_figure, styled, wrap
from ketensim.present.words import i18n
from ketensim.scenario import traffic

BOX_W, BOX_H, COL_GAP, ROW_GAP = 2.1, 1.05, 1.3, 0.5
EXIT_LINE = 0.2  # height of one line of the exit note under a box
NOTE_CHARS = 28  # longer exit lines break before the rate, to stay inside the partner column
LOAD_COLOURS = ((0.8, "#a6dba0"), (1.0, "#fdb863"), (math.inf, "#ef6f6c"))
GREY = "#dddddd"


@dataclass
class _Node:
    key: str
    x: float
    y: float
    text: str
    colour: str
    col: int = 0
    note: str = ""
    ins: list[tuple[float, str]] = field(default_factory=list)  # (other y, edge id)
    outs: list[tuple[float, str]] = field(default_factory=list)


def load_colour(rho: float | None) -> str:
    """Green below 0.8, orange up to 1, red from 1 on (the step cannot keep up)."""
    if rho is None or math.isnan(rho):
        return GREY
    return next((colour for limit, colour in LOAD_COLOURS if rho < limit), LOAD_COLOURS[-1][1])


def _phase_scenario(scenario: Any, at: float | None) -> tuple[Any, Any, float]:
    """The scenario as it stands at ``at`` (events applied) and its loads, if solvable."""
    start = 0.0
    current = scenario
    for ev in sorted(scenario.events, key=lambda e: e.at):
        if at is not None and ev.at <= at and ev.at < scenario.horizon:
            current = current.apply(ev.changes)
            start = max(start, float(ev.at))
    phase = None
    try:
        phases = traffic.phases(scenario)
        phase = next((p for p in reversed(phases) if p.start <= start + 1e-9), phases[0])
    except ValueError:  # a loop the equations cannot solve: the diagram shows no load
        phase = None
    return current, phase, start


def _depths(scenario: Any) -> dict[str, int]:
    """Fewest hand-overs from an arrival to each step (unreached steps last)."""
    depth = {a.to: 0 for a in scenario.arrivals}
    todo = list(depth)
    while todo:
        sid = todo.pop(0)
        for r in scenario.step(sid).routes:
            if not r.is_exit and r.to in scenario.step_ids and r.to not in depth:
                depth[r.to] = depth[sid] + 1
                todo.append(r.to)
    last = max(depth.values(), default=0) + 1
    return {s.id: depth.get(s.id, last) for s in scenario.steps}


def _columns(scenario: Any) -> list[tuple[Any, list[list[Any]]]]:
    """Partners left to right by the depth of their first step.

    Within a partner, steps one after another stand side by side (one
    sub-column per depth), steps at the same depth (alternatives) are stacked.
    """
    depth = _depths(scenario)
    order = {s.id: i for i, s in enumerate(scenario.steps)}
    cols = []
    for i, p in enumerate(scenario.partners):
        steps = sorted((s for s in scenario.steps if s.partner == p.id),
                       key=lambda s: (depth[s.id], order[s.id]))
        if steps:
            levels = [[s for s in steps if depth[s.id] == d]
                      for d in sorted({depth[s.id] for s in steps})]
            cols.append((depth[steps[0].id], i, p, levels))
    cols.sort(key=lambda c: (c[0], c[1]))
    return [(p, levels) for _, _, p, levels in cols]


def _stack(heights: list[float]) -> list[float]:
    """Tops of slots of the given heights, stacked and centred on y = 0."""
    total = sum(heights) + ROW_GAP * (len(heights) - 1)
    tops, top = [], total / 2
    for h in heights:
        tops.append(top)
        top -= h + ROW_GAP
    return tops


def _flows(current: Any, phase: Any
           ) -> tuple[list[tuple[str, str, float]], dict[str, list[tuple[str, float]]]]:
    """Step-to-step edges (from, to, cases per time unit) and each step's exits by outcome."""
    lam = {ld.step: ld.arrival_rate for ld in phase.loads} if phase is not None else {}
    edges: list[tuple[str, str, float]] = []
    exits: dict[str, list[tuple[str, float]]] = {}
    for step in current.steps:
        rate = lam.get(step.id, math.nan)
        for r in step.effective_routes:
            if r.is_exit:
                exits.setdefault(step.id, []).append((r.exit_outcome, rate * r.p))
                if r.reenter is not None:
                    edges.append((step.id, r.reenter.to, rate * r.p * r.reenter.p))
            elif r.to != step.id:
                edges.append((step.id, r.to, rate * r.p * (1 - r.returned)))
    for a in current.arrivals:
        rate = a.rate if a.times is None else len(a.times) / max(current.horizon, 1e-9)
        edges.insert(0, ("in:" + a.id, a.to, rate))
    return edges, exits


def _box_text(step: Any, rho: float | None, lang: str) -> str:
    lines = [wrap(step.label, 20)]
    if rho is not None:
        lines.append(f"{i18n.label('load', lang)} {i18n.number(rho, lang, digits=2)}")
    lines.append(f"{i18n.label('capacity', lang)} {step.capacity}")
    return "\n".join(lines)


def _exit_text(exits: list[tuple[str, float]], per: str, lang: str) -> str:
    """The cases leaving the chain at a step, one outcome a line, under its box."""
    lines = []
    for outcome, rate in exits:
        name = outcome.replace("_", " ")
        amount = f" {i18n.number(rate, lang)}{per}" if math.isfinite(rate) else ""
        line = f"→ {name}{amount}"
        lines.append(line if len(line) <= NOTE_CHARS else f"→ {name}\n   {amount.strip()}")
    return "\n".join(lines)


def _inflow_name(arrival: Any, several: bool, lang: str) -> str:
    if not several:
        return i18n.label("inflow", lang)
    return wrap(arrival.id.replace("_", " ").capitalize(), 18)


Group = tuple[float, float, float, float, str]  # x left, x right, y top, y bottom, partner


def _layout(current: Any, phase: Any, lang: str, exits: dict[str, list[tuple[str, float]]],
            per: str) -> tuple[dict[str, _Node], list[Group]]:
    nodes: dict[str, _Node] = {}
    loads = {ld.step: ld.rho for ld in phase.loads} if phase is not None else {}
    pitch = BOX_W + COL_GAP
    groups: list[Group] = []
    c = 0
    for partner, levels in _columns(current):
        first, tops_all, bottoms = c + 1, [], []
        for steps in levels:
            c += 1
            notes = [_exit_text(exits.get(s.id, []), per, lang) for s in steps]
            heights = [BOX_H + (EXIT_LINE * (n.count("\n") + 1) + 0.1 if n else 0)
                       for n in notes]
            tops = _stack(heights)
            for step, top, note in zip(steps, tops, notes, strict=True):
                rho = loads.get(step.id)
                nodes[step.id] = _Node(step.id, c * pitch, top - BOX_H / 2,
                                       _box_text(step, rho, lang), load_colour(rho), c, note)
            tops_all.append(tops[0])
            bottoms.append(tops[-1] - heights[-1])
        groups.append((first * pitch, c * pitch, max(tops_all), min(bottoms), partner.label))
    arrivals = current.arrivals
    for a, top in zip(arrivals, _stack([BOX_H] * len(arrivals)), strict=True):
        nodes["in:" + a.id] = _Node("in:" + a.id, 0.0, top - BOX_H / 2,
                                    _inflow_name(a, len(arrivals) > 1, lang), "#ffffff", 0)
    return nodes, groups


def _draw_box(ax: Axes, node: _Node, source: bool) -> None:
    style = "round,pad=0.02,rounding_size=0.12"
    edge = "#888888" if source else "#333333"
    ax.add_patch(FancyBboxPatch((node.x - BOX_W / 2, node.y - BOX_H / 2), BOX_W, BOX_H,
                                boxstyle=style, fc=node.colour, ec=edge, lw=1.2, zorder=3,
                                ls="--" if source else "-"))
    ax.text(node.x, node.y, node.text, ha="center", va="center", fontsize=10, zorder=4,
            linespacing=1.25)
    if node.note:
        ax.text(node.x - BOX_W / 2 + 0.08, node.y - BOX_H / 2 - 0.07, node.note, ha="left",
                va="top", fontsize=9, color="#333333", zorder=4, linespacing=1.2)


def _port(node: _Node, side: str, edge_id: str) -> tuple[float, float]:
    """Where an arrow meets a box: spread along the side, ordered by the other end's height."""
    ports = sorted(node.ins if side == "in" else node.outs, key=lambda p: -p[0])
    k = next(i for i, (_, eid) in enumerate(ports) if eid == edge_id)
    n = len(ports)
    dy = (k - (n - 1) / 2) * min(0.22, 0.8 * BOX_H / max(n, 1))
    dx = -BOX_W / 2 if side == "in" else BOX_W / 2
    return node.x + dx, node.y - dy


class _Router:
    """Paths for arrows: straight between neighbouring columns, around the boxes otherwise.

    An arrow that skips a column runs along its own lane below the diagram
    (forward) or above it (back to an earlier step), so no arrow crosses a box
    and no two labels share a spot.
    """

    def __init__(self, low: float, high: float):
        self.low = low - 0.45
        self.high = high + 0.45
        self.lanes = {"below": 0, "above": 0}
        self.gaps: dict[float, int] = {}

    def _gap_x(self, x: float, side: int) -> float:
        key = round(x + side * (BOX_W / 2), 6)
        k = self.gaps.get(key, 0)
        self.gaps[key] = k + 1
        return x + side * (BOX_W / 2 + 0.3 + 0.14 * k)

    def route(self, a: _Node, b: _Node, p1: tuple[float, float], p2: tuple[float, float]
              ) -> tuple[list[tuple[float, float]], tuple[float, float]]:
        """Waypoints from ``p1`` to ``p2`` and the spot for the flow label."""
        if b.col == a.col + 1:
            share = 0.55 if a.key.startswith("in:") else 0.5
            return [p1, p2], (p1[0] + share * (p2[0] - p1[0]), p1[1] + share * (p2[1] - p1[1]))
        x1 = self._gap_x(a.x, 1)
        if b.col == a.col:  # within one partner: down (or up) the right-hand side
            end = (b.x + BOX_W / 2, b.y + (0.3 if b.y < a.y else -0.3) * BOX_H)
            return [p1, (x1, p1[1]), (x1, end[1]), end], (x1, (p1[1] + end[1]) / 2)
        side = "below" if b.col > a.col else "above"
        k = self.lanes[side]
        self.lanes[side] += 1
        y = self.low - 0.42 * k if side == "below" else self.high + 0.42 * k
        x2 = self._gap_x(b.x, -1)
        return [p1, (x1, p1[1]), (x1, y), (x2, y), (x2, p2[1]), p2], ((x1 + x2) / 2, y)


def _plan_edges(nodes: dict[str, _Node], edges: list[tuple[str, str, float]], low: float,
                high: float) -> list[tuple[list[tuple[float, float]], tuple[float, float], float]]:
    """The path, label spot and rate of every flow; lanes run below ``low`` or above ``high``."""
    for k, (src, dst, _) in enumerate(edges):
        a, b = nodes[src], nodes[dst]
        lane = 0.0 if abs(b.col - a.col - 0.5) <= 0.5 else (-1e6 if b.col > a.col else 1e6)
        a.outs.append((b.y + lane, str(k)))
        b.ins.append((a.y + lane, str(k)))
    router = _Router(low, high)
    plans = []
    for k, (src, dst, rate) in enumerate(edges):
        a, b = nodes[src], nodes[dst]
        points, spot = router.route(a, b, _port(a, "out", str(k)), _port(b, "in", str(k)))
        plans.append((points, spot, rate))
    return plans


def _draw_edges(ax: Axes, plans: list[tuple[list[tuple[float, float]], tuple[float, float],
                                            float]], per: str, lang: str) -> None:
    top = max((r for _, _, r in plans if math.isfinite(r)), default=1.0) or 1.0
    for points, spot, rate in plans:
        lw = 1.0 + 4.0 * (rate / top if math.isfinite(rate) else 0.0)
        idle = rate == 0  # a route nobody takes any more: keep it visible, but faint
        codes = [Path.MOVETO] + [Path.LINETO] * (len(points) - 1)
        ax.add_patch(FancyArrowPatch(path=Path(points, codes), arrowstyle="-|>",
                                     mutation_scale=16, lw=lw, zorder=2, joinstyle="round",
                                     capstyle="butt", color="#b0b0b0" if idle else "#4a4a4a",
                                     ls="--" if idle else "-"))
        if math.isfinite(rate):
            ax.text(*spot, i18n.number(rate, lang) + per, ha="center", va="center",
                    fontsize=9.5, zorder=5,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                          "alpha": 0.92})


@styled
def chain_diagram(scenario: Any, lang: str = "nl", at: float | None = None) -> Figure:
    """Steps grouped by partner with flows and offered load, as the chain stands at ``at``.

    Args:
        scenario: the scenario (model dataclasses).
        lang: ``nl`` or ``en``.
        at: show the chain after the interventions up to this time; ``None`` for the start.
    """
    current, phase, start = _phase_scenario(scenario, at)
    unit = i18n.unit_name(current.time_unit, lang)
    per = i18n.label("per_unit", lang, unit=unit)
    edges, exits = _flows(current, phase)
    nodes, groups = _layout(current, phase, lang, exits, per)
    title = i18n.label("chain_title", lang) if at is None else \
        i18n.label("chain_title_at", lang, unit=unit, at=i18n.number(start, lang, digits=0))
    bottom = min([n.y - BOX_H / 2 for n in nodes.values()] + [g[3] - 0.2 for g in groups])
    top = max([n.y + BOX_H / 2 for n in nodes.values()] + [g[2] + 0.55 for g in groups])
    plans = _plan_edges(nodes, edges, bottom, top)
    xs = [n.x - BOX_W / 2 for n in nodes.values()] + [n.x + BOX_W / 2 for n in nodes.values()]
    xs += [p[0] for pts, _, _ in plans for p in pts]
    ys = [bottom, top] + [p[1] for pts, _, _ in plans for p in pts]
    x0, x1 = min(xs) - 0.3, max(xs) + 0.5
    y0, y1 = min(ys) - 0.3, max(ys) + 0.3
    fig, body = framed_figure(max(8.0, x1 - x0 + 0.4), max(3.0, y1 - y0 + 0.4), title,
                              i18n.label("chain_sub", lang, unit=unit))
    ax = body.subplots()
    ax.set_axis_off()
    for x_left, x_right, y_top, y_bottom, name in groups:
        ax.add_patch(FancyBboxPatch((x_left - BOX_W / 2 - 0.2, y_bottom - 0.15),
                                    x_right - x_left + BOX_W + 0.4, y_top - y_bottom + 0.7,
                                    boxstyle="round,pad=0.02", fc="#f1f1f1", ec="#cccccc",
                                    zorder=1))
        ax.text((x_left + x_right) / 2, y_top + 0.3, wrap(name, 24), ha="center", va="center",
                fontsize=11, fontweight="bold", zorder=4)
    for node in nodes.values():
        _draw_box(ax, node, node.key.startswith("in:"))
    _draw_edges(ax, plans, per, lang)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return fig

"""The animated picture of a chain: boxes, queue bars, a clock and the interventions.

What one frame of ``ketensim animate`` shows, kept apart from simulating and
writing files (``animate.py``): the steps as boxes left to right along the
routing, grouped by partner; over each box a bar for the cases waiting there;
in the box the cases in service out of the capacity; a clock; and the
interventions as a banner from their moment on, with the steps they change
outlined. Only ``matplotlib.figure`` is used (no pyplot), so nothing global
changes.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.ticker import MaxNLocator
from PIL import Image

from ketensim.present.pictures.style import WARMUP_COLOUR, partner_colours, styled
from ketensim.present.words import i18n

SIZE = (12.0, 6.75)  # inches: 16:9, 960 x 540 pixels at the default dpi
DPI = 80
HIGHLIGHT = "#e07b00"  # interventions: banner and outline of the steps they change
MIN_SLOTS = 4  # the width of the picture is shared by at least this many steps
BODY_WIDTH = 0.91  # share of the figure's width taken by the bars and the boxes
TITLE_CHARS = 55  # longer titles get a smaller font, so they stay clear of the clock
FRESH_SHARE = 0.06  # share of the horizon during which a new intervention's banner is bright

TEXT = {
    "nl": {
        "sub": "Staaf: zaken die wachten. Vak: zaken in behandeling van de capaciteit.\n"
               "Eén herhaling (nr. {rep}, seed {seed}).",
        "queue": "wachtende zaken",
        "busy": "bezig {busy} van {cap}",
        "closed": "gesloten",
        "of": "van {horizon}",
        "warmup": "opwarmperiode",
        "outline": "Oranje rand: schakel die een ingreep raakt.",
    },
    "en": {
        "sub": "Bar: cases waiting. Box: cases in service out of the capacity.\n"
               "One replication (no. {rep}, seed {seed}).",
        "queue": "cases waiting",
        "busy": "busy {busy} of {cap}",
        "closed": "closed",
        "of": "of {horizon}",
        "warmup": "warm-up",
        "outline": "Orange outline: a step an intervention changes.",
    },
}


@dataclass(frozen=True)
class Track:
    """One replication's state at each frame, steps in scenario order.

    Attributes:
        t: frame times, shape (frames,).
        queue: cases waiting, shape (steps, frames).
        in_service: cases in service, shape (steps, frames).
        capacity: servers, shape (steps, frames).
        replication: which replication this is.
        seed: the run's seed.
    """

    t: np.ndarray
    queue: np.ndarray
    in_service: np.ndarray
    capacity: np.ndarray
    replication: int
    seed: int


# -- layout ----------------------------------------------------------------------------------


def step_order(scenario: Any) -> list[Any]:
    """Steps left to right: partners by how early the work reaches them, then their steps.

    Depth is the fewest hand-overs from an inflow; a partner sits where its
    first step is reached, so the picture reads in the direction of the work.
    """
    depth = {a.to: 0 for a in scenario.arrivals}
    todo = list(depth)
    while todo:
        sid = todo.pop(0)
        for route in scenario.step(sid).routes:
            if not route.is_exit and route.to not in depth:
                depth[route.to] = depth[sid] + 1
                todo.append(route.to)
    last = max(depth.values(), default=0) + 1
    file_order = {s.id: i for i, s in enumerate(scenario.steps)}
    partner_rank = {p.id: i for i, p in enumerate(scenario.partners)}

    def key(step: Any) -> tuple[int, int, int, int]:
        first = min(depth.get(s.id, last) for s in scenario.steps if s.partner == step.partner)
        return (first, partner_rank.get(step.partner, 0), depth.get(step.id, last),
                file_order[step.id])

    return sorted(scenario.steps, key=key)


def affected_steps(scenario: Any, event: Any) -> set[str]:
    """The steps an intervention changes: its ``step.*`` keys, and where changed inflow enters."""
    out: set[str] = set()
    for ch in event.changes:
        if ch.kind == "step":
            out.add(ch.target)
        elif ch.kind == "arrival":
            out.add(scenario.arrival(ch.target).to)
    return out


def nice_ceiling(value: float) -> float:
    """A round axis top at or above ``value``, at most a quarter above it (101 -> 125)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= value)


# -- the picture ------------------------------------------------------------------------------


class Scene:
    """The artists of one animation, and how to move them to a given frame.

    The static parts (axes, step names, partner bands, timeline) are drawn
    once and kept as a background; a frame restores that background and paints
    only what moves (bars, counts, gauges, clock, banner, outlines). That is
    what makes a few hundred frames render in seconds rather than minutes.
    With ``blit=False`` every frame is drawn whole, for writers that redraw
    the figure themselves (ffmpeg).
    """

    @styled
    def __init__(self, scenario: Any, track: Track, lang: str = "nl", blit: bool = True) -> None:
        self.scenario, self.track, self.lang = scenario, track, i18n.check_lang(lang)
        self.words = TEXT[lang]
        self.unit = i18n.unit_name(scenario.time_unit, lang)
        self.order = step_order(scenario)
        index = {sid: i for i, sid in enumerate(scenario.step_ids)}
        self.rows = [index[s.id] for s in self.order]
        self.events = sorted(scenario.events, key=lambda e: e.at)
        self.colours = partner_colours(scenario)
        self.fig = Figure(figsize=SIZE, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.moving: list[Any] = []
        self._header()
        self._bars(self.fig.add_axes((0.07, 0.38, BODY_WIDTH, 0.34)))
        self._boxes(self.fig.add_axes((0.07, 0.115, BODY_WIDTH, 0.245)))
        self._timeline(self.fig.add_axes((0.07, 0.05, BODY_WIDTH, 0.025)))
        for artist in self.moving:
            artist.set_animated(blit)
        self.background = None
        if blit:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def _xspan(self) -> tuple[float, float]:
        """Room for at least four steps, so one or two steps do not become huge slabs."""
        pad = max(0.0, (MIN_SLOTS - len(self.order)) / 2)
        return -0.5 - pad, len(self.order) - 0.5 + pad

    @property
    def font(self) -> float:
        """Font size in the boxes: 11 points up to five steps, smaller for more, never tiny."""
        return max(9.0, 11.0 * min(1.0, 5 / max(len(self.order), 1)))

    def _chars(self) -> int:
        """Characters that fit on one line of a box at :attr:`font` (a bold letter ~0.62 em)."""
        box_px = 0.88 * BODY_WIDTH * SIZE[0] * DPI / max(len(self.order), MIN_SLOTS)
        return max(8, int(box_px / (0.62 * self.font * DPI / 72)))

    def _moving(self, artist: Any) -> Any:
        self.moving.append(artist)
        return artist

    # -- static parts, and the moving artists that sit on them --
    def _header(self) -> None:
        sc, tr, fig = self.scenario, self.track, self.fig
        # A long title shrinks rather than running into the clock.
        size = min(18.0, max(12.0, 18.0 * TITLE_CHARS / max(len(sc.label), 1)))
        fig.text(0.015, 0.965, sc.label, fontsize=size, fontweight="bold", va="top")
        sub = self.words["sub"].format(rep=tr.replication, seed=tr.seed)
        if self.events:
            sub += " " + self.words["outline"]
        fig.text(0.015, 0.905, sub, fontsize=11, color="#444444", va="top", linespacing=1.4)
        self.clock = self._moving(fig.text(0.985, 0.965, "", fontsize=24, fontweight="bold",
                                           ha="right", va="top"))
        horizon = i18n.number(float(sc.horizon), self.lang)
        fig.text(0.985, 0.885, self.words["of"].format(horizon=horizon), fontsize=11,
                 color="#444444", ha="right", va="top")
        self.banner = self._moving(fig.text(
            0.07, 0.815, "", fontsize=12, va="top", ha="left", visible=False,
            bbox={"boxstyle": "round,pad=0.35", "fc": "#ffe2b8", "ec": HIGHLIGHT, "lw": 1.5}))

    def _bars(self, ax: Axes) -> None:
        top = nice_ceiling(float(np.nanmax(self.track.queue)) if self.track.queue.size else 0.0)
        ax.set_xlim(*self._xspan())
        ax.set_ylim(0, top * 1.18)
        ax.set_xticks([])
        ax.set_ylabel(self.words["queue"])
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))  # cases come whole
        ax.yaxis.set_major_formatter(lambda v, _pos: i18n.number(v, self.lang))
        self.bars, self.counts = [], []
        for x, step in enumerate(self.order):
            self.bars.append(self._moving(ax.add_patch(Rectangle(
                (x - 0.28, 0), 0.56, 0, fc=self.colours[step.partner], ec="none", alpha=0.9,
                zorder=3))))
            self.counts.append(self._moving(ax.text(
                x, 0, "", ha="center", va="bottom", fontsize=self.font + 2, fontweight="bold",
                zorder=4)))

    def _boxes(self, ax: Axes) -> None:
        ax.set_xlim(*self._xspan())
        ax.set_ylim(-0.55, 1.0)
        ax.axis("off")
        width = self._chars()
        self.busy, self.gauges, self.outlines = [], [], []
        for x, step in enumerate(self.order):
            colour = self.colours[step.partner]
            ax.add_patch(FancyBboxPatch((x - 0.44, 0.0), 0.88, 0.95, fc="white", ec=colour,
                                        lw=2, boxstyle="round,pad=0,rounding_size=0.06"))
            ax.text(x, 0.88, _fill(step.label, width), ha="center", va="top",
                    fontsize=self.font, fontweight="bold", linespacing=1.05)
            ax.add_patch(Rectangle((x - 0.36, 0.07), 0.72, 0.09, fc="#e6e6e6", ec="none"))
            self.gauges.append(self._moving(ax.add_patch(Rectangle(
                (x - 0.36, 0.07), 0, 0.09, fc=colour, ec="none", alpha=0.8))))
            self.busy.append(self._moving(ax.text(x, 0.2, "", ha="center", va="bottom",
                                                  fontsize=self.font - 0.5, color="#333333")))
            self.outlines.append(self._moving(ax.add_patch(FancyBboxPatch(
                (x - 0.44, 0.0), 0.88, 0.95, fc="none", ec=HIGHLIGHT, lw=5, visible=False,
                boxstyle="round,pad=0,rounding_size=0.06", zorder=5))))
        self._partner_bands(ax, width)

    def _partner_bands(self, ax: Axes, width: int) -> None:
        """One coloured band under the boxes of each partner, with its name."""
        start = 0
        for x in range(1, len(self.order) + 1):
            if x < len(self.order) and self.order[x].partner == self.order[start].partner:
                continue
            pid = self.order[start].partner
            partner = next((p for p in self.scenario.partners if p.id == pid), None)
            name = partner.label if partner is not None else pid
            ax.add_patch(Rectangle((start - 0.46, -0.2), x - start - 0.08, 0.1,
                                   fc=self.colours[pid], ec="none"))
            ax.text((start + x - 1) / 2, -0.27, _fill(name, width * (x - start)),
                    ha="center", va="top", fontsize=self.font, color=self.colours[pid])
            start = x

    def _timeline(self, ax: Axes) -> None:
        horizon = float(self.scenario.horizon)
        ax.set_xlim(0, horizon)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.grid(False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=9)
        ax.xaxis.set_major_formatter(lambda v, _pos: i18n.number(v, self.lang))
        ax.add_patch(Rectangle((0, 0.3), horizon, 0.4, fc="#e6e6e6", ec="none"))
        warmup = float(self.scenario.warmup)
        if warmup > 0:
            ax.axvspan(0, warmup, color=WARMUP_COLOUR, alpha=0.3, lw=0, zorder=4)
            ax.text(0, 1.25, self.words["warmup"], ha="left", va="bottom",
                    fontsize=9, color="#666666")
        for ev in self.events:
            ax.axvline(ev.at, color=HIGHLIGHT, lw=2.5, zorder=5)
        self.progress = self._moving(ax.add_patch(Rectangle((0, 0.3), 0, 0.4, fc="#555555",
                                                            ec="none", zorder=3)))

    # -- one frame --
    def show(self, k: int) -> None:
        """Move every artist to frame ``k`` (and paint it, when blitting)."""
        tr, lang = self.track, self.lang
        now = float(tr.t[k])
        self.clock.set_text(f"{self.unit} {i18n.number(math.floor(now + 1e-9), lang, digits=0)}")
        self.progress.set_width(now)
        touched = self._show_events(now)
        for x, (row, step) in enumerate(zip(self.rows, self.order, strict=True)):
            q, busy = float(tr.queue[row, k]), float(tr.in_service[row, k])
            cap = float(tr.capacity[row, k])
            self.bars[x].set_height(q)
            self.counts[x].set_position((x, q))
            self.counts[x].set_text(i18n.number(q, lang, digits=0))
            self.gauges[x].set_width(0.72 * min(1.0, busy / cap) if cap > 0 else 0.0)
            self.busy[x].set_text(self.words["busy"].format(
                busy=i18n.number(busy, lang, digits=0), cap=i18n.number(cap, lang, digits=0))
                if cap > 0 else self.words["closed"])
            self.outlines[x].set_visible(step.id in touched)
        if self.background is not None:
            self.canvas.restore_region(self.background)
            for artist in self.moving:
                self.fig.draw_artist(artist)
        else:
            self.canvas.draw()

    def _show_events(self, now: float) -> set[str]:
        """Banner with the interventions so far (latest three); return the steps they touched."""
        done = [ev for ev in self.events if ev.at <= now + 1e-9]
        self.banner.set_visible(bool(done))
        if not done:
            return set()
        lines = [f"{self.unit} {i18n.number(float(ev.at), self.lang)}: {ev.title}"
                 for ev in done[-3:]]
        self.banner.set_text("\n".join(lines))
        fresh = now - done[-1].at <= FRESH_SHARE * float(self.scenario.horizon)
        self.banner.get_bbox_patch().set_facecolor("#ffd38a" if fresh else "#fff1de")
        return set().union(*(affected_steps(self.scenario, ev) for ev in done))

    def image(self) -> Image.Image:
        """The frame as shown now, as an RGB image."""
        return Image.fromarray(np.asarray(self.canvas.buffer_rgba())[..., :3])


def _fill(text: str, width: int) -> str:
    """Wrap at spaces only: a name broken inside a word ("Verpleegafdelin g") reads badly."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False) or text

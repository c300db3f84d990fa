"""The look shared by every ketensim picture: headings, colours, events, warm-up.

Pictures are read by non-specialists, often on a projector, so fonts are
large, every picture says in its heading what it shows, and the same
partner has the same colour in every picture. Only ``matplotlib.figure``
is used (no pyplot): no global state, safe in threads and on servers.
"""

from __future__ import annotations

import functools
import inspect
import math
import textwrap
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, ScalarFormatter

from ketensim.present.words import i18n

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

RC: dict[RcKeyType, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.7,
    "axes.axisbelow": True,
    "svg.fonttype": "none",
    "text.parse_math": False,  # a name like "$x$" is text from a file, never a formula
}
PARTNER_COLOURS = ("#1f5f99", "#c2571a", "#2e8540", "#8e3b8f", "#a3303f", "#6b6b1f",
                   "#1d8a8a", "#7a5230", "#4d4d4d", "#b8860b")
SCENARIO_COLOURS = ("#6f6f6f", "#d95f02", "#1f78b4", "#33a02c", "#e7298a", "#7570b3",
                    "#a6761d", "#666666")
EVENT_COLOUR = "#555555"
WARMUP_COLOUR = "#999999"
HEADER_INCHES = 0.9
MAX_LABELS = 20  # event titles in one picture; more lines are drawn, not all named

P = ParamSpec("P")
R = TypeVar("R")


def styled(fn: Callable[P, R]) -> Callable[P, R]:
    """Build the figure under the house style, without touching global settings.

    The figure's plain number axes then get tick labels in the language of
    the function's ``lang`` argument (``1.250`` and ``2,5`` in Dutch), so no
    picture in a Dutch report shows English decimals.
    """
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(RC):
            made = fn(*args, **kwargs)
        bound = signature.bind_partial(*args, **kwargs)
        lang = bound.arguments.get("lang", signature.parameters.get("lang", _NO_LANG).default)
        if isinstance(made, Figure) and lang in i18n.LANGS:
            localise(made, lang)
        return made

    return wrapper


_NO_LANG = inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default="nl")


class TickText(Formatter):
    """Tick labels in the language's notation, with the decimals the ticks need.

    ``8.200`` and ``2,5`` in Dutch, ``8,200`` and ``2.5`` in English: a reader
    reads the axis like the tables. The fewest decimals that show every tick
    exactly are used (2,5 stays 2,5; 10, 20, 30 get none).
    """

    def __init__(self, lang: str = "nl"):
        self.lang = lang
        self.ticks: list[float] = []

    def set_locs(self, locs: Any) -> None:
        self.ticks = [float(v) for v in locs if math.isfinite(v)]

    def __call__(self, x: float, pos: int | None = None) -> str:
        digits = next((d for d in range(7) if all(
            abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in self.ticks)), 6)
        return i18n.number(float(x), self.lang, digits=digits)


def localise(fig: Figure, lang: str) -> None:
    """Give every plain number axis of ``fig`` tick labels in ``lang`` (custom ones stay)."""
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter and axis.get_scale() == "linear":
                axis.set_major_formatter(TickText(lang))


def framed_figure(width: float, height: float, title: str,
                  subtitle: str = "") -> tuple[Figure, SubFigure]:
    """A figure with a heading (title and explanation) and a body to draw in.

    A heading in its own subfigure cannot collide with panel titles or event
    labels, whatever the body holds.
    """
    lines = textwrap.wrap(subtitle, width=int(width * 12.5)) if subtitle else []
    header = HEADER_INCHES + 0.2 * max(0, len(lines) - 1)
    fig = Figure(figsize=(width, height + header), layout="constrained")
    # two rows give an array of two subfigures; the stubs cannot tell that from the arguments
    top, body = cast("tuple[SubFigure, SubFigure]",
                     fig.subfigures(2, 1, height_ratios=[header, height]))
    top.text(0.01, 0.95, title, fontsize=16, fontweight="bold", va="top", ha="left")
    if lines:
        top.text(0.01, 0.95 - 0.4 / header * 0.9, "\n".join(lines), fontsize=11,
                 color="#444444", va="top", ha="left", linespacing=1.3)
    return fig, body


def partner_colours(scenario: Any) -> dict[str, str]:
    """Partner id -> colour, in the order partners appear in the scenario."""
    ids = [p.id for p in scenario.partners]
    ids += [s.partner for s in scenario.steps if s.partner not in ids]
    return {pid: PARTNER_COLOURS[i % len(PARTNER_COLOURS)] for i, pid in enumerate(ids)}


def ordered_steps(scenario: Any) -> list[Any]:
    """Steps grouped by partner (partners in file order), file order within a partner."""
    rank = {p.id: i for i, p in enumerate(scenario.partners)}
    indexed = list(enumerate(scenario.steps))
    indexed.sort(key=lambda pair: (rank.get(pair[1].partner, len(rank)), pair[0]))
    return [s for _, s in indexed]


def step_title(scenario: Any, step: Any) -> str:
    """'Stap (Partner)', the panel title the brief of every picture asks for."""
    partner = next((p for p in scenario.partners if p.id == step.partner), None)
    plabel = partner.label if partner is not None else step.partner
    return f"{step.label} ({plabel})"


def unit_label(scenario: Any, lang: str) -> str:
    """The time unit in plural, for axis labels: 'dagen'."""
    return i18n.unit_name(getattr(scenario, "time_unit", "day"), lang, plural=True)


def shade_warmup(ax: Axes, warmup: float) -> None:
    if warmup > 0:
        ax.axvspan(0, warmup, color=WARMUP_COLOUR, alpha=0.12, lw=0)


def draw_events(ax: Axes, events: Iterator[Any] | list[Any], labelled: bool,
                span: tuple[float, float], colour: str = EVENT_COLOUR) -> None:
    """Dashed lines at interventions; titles in the axes, staggered so close ones don't clash."""
    lo, hi = span
    width = max(hi - lo, 1e-9)
    shown = [ev for ev in sorted(events, key=lambda e: e.at) if lo <= ev.at <= hi]
    if shown:  # one collection for every line: a thousand events draw as fast as one
        ax.vlines([ev.at for ev in shown], 0, 1, transform=ax.get_xaxis_transform(),
                  colors=colour, linestyles="--", lw=1.3, zorder=3)
    if not labelled:
        return
    step = max(1, math.ceil(len(shown) / MAX_LABELS))
    # the panel's width in points, to tell which titles would run into each other
    bbox = ax.get_position()
    root = ax.get_figure(root=True)
    panel = max(bbox.width * (root.get_figwidth() if root is not None else 10.0) * 72, 1.0)
    taken: list[list[tuple[float, float]]] = [[] for _ in range(4)]
    placed = []
    for ev in shown[::step]:  # at most MAX_LABELS titles, spread over the run
        x = (ev.at - lo) / width
        right = x > 0.7
        lines = textwrap.wrap(ev.title, 24) or ["?"]
        w = (max(map(len, lines)) * 5.6 + 14) / panel  # 9.5 pt text and its box
        box = (x - w, x) if right else (x, x + w)
        level = next((k for k, row in enumerate(taken)
                      if all(box[1] <= a or box[0] >= b for a, b in row)),
                     min(range(4), key=lambda k: len(taken[k])))
        taken[level].append(box)
        placed.append((ev, lines, right, level))
    tall = [max((len(ln) for _, ln, _, k in placed if k == level), default=0) * 11.5 + 6
            for level in range(4)]  # each row of titles as high as its tallest title
    for ev, lines, right, level in placed:
        ax.annotate("\n".join(lines), xy=(ev.at, 0.97), xycoords=("data", "axes fraction"),
                    xytext=(-4 if right else 4, -sum(tall[:level])),
                    textcoords="offset points", ha="right" if right else "left", va="top",
                    fontsize=9.5, color="#222222", zorder=5,
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#bbbbbb",
                          "alpha": 0.9})


def legend_handles(lang: str, band: str | None, warmup: bool, events: bool,
                   colour: str = "#333333") -> list[Any]:
    """Legend entries explaining the marks every time chart uses."""
    handles: list[Any] = [Line2D([], [], color=colour, lw=2, label=i18n.label("mean", lang))]
    if band:
        handles.append(Patch(color=colour, alpha=0.25, label=band))
    if warmup:
        handles.append(Patch(color=WARMUP_COLOUR, alpha=0.25, label=i18n.label("warmup", lang)))
    if events:
        handles.append(Line2D([], [], color=EVENT_COLOUR, ls="--", lw=1.3,
                              label=i18n.label("event", lang)))
    return handles


def panel_grid(body: SubFigure, n: int, xlabel: str, sharex: bool = True) -> list[Axes]:
    """Small multiples: one column up to three panels, two columns beyond.

    The time axis is labelled under the lowest panel of each column (a
    figure-wide label would collide with a legend below the panels).
    """
    ncols = 1 if n <= 3 else 2
    nrows = -(-n // ncols)
    axes = body.subplots(nrows, ncols, sharex=sharex, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    for k, ax in enumerate(axes[:n]):
        below = k + ncols
        if below < n:
            ax.tick_params(labelbottom=False)
        else:
            ax.tick_params(labelbottom=True)
            ax.set_xlabel(xlabel)
    return axes[:n]


def grid_size(n: int) -> tuple[float, float]:
    """Width and body height in inches for ``n`` small multiples."""
    ncols = 1 if n <= 3 else 2
    nrows = -(-n // ncols)
    return (10.5 if ncols == 1 else 12.5), 0.9 + 2.3 * nrows


def wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text

"""Pictures: right content, right language, readable, written to disk."""

from __future__ import annotations

import ast
import dataclasses
import itertools
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
import synthetic
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

from ketensim.present.pictures import plots
from ketensim.present.pictures.diagram import load_colour
from ketensim.scenario.capacity import capacity_at
from ketensim.scenario.model import Change, Event

PACKAGE = Path(__file__).resolve().parents[2] / "ketensim"


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible texts whose boxes overlap (tick labels among themselves excluded)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    hidden = {id(label) for ax in fig.get_axes() for label in _hidden_tick_labels(ax)}
    boxes = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden:
            boxes.append((t.get_text(), t.get_window_extent(renderer).shrunk(0.96, 0.9)))
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2)
            if ba.overlaps(bb) and not (_tick(a) and _tick(b))]


def _hidden_tick_labels(ax) -> list[Text]:
    """Tick labels matplotlib keeps for ticks outside the view: they are never drawn."""
    out = []
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.get_major_ticks():
            if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                out += [tick.label1, tick.label2]
    return out


def _tick(text: str) -> bool:
    return text.replace(".", "").replace(",", "").replace("−", "").strip().isdigit()


@pytest.fixture(scope="module")
def run():
    return synthetic.results()


def test_backlog_chart_has_a_panel_per_step_titled_step_and_partner(run):
    fig = plots.backlog_chart(run.timeseries, run.scenario)
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == [
        "Opsporing (Politie)", "Beoordeling (Openbaar Ministerie)",
        "Zitting rechtbank (Rechtspraak)"]
    words = texts(fig)
    assert "Werkvoorraad per schakel door de tijd" in words
    assert "zaken in wachtrij" in words
    assert "tijd (dagen)" in words
    assert "meer rechercheurs" in words
    lines = [seg[0][0] for c in axes[0].collections if c.get_linestyle()[0][1] is not None
             for seg in c.get_segments()]
    assert lines == [365]  # the event, drawn dashed


def test_backlog_chart_in_english(run):
    words = texts(plots.backlog_chart(run.timeseries, run.scenario, "en"))
    assert "Backlog per step over time" in words
    assert "time (days)" in words
    assert "cases waiting" in words


def test_flow_chart_gap_is_the_stock_with_interventions_marked(run):
    fig = plots.flow_chart(run.timeseries, run.scenario, "en")
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    assert len(axes) == 3
    words = texts(fig)
    assert "Cases in and out per step, counted after the warm-up" in words
    assert {"arrived", "left", "stock", "meer rechercheurs"} <= set(words)
    ts = run.timeseries[run.timeseries["step"] == "zitting"]
    ax = axes[2]
    arrived, left = (ln for ln in ax.get_lines() if ln.get_xydata().shape[0] > 2)
    stock = (ts["queue"] + ts["in_service"]).groupby(ts["t"]).mean()
    window = stock[stock.index >= run.scenario.warmup]
    assert arrived.get_xdata()[0] == run.scenario.warmup == ax.get_xlim()[0]
    assert left.get_ydata()[0] == 0  # counted from the end of the warm-up
    gap = arrived.get_ydata() - left.get_ydata()
    assert gap == pytest.approx(window.to_numpy())
    assert left.get_linestyle() != arrived.get_linestyle()
    events = [seg[0][0] for c in axes[0].collections if c.get_linestyle()[0][1] is not None
              for seg in c.get_segments()]
    assert events == [365]
    assert "Instroom en uitstroom per schakel, opgeteld na de opwarmperiode" in texts(
        plots.flow_chart(run.timeseries, run.scenario))


def test_event_labels_sit_above_the_data(run):
    fig = plots.backlog_chart(run.timeseries, run.scenario)
    top = fig.get_axes()[0]
    data_top = max(float(np.nanmax(ln.get_ydata())) for ln in top.get_lines()
                   if ln.get_linestyle() == "-")
    assert data_top <= 0.8 * top.get_ylim()[1]


@pytest.mark.parametrize("make", [
    lambda r, lang: plots.backlog_chart(r.timeseries, r.scenario, lang),
    lambda r, lang: plots.utilization_chart(r.timeseries, r.scenario, lang),
    lambda r, lang: plots.flow_chart(r.timeseries, r.scenario, lang),
    lambda r, lang: plots.waits_chart(r.steps, r.scenario, lang),
    lambda r, lang: plots.lead_time_chart(r.chain, r.scenario, lang),
    lambda r, lang: plots.chain_diagram(r.scenario, lang),
    lambda r, lang: plots.chain_diagram(r.scenario, lang, at=400),
])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_text_overlaps_another(run, make, lang):
    assert overlaps(make(run, lang)) == []


def test_waits_chart_has_a_bar_and_interval_per_step(run):
    fig = plots.waits_chart(run.steps, run.scenario)
    ax = fig.get_axes()[0]
    assert [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()] == [
        "Opsporing (Politie)", "Beoordeling (Openbaar Ministerie)",
        "Zitting rechtbank (Rechtspraak)"]
    widths = [p.get_width() for p in ax.patches]
    court = run.steps.loc[run.steps["step"] == "zitting", "mean_wait"].mean()
    assert widths[2] == pytest.approx(court)
    assert "Gemiddelde wachttijd per schakel" in texts(fig)


def test_lead_time_chart_shows_mean_median_and_p90(run):
    fig = plots.lead_time_chart(run.chain, run.scenario)
    heights = [p.get_height() for p in fig.get_axes()[0].patches]
    assert heights == pytest.approx([run.chain[c].mean() for c in
                                     ("mean_lead_time", "p50_lead_time", "p90_lead_time")])
    assert "Doorlooptijd van de keten" in texts(fig)


def test_utilisation_follows_capacity_changes(run):
    sc = run.scenario
    assert list(capacity_at(sc, "opsporing", np.array([0, 364, 365, 700]))) == [40, 40, 60, 60]
    fig = plots.utilization_chart(run.timeseries, sc)
    assert "volledig bezet" in texts(fig)


def test_load_colours():
    assert load_colour(0.5) == load_colour(0.79)
    assert load_colour(0.8) == load_colour(0.99) != load_colour(0.79)
    assert load_colour(1.0) == load_colour(float("inf")) != load_colour(0.99)


def test_chain_diagram_shows_partners_loads_and_flows(run):
    words = texts(plots.chain_diagram(run.scenario))
    assert {"Politie", "Openbaar Ministerie", "Rechtspraak", "Instroom", "9/dag"} <= set(words)
    assert any(w.startswith("Beoordeling\nbelasting 0,75") for w in words)
    assert any("→ sepot 4,5/dag" in w for w in words)
    after = texts(plots.chain_diagram(run.scenario, "en", at=400))
    assert "The chain from day 365: flows and load" in after
    assert any("capacity 60" in w for w in after)


def test_chain_diagram_marks_an_overloaded_step_red(run):
    # loads from day 365: police 11 * 4 / 40 = 1.1, OM 0.92, court 0.99: one red box
    change = Change("arrival.instroom.rate", "arrival", "instroom", "rate", 11.0)
    sc = dataclasses.replace(run.scenario, events=(Event(365, (change,)),))
    fig = plots.chain_diagram(sc, at=400)
    red = to_rgb(load_colour(1.0))
    faces = [p.get_facecolor()[:3] for p in fig.get_axes()[0].patches]
    assert sum(np.allclose(face, red) for face in faces) == 1


def test_comparison_pictures_have_a_colour_per_scenario(run):
    other = synthetic.results(name="variant", seed=4)
    other.scenario = dataclasses.replace(other.scenario, name="variant", title="Variant")
    fig = plots.compare_backlog([run, other])
    ax = fig.get_axes()[0]
    colours = {ln.get_color() for ln in ax.get_lines() if ln.get_linestyle() == "-"}
    assert len(colours) == 2
    assert {"Politie levert meer (synthetisch)", "Variant"} <= set(texts(fig))
    waits = plots.compare_waits([run, other], "en")
    assert len(waits.get_axes()[0].patches) == 6
    assert "Mean waiting time per step: scenarios compared" in texts(waits)


def test_save_all_writes_png_and_svg_with_stable_names(run, tmp_path):
    nl = plots.save_all(run, tmp_path / "nl")
    en = plots.save_all(run, tmp_path / "en", lang="en")
    assert [p.name for p in nl] == [p.name for p in en]
    stems = [p.stem for p in nl if p.suffix == ".png"]
    assert stems == ["werkvoorraad", "instroom-uitstroom", "wachttijd", "doorlooptijd",
                     "bezetting", "keten", "keten-na-ingrepen"]
    assert {p.suffix for p in nl} == {".png"}  # SVG only on request (--format svg)
    for path in nl:
        assert path.stat().st_size > 1000
    image = mpimg.imread(nl[0])
    assert image.shape[1] > 800 and float(np.var(image[..., :3])) > 1e-3


def test_pictures_never_use_pyplot():
    for path in PACKAGE.rglob("*.py"):
        name = str(path.relative_to(PACKAGE))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "matplotlib.pyplot" not in names, name


def test_a_real_run_gives_readable_pictures(tmp_path):
    import ketensim

    path = Path(__file__).resolve().parents[2] / "scenarios" / "strafrechtketen" / \
        "politie-levert-meer.toml"
    if not path.exists():
        pytest.skip("bundled scenario not present")
    results = ketensim.simulate(ketensim.load(path), replications=2)
    figs = plots.figures(results)
    for name, fig in figs.items():
        assert overlaps(fig) == [], name


def test_the_overlap_check_sees_an_overlap():
    fig = Figure(figsize=(4, 3))
    fig.text(0.5, 0.5, "eerste tekst")
    fig.text(0.52, 0.5, "tweede tekst")
    assert overlaps(fig) == [("eerste tekst", "tweede tekst")]


def test_the_same_run_gives_the_same_files(run, tmp_path):
    first = plots.save_all(run, tmp_path / "a")
    second = plots.save_all(run, tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_axis_ticks_use_the_notation_of_the_language():
    from ketensim.present.pictures.style import TickText

    nl, en = TickText("nl"), TickText("en")
    for fmt in (nl, en):
        fmt.set_locs([0.0, 2.5, 5.0, 7.5, 10.0])
    assert [nl(x) for x in (2.5, 10.0)] == ["2,5", "10"]
    assert [en(x) for x in (2.5, 10.0)] == ["2.5", "10"]
    nl.set_locs([0.0, 2000.0, 4000.0])
    assert nl(2000.0) == "2.000"


def test_every_plain_axis_of_a_dutch_picture_gets_dutch_ticks():
    from builders import poisson, scenario, step
    from matplotlib.ticker import ScalarFormatter

    import ketensim

    res = ketensim.simulate(scenario([step("a", 1, 0.5)], [poisson("a", 1.0)], horizon=50),
                            replications=2)
    for name, fig in plots.figures(res, "nl").items():
        for ax in fig.get_axes():
            for axis in (ax.xaxis, ax.yaxis):
                assert type(axis.get_major_formatter()) is not ScalarFormatter, name


def test_a_thousand_events_draw_as_lines_with_at_most_twenty_titles():
    from builders import event, poisson, scenario, step

    import ketensim

    events = [event(0.5 + k * 0.09, a__capacity=1 + k % 3) for k in range(1000)]
    sc = scenario([step("a", 2, 0.5)], [poisson("a", 1.0)], horizon=100, events=events)
    res = ketensim.simulate(sc, replications=1)
    fig = plots.backlog_chart(res.timeseries, res.scenario)
    ax = next(a for a in fig.get_axes() if a.get_visible())
    lines = sum(len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments"))
    titles = [t for t in ax.texts if t.get_text() and t.get_text() != "?"]
    assert lines >= 1000 and len(titles) <= 20

"""``ketensim animate``: a valid GIF for a tiny chain, and clear refusals of bad output paths."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import ketensim
from ketensim.cli import app, commands
from ketensim.cli.app import cli
from ketensim.present.pictures import animate
from ketensim.present.pictures.scene import (
    SIZE,
    Scene,
    Track,
    affected_steps,
    nice_ceiling,
    step_order,
)

TINY = """
[scenario]
name = "tiny-film"
title = "Kleine keten"
horizon = 40
replications = 2
seed = 3

[[partner]]
id = "rechtbank"
name = "Rechtbank"

[[partner]]
id = "om"
name = "OM"

[[step]]
id = "zitting"
partner = "rechtbank"
capacity = 1
service = { dist = "exponential", mean = 0.9 }

[[step]]
id = "beoordeling"
partner = "om"
capacity = 2
service = { dist = "exponential", mean = 1.0 }
routes = [{ to = "zitting", p = 0.6 }, { to = "exit", p = 0.4, outcome = "sepot" }]

[[arrival]]
id = "instroom"
to = "beoordeling"
rate = 1.5

[[event]]
at = 20
label = "Meer instroom"
set = { "arrival.instroom.rate" = 2.2 }
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def invoke(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="ketensim")


def test_writes_a_valid_gif(tiny, tmp_path):
    out = tmp_path / "film" / "keten.gif"
    result = invoke("animate", tiny, "--out", out, "--frames", "12", "--fps", "5")
    assert result.exit_code == 0, result.output + result.stderr
    assert str(out) in result.output
    with Image.open(out) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames > 1
        assert gif.size == (round(SIZE[0] * 80), round(SIZE[1] * 80))
        gif.seek(gif.n_frames - 1)
        assert (np.asarray(gif.convert("RGB"))[2, 2] == 255).all()  # white, not a palette grey
    assert 10_000 < out.stat().st_size < 3_000_000


def test_default_target_is_under_results(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("animate", tiny, "--frames", "3")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "results" / "tiny-film" / "animation.gif").is_file()


def test_existing_file_refused_unless_forced(tiny, tmp_path):
    out = tmp_path / "keten.gif"
    out.write_bytes(b"old")
    refused = invoke("animate", tiny, "--out", out, "--frames", "3")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: ") and "--force" in refused.stderr
    assert out.read_bytes() == b"old"
    forced = invoke("animate", tiny, "--out", out, "--frames", "3", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert out.read_bytes()[:3] == b"GIF"


@pytest.mark.parametrize("name", ["keten.png", "keten", "keten.gif.txt"])
def test_bad_extension_exits_2_before_simulating(tiny, tmp_path, name, monkeypatch):
    def no_simulation(*_args, **_kwargs):
        raise AssertionError("the path must be checked before simulating")

    monkeypatch.setattr(app, "simulate_track", no_simulation)
    result = invoke("animate", tiny, "--out", tmp_path / name)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and ".gif or .mp4" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / name).exists()


def test_folder_that_is_a_file_exits_2(tiny, tmp_path):
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    result = invoke("animate", tiny, "--out", blocker / "keten.gif")
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_mp4_without_ffmpeg_exits_2(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(animate.animation.writers, "is_available", lambda _name: False)
    result = invoke("animate", tiny, "--out", tmp_path / "keten.mp4")
    assert result.exit_code == 2 and "ffmpeg" in result.stderr


@pytest.mark.skipif(not animate.animation.writers.is_available("ffmpeg")
                    and not os.environ.get("CI"),
                    reason="ffmpeg is not installed (CI installs it: there this test runs)")
def test_writes_an_mp4_where_ffmpeg_exists(tiny, tmp_path):
    out = tmp_path / "keten.mp4"
    result = invoke("animate", tiny, "--out", out, "--frames", "6", "--fps", "5")
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 1000 and out.read_bytes()[4:8] == b"ftyp"


def test_invalid_scenario_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace("capacity = 2", "capacity = 0"), encoding="utf-8")
    result = invoke("animate", bad, "--out", tmp_path / "x.gif")
    assert result.exit_code == 2
    assert "step.beoordeling.capacity" in result.stderr
    assert not (tmp_path / "x.gif").exists()


def test_bad_options_exit_2(tiny, tmp_path):
    for option in (["--fps", "0"], ["--frames", "1"], ["--lang", "fr"], ["--replication", "-1"]):
        assert invoke("animate", tiny, "--out", tmp_path / "x.gif", *option).exit_code == 2


def test_track_is_the_replication_asked_for(tiny):
    scenario = ketensim.load(tiny)
    track = commands.simulate_track(scenario, replication=1, frames=9)
    results = ketensim.simulate(scenario, replications=2, sample_every=scenario.horizon / 8)
    ts = results.timeseries
    mine = ts[(ts["replication"] == 1) & (ts["step"] == "zitting")]["queue"].to_numpy()
    assert track.t.tolist() == pytest.approx([5.0 * k for k in range(9)])
    assert track.queue[scenario.step_ids.index("zitting")].tolist() == mine.tolist()
    assert track.replication == 1 and track.seed == 3


def test_sampling_less_often_shows_the_same_run(tiny):
    """An animation samples coarser than ``run`` does; the moments it shares must agree."""
    scenario = ketensim.load(tiny)
    fine = ketensim.simulate(scenario, replications=1, sample_every=1.0).timeseries
    coarse = commands.simulate_track(scenario, frames=5)  # every 10 time units
    for row, sid in enumerate(scenario.step_ids):
        mine = fine[(fine["step"] == sid) & fine["t"].isin(coarse.t)]["queue"].to_numpy()
        assert coarse.queue[row].tolist() == mine.tolist()


def test_steps_run_left_to_right_along_the_routing(tiny):
    # The file lists the court first; the work reaches the OM first.
    assert [s.id for s in step_order(ketensim.load(tiny))] == ["beoordeling", "zitting"]


def test_an_inflow_event_marks_the_step_where_it_enters(tiny):
    scenario = ketensim.load(tiny)
    assert affected_steps(scenario, scenario.events[0]) == {"beoordeling"}


@pytest.mark.parametrize(("value", "top"), [(0, 1), (0.4, 0.4), (7, 8), (101, 125), (2349, 2500)])
def test_queue_axis_tops_are_round_and_close(value, top):
    assert nice_ceiling(value) == pytest.approx(top)


def hand_track(scenario) -> Track:
    """Three moments, by hand: no simulation needed to test what a frame shows."""
    n = len(scenario.step_ids)
    return Track(t=np.array([0.0, 10.0, 30.0]), queue=np.tile([0.0, 4.0, 9.0], (n, 1)),
                 in_service=np.ones((n, 3)), capacity=np.full((n, 3), 2.0),
                 replication=0, seed=3)


def test_a_frame_shows_the_clock_and_the_event_from_its_moment_on(tiny):
    scenario = ketensim.load(tiny)
    scene = Scene(scenario, hand_track(scenario))
    scene.show(1)
    assert scene.clock.get_text() == "dag 10"
    assert not scene.banner.get_visible()
    assert not any(o.get_visible() for o in scene.outlines)
    scene.show(2)
    assert scene.banner.get_visible() and "Meer instroom" in scene.banner.get_text()
    lit = [step.id for step, o in zip(scene.order, scene.outlines, strict=True)
           if o.get_visible()]
    assert lit == ["beoordeling"]
    assert [b.get_height() for b in scene.bars] == [9.0, 9.0]
    assert scene.busy[0].get_text() == "bezig 1 van 2"


def test_english_labels(tiny):
    scenario = ketensim.load(tiny)
    scene = Scene(scenario, hand_track(scenario), lang="en")
    scene.show(2)
    assert scene.clock.get_text() == "day 30"
    assert scene.busy[0].get_text() == "busy 1 of 2"


def test_a_frame_can_be_saved_as_png(tiny, tmp_path):
    scenario = ketensim.load(tiny)
    png = animate.save_frame(scenario, hand_track(scenario), 2, tmp_path / "frame.png")
    with Image.open(png) as image:
        assert image.size == (960, 540)
        pixels = np.asarray(image.convert("RGB"))
    assert (pixels[2, 2] == 255).all()


def test_a_failed_write_leaves_no_file_and_no_partial(tiny, tmp_path, monkeypatch):
    scenario = ketensim.load(tiny)
    track = commands.simulate_track(scenario, frames=5)
    out = tmp_path / "film.gif"
    out.write_bytes(b"old animation")

    def full_disk(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(animate._GifWriter, "finish", full_disk)
    with pytest.raises(animate.AnimationError, match="No space left"):
        animate.write(scenario, track, out)
    assert out.read_bytes() == b"old animation"  # the old file is not truncated
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

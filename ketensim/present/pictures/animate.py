"""``ketensim animate``: one replication of a chain as an animated GIF or MP4.

A chart of werkvoorraad over time is precise, but a class or a board sees a
verstopping faster when the queue in front of a step visibly grows while the
steps behind it stay calm. This module simulates one replication, samples
its state at up to a few hundred moments, and writes each moment as a frame
drawn by :class:`ketensim.scene.Scene`.

GIF is written with matplotlib's Pillow writer (Pillow comes with
matplotlib), MP4 with ffmpeg where it is installed. The output path is
checked before anything is simulated, so a typo costs a second, not a run.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import animation
from PIL import Image

from ketensim.present.pictures.scene import DPI, Scene, Track
from ketensim.results.folders import OutputError
from ketensim.scenario.capacity import capacity_at

MAX_FRAMES = 200  # enough for smooth motion; keeps a GIF to a few MB and a few seconds to render
HOLD_SECONDS = 2.0  # the last frame stays this long, so the end state can be read before a loop
SUFFIXES = (".gif", ".mp4")
NEAR_WHITE = 240  # palette entries this light are made pure white (see _palette)


class AnimationError(OutputError, ValueError):
    """The animation cannot be written where or how asked (the user can fix it: exit 2)."""


# -- where the animation goes -------------------------------------------------------------


def check_target(out: Path, force: bool) -> str:
    """Validate the output path before anything is simulated; return ``gif`` or ``mp4``.

    Checking first means a typo costs a second, not a whole simulation.

    Raises:
        AnimationError: wrong extension, an existing file without ``force``, a
            folder in the way, or MP4 without ffmpeg.
    """
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise AnimationError(f'{out}: --out must end in .gif or .mp4 '
                             f'(expected a .gif or .mp4 path, got "{out.suffix or out.name}")')
    if out.is_dir():
        raise AnimationError(f"{out}: --out is a folder (expected a file path ending in {suffix})")
    blocker = _file_in_the_way(out.parent)
    if blocker is not None:
        raise AnimationError(f"{out}: {blocker} is a file, not a folder "
                             "(expected a path whose folders can be created)")
    if out.exists() and not force:
        raise AnimationError(f"{out}: the file exists "
                             "(expected a new path, or --force to replace it)")
    if suffix == ".mp4" and not animation.writers.is_available("ffmpeg"):
        raise AnimationError(f"{out}: MP4 needs ffmpeg, which is not on PATH "
                             "(expected ffmpeg installed, or an --out ending in .gif)")
    return suffix[1:]


def _file_in_the_way(folder: Path) -> Path | None:
    """The nearest existing ancestor of ``folder`` if it is a file (so no folder can go there)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def default_target(scenario_name: str) -> Path:
    """``results/<scenario name>/animation.gif``, beside the run folders of that scenario."""
    return Path("results") / scenario_name / "animation.gif"


# -- one replication, sampled ---------------------------------------------------------------


def frame_every(horizon: float, frames: int = MAX_FRAMES) -> float:
    """The sample interval that gives ``frames`` frames over the horizon."""
    if frames < 2:
        raise ValueError(f'"frames" must be >= 2, got {frames}')
    return float(horizon) / (frames - 1)


def track(results: Any, replication: int = 0) -> Track:
    """One replication of a run, as the animation's frames (its timeseries, step by step).

    Replication R of a seed is the same run here as in ``ketensim run``, so an
    animation shows exactly one of the replications behind a report.
    """
    scenario = results.scenario
    ts = results.timeseries[results.timeseries["replication"] == replication]
    steps = list(scenario.step_ids)

    def wide(column: str) -> np.ndarray:
        table = ts.pivot(index="step", columns="t", values=column).reindex(steps)
        return table.to_numpy(dtype=float)

    t = np.sort(ts["t"].unique()).astype(float)
    if "capacity" in ts.columns:
        cap = wide("capacity")
    else:
        cap = np.vstack([capacity_at(scenario, sid, t) for sid in steps])
    return Track(t=t, queue=wide("queue"), in_service=wide("in_service"), capacity=cap,
                 replication=replication, seed=int(results.seed))


# -- writing --------------------------------------------------------------------------------


class _GifWriter(animation.PillowWriter):
    """Pillow's GIF writer fed with the frame the scene painted, in one shared palette.

    Taking the canvas as painted skips a full redraw per frame, and one palette
    for all frames avoids colours flickering between frames and keeps the file small.
    """

    def __init__(self, scene: Scene, palette: Image.Image, fps: int) -> None:
        super().__init__(fps=fps)
        self.scene, self.palette = scene, palette
        self.images: list[Image.Image] = []

    def setup(self, fig: Any, outfile: Any, dpi: float | None = None) -> None:
        super().setup(fig, outfile, dpi=dpi)
        self.images = []

    def grab_frame(self, **savefig_kwargs: Any) -> None:
        self.images.append(self.scene.image().quantize(palette=self.palette,
                                                       dither=Image.Dither.NONE))

    def finish(self) -> None:
        first, *rest = self.images
        first.save(self.outfile, save_all=True, append_images=rest,
                   duration=round(1000 / self.fps), loop=0)


def save_frame(scenario: Any, track: Track, k: int, out: Path, lang: str = "nl") -> Path:
    """Save frame ``k`` as a PNG, as the animation draws it but in full colour (slides, checks)."""
    scene = Scene(scenario, track, lang)
    scene.show(k)
    scene.image().save(out)
    return out


def _palette(scene: Scene) -> Image.Image:
    """A palette that holds every colour the animation uses: from its busiest frames."""
    n = scene.track.t.size
    picks = {0, n - 1}
    for ev in scene.events:
        picks.add(int(np.searchsorted(scene.track.t, ev.at)))
    images = []
    for k in sorted(p for p in picks if 0 <= p < n):
        scene.show(k)
        images.append(scene.image())
    sheet = Image.new("RGB", (images[0].width * len(images), images[0].height))
    for i, img in enumerate(images):
        sheet.paste(img, (i * img.width, 0))
    palette = sheet.quantize(colors=254, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    # Median cut averages white with the grey edges of letters, and Pillow maps a colour to a
    # nearby entry at reduced precision: near-whites become white, or the background turns grey.
    colours = [*(palette.getpalette() or [])[: 254 * 3], 255, 255, 255, 0, 0, 0]
    for i in range(0, len(colours), 3):
        if min(colours[i:i + 3]) >= NEAR_WHITE:
            colours[i:i + 3] = [255, 255, 255]
    palette.putpalette(colours)
    return palette


def write(scenario: Any, track: Track, out: Path, fps: int = 10, lang: str = "nl") -> Path:
    """Render every frame of ``track`` to ``out`` (GIF, or MP4 when it ends in .mp4).

    The last frame is held for :data:`HOLD_SECONDS`, so the end state can be
    read before a GIF starts over.

    Raises:
        AnimationError: when MP4 is asked and ffmpeg is missing.
    """
    if out.suffix.lower() == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise AnimationError(f"{out}: MP4 needs ffmpeg, which is not on PATH")
        scene = Scene(scenario, track, lang, blit=False)
        writer: animation.AbstractMovieWriter = animation.FFMpegWriter(fps=fps)
    else:
        scene = Scene(scenario, track, lang)
        writer = _GifWriter(scene, _palette(scene), fps)
    last = track.t.size - 1
    # Written beside the target and renamed at the end: a full disk or a kill never
    # leaves a truncated animation under the name the user asked for.
    beside = out.with_name(f".{out.stem}.partial-{os.getpid()}{out.suffix}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with writer.saving(scene.fig, str(beside), dpi=DPI):
            for k in range(track.t.size):
                scene.show(k)
                for _ in range(_hold(fps) if k == last else 1):
                    writer.grab_frame()
        os.replace(beside, out)
    except OSError as exc:
        raise AnimationError(f"{out}: cannot write the file "
                             f"(expected a writable path, got <{exc.strerror or exc}>)") from None
    finally:
        with contextlib.suppress(OSError):
            beside.unlink()
    return out


def _hold(fps: int) -> int:
    return max(1, round(HOLD_SECONDS * fps))


def summary(out: Path, track: Track, fps: int, lang: str = "nl") -> str:
    """One line for the terminal: where the animation went and how long it plays."""
    frames = track.t.size + _hold(fps) - 1
    seconds = frames / fps
    if lang == "en":
        return f"Animation: {out} ({track.t.size} moments, {fps} frames a second, {seconds:.0f} s)"
    return (f"Animatie: {out} ({track.t.size} momenten, {fps} beelden per seconde, "
            f"{seconds:.0f} s)")

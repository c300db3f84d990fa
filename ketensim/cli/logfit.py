"""The work behind ``ketensim fit LOG``: read, fit, check, validate, then put the files in place.

The scenario file, the werkvoorraad files beside it and the report folder
appear only when everything worked: a bad log is refused before anything is
written, and a fit that does not load or run leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ketensim.errors import ScenarioError


def check_targets(out: Path, report: Path | None, name: str) -> None:
    """Refuse a bad name, an existing --out and a --report folder that is not new or empty."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ScenarioError.single("--name", "name", "is not a slug",
                                   "a-z, 0-9, _ and -, e.g. ind-2023", name)
    if out.exists():
        raise ScenarioError.single(str(out), "--out", "the file exists already",
                                   "a new file name", "<an existing file>")
    if report is not None and report.exists() and (not report.is_dir() or any(report.iterdir())):
        raise ScenarioError.single(str(report), "--report", "is not a new or empty folder",
                                   "a new or empty folder", "<an existing path>")


def fit_from_log(log_path: Path, out: Path, report: Path | None, name: str, unit: str,
                 from_: str | None, columns: dict[str, str], replications: int, seed: int,
                 lang: str) -> list[str]:
    """Fit, check and (with ``report``) validate; returns the lines to print."""
    from ketensim.studies import logfit, logread
    from ketensim.studies.logscenario import backlog_csv, scenario_text

    check_targets(out, report, name)
    log = logread.read_log(log_path, columns, unit, from_)
    fitted = logfit.fit(log)
    files = {s.id: f"{out.stem}.werkvoorraad-{_safe(s.id)}.csv"
             for s in fitted.steps if s.queue_ages}
    start_date = None if log.origin is None else log.origin.date().isoformat()
    text = scenario_text(fitted, name, str(log_path), unit, start_date, files)
    folder = out.parent if str(out.parent) else Path(".")
    extra = {folder / f: backlog_csv(next(s for s in fitted.steps if s.id == sid))
             for sid, f in files.items()}
    for path in extra:
        if path.exists():
            raise ScenarioError.single(str(path), "--out", "the werkvoorraad file exists already",
                                       "a new file name", "<an existing file>")
    with _placed(out, text, extra, report) as scenario:
        lines = _fit_lines(fitted, out, extra, lang)
        if report is not None:
            lines += _validate(scenario, log, fitted, report, replications, seed, lang)
    return lines


def _safe(step: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", step).strip("-") or "stap"


@contextlib.contextmanager
def _placed(out: Path, text: str, extra: dict[Path, str], report: Path | None) -> Iterator[Any]:
    """Write the werkvoorraad files and a hidden scenario, load it, and keep all only on success."""
    import ketensim

    folder = out.parent if str(out.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    made_report = report is not None and not report.exists()
    handle, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=folder)
    tmp = Path(tmp_name)
    ok = False
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        for path, body in extra.items():
            path.write_text(body, encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)
        yield ketensim.load(tmp)
        os.replace(tmp, out)
        ok = True
    finally:
        tmp.unlink(missing_ok=True)
        if not ok:
            for path in extra:
                path.unlink(missing_ok=True)
            if report is not None and report.exists():
                if made_report:
                    shutil.rmtree(report, ignore_errors=True)
                else:
                    for child in report.iterdir():
                        child.unlink() if child.is_file() else shutil.rmtree(child)


def _fit_lines(fitted: Any, out: Path, extra: dict[Path, str], lang: str) -> list[str]:
    nl = lang == "nl"
    lines = [("Scenario geschreven: " if nl else "Scenario written: ") + str(out)]
    for step in fitted.steps:
        service = step.service
        lines.append(f"  {step.id}: " + (f"capaciteit {step.capacity}, " if nl else
                                         f"capacity {step.capacity}, ")
                     + f"{service['dist']} {service['mean']:.4g}")
    for path in extra:
        lines.append(("  werkvoorraad bij de start: " if nl else "  werkvoorraad at start: ")
                     + str(path))
    lines.append("Elke waarde staat in het bestand met waar ze vandaan komt."
                 if nl else "Each value is in the file with what it was fitted from.")
    return lines


def _validate(scenario: Any, log: Any, fitted: Any, report: Path, replications: int,
              seed: int, lang: str) -> list[str]:
    """Run the fit over the log's period with an event log, and set both side by side."""
    import ketensim
    from ketensim.present.pages.logfit import inside, render_fit_report
    from ketensim.studies import logcheck

    t0, t1 = fitted.start, fitted.end
    with tempfile.TemporaryDirectory(prefix=".ketensim-fit-") as parts:
        ketensim.simulate(scenario, replications=replications, seed=seed, events=parts)
        sim = logcheck.simulated(scenario, Path(parts), replications, t0, t1)
    obs = logcheck.observed(log.visits, t0, t1)
    table = logcheck.compare(obs, sim)
    report.mkdir(parents=True, exist_ok=True)
    table.to_csv(report / "fit.csv", index=False, lineterminator="\n")
    page = render_fit_report(table, logcheck.in_progress(obs, sim, t0, t1),
                             logcheck.lead_times(obs, sim), scenario.name, log.unit,
                             replications, (t0, t1), lang)
    (report / "fit.html").write_text(page, encoding="utf-8")
    judged = table[table["observed"].notna()]
    n_in = int(judged.apply(inside, axis=1).sum())
    if lang == "nl":
        return [f"Gevalideerd over de periode van de log ({replications} replicaties): "
                f"{n_in} van {len(judged)} cijfers binnen het 95%-interval van het model.",
                f"  {report / 'fit.csv'}", f"  {report / 'fit.html'}"]
    return [f"Validated over the log's period ({replications} replications): {n_in} of "
            f"{len(judged)} figures inside the model's 95% interval.",
            f"  {report / 'fit.csv'}", f"  {report / 'fit.html'}"]


__all__ = ["check_targets", "fit_from_log"]

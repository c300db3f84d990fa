"""The bundled scenarios, and a commented file to start a chain of one's own.

The chains and lessons under ``ketensim/bundled/`` ship with the package,
so ``ketensim scenarios`` lists them after ``pip install ketensim`` as well as
in a checkout (where ``scenarios/`` points at the same folder). ``ketensim
new`` writes :data:`STARTER`: a small chain in which every key says in a
comment what it means and how to fill it in from a partner's own figures.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_SLUG = re.compile(r"[a-z0-9-]+")


@dataclass(frozen=True)
class Bundled:
    """One bundled scenario file: where it is, and what its ``[scenario]`` table says."""

    path: Path
    relative: str  # e.g. "strafrechtketen/basis.toml"
    name: str
    title: str
    description: str


def bundled_folder() -> Path:
    """The folder of the bundled scenarios, inside the installed package."""
    return Path(str(resources.files("ketensim") / "bundled"))


def catalogue() -> list[Bundled]:
    """Every bundled scenario, by folder and file name.

    Only the ``[scenario]`` table is read (no validation), so the list is
    quick; a file that extends another shows its own title, or its base's.
    """
    root = bundled_folder()
    out = []
    for path in sorted(root.rglob("*.toml")):
        table = _scenario_table(path)
        out.append(Bundled(path=path, relative=path.relative_to(root).as_posix(),
                           name=str(table.get("name", path.stem)),
                           title=str(table.get("title", "")),
                           description=" ".join(str(table.get("description", "")).split())))
    return out


def _scenario_table(path: Path, depth: int = 0) -> dict[str, object]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("scenario", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    if not isinstance(table, dict):
        return {}
    base = table.get("extends")
    if isinstance(base, str) and depth < 8 and ("title" not in table or "name" not in table):
        inherited = _scenario_table(path.parent / base, depth + 1)
        table = {**{k: v for k, v in inherited.items() if k != "name"}, **table}
    return table


def copy_bundled(target: Path) -> Path:
    """Copy every bundled scenario (with its data files) into ``target``, which must not exist.

    Raises:
        FileExistsError: when ``target`` exists already.
    """
    shutil.copytree(bundled_folder(), target)
    return target


def starter(name: str) -> str:
    """The commented starting file for a chain called ``name`` (a slug).

    Raises:
        ValueError: when ``name`` is not a slug of a-z, 0-9 and -.
    """
    if not _SLUG.fullmatch(name):
        raise ValueError(f"a scenario name is a slug of a-z, 0-9 and - (got {name!r})")
    return STARTER.replace("{name}", name)


STARTER = '''\
# Een keten om mee te beginnen: politie -> OM -> rechtbank.
# Vervang de getallen door die van je eigen keten. Elk getal zegt waar het vandaan komt;
# zet bij een eigen schatting het woord "schatting" erbij, en waarop die rust.
# Controleer het bestand met:  ketensim check {name}.toml
# Reken het door met:          ketensim run {name}.toml
# Alle sleutels: docs/scenario-format.md; de staf-en-uren-lezing: docs/modelling.md.

[scenario]
name = "{name}"            # naam van de map met resultaten: kleine letters, cijfers en -
title = "Mijn keten"       # titel boven het rapport
time_unit = "day"          # "hour", "day" of "week": alle tijden en aantallen in deze eenheid
horizon = 730              # hoe lang de simulatie loopt (twee jaar)
warmup = 180               # de eerste 180 dagen tellen niet mee: de keten vult zich eerst
replications = 10          # tien onafhankelijke runs geven een 95%-interval
seed = 1                   # hetzelfde seed geeft dezelfde uitkomst

[[partner]]                # een ketenpartner: een organisatie
id = "politie"
name = "Politie"

[[partner]]
id = "om"
name = "Openbaar Ministerie"

[[partner]]
id = "rechtbank"
name = "Rechtbank"

# Een schakel: capaciteit = het aantal medewerkers (fte) dat eraan werkt; bewerkingstijd = de
# werktijd die een zaak van hen vraagt (normuren, omgerekend naar de tijdseenheid). Tijd die
# niemand bezig houdt (wachten op een rapport, een termijn) is een 'delay' op de route.
[[step]]
id = "opsporing"
partner = "politie"
capacity = 40                                      # 40 rechercheurs (schatting)
service = { dist = "gamma", mean = 2.0, cv = 0.8 } # 2 werkdagen per zaak, sterk wisselend
routes = [{ to = "beoordeling", p = 1 }]

[[step]]
id = "beoordeling"
partner = "om"
capacity = 12                                      # 12 officieren en parketsecretarissen
service = { dist = "gamma", mean = 0.5, cv = 0.6 } # een halve dag per zaak
routes = [
  { to = "zitting", p = 0.5 },                     # de helft gaat naar de rechter
  { to = "exit", p = 0.3, outcome = "strafbeschikking" },
  { to = "exit", p = 0.2, outcome = "sepot" },
]

[[step]]
id = "zitting"
partner = "rechtbank"
capacity = 6                                       # 6 rechters
service = { dist = "lognormal", mean = 0.6, cv = 1.0 }

[[arrival]]                # nieuwe zaken: gemiddeld aantal per tijdseenheid (Poisson)
id = "instroom"
to = "opsporing"
rate = 18                  # 18 zaken per dag, zo'n 6.500 per jaar (schatting)

[[event]]                  # een ingreep, op het moment 'at' (in de tijdseenheid)
at = 365
label = "Politie krijgt 10 rechercheurs erbij"
set = { "step.opsporing.capacity" = 50 }
'''

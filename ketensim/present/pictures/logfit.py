"""Pictures of a fit's validation: the log beside the fitted model's simulated log."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ketensim.present.pictures.style import framed_figure, styled
from ketensim.present.words import i18n

OBSERVED, SIMULATED = "#1a1a1a", "#1f5f99"

TEXT = {
    "nl": {"wip_title": "Zaken onderhanden: log en model",
           "wip_sub": "Zwart: geteld in de log. Blauw: het gefitte model, gemiddelde en 95%-band "
                      "over de replicaties. Valt de zwarte lijn buiten de band, dan wijkt het "
                      "model daar af.",
           "wip_y": "zaken onderhanden", "time": "tijd ({unit})",
           "lead_title": "Doorlooptijd in de keten: log en model",
           "lead_sub": "Aandeel zaken dat binnen de tijd op de as de keten verliet "
                       "(verdelingsfunctie). Dicht bij elkaar: het model geeft de doorlooptijden "
                       "van de log.",
           "lead_x": "doorlooptijd ({unit})", "share": "aandeel zaken",
           "observed": "log", "simulated": "model", "band": "model, 95%-band"},
    "en": {"wip_title": "Cases in progress: log and model",
           "wip_sub": "Black: counted in the log. Blue: the fitted model, mean and 95% band over "
                      "the replications. Where the black line leaves the band, the model "
                      "departs from the log.",
           "wip_y": "cases in progress", "time": "time ({unit})",
           "lead_title": "Lead time through the chain: log and model",
           "lead_sub": "Share of cases that left the chain within the time on the axis "
                       "(distribution function). Close together: the model gives the log's "
                       "lead times.",
           "lead_x": "lead time ({unit})", "share": "share of cases",
           "observed": "log", "simulated": "model", "band": "model, 95% band"},
}


@styled
def in_progress_chart(curve: pd.DataFrame, unit: str, lang: str = "nl") -> Figure:
    """Cases in progress over the log's period, observed and simulated."""
    w = TEXT[lang]
    fig, body = framed_figure(10, 4.2, w["wip_title"], w["wip_sub"])
    ax = body.subplots()
    ax.fill_between(curve["t"], curve["low"], curve["high"], color=SIMULATED, alpha=0.18,
                    label=w["band"])
    ax.plot(curve["t"], curve["simulated"], color=SIMULATED, lw=2, label=w["simulated"])
    ax.plot(curve["t"], curve["observed"], color=OBSERVED, lw=2, label=w["observed"])
    ax.set_xlabel(w["time"].format(unit=i18n.unit_name(unit, lang, plural=True)))
    ax.set_ylabel(w["wip_y"])
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False)
    return fig


@styled
def lead_time_chart(observed: np.ndarray, simulated: np.ndarray, unit: str,
                    lang: str = "nl") -> Figure:
    """The lead-time distributions of log and model as distribution functions."""
    w = TEXT[lang]
    fig, body = framed_figure(10, 4.2, w["lead_title"], w["lead_sub"])
    ax = body.subplots()
    for values, colour, label in ((simulated, SIMULATED, w["simulated"]),
                                  (observed, OBSERVED, w["observed"])):
        if values.size:
            x = np.sort(values)
            ax.step(x, np.arange(1, x.size + 1) / x.size, where="post", color=colour, lw=2,
                    label=label)
    ax.set_xlabel(w["lead_x"].format(unit=i18n.unit_name(unit, lang, plural=True)))
    ax.set_ylabel(w["share"])
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.legend(loc="lower right", frameon=False)
    return fig


__all__ = ["in_progress_chart", "lead_time_chart"]

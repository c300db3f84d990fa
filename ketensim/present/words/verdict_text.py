"""The verdict's sentence templates, in Dutch and English: one key per kind of sentence.

Apart from :mod:`.verdict` so a translator reads only words. Every language
has the same keys (a test holds them together); ``{subject}`` is the queue
spoken of ("de werkvoorraad van het OM", "de rij voor de keten").
"""

from __future__ import annotations

S: dict[str, dict[str, str]] = {
    "nl": {
        # subjects
        "subject_step": "de werkvoorraad van {step}",
        "short_door": "de rij voor de keten", "nothing_grows": "geen",
        "subject_door": "de rij zaken die wacht om de keten in te mogen (maximaal {cap} "
        "tegelijk in de keten)",
        "subject_pool": "het werk dat wacht op de gedeelde capaciteit {pool} ({steps})",
        # when
        "from": "vanaf {unit} {t}",
        "from_start": "al vanaf het begin",
        "cause": ", na de ingreep ‘{title}’ ({unit} {t})",
        # the state at the end
        "growing": "{Subject} groeit {since} met ongeveer {rate} zaken per {unit}{cause}. "
        "Aan het eind wachten er ongeveer {end} zaken ({ref}: {before}).",
        "pace_from": "sinds {unit} {t}",
        "growing_pace": "{Subject} groeit {since}{cause}, {when} met ongeveer {rate} zaken per "
        "{unit} (daarvoor ongeveer {early}). Aan het eind wachten er ongeveer {end} zaken "
        "({ref}: {before}).",
        "ref_warmup": "aan het eind van de opwarmperiode",
        "ref_start": "aan het begin",
        "earlier_piles": " Eerder liep die voorraad al {n}× op (tot ongeveer {peak} zaken) en "
        "werd weer weggewerkt.",
        "settled": "{Subject} stijgt {since}{cause} van ongeveer {before} naar {end} zaken en "
        "blijft daarna op dat hogere niveau.",
        "shrinking": "{Subject} neemt {since}{cause} af met ongeveer {rate} zaken per {unit}, "
        "van ongeveer {before} naar {end} zaken.",
        "jump_up": "{Subject} stijgt rond {unit} {t} snel van ongeveer {before} naar {end} "
        "zaken{cause}.",
        "jump_down": "{Subject} daalt rond {unit} {t} snel van ongeveer {before} naar {end} "
        "zaken{cause}.",
        "cleared": "{Subject} liep op tot ongeveer {peak} zaken (rond {unit} {peak_at}) en is "
        "rond {unit} {t} weer weggewerkt{cause}.",
        "cleared_start": "{Subject} van ongeveer {peak} zaken aan het begin is rond {unit} {t} "
        "weggewerkt{cause}.",
        "swinging": "{Subject} loopt steeds op en wordt weer weggewerkt: {n}× een piek, tot "
        "ongeveer {peak} zaken (rond {unit} {times}).",
        "bounded": "{Subject} blijft rond {level} zaken doordat {share} van de zaken {how} "
        "(ongeveer {n} zaken{per}).",
        "still_lost": " Hoewel {share} van de zaken {how} (ongeveer {n}{per}), groeit de "
        "voorraad toch.",
        "per_rep": " per herhaling",
        "how_dismissed": "wegens de drukte zonder behandeling wordt afgedaan (zoals een sepot)",
        "how_reneged": "afvalt omdat de termijn verstrijkt voordat ze aan de beurt zijn",
        "how_rejected": "wordt geweigerd omdat de wachtrij vol is",
        "how_diverted": "wordt omgeleid omdat de wachtrij vol is",
        "door_level": "Aan de deur van de keten wachten aan het eind ongeveer {end} zaken "
        "(maximaal {cap} tegelijk in de keten), gemiddeld {mean}.",
        "all_stable": "Geen enkele schakel raakt verstopt: alle werkvoorraden blijven stabiel.",
        "none_growing": "Geen enkele werkvoorraad blijft groeien.",
        # the waits of cases still waiting
        "waiting_now": " Wie aan het eind aankomt, wacht naar schatting {ahead}; de zaken die "
        "er dan liggen, wachten al gemiddeld {age} (de gemeten wachttijd van {wait} telt alleen "
        "wie al aan de beurt kwam).",
        # damage that is no pile
        "mean_blocked": "Bij {step} houden zaken die niet verder kunnen gemiddeld {n} van de "
        "{cap} plaatsen bezet ({pct}){where}: capaciteit die niets doet.",
        "blocked_where": ", omdat {where} vol is",
        "blocked_where_many": ", omdat {where} vol zijn",
        "diverted": "{Step} stuurt ongeveer {n} zaken{per} door{where} ({pct} van wie "
        "aankomt), omdat er geen plaats is.",
        "diverted_where": " naar {where}",
        "rejected": "{Step} weigert ongeveer {n} zaken{per} ({pct} van wie aankomt), omdat de "
        "wachtrij vol is.",
        "plateau": "Bij {step} wachten aan het eind ongeveer {level} zaken; wie aan de beurt "
        "komt, heeft gemiddeld {wait} gewacht (het werk zelf duurt {work}){ahead}.",
        "plateau_ahead": "; wie aan het eind aankomt, wacht naar schatting {ahead}",
        # paper load as context
        "paper_growing": "Op papier is de capaciteit te klein voor het aanbod (belasting 1 of "
        "meer) bij: {items}.",
        "paper_held": "Op papier is {step} overbelast (belasting {rho}{since}), maar in de "
        "simulatie groeit de werkvoorraad daar niet{why}.",
        "why_bounded": ": zaken die wegens de drukte vertrekken houden de rij binnen grenzen",
        "why_cleared": ": de achterstand wordt weer weggewerkt",
        "why_shrinking": ": de achterstand neemt af",
        "why_swinging": ": de drukte komt en gaat",
        "why_shielded": ": er komt minder werk aan doordat een schakel ervoor vastloopt",
        "why_follow_inflow": ": een stuurregel laat de capaciteit de instroom volgen",
        "why_flex_pool": ": flexibele capaciteit schuift mee naar de langste rij",
        "load_item": "{step} (belasting {rho}{since})",
        "load_since": " vanaf {unit} {t}",
        "shielded": "{steps} {gets} ongeveer {drop} minder zaken binnen dan er worden "
        "aangeboden, omdat {upstream} {jams}: die verstopping schermt {them} af.",
        "gets_one": "krijgt", "gets_many": "krijgen",
        "jams_one": "vastloopt", "jams_many": "vastlopen",
        "them_one": "deze schakel", "them_many": "deze schakels",
        "shield_extra": "Zonder die verstopping {would}{also} {steps} overbelast zijn.",
        "would_one": "zou", "would_many": "zouden",
        "paper_held_many": "Op papier zijn {items} overbelast, maar in de simulatie groeit de "
        "werkvoorraad daar niet{why}.",
        "also": " ook",
        # the chain
        "lead": "De doorlooptijd van de keten is gemiddeld {mean} {unit}{ci}",
        "lead_ci": " (95%-interval: {low} tot {high} {unit})",
        "lead_one": " (één herhaling, dus zonder interval)",
        "lead_q": "; de helft van de zaken is binnen {p50} klaar, 90% binnen {p90}",
        "understated": "Dat is te gunstig: de ongeveer {n} zaken die aan het eind nog wachten "
        "bij {steps}, tellen niet mee.",
        "lead_failure": "Zaken van het soort {kinds} (werk dat ontstaat doordat een beslissing "
        "te laat is) tellen hierin als eigen, korte zaken mee; de zaken waar ze over gaan, duren "
        "langer.",
        "busiest": "De drukste schakel is {step}: gemiddeld is {pct} van de capaciteit bezet.",
        "and": " en ", "or": " of ",
        "filling": "Let op: de keten begint leeg en er is geen opwarmperiode, dus de cijfers "
        "tellen het vollopen van de keten mee (kortere wachttijden en kleinere voorraden dan "
        "in een gevulde keten); zet een warmup of een werkvoorraad bij de start (backlog).",
        "one_rep": "Let op: dit is één herhaling; draai er meer voor betrouwbare intervallen "
        "en een betrouwbaar oordeel.",
        "norm_met": "De norm ‘{title}’ wordt gehaald: {pct} binnen de termijn{ci}.",
        "norm_mean": "De norm ‘{title}’ wordt gemiddeld gehaald, maar niet met zekerheid: "
        "{pct} binnen de termijn{ci}.",
        "norm_not": "De norm ‘{title}’ wordt niet gehaald: {pct} binnen de termijn{ci}.",
        "norm_ci": " (95%: {low} tot {high}%)",
        "norm_none": "De norm ‘{title}’ is niet te beoordelen: er zijn geen zaken gemeten.",
    },
    "en": {
        "subject_step": "the backlog of {step}",
        "short_door": "the queue before the chain", "nothing_grows": "none",
        "subject_door": "the queue of cases waiting to enter the chain (at most {cap} in the "
        "chain at once)",
        "subject_pool": "the work waiting for the shared capacity {pool} ({steps})",
        "from": "from {unit} {t}",
        "from_start": "from the start",
        "cause": ", after the intervention ‘{title}’ ({unit} {t})",
        "growing": "{Subject} grows {since} by about {rate} cases per {unit}{cause}. At the end "
        "about {end} cases are waiting ({ref}: {before}).",
        "pace_from": "since {unit} {t}",
        "growing_pace": "{Subject} grows {since}{cause}, {when} by about {rate} cases per "
        "{unit} (before that about {early}). At the end about {end} cases are waiting ({ref}: "
        "{before}).",
        "ref_warmup": "at the end of the warm-up",
        "ref_start": "at the start",
        "earlier_piles": " Before that it piled up {n}× already (to about {peak} cases) and was "
        "cleared again.",
        "settled": "{Subject} rises {since}{cause} from about {before} to {end} cases and then "
        "stays at that higher level.",
        "shrinking": "{Subject} falls {since}{cause} by about {rate} cases per {unit}, from "
        "about {before} to {end} cases.",
        "jump_up": "{Subject} jumps around {unit} {t} from about {before} to {end} cases{cause}.",
        "jump_down": "{Subject} drops around {unit} {t} from about {before} to {end} "
        "cases{cause}.",
        "cleared": "{Subject} piled up to about {peak} cases (around {unit} {peak_at}) and was "
        "cleared again around {unit} {t}{cause}.",
        "cleared_start": "{Subject} of about {peak} cases at the start is cleared around {unit} "
        "{t}{cause}.",
        "swinging": "{Subject} keeps piling up and being cleared again: {n} peaks, up to about "
        "{peak} cases (around {unit} {times}).",
        "bounded": "{Subject} stays around {level} cases because {share} of the cases {how} "
        "(about {n} cases{per}).",
        "still_lost": " Even though {share} of the cases {how} (about {n}{per}), it still "
        "grows.",
        "per_rep": " per replication",
        "how_dismissed": "are closed without handling because of the workload (like a "
        "dismissal)",
        "how_reneged": "drop out because their term passes before their turn",
        "how_rejected": "are turned away because the queue is full",
        "how_diverted": "are diverted because the queue is full",
        "door_level": "At the door of the chain about {end} cases are waiting at the end (at "
        "most {cap} in the chain at once), {mean} on average.",
        "all_stable": "No step backs up: all backlogs stay stable.",
        "none_growing": "No backlog keeps growing.",
        "waiting_now": " A case arriving at the end would wait about {ahead}; the cases waiting "
        "then have waited {age} on average already (the measured wait of {wait} counts only "
        "cases whose turn came).",
        "mean_blocked": "At {step} cases that cannot move on hold on average {n} of the {cap} "
        "places ({pct}){where}: capacity doing nothing.",
        "blocked_where": ", because {where} is full",
        "blocked_where_many": ", because {where} are full",
        "diverted": "{Step} sends about {n} cases{per} elsewhere{where} ({pct} of arrivals), "
        "because there is no room.",
        "diverted_where": " to {where}",
        "rejected": "{Step} turns away about {n} cases{per} ({pct} of arrivals), because the "
        "queue is full.",
        "plateau": "At {step} about {level} cases are waiting at the end; a case whose turn "
        "comes has waited {wait} on average (the work itself takes {work}){ahead}.",
        "plateau_ahead": "; a case arriving at the end would wait about {ahead}",
        "paper_growing": "On paper the capacity falls short of the work offered (load 1 or "
        "more) at: {items}.",
        "paper_held": "On paper {step} is overloaded (load {rho}{since}), but in the simulation "
        "its backlog does not grow{why}.",
        "why_bounded": ": cases that leave because of the crowding keep the queue within bounds",
        "why_cleared": ": the backlog is cleared again",
        "why_shrinking": ": the backlog falls",
        "why_swinging": ": the pressure comes and goes",
        "why_shielded": ": less work arrives because a step before it backs up",
        "why_follow_inflow": ": a steering rule lets its capacity follow the inflow",
        "why_flex_pool": ": flexible capacity moves to the longest queue",
        "load_item": "{step} (load {rho}{since})",
        "load_since": " from {unit} {t}",
        "shielded": "{steps} {gets} about {drop} fewer cases than offered because {upstream} "
        "{jams}: that bottleneck shields {them}.",
        "gets_one": "receives", "gets_many": "receive",
        "jams_one": "backs up", "jams_many": "back up",
        "them_one": "it", "them_many": "them",
        "shield_extra": "Without that bottleneck {steps} {would} be overloaded{also}.",
        "would_one": "would", "would_many": "would",
        "paper_held_many": "On paper {items} are overloaded, but in the simulation their "
        "backlogs do not grow{why}.",
        "also": " too",
        "lead": "The chain lead time averages {mean} {unit}{ci}",
        "lead_ci": " (95% interval: {low} to {high} {unit})",
        "lead_one": " (one replication, so no interval)",
        "lead_q": "; half of the cases finish within {p50}, 90% within {p90}",
        "understated": "That is too rosy: the roughly {n} cases still waiting at {steps} at the "
        "end are not counted.",
        "lead_failure": "Cases of the kind {kinds} (work that arises because a decision is late) "
        "count here as short cases of their own; the cases they are about take longer.",
        "busiest": "The busiest step is {step}: on average {pct} of its capacity is busy.",
        "and": " and ", "or": " or ",
        "filling": "Note: the chain starts empty and there is no warm-up, so the figures "
        "include the chain filling up (shorter waits and smaller stocks than in a filled "
        "chain); set a warmup or a werkvoorraad at the start (backlog).",
        "one_rep": "Note: this is a single replication; run more for reliable intervals and a "
        "reliable verdict.",
        "norm_met": "The norm ‘{title}’ is met: {pct} within the term{ci}.",
        "norm_mean": "The norm ‘{title}’ is met on average, but not with confidence: {pct} "
        "within the term{ci}.",
        "norm_not": "The norm ‘{title}’ is not met: {pct} within the term{ci}.",
        "norm_ci": " (95%: {low} to {high}%)",
        "norm_none": "The norm ‘{title}’ cannot be judged: no cases were measured.",
    },
}

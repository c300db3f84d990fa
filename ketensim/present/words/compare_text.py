"""The sentences and labels of ``compare`` and ``bands``, in Dutch and English.

Kept apart from the code that chooses them, as verdict_text is, so that a translator reads
one table and a test can hold both languages to the same blanks.
"""

TEXT = {
    "nl": {
        "head": "Vergelijking van {n} scenario's: {reps} replicaties, seed {seed}, met "
                "gemeenschappelijke toevalsgetallen (replicatie k van elk scenario krijgt "
                "dezelfde toevalsstromen).",
        "window": "Gemeten over {unit} {start} tot {end} (na de warm-up).",
        "legend": "Scenario's ({base} is de basis; verschil = scenario - basis, per replicatie "
                  "gepaard):",
        "base": "basis",
        "diff_head": "{x} - {base}",
        "interval": "(95%)",
        "chain": "Keten",
        "lead": "doorlooptijd, gemiddeld ({units})",
        "lead90": "doorlooptijd, 90% binnen ({units})",
        "throughput": "uitstroom (zaken per {unit})",
        "wip": "onderweg aan het eind (zaken)",
        "cost_total": "kosten keten ({currency})",
        "cost_case": "kosten per afgehandelde zaak ({currency})",
        "waits": "Wachttijd ({units})",
        "backlog": "Achterstand aan het eind (zaken)",
        "util": "Bezetting (%)",
        "norms": "Normen (% van de zaken binnen de termijn)",
        "star": "* het 95%-interval van het verschil sluit 0 uit: dat verschil is geen toeval.",
        "ci": "({low} tot {high})",
        "none": "Geen verschil in wachttijd, achterstand, doorlooptijd of normen is groter "
                "dan het toeval.",
        "where": "Resultaten: {path}",
        "in": "In {name}: ",
        "up": "stijgt", "down": "daalt",
        "wait_s": "de wachttijd bij {step} {verb} met {x} {units} (95%: {low} tot {high})",
        "backlog_s": "de achterstand bij {step} aan het eind {verb} met {x} zaken "
                     "(95%: {low} tot {high})",
        "lead_s": "de gemiddelde doorlooptijd van de keten {verb} met {x} {units} "
                  "(95%: {low} tot {high})",
        "throughput_s": "de uitstroom van de keten {verb} met {x} zaken per {unit} "
                        "(95%: {low} tot {high})",
        "norm_s": "het deel van de zaken binnen de norm {norm} {verb} met {x} procentpunt "
                  "(95%: {low} tot {high})",
        "cost_s": "de kosten van de keten {verb} met {currency} {x} (95%: {low} tot {high})",
        "stock": "Voorraad per partner aan het eind (zaken)",
        "time": "Tijd bij de partner ({units})",
        "stock_s": "de voorraad bij {partner} aan het eind {verb} met {x} zaken "
                   "(95%: {low} tot {high})",
        "time_s": "de tijd die een zaak bij {partner} doorbrengt {verb} met {x} {units} "
                  "(95%: {low} tot {high})",
        "diverted_s": "bij {step} worden {x} zaken {more} doorgestuurd omdat het vol is "
                      "(95%: {low} tot {high})",
        "rejected_s": "bij {step} worden {x} zaken {more} geweigerd omdat het vol is "
                      "(95%: {low} tot {high})",
        "mean_blocked_s": "bij {step} staan gemiddeld {x} plaatsen {more} vast met zaken die "
                          "niet verder kunnen (95%: {low} tot {high})",
        "dismissed_s": "bij {step} worden {x} zaken {more} zonder behandeling afgedaan wegens "
                       "de drukte (95%: {low} tot {high})",
        "reneged_s": "bij {step} vertrekken {x} zaken {more} omdat hun termijn verstreek "
                     "(95%: {low} tot {high})",
        "lead_losses": ", maar dat komt doordat meer zaken zonder behandeling vertrekken",
        "more_w": "meer", "fewer_w": "minder",
        "verdicts": "Oordeel per scenario (uit de simulatie):",
    },
    "en": {
        "head": "Comparison of {n} scenarios: {reps} replications, seed {seed}, with common "
                "random numbers (replication k of every scenario gets the same random streams).",
        "window": "Measured over {unit} {start} to {end} (after the warm-up).",
        "legend": "Scenarios ({base} is the base; difference = scenario - base, paired per "
                  "replication):",
        "base": "base",
        "diff_head": "{x} - {base}",
        "interval": "(95%)",
        "chain": "Chain",
        "lead": "lead time, mean ({units})",
        "lead90": "lead time, 90% within ({units})",
        "throughput": "outflow (cases per {unit})",
        "wip": "in the chain at the end (cases)",
        "cost_total": "chain costs ({currency})",
        "cost_case": "cost per finished case ({currency})",
        "waits": "Waiting time ({units})",
        "backlog": "Backlog at the end (cases)",
        "util": "Utilisation (%)",
        "norms": "Norms (% of cases within the term)",
        "star": "* the difference's 95% interval excludes 0: that difference is not chance.",
        "ci": "({low} to {high})",
        "none": "No difference in waiting, backlog, lead time or norms is larger than chance.",
        "where": "Results: {path}",
        "in": "In {name}: ",
        "up": "rises", "down": "falls",
        "wait_s": "the waiting time at {step} {verb} by {x} {units} (95%: {low} to {high})",
        "backlog_s": "the backlog at {step} at the end {verb} by {x} cases "
                     "(95%: {low} to {high})",
        "lead_s": "the chain's mean lead time {verb} by {x} {units} (95%: {low} to {high})",
        "throughput_s": "the chain's outflow {verb} by {x} cases per {unit} "
                        "(95%: {low} to {high})",
        "norm_s": "the share of cases within the norm {norm} {verb} by {x} percentage points "
                  "(95%: {low} to {high})",
        "cost_s": "the chain's costs {verb} by {currency} {x} (95%: {low} to {high})",
        "stock": "Stock per partner at the end (cases)",
        "time": "Time with the partner ({units})",
        "stock_s": "the stock at {partner} at the end {verb} by {x} cases "
                   "(95%: {low} to {high})",
        "time_s": "the time a case spends with {partner} {verb} by {x} {units} "
                  "(95%: {low} to {high})",
        "diverted_s": "{x} {more} cases are diverted at {step} because it is full "
                      "(95%: {low} to {high})",
        "rejected_s": "{x} {more} cases are turned away at {step} because it is full "
                      "(95%: {low} to {high})",
        "mean_blocked_s": "on average {x} {more} places at {step} are held by cases that "
                          "cannot move on (95%: {low} to {high})",
        "dismissed_s": "{x} {more} cases are closed untreated at {step} because of the crowding "
                       "(95%: {low} to {high})",
        "reneged_s": "{x} {more} cases leave {step} because their term ran out "
                     "(95%: {low} to {high})",
        "lead_losses": ", but only because more cases leave untreated",
        "more_w": "more", "fewer_w": "fewer",
        "verdicts": "Verdict per scenario (from the simulation):",
    },
}

"""Pages: the self-contained HTML reports of runs, comparisons and sweeps.

Takes: Results, a Comparison or a Sweep, with pictures already drawn.
Gives: one HTML page (no external resources) rendered from the jinja2
``templates/``. ``report`` renders the run and comparison pages,
``tables`` the tables they show, ``studies`` the pages of studies with a
plain fallback.
"""

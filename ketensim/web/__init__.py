"""The browser app (``ketensim serve``): choose a chain, move the levers, see where it backs up.

Takes: a folder of scenario files (the bundled ones by default). Gives: a
local web app in which a policy maker chooses a chain, changes capacity,
handling time, inflow or a step, sees the offered loads at once and, after
"Doorrekenen", the base and the what-if compared with common random numbers,
in the same words and numbers as ``ketensim compare``. ``levers`` turns a
decision into a variant file, ``jobs`` runs it, ``app`` routes the requests,
``server`` starts it. Needs the optional extra ``ketensim[web]``.
"""

"""Dashboard of the AI-confidence model: ``solara run app.py`` (http://localhost:8765).

Two pages:

- **Modellers** (``/``, the "Home" tab): the live model in Mesa's SolaraViz; set workforce size,
  tool reliability, strategy, automation bias, budget and seed, then Reset, Step or Play.
- **Planners** (``/planners``): open a finished experiment's results folder (default: the newest
  under ``results/training_mix/``) and compare its strategies; nothing is rerun.

The server listens on localhost (127.0.0.1) unless told otherwise: ``--host`` and ``--port``
change it (``solara run app.py --host 127.0.0.1 --port 8765``; note that solara also reads the
``HOST``/``SOLARA_HOST`` and ``PORT`` environment variables).
"""

from __future__ import annotations

import solara

from dashboard.live_page import ModellersPage
from dashboard.results_page import PlannersPage

routes = [
    solara.Route(path="/", component=ModellersPage, label="Modellers: live model"),
    solara.Route(path="planners", component=PlannersPage, label="Planners: finished experiments"),
]

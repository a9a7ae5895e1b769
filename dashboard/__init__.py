"""The interactive dashboard served by ``solara run app.py``: a live model and finished results.

- :mod:`dashboard.live_model`: the model the modellers' page runs, with the page's controls;
- :mod:`dashboard.live_figures`: figures read from the model's arrays after each step;
- :mod:`dashboard.live_page`: the modellers' page (Mesa's SolaraViz);
- :mod:`dashboard.results_page`: the planners' page, reading a finished experiment's folder.
"""

import warnings

# Mesa 3.3's ComponentsView calls a hook after an early return that it never takes with
# components given; solara warns about it on import. Mesa 3.5 fixed it.
warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite early")

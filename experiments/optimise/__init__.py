"""Multi-objective optimisation of the training mix (``python run.py experiment=optimise_mix``).

Layers, used downwards: :mod:`.settings` (``cfg.optimise``) and :mod:`.space` (the search space in
YAML) -> :mod:`.candidate` (a trial's parameters -> a strategy) -> :mod:`.evaluate` (runs on
common seeds through the experiment runner) -> :mod:`.search` (optuna, journal file, resume) ->
:mod:`.outputs` (tables, ``best_strategy.yaml``) -> :mod:`.pipeline` (end to end; figure in
``experiments.plots.pareto``, report in ``experiments.report.optimise_page``).
"""

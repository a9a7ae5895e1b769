"""``python run.py experiment=optimise_mix`` end to end: search, re-evaluation, outputs, report.

1. **Search**: candidate mixes from ``optimise.space`` (:mod:`.space`, :mod:`.candidate`), each
   evaluated on the same ``optimise.replicates`` seeds (common random numbers, :mod:`.evaluate`),
   chosen by optuna (:mod:`.search`) against ``optimise.objectives``; stored in ``study.journal``.
2. **Re-evaluation on fresh seeds** (no winner's curse): up to ``optimise.max_reevaluate`` trials
   of the search's Pareto front and every hand-made strategy of ``experiment.scenarios`` are run
   on ``optimise.reevaluate_replicates`` (>= 20) seeds the search never used.
3. **Confirmation**: the best re-evaluated mix within the budget and the best hand-made strategy
   (both chosen on the re-evaluation seeds) are compared on a third set of seeds neither choice
   saw, so the difference reported is not inflated by picking the best of several.

Seeds: ``replicate_seeds(seed, R + R2 + R2)`` (:func:`experiments.runner.replicate_seeds`); the
first ``R`` for the search, the next ``R2`` for the re-evaluation, the last ``R2`` to confirm.
Robust mode (``optimise.robust=true``): each replicate is also a PSA draw of the uncertain
parameters (:func:`replicate_variants`), so every objective is an expectation over parameter
uncertainty as well as chance (robust optimisation over the PSA's draws).
Files: ``trials.parquet``, ``pareto.csv``, ``pareto.png``, ``best_strategy.yaml``, ``report.html``,
``config.yaml``, ``manifest.json``, ``study.journal``, ``runs/`` (re-evaluation runs).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from experiments.compare import check_resumable
from experiments.io import write_json, write_table, write_text
from experiments.optimise.candidate import describe, strategy_dict
from experiments.optimise.evaluate import evaluate, model_config, trial_scenario
from experiments.optimise.outputs import (
    compare_table,
    confirm_difference,
    trials_table,
    write_best_strategy,
)
from experiments.optimise.search import (
    open_study,
    pareto_trials,
    run_search,
    select_for_reevaluation,
)
from experiments.optimise.settings import objective_directions
from experiments.optimise.space import check_optimise
from experiments.outcomes import sign_of_better
from experiments.plots.pareto import plot_pareto
from experiments.provenance import manifest
from experiments.report.optimise_page import write_optimise_report
from experiments.runner import replicate_seeds
from experiments.uncertainty.draws import load_posterior, sample_draws
from experiments.uncertainty.pipeline import posterior_path
from model import ModelConfig, as_model_config
from model.validation import ConfigError

RUN_KEYS = ("name", "progress", "n_jobs", "resume", "force", "parallel", "experiment", "optimise")


def base_values(cfg: DictConfig) -> dict[str, Any]:
    """The model's config values of the run (what every candidate shares but its strategy)."""
    values = OmegaConf.to_container(cfg, resolve=True)
    return {k: v for k, v in values.items() if k not in RUN_KEYS and k != "hydra"}


def hand_made(
    cfg: DictConfig, compose: Callable[[list[str]], DictConfig]
) -> dict[str, ModelConfig]:
    """Every hand-made strategy of ``experiment.scenarios``, composed as in training_mix."""
    configs = {}
    for name, overrides in cfg.experiment.scenarios.items():
        try:
            configs[name] = as_model_config(compose(list(overrides)))
        except (HydraException, OmegaConfBaseException, ConfigError) as error:
            raise ConfigError(f"experiment scenario '{name}': {error}") from error
    return configs


def replicate_variants(
    cfg: DictConfig, handmade: dict[str, ModelConfig], n: int
) -> list[tuple[int, dict[str, float]]]:
    """The ``n`` replicates: seeds only, or in robust mode PSA draws (seed and parameter values).

    Robust mode draws every uncertain parameter from its prior in data/evidence/parameters.csv,
    the calibrated ones jointly from the posterior (as ``experiment=psa`` does), each draw with
    its own seed; the same draws serve every candidate and hand-made strategy.
    """
    if not cfg.optimise.robust:
        return [(seed, {}) for seed in replicate_seeds(cfg.seed, n)]
    source = posterior_path(cfg.optimise.posterior)
    posterior = load_posterior(source) if source else None
    reference = handmade.get(cfg.experiment.baseline) or next(iter(handmade.values()))
    draws, _, _ = sample_draws(reference, n, cfg.seed, posterior)
    parameters = [c for c in draws.columns if c not in ("draw", "seed", "particle")]
    return [
        (int(row["seed"]), {p: float(row[p]) for p in parameters})
        for row in draws.to_dict("records")
    ]


def run_optimise(
    cfg: DictConfig, out_dir: Path, compose: Callable[[list[str]], DictConfig]
) -> dict:
    """Run the optimisation of ``cfg`` into ``out_dir`` (module docstring)."""
    started = time.perf_counter()
    settings = cfg.optimise
    space = check_optimise(cfg)
    objectives = dict(settings.objectives)
    names = list(objectives)
    primary = names[0]
    budget = float(cfg.strategy.budget_gbp)
    handmade = hand_made(cfg, compose)
    if cfg.resume:
        check_resumable(cfg, out_dir)
    else:
        write_text(out_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    r1, r2 = settings.replicates, settings.reevaluate_replicates
    variants = replicate_variants(cfg, handmade, r1 + 2 * r2)
    search_seeds, fresh, confirm = variants[:r1], variants[r1 : r1 + r2], variants[r1 + r2 :]
    base = base_values(cfg)
    runs_dir = out_dir / "runs"
    run_counts: dict[str, float] = {}

    def strategy_of(params: dict[str, Any]) -> dict[str, Any]:
        return strategy_dict(space, params, budget, settings.strategy_name)

    def evaluate_batch(batch: list[tuple[int, dict[str, Any]]]) -> list[list[float]]:
        configs = {trial_scenario(n): model_config(base, strategy_of(p)) for n, p in batch}
        table = evaluate(
            configs, search_seeds, objectives, runs_dir, "search", cfg.n_jobs,
            progress=cfg.progress, keep_runs=settings.keep_search_runs, counts=run_counts,
        )  # fmt: skip
        means = table.groupby("scenario")[names].mean()
        return [means.loc[trial_scenario(n)].tolist() for n, _ in batch]

    study = open_study(
        out_dir / "study.journal",
        objective_directions(objectives),
        settings.sampler,
        cfg.seed,
        settings.batch_size,
    )
    counts = run_search(
        study, space.suggest, evaluate_batch, settings.trials, settings.batch_size, cfg.progress
    )
    front = pareto_trials(study)
    cost_index = names.index("cumulative_cost_gbp") if "cumulative_cost_gbp" in names else None
    chosen = select_for_reevaluation(
        front, sign_of_better(primary), settings.max_reevaluate, cost_index
    )
    strategies = {trial_scenario(t.number): strategy_of(dict(t.params)) for t in chosen}
    configs = {name: model_config(base, s) for name, s in strategies.items()}
    fresh_table = evaluate(
        {**configs, **handmade}, fresh, objectives, runs_dir, "reevaluate", cfg.n_jobs,
        cfg.progress, counts=run_counts,
    )  # fmt: skip
    table = compare_table(fresh_table, objectives, strategies, handmade, budget)
    best, best_hand = table.attrs["best_mix"], table.attrs["best_hand_made"]
    confirmed = None
    if best is not None:
        confirm_table = evaluate(
            {best: configs[best], best_hand: handmade[best_hand]},
            confirm, objectives, runs_dir, "confirm", cfg.n_jobs, cfg.progress, counts=run_counts,
        )  # fmt: skip
        confirmed = confirm_difference(confirm_table, primary, best, best_hand)
        write_best_strategy(out_dir / "best_strategy.yaml", strategies[best], table, best, cfg)
    trials = trials_table(study, names, strategy_of, describe, {t.number for t in front})
    write_table(out_dir / "trials", trials, ("parquet",))
    write_table(out_dir / "pareto", table, ("csv",))
    plot = plot_pareto(trials, table, objectives, out_dir / "pareto.png", budget)
    record = manifest(
        seed=cfg.seed,
        wall_time_s=time.perf_counter() - started,
        kind="optimise",
        robust=bool(settings.robust),
        replicate_seeds=[s for s, _ in search_seeds],
        reevaluation_seeds=[s for s, _ in fresh],
        confirmation_seeds=[s for s, _ in confirm],
        pareto_front_size=len(front),
        reevaluated=list(strategies),
        **counts,
        **run_counts,
    )
    write_optimise_report(out_dir, cfg, table, confirmed, plot, record)
    write_json(out_dir / "manifest.json", record)
    if cfg.progress:
        print(
            f"{cfg.experiment.title or cfg.name}: {len(trials)} trials, {len(front)} on the "
            f"front, {len(strategies)} re-evaluated, in {record['wall_time_s']:.1f} s"
        )
        print(f"report: {out_dir / 'report.html'}")
    return {"trials": trials, "pareto": table, "confirmed": confirmed, "manifest": record}


__all__ = ["run_optimise"]

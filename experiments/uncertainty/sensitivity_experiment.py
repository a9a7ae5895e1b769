"""``python run.py experiment=sensitivity``: what the answer depends on, end to end.

Steps, each resumable (one file per finished design point, :mod:`.sensitivity_runs`):

1. **Medians.** Every strategy of ``experiment.scenarios`` at the prior medians of the screened
   parameters, over ``sensitivity.median_replicates`` seeds: picks the strategy compared with the
   baseline (the best on the primary outcome, unless ``sensitivity.strategy`` names one) and
   measures the noise level (the spread of each output over replicates).
2. **Morris screening** (Morris 1991; Campolongo et al. 2007) of every screened parameter.
3. **Sobol indices** (Saltelli 2002; Saltelli et al. 2010) of the ``sensitivity.sobol_top``
   parameters with the largest mu*, the others held at their prior medians.

The three outputs, each time-averaged over the weeks and averaged over the replicates of a design
point: the primary outcome of the compared strategy minus that of the baseline (paired: same
parameter values and seeds), and the compared strategy's appropriate share and automation-bias
errors per 1,000 decisions. Tables: ``sensitivity_morris.csv``, ``sensitivity_sobol.csv``,
``sensitivity_noise.csv``, ``sensitivity_medians.csv``; figure ``tornado.png``; ``report.html``;
``config.yaml`` and ``manifest.json``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from experiments.compare import check_resumable
from experiments.io import write_json, write_table, write_text
from experiments.outcomes import DEFAULT_PRIMARY, sign_of_better
from experiments.plots.tornado import plot_tornado
from experiments.provenance import manifest
from experiments.report.sensitivity import write_sensitivity_report
from experiments.runner import replicate_seeds
from experiments.schema import validate_experiment
from experiments.uncertainty.priors import Prior, load_priors, sample_unit, with_values
from experiments.uncertainty.sensitivity import (
    morris_design,
    morris_indices,
    salib_problem,
    sobol_design,
    sobol_indices,
    top_parameters,
    unit_bounds,
)
from experiments.uncertainty.sensitivity_runs import (
    RECORDED,
    Point,
    collect_points,
    point_means,
    run_points,
)
from experiments.uncertainty.sensitivity_settings import validate_sensitivity
from model import ModelConfig, as_model_config
from model.validation import ConfigError

APPROPRIATE = "appropriate_share"
AUTOMATION_BIAS = "automation_bias_errors_per_1000"


def output_names(primary: str, baseline: str) -> dict[str, str]:
    """Output column -> description, for the three outputs of the analysis."""
    return {
        f"{primary}_vs_{baseline}": f"{primary} of the strategy minus {baseline}",
        APPROPRIATE: "appropriate share under the strategy",
        AUTOMATION_BIAS: "automation-bias errors per 1,000 decisions under the strategy",
    }


def compose_arms(
    cfg: DictConfig, compose: Callable[[list[str]], DictConfig], n_workers: int
) -> dict[str, ModelConfig]:
    """Each scenario's model config, with the analysis's workforce size."""
    arms = {}
    for scenario, overrides in cfg.experiment.scenarios.items():
        try:
            config = as_model_config(compose(list(overrides)))
        except (HydraException, OmegaConfBaseException, ConfigError) as error:
            raise ConfigError(f"experiment scenario '{scenario}': {error}") from error
        arms[scenario] = with_values(config, {"population.n_workers": n_workers})
    return arms


def used_priors(priors: list[Prior], arms: Mapping[str, ModelConfig]) -> list[Prior]:
    """The priors the compared arms can read: modalities they teach, audit if anyone audits."""
    modalities = {p.modality for config in arms.values() for p in config.strategy.programmes}
    strategy_audit = any(config.strategy.audit.coverage > 0 for config in arms.values())
    governance_audit = any(config.audit.coverage > 0 for config in arms.values())

    def read(path: str) -> bool:
        if path.startswith("training.modalities."):
            return path.split(".")[2] in modalities
        if path.startswith("strategy.audit."):
            return strategy_audit
        if path.startswith("audit."):
            return governance_audit
        return True

    return [p for p in priors if read(p.path)]


def values_of(priors: list[Prior], unit: np.ndarray) -> list[dict[str, float]]:
    """Parameter values of each design row (prior quantiles ``unit``), as path -> value."""
    values = sample_unit(priors, unit)
    return [{p.path: float(v) for p, v in zip(priors, row, strict=True)} for row in values]


def outputs_at(
    table: pd.DataFrame, points: list[Point], strategy: str, baseline: str, primary: str
) -> dict[str, np.ndarray]:
    """The three outputs per point (replicate means), in the order of ``points``."""
    diff = point_means(table, points, strategy, primary) - point_means(
        table, points, baseline, primary
    )
    outputs = {
        f"{primary}_vs_{baseline}": diff.to_numpy(),
        APPROPRIATE: point_means(table, points, strategy, APPROPRIATE).to_numpy(),
        AUTOMATION_BIAS: point_means(table, points, strategy, AUTOMATION_BIAS).to_numpy(),
    }
    for name, values in outputs.items():
        if undefined := int(np.isnan(values).sum()):
            raise ConfigError(
                f"output {name} is undefined at {undefined} of {len(values)} design points (no "
                "week with the tool live and AI-assisted decisions): expected weeks and tools "
                "such that the tool is used within the horizon"
            )
    return outputs


def choose_strategy(medians: pd.DataFrame, baseline: str, primary: str) -> str:
    """The strategy (not the baseline) with the best mean primary outcome at the medians."""
    means = medians[medians.arm != baseline].groupby("arm", sort=False)[primary].mean()
    return str((means * -sign_of_better(primary)).idxmin())


def noise_table(
    medians: pd.DataFrame,
    strategy: str,
    baseline: str,
    primary: str,
    replicates: int,
    levels: int,
) -> pd.DataFrame:
    """Spread of each output over replicate seeds at the prior medians.

    ``sd_point_mean`` is the standard deviation of a design point's output (the mean of
    ``replicates`` seeds): the noise in every model evaluation the indices are computed from.
    ``morris_noise_floor`` is the mu* a parameter without any effect would get from that noise
    alone if the two points of an elementary effect had independent noise: the mean absolute
    value of a normal difference, ``sqrt(2) sd sqrt(2 / pi)``, divided by the Morris step
    ``levels / (2 (levels - 1))``. Common random numbers make the real floor lower, so it is an
    upper bound.
    """
    step = levels / (2 * (levels - 1))
    mine = medians[medians.arm == strategy].set_index("replicate")
    base = medians[medians.arm == baseline].set_index("replicate")
    series = {
        f"{primary}_vs_{baseline}": mine[primary] - base[primary],
        APPROPRIATE: mine[APPROPRIATE],
        AUTOMATION_BIAS: mine[AUTOMATION_BIAS],
    }
    rows = []
    for name, values in series.items():
        values = values.to_numpy(dtype=float)
        variance = float(np.var(values, ddof=1))
        rows.append(
            {
                "output": name,
                "mean_at_medians": float(values.mean()),
                "replicates_at_medians": len(values),
                "noise_variance": variance,
                "noise_sd": variance**0.5,
                "replicates_per_point": replicates,
                "sd_point_mean": (variance / replicates) ** 0.5,
                "morris_noise_floor": (variance / replicates) ** 0.5 * 2 / np.sqrt(np.pi) / step,
            }
        )
    return pd.DataFrame(rows)


def run_sensitivity(
    cfg: DictConfig, out_dir: Path, compose: Callable[[list[str]], DictConfig]
) -> dict[str, Any]:
    """Run the analysis ``cfg.sensitivity`` describes and write every output into ``out_dir``."""
    started = time.perf_counter()
    settings, experiment = cfg.sensitivity, cfg.experiment
    validate_experiment(experiment)
    validate_sensitivity(settings, list(experiment.scenarios), experiment.baseline)
    primary = experiment.get("primary_outcome") or DEFAULT_PRIMARY
    baseline = experiment.baseline
    priors = load_priors(include=list(settings.include))
    if not priors:
        raise ConfigError(
            f"sensitivity.include = {list(settings.include)}: no prior parameter starts with "
            "these prefixes; expected prefixes of data/evidence/parameters.csv rows"
        )
    if cfg.resume:
        check_resumable(cfg, out_dir)
    else:
        write_text(out_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    arms = compose_arms(cfg, compose, settings.n_workers)
    points_dir = out_dir / "points"
    outcomes = tuple(dict.fromkeys([*RECORDED, primary]))
    run = dict(n_jobs=cfg.n_jobs, progress=cfg.progress, outcomes=outcomes)
    counts: dict[str, dict[str, int]] = {}

    # 1. Every strategy at the prior medians: the compared strategy and the noise level.
    median_values = values_of(priors, np.full((1, len(priors)), 0.5))[0]
    median_seeds = replicate_seeds(cfg.seed, settings.median_replicates)
    median_points = [Point("medians", arm, median_values, (arm,)) for arm in arms]
    counts["medians"] = run_points(median_points, arms, median_seeds, points_dir, **run)
    medians = collect_points(median_points, points_dir)
    write_table(out_dir / "sensitivity_medians", medians, ("csv",))
    strategy = settings.strategy or choose_strategy(medians, baseline, primary)
    compared = {strategy: arms[strategy], baseline: arms[baseline]}
    pair = (strategy, baseline)
    noise = noise_table(
        medians, strategy, baseline, primary, settings.replicates, settings.morris_levels
    )
    write_table(out_dir / "sensitivity_noise", noise, ("csv",))

    # 2. Morris screening of every parameter the compared strategies can read.
    screened = used_priors(priors, compared) if settings.skip_unused else priors
    seeds = replicate_seeds(cfg.seed, settings.replicates)
    names = [p.path for p in screened]
    problem = salib_problem(names, unit_bounds(len(names), settings.quantile_range))
    design = morris_design(problem, settings.morris_trajectories, settings.morris_levels, cfg.seed)
    points = [
        Point("morris", f"{i:05d}", v, pair) for i, v in enumerate(values_of(screened, design))
    ]
    counts["morris"] = run_points(points, compared, seeds, points_dir, **run)
    table = collect_points(points, points_dir)
    outputs = outputs_at(table, points, strategy, baseline, primary)
    morris = pd.concat(
        [
            morris_indices(
                problem,
                design,
                y,
                settings.morris_levels,
                name,
                settings.bootstrap_resamples,
                cfg.seed,
            )
            for name, y in outputs.items()
        ],
        ignore_index=True,
    )
    write_table(out_dir / "sensitivity_morris", morris, ("csv",))

    # 3. Sobol indices of the strongest parameters, the others at their medians.
    top = top_parameters(morris, settings.sobol_top)
    sobol = pd.DataFrame(columns=["parameter", "output", "S1", "S1_conf", "ST", "ST_conf"])
    sobol_variance: dict[str, float] = {}
    worse_share = None
    if top:
        chosen = [p for p in screened if p.path in top]
        chosen.sort(key=lambda p: top.index(p.path))
        sobol_problem = salib_problem(top, unit_bounds(len(top), settings.quantile_range))
        design = sobol_design(sobol_problem, settings.sobol_samples, cfg.seed)
        points = [
            Point("sobol", f"{i:05d}", {**median_values, **v}, pair)
            for i, v in enumerate(values_of(chosen, design))
        ]
        counts["sobol"] = run_points(points, compared, seeds, points_dir, **run)
        table = collect_points(points, points_dir)
        outputs = outputs_at(table, points, strategy, baseline, primary)
        sobol = pd.concat(
            [
                sobol_indices(sobol_problem, y, name, settings.bootstrap_resamples, cfg.seed)
                for name, y in outputs.items()
            ],
            ignore_index=True,
        )
        sobol_variance = {name: float(np.var(y, ddof=1)) for name, y in outputs.items()}
        diff = outputs[f"{primary}_vs_{baseline}"]
        worse_share = float(np.mean(diff * sign_of_better(primary) < 0))
    write_table(out_dir / "sensitivity_sobol", sobol, ("csv",))
    noise["design_variance"] = noise.output.map(sobol_variance)
    noise["noise_share_of_design_variance"] = noise.sd_point_mean**2 / noise.design_variance
    write_table(out_dir / "sensitivity_noise", noise, ("csv",))

    record = manifest(
        seed=cfg.seed,
        wall_time_s=time.perf_counter() - started,
        kind="sensitivity",
        strategy=strategy,
        strategy_chosen_by="sensitivity.strategy" if settings.strategy else "best at medians",
        baseline=baseline,
        parameters_screened=len(names),
        parameters_sobol=top,
        sobol_points_worse_than_baseline=worse_share,
        replicate_seeds=seeds,
        median_seeds=median_seeds,
        stages=counts,
        runs_total=len(arms) * len(median_seeds)
        + sum(c["points_total"] for s, c in counts.items() if s != "medians") * 2 * len(seeds),
        runs_computed=sum(c["runs_computed"] for c in counts.values()),
    )
    plots = {"tornado": plot_tornado(out_dir / "tornado.png", morris, noise, primary, baseline)}
    write_sensitivity_report(out_dir, cfg, morris, sobol, noise, medians, plots, record)
    write_json(out_dir / "manifest.json", record)
    if cfg.progress:
        computed = sum(c["points_computed"] for c in counts.values())
        print(
            f"sensitivity: {strategy} vs {baseline}, {len(names)} parameters screened, "
            f"{len(top)} in Sobol; {computed} design points computed in "
            f"{record['wall_time_s']:.1f} s"
        )
        print(f"report: {out_dir / 'report.html'}")
    return {"morris": morris, "sobol": sobol, "noise": noise, "manifest": record}

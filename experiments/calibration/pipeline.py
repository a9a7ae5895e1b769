"""A calibration end to end: fit, posterior predictive, tables, plots, report, manifest.

``run.py`` calls :func:`run_calibration` when ``calibration.mode`` is not ``off``. Results go to
the run's folder (``results/<name>/<date>_<time>/``); ``resume=<folder>`` continues an ABC-SMC
run from its database (the point estimate is recomputed: it is fast).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from experiments.calibration import plots
from experiments.calibration.baselines import (
    naive_forecasts,
    score_table,
    skill_sentences,
    skill_summary,
)
from experiments.calibration.discrepancy import expected_deviance
from experiments.calibration.noise import noise_sentence, noise_table
from experiments.calibration.outputs import (
    calibrated_yaml,
    posterior_csv,
    publish,
    summarise_posterior,
)
from experiments.calibration.predictive import coverage, figure_table, posterior_predictive
from experiments.calibration.problem import CalibrationProblem, build_problem
from experiments.calibration.recovery import recovery_sentence, recovery_table
from experiments.calibration.report import write_report
from experiments.calibration.survey_error import SurveyError
from experiments.calibration.validation import holdout_sentence, holdout_table
from experiments.io import write_json, write_table, write_text
from experiments.parallel import active, cores
from experiments.provenance import manifest
from model.validation import ConfigError

RUN_SETTINGS = ("resume", "n_jobs", "progress", "parallel")
# Calibration settings that may change when a run is resumed (budget and outputs, not the fit).
RESUMABLE = (
    "max_generations",
    "max_simulations",
    "max_walltime_minutes",
    "min_epsilon",
    "predictive_draws",
    "predictive_every_weeks",
    "noise_replicates",
    "identified_ratio",
    "publish_as",
    "publish_dir",
)


def _comparable(cfg: DictConfig) -> DictConfig:
    node = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    for key in RUN_SETTINGS:
        node.pop(key, None)
    for key in RESUMABLE:
        node.calibration.pop(key, None)
    return node


def _flat(node: DictConfig) -> dict[str, Any]:
    """Dotted key -> value of every leaf (lists as values)."""
    flat: dict[str, Any] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{prefix}{key}.")
        else:
            flat[prefix.rstrip(".")] = value

    walk(OmegaConf.to_container(node), "")
    return flat


def check_resumable(cfg: DictConfig, out_dir: Path) -> None:
    """Refuse to resume a folder made by a different calibration (budget changes allowed)."""
    saved = out_dir / "config.yaml"
    if not saved.exists():
        raise ConfigError(f"resume = {out_dir}: expected a results folder with a config.yaml")
    previous, current = _flat(_comparable(OmegaConf.load(saved))), _flat(_comparable(cfg))
    if previous != current:
        keys = sorted(k for k in set(previous) | set(current) if previous.get(k) != current.get(k))
        raise ConfigError(
            f"resume = {out_dir}: the config differs from the one saved there (keys: "
            f"{', '.join(keys)}); expected the same command, except the budget "
            f"(calibration.{', calibration.'.join(RESUMABLE[:4])})"
        )


def _n_jobs(cfg: DictConfig) -> int:
    """Processes simulating: the Dask cluster's workers, or n_jobs (-1 = every allocated core)."""
    session = active()
    if session is not None:
        return session.workers
    return cores() if cfg.n_jobs < 1 else int(cfg.n_jobs)


def _fit(problem: CalibrationProblem, cfg: DictConfig, out_dir: Path) -> dict[str, Any]:
    """Run the chosen method; the posterior (or point), tables and counts."""
    mode, n_jobs = problem.settings.mode, _n_jobs(cfg)
    if mode == "abc":
        from experiments.calibration.abc_smc import run_abc

        result = run_abc(problem, out_dir, n_jobs, cfg.seed, progress=cfg.progress)
        reason = stop_reason(problem, result.diagnostics, result.wall_time_s)
        if reason.startswith("WALL TIME") and cfg.progress:
            print(f"WARNING: {reason}")
        return {
            "stop_reason": reason,
            "posterior": result.posterior,
            "diagnostics": result.diagnostics,
            "simulations_total": result.simulations,
            "simulations_this_run": result.simulations_run,
            "generations": len(result.diagnostics),
            "generations_this_run": result.generations_run,
            "fit_wall_time_s": round(result.wall_time_s, 1),
            "final_epsilon": float(result.diagnostics.epsilon.iloc[-1]),
        }
    from experiments.calibration.point_estimate import run_point

    result = run_point(problem, cfg.seed, n_jobs, progress=cfg.progress)
    return {
        "posterior": result.as_posterior(problem.names),
        "trials": result.trials,
        "simulations_total": result.simulations,
        "simulations_this_run": result.simulations,
        "fit_wall_time_s": round(result.wall_time_s, 1),
        "best_deviance": result.best_deviance,
    }


def stop_reason(problem: CalibrationProblem, diagnostics, wall_time_s: float) -> str:  # noqa: ANN001
    """Which budget limit ended the ABC run (the wall-time limit is a safety net, said loudly)."""
    settings = problem.settings
    if len(diagnostics) >= settings.max_generations:
        return f"generations: all {settings.max_generations} run"
    if float(diagnostics.epsilon.iloc[-1]) <= settings.min_epsilon:
        return f"threshold: epsilon reached {settings.min_epsilon:g}"
    if int(diagnostics.simulations.sum()) >= settings.max_simulations:
        return f"simulations: {int(diagnostics.simulations.sum())} of {settings.max_simulations}"
    return (
        f"WALL TIME safety limit ({settings.max_walltime_minutes:g} min) cut the fit short after "
        f"{len(diagnostics)} of {settings.max_generations} generations: the posterior is wider "
        "than the budget would give; resume the run (resume=<folder>) to finish it"
    )


def _manifest_parts(out_dir: Path, resumed: bool, part: dict[str, Any]) -> list[dict[str, Any]]:
    """Every part of a run: the previous manifest's parts (on resume) and this one."""
    previous = Path(out_dir) / "manifest.json"
    if not resumed or not previous.exists():
        return [part]
    old = json.loads(previous.read_text(encoding="utf-8"))
    keys = ("created", "wall_time_s", "fit_wall_time_s", "load_average_at_start",
            "simulations_this_run", "generations_this_run", "n_jobs", "stop_reason")  # fmt: skip
    parts = old.get("parts") or [{k: old.get(k) for k in keys}]
    return [*parts, part]


def _header(cfg: DictConfig, problem: CalibrationProblem, out_dir: Path) -> list[str]:
    settings = problem.settings
    return [
        f"Calibrated values ({'posterior means' if settings.mode == 'abc' else 'point estimate'})"
        f" from {out_dir}, {dt.date.today().isoformat()}.",
        f"Fitted by {settings.mode} to targets '{settings.targets}' ({settings.task}), "
        f"parameter set '{settings.params}',",
        f"in the scenario of experiment '{cfg.name}' (start {cfg.start_date}, "
        f"{cfg.population.n_workers} workers, tools {', '.join(t.name for t in cfg.tools)}).",
        "Elsewhere they are an extrapolation: read the report before relying on them.",
        "Load into any run or experiment from conf/calibrated/<name>.yaml:",
        f"  python run.py experiment=training_mix +calibrated={settings.publish_as or '<name>'}",
    ]


def _posterior_header(header: list[str]) -> list[str]:
    return [
        "Posterior sample: the particles of the last ABC-SMC generation, one row each, with its",
        "importance weight (sums to 1), ABC distance (deviance) and the seed of its simulation.",
        "Columns after simulation_seed are config paths; likelihood.* columns describe the",
        "surveys, not the model, and are ignored by the PSA (experiment=psa), which samples",
        "whole rows by weight so the calibrated parameters keep their correlations.",
        *header[:3],
    ]


def _plots(out_dir: Path, problem: CalibrationProblem, fit: dict, tables: dict) -> dict[str, Path]:
    made = {
        "fit": plots.save(
            plots.fit_figure(tables["figures"], tables["trajectories"]), out_dir / "fit.png"
        )
    }
    if "diagnostics" in fit:
        posterior, params, truth = fit["posterior"], problem.parameters, problem.truth or None
        made["pairs"] = plots.save(
            plots.pairs_figure(posterior, params, truth), out_dir / "pairs.png"
        )
        figure = plots.diagnostics_figure(fit["diagnostics"], fit["reference_deviance"])
        made["diagnostics"] = plots.save(figure, out_dir / "diagnostics.png")
    if "trials" in fit:
        figure = plots.trials_figure(fit["trials"], problem.parameters)
        made["trials"] = plots.save(figure, out_dir / "trials.png")
    if "recovery" in tables and "diagnostics" in fit:
        made["recovery"] = plots.save(
            plots.recovery_figure(tables["recovery"]), out_dir / "recovery.png"
        )
    if "noise" in tables:
        made["noise"] = plots.save(plots.noise_figure(tables["noise"]), out_dir / "noise.png")
    if "holdout" in tables:
        cutoff = problem.settings.holdout_from
        title = f"Held-out figures (fieldwork from {cutoff}): predicted vs published"
        made["holdout"] = plots.save(
            plots.interval_figure(tables["holdout"], title), out_dir / "holdout.png"
        )
    return made


def run_calibration(cfg: DictConfig, out_dir: Path) -> dict[str, Any]:
    """Calibrate as ``cfg.calibration`` says and write every output into ``out_dir``."""
    started = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    out_dir = Path(out_dir)
    problem = build_problem(cfg)
    settings = problem.settings
    if cfg.resume:
        check_resumable(cfg, out_dir)
    else:
        write_text(out_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    write_table(out_dir / "targets", problem.targets, ("csv",))
    fit = _fit(problem, cfg, out_dir)
    posterior = fit["posterior"]
    summary = summarise_posterior(
        posterior, problem.parameters, settings.identified_ratio, point=settings.mode == "point"
    )
    predictive = posterior_predictive(problem, posterior, cfg.seed, _n_jobs(cfg))
    figures = figure_table(problem, predictive)
    tables = {"figures": figures, "trajectories": predictive.trajectories}
    tables["noise"] = noise_table(
        problem, summary, figures, predictive.figures, cfg.seed, _n_jobs(cfg)
    )
    write_table(out_dir / "noise", tables["noise"], ("csv",))
    fit["coverage"] = coverage(figures)
    fit["noise_summary"] = noise_sentence(
        tables["noise"], problem.predictive_base.population.n_workers
    )
    survey_error = SurveyError.of_values({r.key: float(r.mean) for r in summary.itertuples()})
    fit["reference_deviance"] = expected_deviance(problem.plan, survey_error)
    fit["reference_deviance_binomial"] = expected_deviance(problem.plan)
    sentences = []
    if problem.horizon_extended_from is not None:
        sentences.append(
            f"The horizon was extended from {problem.horizon_extended_from} to "
            f"{problem.base.weeks} weeks to reach the last survey's fieldwork."
        )
    if settings.task == "recovery":
        tables["recovery"] = recovery_table(summary, problem.truth)
        write_table(out_dir / "recovery", tables["recovery"], ("csv",))
        sentences.append(recovery_sentence(tables["recovery"]))
    if settings.task == "validate":
        tables["holdout"] = holdout_table(tables["figures"])
        write_table(out_dir / "holdout", tables["holdout"], ("csv",))
        sentences.append(holdout_sentence(tables["holdout"], settings.holdout_from))
        forecasts = naive_forecasts(problem.targets, survey_error)
        tables["baselines"] = forecasts
        tables["skill"] = score_table(figures, forecasts, predictive.figures)
        tables["skill_summary"] = skill_summary(tables["skill"])
        for name in ("baselines", "skill", "skill_summary"):
            write_table(out_dir / name, tables[name], ("csv",))
        sentences += skill_sentences(tables["skill"], tables["skill_summary"])
    write_table(out_dir / "posterior", posterior, ("parquet",))
    write_table(out_dir / "posterior_summary", summary, ("csv",))
    write_table(out_dir / "figures", tables["figures"], ("csv",))
    write_table(
        out_dir / "predictive", predictive.figures.merge(predictive.draws, on="draw"), ("parquet",)
    )
    write_table(out_dir / "predictive_trajectories", predictive.trajectories, ("parquet",))
    if "diagnostics" in fit:
        write_table(out_dir / "diagnostics", fit["diagnostics"], ("csv",))
    if "trials" in fit:
        write_table(out_dir / "trials", fit["trials"], ("csv",))
    header = _header(cfg, problem, out_dir)
    text = calibrated_yaml(summary, header)
    write_text(out_dir / "calibrated.yaml", text)
    sample = None
    if settings.mode == "abc":
        sample = posterior_csv(posterior, problem.parameters, _posterior_header(header))
        write_text(out_dir / "posterior.csv", sample)
    published = (
        publish(text, settings.publish_as, settings.publish_dir, sample)
        if settings.publish_as
        else None
    )
    made = _plots(out_dir, problem, fit, tables)
    counts = {k: v for k, v in fit.items() if not hasattr(v, "columns")}
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    record = manifest(
        seed=cfg.seed,
        wall_time_s=time.perf_counter() - started,
        kind="calibration",
        mode=settings.mode,
        task=settings.task,
        parameters=problem.names,
        figures_fitted=sum(len(a.figure_ids) for a in problem.plan),
        n_jobs=_n_jobs(cfg),
        parallel_backend=active().backend if active() else "loky",
        load_average_at_start=load,
        load_average_at_end=load_end,
        horizon_weeks=problem.base.weeks,
        predictive_simulations=settings.predictive_draws,
        published=str(published) if published else None,
        resumed=bool(cfg.resume),
        **counts,
    )
    record["versions"] |= _extra_versions()
    part_keys = ("created", "wall_time_s", "fit_wall_time_s", "load_average_at_start",
                 "load_average_at_end", "simulations_this_run", "generations_this_run", "n_jobs",
                 "stop_reason")  # fmt: skip
    part = {k: record.get(k) for k in part_keys}
    record["parts"] = _manifest_parts(out_dir, bool(cfg.resume), part)
    write_report(out_dir, cfg, problem, summary, tables, fit, made, record, sentences)
    write_json(out_dir / "manifest.json", record)
    if cfg.progress:
        _print_summary(problem, summary, record, sentences, out_dir, published)
    return {"summary": summary, "manifest": record, **tables, **fit}


def _extra_versions() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for name in ("pyabc", "optuna"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _print_summary(problem, summary, record, sentences, out_dir, published) -> None:  # noqa: ANN001
    print(
        f"calibration ({record['mode']}, {record['task']}): {record['simulations_total']} "
        f"simulations ({record['simulations_this_run']} this run) in "
        f"{record['wall_time_s']:.0f} s on {record['n_jobs']} processes"
    )
    for r in summary.itertuples():
        interval = "" if r.q05 != r.q05 else f"  90% {r.q05:.4g} to {r.q95:.4g}"
        print(f"  {r.parameter:<22} mean {r.mean:.4g}{interval}  identified: {r.identified}")
    cover = record.get("coverage") or {}
    if cover.get("figures"):
        print(
            f"fitted figures inside their 50% / 90% predictive intervals: "
            f"{cover['inside_50']:.0%} / {cover['inside_90']:.0%} of {cover['figures']}"
        )
    if record.get("stop_reason"):
        print(f"stopped by: {record['stop_reason']}")
    for sentence in sentences:
        print(sentence)
    if published:
        print(
            f"calibrated values: {published} (load with +calibrated={problem.settings.publish_as})"
        )
    print(f"report: {out_dir / 'report.html'}")

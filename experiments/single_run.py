"""One scenario, one seed: run the model and write its outcome tables with provenance."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.io import write_json, write_table, write_text
from experiments.provenance import manifest
from model import WorkforceModel, as_model_config

SUMMARY_COLUMNS = {
    "adoption_share": "adoption (share of staff with a live tool)",
    "mean_trust": "mean trust in AI (0-1)",
    "appropriate_share": "appropriately confident (share)",
    "over_trust_share": "over-trusting (share)",
    "under_trust_share": "under-trusting (share)",
    "automation_bias_errors_per_1000": "wrong AI advice acted on, per 1,000 decisions",
    "aversion_errors_per_1000": "right advice rejected, decided wrongly, per 1,000",
    "avoidable_errors_per_1000": "avoidable errors (both kinds), per 1,000 decisions",
    "decision_accuracy": "decision accuracy (share of AI-assisted decisions)",
    "ai_alone_accuracy": "the tool alone on the same cases",
    "unaided_accuracy": "the same staff unaided on the same cases",
    "trained_share": "trained (share of staff)",
    "cumulative_cost_gbp": "training spend (GBP)",
}


def run_single(cfg: DictConfig, out_dir: Path, progress: bool = True) -> pd.DataFrame:
    """Run one scenario from a composed config and write its results to ``out_dir``.

    Writes ``outcomes.parquet``/``.csv`` (one row per week), ``outcomes_by_group.parquet``/
    ``.csv``, ``config.yaml`` (the full resolved config) and ``manifest.json`` (seed, package
    versions, git commit, wall time). Returns the outcome table.
    """
    started = time.perf_counter()
    model = WorkforceModel(as_model_config(cfg))
    outcomes = model.run(progress=progress)
    wall_time = time.perf_counter() - started
    write_table(out_dir / "outcomes", outcomes)
    write_table(out_dir / "outcomes_by_group", model.outcomes_by_group)
    write_text(out_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    write_json(
        out_dir / "manifest.json",
        manifest(seed=model.config.seed, wall_time_s=wall_time, kind="single_run"),
    )
    print(summarise(outcomes, cfg.get("name", "single_run"), wall_time, out_dir))
    return outcomes


def summarise(outcomes: pd.DataFrame, name: str, wall_time: float, out_dir: Path) -> str:
    """A few lines on the final week for the terminal."""
    last = outcomes.iloc[-1]
    lines = [f"{name}: {len(outcomes)} weeks in {wall_time:.2f} s; final week {int(last.week)}:"]
    for column, label in SUMMARY_COLUMNS.items():
        value = last[column]
        shown = f"{value:,.0f}" if column.endswith("gbp") else f"{value:.3f}"
        if column.endswith("_per_1000"):
            shown = f"{value:.1f}"
        lines.append(f"  {label:<52} {shown}")
    lines.append(f"results: {out_dir}")
    return "\n".join(lines)

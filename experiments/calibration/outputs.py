"""What a calibration leaves behind: posterior summary, calibrated values, tables on disk.

- :func:`summarise_posterior`: per parameter the weighted mean, median and 90% interval (5% and
  95% weighted quantiles), the posterior-to-prior contraction ``1 - var_posterior /
  var_prior`` (0: the data taught nothing, 1: the value is pinned down; Schad, Betancourt and
  Vasishth 2021) and an identifiability flag: a 90% interval wider than ``identified_ratio``
  (default 50%) of the prior range means the data did not narrow the prior enough, and the
  parameter is reported as *not identified by these data*.
- :func:`calibrated_yaml`: the posterior means as a Hydra override file (``# @package
  _global_``, nested keys) that any run or experiment loads with ``+calibrated=<name>`` once it is
  in ``conf/calibrated/``. List entries (``tools.1.reliability``) cannot be merged from a YAML
  file into a list, and their meaning depends on the experiment's tools: they are written as
  comments, with the command-line override to give where the tools match.
- :func:`posterior_csv`: the weighted posterior sample, one row per particle with config paths
  as columns, as the probabilistic sensitivity analysis reads it (``psa.posterior``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from experiments.calibration.parameters import REPO_ROOT, ParameterSpec
from experiments.io import write_text

QUANTILES = {"q05": 0.05, "median": 0.5, "q95": 0.95}
NOT_IDENTIFIED = "no: not identified by these data"


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` of weighted values (inverse of the weighted empirical CDF, midpoints)."""
    order = np.argsort(values)
    values, weights = np.asarray(values)[order], np.asarray(weights, dtype=float)[order]
    cumulative = (np.cumsum(weights) - 0.5 * weights) / weights.sum()
    return float(np.interp(q, cumulative, values))


def summarise_posterior(
    posterior: pd.DataFrame,
    parameters: Sequence[ParameterSpec],
    identified_ratio: float,
    point: bool = False,
) -> pd.DataFrame:
    """Mean, median, 90% interval and identifiability of each parameter."""
    weights = posterior["weight"].to_numpy(dtype=float)
    rows = []
    for p in parameters:
        values = posterior[p.name].to_numpy(dtype=float)
        row = {
            "parameter": p.name,
            "key": p.key,
            "unit": p.unit,
            "prior_low": p.low,
            "prior_high": p.high,
            "mean": float(np.average(values, weights=weights)),
        }
        if point:
            row |= {"median": row["mean"], "q05": np.nan, "q95": np.nan}
            row |= {"interval_to_prior": np.nan, "contraction": np.nan}
            row["identified"] = "n/a: point estimate"
        else:
            row |= {k: weighted_quantile(values, weights, q) for k, q in QUANTILES.items()}
            ratio = (row["q95"] - row["q05"]) / p.width
            variance = float(np.average((values - row["mean"]) ** 2, weights=weights))
            row["interval_to_prior"] = ratio
            row["contraction"] = 1.0 - variance / (p.width**2 / 12.0)
            row["identified"] = "yes" if ratio <= identified_ratio else NOT_IDENTIFIED
        rows.append(row)
    columns = ["parameter", "key", "unit", "prior_low", "prior_high", "mean", "median", "q05"]
    return pd.DataFrame(rows)[[*columns, "q95", "interval_to_prior", "contraction", "identified"]]


def _nest(values: Mapping[str, float]) -> dict:
    tree: dict = {}
    for key, value in values.items():
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def is_list_key(key: str) -> bool:
    """Whether a dotted key goes through a list entry (an all-digit part) or is not a model key."""
    return is_likelihood_key(key) or any(part.isdigit() for part in key.split("."))


def is_likelihood_key(key: str) -> bool:
    """Whether a key describes the surveys (the likelihood), not the model."""
    return key.startswith("likelihood.")


def calibrated_yaml(summary: pd.DataFrame, header: Sequence[str]) -> str:
    """The calibrated values (posterior means) as a Hydra override file.

    Args:
        summary: :func:`summarise_posterior` output.
        header: Comment lines saying where the values come from.
    """
    values = {r.key: round(float(r.mean), 6) for r in summary.itertuples()}
    lines = ["# @package _global_", *(f"# {line}" for line in header)]
    for r in summary.itertuples():
        interval = "" if np.isnan(r.q05) else f", 90% interval {r.q05:.4g} to {r.q95:.4g}"
        lines.append(
            f"#   {r.key} = {r.mean:.4g} ({r.parameter}{interval}; identified: {r.identified})"
        )
    listed = [k for k in values if is_list_key(k) and not is_likelihood_key(k)]
    if listed:
        lines.append("# Not set below (list entries depend on the experiment's tools); where the")
        lines.append("# tools are the calibration's, add on the command line:")
        lines.append("#   " + " ".join(f"{k}={values[k]}" for k in listed))
    if any(is_likelihood_key(k) for k in values):
        lines.append("# likelihood.* keys describe how surveys vary around the model, not the")
        lines.append("# model: they are not settings of any run.")
    body = _nest({k: v for k, v in values.items() if not is_list_key(k)})
    return "\n".join(lines) + "\n" + (yaml.safe_dump(body, sort_keys=False) if body else "{}\n")


def posterior_csv(
    posterior: pd.DataFrame, parameters: Sequence[ParameterSpec], header: Sequence[str]
) -> str:
    """The weighted posterior sample as the PSA reads it (``psa.posterior``).

    One row per particle: ``particle``, ``weight`` (sums to 1), ``distance``,
    ``simulation_seed``, then one column per parameter named by its config key (likelihood keys
    included: the PSA ignores columns that are not config paths). Values at full precision.
    """
    table = pd.DataFrame(
        {
            "particle": posterior["particle"].to_numpy(),
            "weight": posterior["weight"] / posterior["weight"].sum(),
            "distance": posterior["distance"].to_numpy(),
            "simulation_seed": posterior["seed"].to_numpy(),
            **{p.key: posterior[p.name].to_numpy() for p in parameters},
        }
    )
    comments = "".join(f"# {line}\n" for line in header)
    return comments + table.to_csv(index=False, float_format="%.17g")


def publish(text: str, name: str, folder: str, posterior: str | None = None) -> Path:
    """Write the calibrated YAML as ``<folder>/<name>.yaml`` (relative: to the repository).

    With ``posterior`` (:func:`posterior_csv`), also ``<folder>/<name>_posterior.csv``.
    """
    base = Path(folder)
    base = base if base.is_absolute() else REPO_ROOT / base
    if posterior is not None:
        write_text(base / f"{name}_posterior.csv", posterior)
    return write_text(base / f"{name}.yaml", text)

"""Parameter draws of a PSA: priors from the evidence table, calibrated values from a posterior.

Each draw holds one value of every uncertain parameter. Parameters with a prior in
``data/evidence/parameters.csv`` (:mod:`experiments.uncertainty.priors`) are drawn independently
from it, except the calibrated ones: those are taken together from one particle of the
calibration's weighted posterior sample (``conf/calibrated/uk_nhs_posterior.csv``), drawn with
probability equal to its weight, so their correlations are kept (importance resampling of an
ABC-SMC population; Beaumont et al. 2009, Biometrika 96:983). Draw ``d`` uses its own random
stream derived from the seed and ``d``, so its values do not depend on how many draws are made;
its simulation seed is the ``d``-th replicate seed of the experiment (shared by every strategy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.runner import replicate_seeds
from experiments.uncertainty.priors import Prior, load_priors, sample_unit
from model.config import ModelConfig
from model.validation import ConfigError

POSTERIOR_META = ("particle", "weight", "distance", "simulation_seed")
PSA_STREAM = 0x505341  # "PSA": separates the draws' random stream from the model's


def load_posterior(path: str | Path) -> pd.DataFrame:
    """A weighted posterior sample: one row per particle, ``weight`` plus config-path columns.

    Lines starting with ``#`` are provenance comments. Weights are normalised to sum to 1.

    Raises:
        ConfigError: The file is missing, or has no ``weight`` column or no parameter column.
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"psa.posterior = {path}: no such file; expected a posterior CSV")
    table = pd.read_csv(path, comment="#")
    params = [c for c in table.columns if c not in POSTERIOR_META]
    if "weight" not in table.columns or not params or (table.weight < 0).any():
        raise ConfigError(
            f"psa.posterior = {path}: expected a non-negative 'weight' column and at least one "
            "parameter column named by its config path"
        )
    return table.assign(weight=table.weight / table.weight.sum())


def resolves(config: Any, path: str) -> bool:
    """Whether a dotted config path (attributes, dict keys, list indices) exists in ``config``."""
    node = config
    for part in path.split("."):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return False
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node:
                return False
            node = node[part]
        elif hasattr(node, part):
            node = getattr(node, part)
        else:
            return False
    return True


def calibrated_paths(posterior: pd.DataFrame | None, config: ModelConfig) -> list[str]:
    """The posterior's parameter columns that exist in ``config`` (others do not apply)."""
    if posterior is None:
        return []
    return [c for c in posterior.columns if c not in POSTERIOR_META and resolves(config, c)]


def sample_draws(
    config: ModelConfig, n: int, seed: int, posterior: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, list[Prior], list[str]]:
    """``n`` draws of every uncertain parameter of ``config`` (module docstring).

    Args:
        config: A scenario's model config (decides which posterior columns apply).
        n: Number of draws.
        seed: The experiment's seed.
        posterior: The calibration's weighted posterior (:func:`load_posterior`), or None to
            draw every parameter from its prior.

    Returns:
        The draws table (columns ``draw``, ``seed``, ``particle``, then one per parameter path),
        the priors used, and the calibrated paths taken from the posterior.
    """
    calibrated = calibrated_paths(posterior, config)
    priors = load_priors(exclude=calibrated)
    seeds = replicate_seeds(seed, n)
    units = np.empty((n, len(priors)))
    particles = np.full(n, -1)
    for draw in range(n):
        rng = np.random.default_rng([seed, PSA_STREAM, draw])
        units[draw] = rng.random(len(priors))
        if calibrated:
            particles[draw] = rng.choice(len(posterior), p=posterior.weight.to_numpy(float))
    table = pd.DataFrame(sample_unit(priors, units), columns=[p.path for p in priors])
    if calibrated:
        chosen = posterior.iloc[particles].reset_index(drop=True)
        ids = chosen["particle"] if "particle" in chosen else pd.Series(particles)
        table[calibrated] = chosen[calibrated].to_numpy(float)
    else:
        ids = pd.Series(particles)
    head = pd.DataFrame({"draw": np.arange(n), "seed": seeds, "particle": ids.to_numpy(int)})
    return pd.concat([head, table], axis=1), priors, calibrated


__all__ = ["calibrated_paths", "load_posterior", "resolves", "sample_draws"]

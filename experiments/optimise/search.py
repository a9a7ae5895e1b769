"""The multi-objective search: optuna's NSGA-II or TPE, asked in batches, stored in a journal file.

Each batch of ``batch_size`` candidates is asked from the sampler, evaluated together (all their
runs in parallel) and told back. The study lives in a journal file (optuna's
``JournalStorage`` with ``JournalFileBackend``) in the results folder, written as each trial is
told, so a stopped search resumes from the stored trials: finished trials are never evaluated
again, and the trials of a batch that was running when the search stopped (left ``RUNNING`` in
the journal, with their parameters) are evaluated first and told, before new ones are asked.

NSGA-II: Deb et al. (2002), IEEE Trans. Evol. Comput. 6(2):182-197; multi-objective TPE: Ozaki
et al. (2020), GECCO. The sampler's seed is derived from the run's seed and the number of trials
already stored, so a resumed search does not replay the first random draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState
from tqdm import tqdm

STUDY_NAME = "optimise_mix"
Batch = list[tuple[int, dict[str, Any]]]
Evaluator = Callable[[Batch], list[Sequence[float]]]


def make_sampler(kind: str, seed: int, batch_size: int, stored: int) -> optuna.samplers.BaseSampler:
    """The sampler, seeded from ``seed`` and the number of ``stored`` trials."""
    state = int(np.random.SeedSequence([int(seed), int(stored)]).generate_state(1)[0])
    if kind == "tpe":
        return optuna.samplers.TPESampler(
            seed=state, n_startup_trials=batch_size, multivariate=True, constant_liar=True
        )
    return optuna.samplers.NSGAIISampler(population_size=batch_size, seed=state)


def open_study(
    journal: Path, directions: Sequence[str], sampler_kind: str, seed: int, batch_size: int
) -> optuna.Study:
    """Create the study in ``journal``, or load it when the file exists (resume)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    journal.parent.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(journal)))
    stored = 0
    if journal.exists() and journal.stat().st_size > 0:
        names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
        if STUDY_NAME in names:
            stored = len(optuna.load_study(study_name=STUDY_NAME, storage=storage).trials)
    sampler = make_sampler(sampler_kind, seed, batch_size, stored)
    return optuna.create_study(
        storage=storage,
        study_name=STUDY_NAME,
        directions=list(directions),
        sampler=sampler,
        load_if_exists=True,
    )


def _tell(study: optuna.Study, numbers: list[int], values: list[Sequence[float]]) -> None:
    for number, value in zip(numbers, values, strict=True):
        finite = all(np.isfinite(v) for v in value)
        if finite:
            study.tell(number, [float(v) for v in value])
        else:  # e.g. no AI-assisted decision at all: no rate to compare
            study.tell(number, state=TrialState.FAIL)


def run_search(
    study: optuna.Study,
    suggest: Callable[[optuna.trial.Trial], dict[str, Any]],
    evaluate: Evaluator,
    trials: int,
    batch_size: int,
    progress: bool = True,
) -> dict[str, int]:
    """Search until ``trials`` trials are complete, in batches; resume what was stored.

    Args:
        study: The (possibly resumed) study.
        suggest: Suggests a trial's parameters (``SearchSpace.suggest``); returns them.
        evaluate: Evaluates a batch of (trial number, params); returns each one's objective values.
        trials: Complete trials wanted in all (stored ones count).
        batch_size: Trials asked and evaluated together.
        progress: Show a progress bar of trials.

    Returns:
        Counts: trials reused from the journal, resumed (left running), newly evaluated.
    """
    complete = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    counts = {"trials_reused": complete, "trials_resumed": len(stale), "trials_new": 0}
    bar = tqdm(total=trials, initial=min(complete, trials), desc="trials", disable=not progress)
    if stale:
        batch = [(t.number, dict(t.params)) for t in stale]
        _tell(study, [n for n, _ in batch], evaluate(batch))
        complete = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
        bar.update(min(complete, trials) - bar.n)
    while complete < trials:
        asked = [study.ask() for _ in range(min(batch_size, trials - complete))]
        batch = [(t.number, suggest(t)) for t in asked]
        _tell(study, [n for n, _ in batch], evaluate(batch))
        counts["trials_new"] += len(batch)
        complete = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
        bar.update(min(complete, trials) - bar.n)
    bar.close()
    return counts


def pareto_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """The complete trials no other complete trial dominates (the search's front)."""
    return list(study.best_trials)


def select_for_reevaluation(
    front: list[optuna.trial.FrozenTrial], primary_sign: int, most: int, cost_index: int | None
) -> list[optuna.trial.FrozenTrial]:
    """Up to ``most`` trials of the front, for re-evaluation.

    Half are the best on the primary objective (the first), the rest spread evenly along cost
    (``cost_index``), so the trade-off stays visible.

    Args:
        front: The search's Pareto trials.
        primary_sign: +1 when a higher primary value is better, -1 when lower.
        most: How many at most.
        cost_index: Index of the cost objective in the values (None: best on primary only).
    """
    ranked = sorted(front, key=lambda t: (-primary_sign * t.values[0], t.number))
    if len(ranked) <= most:
        return ranked
    n_best = most if cost_index is None else (most + 1) // 2
    chosen = ranked[:n_best]
    rest = sorted(ranked[n_best:], key=lambda t: (t.values[cost_index or 0], t.number))
    if most > n_best:
        picks = np.linspace(0, len(rest) - 1, most - n_best).round().astype(int)
        chosen += [rest[i] for i in dict.fromkeys(picks.tolist())]
    return chosen


__all__ = ["STUDY_NAME", "open_study", "pareto_trials", "run_search", "select_for_reevaluation"]

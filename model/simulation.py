"""WorkforceModel: owns the state arrays and runs the weekly processes in order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np
import pandas as pd
from omegaconf import DictConfig

from model.adoption import adopt
from model.agents import HealthcareWorker
from model.audit import audit, create_audits
from model.config import ModelConfig
from model.events import apply_events
from model.joiner_kernels import RandomSource, random_source
from model.mesa_conventions import REPORTED, resolve_seed, with_overrides
from model.network import KeptNeighbourSum, NeighbourSums, build_network, degree
from model.outcomes import group_rows, group_table, outcome_table, record, week_date
from model.peers import create_peer_weights, peer_influence
from model.tools import build_tools, deploy
from model.training import create_programmes, decay_training_gains, gain_retention, train
from model.turnover import turnover
from model.use import DecisionTally, use_ai
from model.validation import ConfigError, as_model_config, parse_date
from model.workforce import create_workforce, joiner_parameters


def _reporter(name: str) -> Any:
    """A model reporter reading outcome ``name`` of the latest week (NaN before the first)."""
    return lambda model: model.outcome_rows[-1][name] if model.outcome_rows else float("nan")


class WorkforceModel(mesa.Model):
    """A healthcare workforce whose confidence in AI evolves week by week.

    One step is one week. :meth:`step` runs the processes of the spec in this order:

    1. ``turnover``: leavers replaced by joiners at the start of the week (spec 7);
    2. ``apply_events``: scheduled incidents, evidence, approvals, leadership (spec 7);
    3. ``deploy``: which departments have each tool live (spec 2);
    4. ``adopt``: start and stop using live tools (spec 3);
    5. ``use_ai``: cases, acceptance, verification, errors, Beta belief updates (spec 4);
    6. ``audit``: audit rounds reveal unnoticed errors and publish local accuracy (spec 6);
    7. ``peer_influence``: trust moves toward neighbours' weighted mean (spec 5);
    8. ``decay_training_gains`` and ``train``: education programmes within budget (spec 6);
    9. ``record``: the week's outcomes, of the staff who worked that week (spec 9).

    All state lives in numpy arrays (:attr:`workforce`); every random draw comes from the one
    Generator :attr:`rng`, seeded from ``config.seed``. Mesa agents
    (:class:`~model.agents.HealthcareWorker`) are read-only views onto those arrays, created
    the first time :attr:`agents` is read: 1.4 million of them take about 10 s and 1 GB, which
    a run that never inspects individuals should not pay.

    Mesa conventions (:mod:`model.mesa_conventions`): parameters as keywords, ``rng`` for the
    seed, :attr:`datacollector` (a ``mesa.DataCollector`` reading each week's outcome row, no
    per-agent reporters), ``running`` False at the horizon, so ``run_model()`` and
    ``mesa.batch_run`` work.

    Args:
        config: The model config (dataclass, OmegaConf or dict); defaults run as is.
        rng: Integer seed; None uses the config's seed when a config (or ``seed=``) is given,
            else a fresh seed. The seed used is recorded in ``config.seed``.
        **overrides: Config values by dotted path, nested dict or alias (``n_workers=500``).
    """

    def __init__(
        self,
        config: ModelConfig | DictConfig | dict | None = None,
        *,
        rng: int | None = None,
        **overrides: Any,
    ) -> None:
        seed_given = "seed" in overrides
        self.config = as_model_config(with_overrides(as_model_config(config), overrides))
        self.config.seed = resolve_seed(rng, config is not None, seed_given, self.config.seed)
        super().__init__(rng=self.config.seed)
        cfg = self.config
        pop = cfg.population
        self.start_date: dt.date = parse_date(cfg.start_date, "start_date")
        self.week = 0
        self.n_departments = -(-pop.n_workers // pop.department_size)
        self._check_departments()
        self.tools = build_tools(cfg, self.rng, self.n_departments)
        self.workforce = create_workforce(cfg, self.rng, self.tools.governance)
        self.joiner_parameters = joiner_parameters(cfg)
        wf = self.workforce
        self.adjacency = build_network(
            cfg.network, self.rng, wf.department, wf.team, wf.staff_group
        )
        self.degree = degree(self.adjacency)
        self.neighbour_sums = NeighbourSums(self.adjacency)
        self.peer_weights = create_peer_weights(self)
        self.neighbours_using = KeptNeighbourSum(self.neighbour_sums, wf.uses)
        self.live = np.zeros_like(wf.uses)
        self.leadership_until = np.full(len(cfg.tools), -1)
        self.leadership_factor = np.ones(len(cfg.tools))
        self.adoption_boost = np.ones(len(cfg.tools))
        self.programmes = create_programmes(self)
        self.gain_retention = gain_retention(self)
        self.audits = create_audits(self)
        self.cumulative_cost_gbp = 0.0
        self.cumulative_staff_hours = 0.0
        self.cumulative_audit_cost_gbp = 0.0
        self.appropriate_worker_weeks: np.ndarray | float = 0.0  # per archetype x staff group
        self.cumulative_verification_hours: np.ndarray | float = 0.0
        self.tally = DecisionTally()
        self.outcome_rows: list[dict[str, Any]] = []
        self.group_values: list[tuple[int, list[str], np.ndarray]] = []  # by-group, per week
        self._agents_created = False
        self._random_source: tuple[np.random.Generator, RandomSource] | None = None
        self.running = True
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in REPORTED}
        )
        self.datacollector.collect(self)

    def _check_departments(self) -> None:
        for i, event in enumerate(self.config.events):
            if event.department is not None and event.department >= self.n_departments:
                raise ConfigError(
                    f"events.{i}.department = {event.department}: expected a department index "
                    f"from 0 to {self.n_departments - 1}"
                )

    @property
    def random_source(self) -> RandomSource:
        """:attr:`rng` held for compiled code (:class:`~model.joiner_kernels.RandomSource`).

        Built on first use and again whenever :attr:`rng` is replaced.
        """
        held = self._random_source
        if held is None or held[0] is not self.rng:
            held = self._random_source = (self.rng, random_source(self.rng))
        return held[1]

    @property
    def budget_remaining(self) -> float:
        """Education budget not yet spent (GBP), whether released by the pace or not."""
        return self.config.strategy.budget_gbp - self.cumulative_cost_gbp

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All workers as Mesa agents (created on first access)."""
        if not self._agents_created:
            self._agents_created = True
            for index in range(self.workforce.size):
                HealthcareWorker(self, index)
        return super().agents

    def date_of_week(self, week: int) -> dt.date:
        """Calendar date of a week: start_date + 7 week days."""
        return week_date(self.start_date, week)

    def step(self) -> None:
        """Advance one week: the processes in the order of the class docstring."""
        turnover(self)
        apply_events(self)
        deploy(self)
        adopt(self)
        use_ai(self)
        audit(self)
        peer_influence(self)
        decay_training_gains(self)
        train(self)
        record(self)
        self.week += 1
        self.running = self.week < self.config.weeks
        self.datacollector.collect(self)

    def run(self, weeks: int | None = None, progress: bool = False) -> pd.DataFrame:
        """Step ``weeks`` times (default: to the horizon) and return the outcome table."""
        remaining = self.config.weeks - self.week if weeks is None else weeks
        steps = range(remaining)
        if progress:
            from tqdm import tqdm

            steps = tqdm(steps, desc="weeks", unit="week")
        for _ in steps:
            self.step()
        return self.outcomes

    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per week, a column per outcome (see :mod:`model.outcomes`)."""
        return outcome_table(self.outcome_rows)

    @property
    def group_rows(self) -> list[dict[str, Any]]:
        """One dict per week and group, built from the kept by-group values on each call."""
        return group_rows(self.group_values, tuple(self.config.population.staff_groups))

    @property
    def outcomes_by_group(self) -> pd.DataFrame:
        """One row per week and group (``grouping`` archetype or staff_group)."""
        return group_table(self.group_values, tuple(self.config.population.staff_groups))

"""Per-agent Mesa reference of the full weekly step: the yardstick of the speed target.

:class:`FullRulesReference` is an idiomatic Mesa 3 model of the same rules as
:meth:`model.simulation.WorkforceModel.step`, in the same order: turnover, deployment, adoption
(with social proof, drop-out and mandates), use with verification (case-level rates, Poisson
draws, conditional expectations of the unobserved outcomes, Beta updates of trust with
forgetting, error weight and spillover, the belief about one's own accuracy, practice),
peer influence (synchronous, optional bounded confidence), fading of transient training gains,
training programmes (eligibility, coverage, capacity, attendance, budget and pace, refreshers)
and the week's outcomes by archetype and staff group. Workers are
:class:`~benchmarks.full_reference_worker.FullWorker` cell agents on a
:class:`mesa.discrete_space.Network`, stepped with ``self.agents.do``; all random draws are scalar
draws, one per agent and decision, from the Mesa model's generators (``self.random`` for
uniforms, ``self.rng`` for Poisson counts and new joiners).

It is built from a :class:`~model.simulation.WorkforceModel` (at any week), whose state it copies,
so both start from the same workforce, network, tools and programme records. Not covered (the
constructor refuses such configs with a message naming the key): scheduled events, audit
(``audit.coverage`` and ``strategy.audit.coverage`` must be 0) and the ranked training targets
``top_influence`` and ``low_literacy``.

Turnover is per agent: each worker leaves with the weekly probability of
:func:`model.turnover.weekly_leaving_probability` (the distribution of the model's binomial count
and uniform choice) and is replaced in the same post by a joiner drawn from the initial
distributions. The outcome ratios are taken with the model's own :func:`model.outcomes._ratios`
from sums this model accumulates agent by agent.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.discrete_space import Network

from benchmarks.full_reference_worker import TALLY, FullWorker
from benchmarks.per_agent_reference import NETWORK_OPTIONS, adjacency_graph
from model.budget import affordable, spend
from model.config import ARCHETYPES
from model.outcomes import _ratios, _value
from model.simulation import WorkforceModel
from model.training import RANKED_RULES, cost_per_person
from model.turnover import weekly_leaving_probability

STATE = (
    "staff_group", "department", "archetype", "baseline_literacy", "self_efficacy",
    "unaided_accuracy", "perceived_accuracy", "unnoticed_own_errors", "adoption_threshold",
    "influence_multiplier", "mandated", "times_trained", "starting_staff",
    "trust", "trust_strength", "uses", "last_use_week", "unnoticed_tool_errors", "durable",
    "transient",
)  # fmt: skip
"""Worker attributes copied from the workforce arrays (``durable_gain`` and ``transient_gain``
as ``durable`` and ``transient``)."""


class FullRulesReference(mesa.Model):
    """Idiomatic per-agent Mesa model of the full weekly rules, copied from a WorkforceModel.

    Args:
        source: The vectorised model whose current state (and week) this one starts from.
        rng: Seed of this model's own draws (default: the source's seed).

    Attributes:
        grid (Network): The network space; cell ``i`` holds worker ``i``.
        workers (list[FullWorker]): The agents, in the source model's row order.
        outcome_rows (list[dict]): One row of overall outcomes per week stepped.
    """

    def __init__(self, source: WorkforceModel, rng: int | None = None) -> None:
        super().__init__(rng=source.config.seed if rng is None else rng)
        cfg = source.config
        _check_supported(cfg)
        self.config, self.beh, self.week = cfg, cfg.behaviour, source.week
        tools = source.tools
        self.reliability = tools.department_reliability.tolist()
        self.taught = tools.taught_reliability.tolist()
        self.go_live = tools.go_live_week.tolist()
        self.general_purpose = tools.general_purpose.tolist()
        self.cases_per_week = tools.cases_per_week.tolist()
        self.error_salience = tools.error_salience.tolist()
        self.forcing_function = tools.forcing_function.tolist()
        self.confidence_display = tools.confidence_display.tolist()
        self.governance = tools.governance.tolist()
        self.adoption_boost = [1.0] * len(self.general_purpose)
        self.gain_retention = source.gain_retention.tolist()
        archetypes = cfg.population.archetypes
        self.base_weight = [archetypes[a].influence_weight for a in ARCHETYPES]
        self.base_eps = [archetypes[a].peer_susceptibility for a in ARCHETYPES]
        beh = self.beh
        self.verification_scale = (
            beh.verification_gain
            * (1 - beh.automation_bias)
            * (1 - cfg.training.workload_pressure)
            * (1 + beh.accountability_effect * beh.accountability)
        )
        self.cumulative_cost_gbp = source.cumulative_cost_gbp
        self.cumulative_staff_hours = source.cumulative_staff_hours
        self.n_groups = len(cfg.population.staff_groups)
        shape = (len(ARCHETYPES), self.n_groups)
        self.appropriate_worker_weeks = np.broadcast_to(source.appropriate_worker_weeks, shape)
        self.verification_hours = np.broadcast_to(source.cumulative_verification_hours, shape)
        self.programmes = [state.config for state in source.programmes]
        self.grid = Network(adjacency_graph(source.adjacency), capacity=1, random=self.random,
                            **NETWORK_OPTIONS)  # fmt: skip
        self.workers = [
            FullWorker(self, self.grid[i], state) for i, state in enumerate(_states(source))
        ]
        self.outcome_rows: list[dict] = []
        self.group_rows: list[dict] = []

    # -- random draws: scalar, per agent and decision ------------------------------------------
    def uniform(self) -> float:
        """A U(0, 1) draw."""
        return self.random.random()

    def poisson(self, lam: float) -> float:
        """A Poisson draw with mean ``lam``."""
        return float(self.rng.poisson(lam))

    # -- the week --------------------------------------------------------------------------------
    def step(self) -> None:
        """One week, in the order of :meth:`model.simulation.WorkforceModel.step`."""
        self.agents.do(_turnover)
        for worker in self.workers:
            worker.live = [gl <= self.week for gl in self.go_live[worker.department]]
        for k in range(len(self.general_purpose)):
            self.agents.do("decide_adoption", k)
            self.agents.do("apply_adoption", k)
        self.agents.do("use_tools")
        self.agents.do("listen")
        self.agents.do("adopt_view")
        self.agents.do("fade")
        self.train()
        self.record()
        self.week += 1

    def train(self) -> None:
        """This week's sessions of every started programme, in schedule order, within budget."""
        training = self.config.training
        attendance = training.base_attendance * (1 - training.workload_pressure)
        names = list(training.modalities)
        for p, programme in enumerate(self.programmes):
            if self.week < programme.start_week:
                continue
            invited = [w for w in self.workers if _eligible(w, p, programme, self.week)]
            places = math.ceil(programme.weekly_capacity * len(self.workers))
            if len(invited) > places:
                invited = self.random.sample(invited, places)
            for worker in invited:
                worker.invited[p] = self.week
            attendees = [w for w in invited if self.uniform() < attendance]
            modality = training.modalities[programme.modality]
            unit_cost = cost_per_person(self, modality)
            paid = affordable(self, unit_cost)
            if len(attendees) > paid:
                attendees = self.random.sample(attendees, paid)
            for worker in attendees:
                worker.attend(names.index(programme.modality), modality)
            spend(self, len(attendees) * unit_cost, len(attendees) * modality.staff_hours)

    def record(self) -> None:
        """The week's outcomes: sums per archetype x staff group cell, agent by agent."""
        sums = {name: np.zeros((len(ARCHETYPES), self.n_groups)) for name in SUMS}
        margin, omega = self.config.outcomes.appropriate_margin, self.beh.confidence_trust_weight
        for w in self.workers:
            cell = (w.archetype, w.staff_group)
            known = w.live if any(w.live) else [True] * len(w.live)
            trust_known = sum(t for t, k in zip(w.trust, known, strict=True) if k) / sum(known)
            for name, value in (
                ("headcount", 1.0),
                ("trust", trust_known),
                ("self_efficacy", w.self_efficacy),
                ("ai_literacy", w.ai_literacy()),
                ("trained", float(w.times_trained > 0)),
                ("starting_staff", float(w.starting_staff)),
                ("perceived_accuracy", w.perceived_accuracy),
                ("unaided_skill", w.unaided_accuracy),
                ("has_live_tool", float(any(w.live))),
                *w.tally.items(),
            ):
                sums[name][cell] += value
            for k, live in enumerate(w.live):
                if live:
                    gap = w.trust[k] - self.reliability[w.department][k]
                    sums["live_pairs"][cell] += 1
                    sums["using"][cell] += w.uses[k]
                    sums["appropriate"][cell] += abs(gap) <= margin
                    sums["over_trust"][cell] += gap > margin
                    sums["abs_error"][cell] += abs(gap)
        sums["confidence"] = omega * sums["trust"] + (1 - omega) * sums["self_efficacy"]
        sums["under_trust"] = sums["live_pairs"] - sums["appropriate"] - sums["over_trust"]
        sums["avoidable_errors"] = sums["relied_wrong"] + sums["aversion_errors"]
        sums["self_assessment_gap"] = sums["perceived_accuracy"] - sums["unaided_skill"]
        sums["verification_hours"] = sums["reviewed"] * self.beh.verification_minutes / 60.0
        self.appropriate_worker_weeks = self.appropriate_worker_weeks + sums["appropriate"]
        self.verification_hours = self.verification_hours + sums["verification_hours"]
        sums["appropriate_worker_weeks"] = self.appropriate_worker_weeks
        sums["cumulative_verification_hours"] = self.verification_hours
        values = _ratios({name: np.atleast_1d(v.sum()) for name, v in sums.items()})
        row = {"week": self.week, **{name: _value(name, v[0]) for name, v in values.items()}}
        row["cumulative_cost_gbp"] = self.cumulative_cost_gbp
        self.outcome_rows.append(row)
        if self.config.outcomes.by_group:
            for axis, grouping in ((1, "archetype"), (0, "staff_group")):
                values = _ratios({name: v.sum(axis=axis) for name, v in sums.items()})
                for g in range(sums["headcount"].shape[1 - axis]):
                    group = {name: _value(name, v[g]) for name, v in values.items()}
                    self.group_rows.append({"week": self.week, "grouping": grouping, **group})

    # -- read-outs -------------------------------------------------------------------------------
    def state(self, name: str) -> np.ndarray:
        """One attribute of every worker as an array, in the source model's row order."""
        return np.array([getattr(w, name) for w in self.workers])


SUMS = (
    "headcount", "trust", "self_efficacy", "ai_literacy", "trained", "starting_staff",
    "perceived_accuracy", "unaided_skill", "has_live_tool", "live_pairs", "using", "appropriate",
    "over_trust", "abs_error", *TALLY,
)  # fmt: skip
"""Sums a worker adds to its cell every week (the rest follow from them)."""


def _check_supported(cfg) -> None:  # noqa: ANN001
    """Refuse what the reference does not model, naming the config key."""
    if cfg.events:
        raise ValueError("FullRulesReference: events must be empty (scheduled events not modelled)")
    for key, audit in (("audit", cfg.audit), ("strategy.audit", cfg.strategy.audit)):
        if audit.coverage > 0:
            raise ValueError(f"FullRulesReference: {key}.coverage = {audit.coverage}; expected 0")
    for i, programme in enumerate(cfg.strategy.programmes):
        if programme.target in RANKED_RULES:
            raise ValueError(
                f"FullRulesReference: strategy.programmes.{i}.target = '{programme.target}' "
                "(ranked targets not modelled)"
            )


def _states(source: WorkforceModel) -> list[dict]:
    """Every worker's attributes as a dict of Python values, plus programme records."""
    wf = source.workforce
    columns = {
        name: getattr(
            wf, {"durable": "durable_gain", "transient": "transient_gain"}.get(name, name)
        )
        for name in STATE
    }
    lists = {name: values.tolist() for name, values in columns.items()}
    archetype = wf.archetype.tolist()
    states = []
    for i in range(wf.size):
        state = {name: values[i] for name, values in lists.items()}
        state["susceptibility"] = source.peer_weights.susceptibility[i].item()
        state["influence_weight"] = source.peer_weights.weight[i].item()
        state["live"] = [False] * wf.trust.shape[1]
        state["selected"] = [
            None if p.selected is None else bool(p.selected[i]) for p in source.programmes
        ]
        state["invited"] = [
            -1 if p.last_invited is None else int(p.last_invited[i]) for p in source.programmes
        ]
        state["archetype"] = archetype[i]
        states.append(state)
    return states


def _eligible(worker: FullWorker, p: int, programme, week: int) -> bool:  # noqa: ANN001
    """Selected (drawn at the programme's start), due, and eligible by the target rule."""
    if worker.selected[p] is None:
        worker.selected[p] = worker.model.uniform() < programme.coverage
        worker.invited[p] = -1
    last = worker.invited[p]
    due = last < 0 or (
        programme.refresher_weeks is not None and week - last >= programme.refresher_weeks
    )
    if not (worker.selected[p] and due):
        return False
    tools = worker.model.config.tools
    columns = range(len(tools)) if programme.tool is None else [
        [t.name for t in tools].index(programme.tool)
    ]  # fmt: skip
    target = programme.target
    if target == "archetypes":
        return ARCHETYPES[worker.archetype] in programme.archetypes
    if target == "staff_groups":
        return list(worker.model.config.population.staff_groups)[worker.staff_group] in (
            programme.staff_groups
        )
    if target == "just_in_time":
        go_live = worker.model.go_live[worker.department]
        return any(abs(go_live[k] - week) <= programme.window_weeks for k in columns)
    if target in ("users_of_tool", "non_users"):
        return any(worker.uses[k] for k in columns) == (target == "users_of_tool")
    return True


def _turnover(worker: FullWorker) -> None:
    """The worker leaves with the weekly leaving probability; a joiner takes the post."""
    model = worker.model
    p = weekly_leaving_probability(model.config.population.annual_leaver_rate)
    if not model.uniform() < p:
        return
    cfg, rng = model.config, model.rng
    pop, beh = cfg.population, model.beh
    group = list(pop.staff_groups.values())[worker.staff_group]
    shares = np.array([pop.archetypes[a].share for a in ARCHETYPES])
    archetype = int(rng.choice(len(ARCHETYPES), p=shares / shares.sum()))
    spec = pop.archetypes[ARCHETYPES[archetype]]

    def beta(mean: float, concentration: float) -> float:
        if concentration <= 0 or mean <= 0 or mean >= 1:
            return mean
        return float(rng.beta(mean * concentration, (1 - mean) * concentration))

    digital = beta(group.digital_literacy, pop.literacy_concentration)
    literacy = beta(spec.ai_literacy, pop.literacy_concentration)
    accuracy = beta(group.unaided_accuracy, pop.accuracy_concentration)
    trust = []
    for g in model.governance:
        mean = min(max(spec.initial_trust + beh.governance_trust_shift * (g - 0.5), 0.0), 1.0)
        trust.append(beta(mean, pop.initial_trust_concentration))
    n_tools, n_modalities = len(trust), len(model.gain_retention)
    threshold = rng.normal(pop.adoption_threshold_mean, pop.adoption_threshold_sd)
    miscalibration = rng.normal(beh.self_assessment_bias, beh.self_assessment_sd)
    worker.__dict__.update(
        archetype=archetype, baseline_literacy=literacy,
        self_efficacy=0.5 * digital + 0.5 * literacy,
        unaided_accuracy=accuracy, perceived_accuracy=min(max(accuracy + miscalibration, 0.0), 1.0),
        unnoticed_own_errors=0.0, adoption_threshold=min(max(threshold, 0.0), 1.0),
        influence_multiplier=1.0, mandated=model.uniform() < beh.mandate_share, times_trained=0,
        starting_staff=False, trust=trust, trust_strength=[beh.initial_trust_strength] * n_tools,
        uses=[False] * n_tools, last_use_week=[-(10**6)] * n_tools,
        unnoticed_tool_errors=[0.0] * n_tools, durable=[0.0] * 3,
        transient=[[0.0] * n_modalities for _ in range(3)],
        susceptibility=model.base_eps[archetype], influence_weight=model.base_weight[archetype],
        invited=[-1] * len(model.programmes),
        selected=[
            None if s is None else (False if p.target in RANKED_RULES else
                                    model.uniform() < p.coverage)
            for s, p in zip(worker.selected, model.programmes, strict=True)
        ],
    )  # fmt: skip

"""A plain per-agent Mesa implementation of peer influence and the Beta belief update.

This is the yardstick for the vectorised model: every worker is a :class:`mesa.Agent` holding its
own trust, trust strength, susceptibility and influence weight as Python attributes, its
neighbours as a Python list, and each week is a Python loop over agents (``model.agents.do``).
It implements only the two deterministic rules that dominate a week's arithmetic:

- the Beta belief update with forgetting (spec section 4): ``alpha = kappa tau``,
  ``beta = kappa (1 - tau)``, ``alpha' = gamma alpha + S``, ``beta' = gamma beta + nu F``,
  ``tau' = alpha' / (alpha' + beta')``, ``kappa' = min(alpha' + beta', kappa_max)``, with S and F
  including ``spillover`` times the evidence about the worker's other tools;
- peer influence (spec section 5): each talker moves ``tau += eps (m - tau)`` where ``m`` is the
  ``w``-weighted mean trust of its neighbours (with bounded confidence, only neighbours within
  ``delta_bc``), synchronously: everyone listens to last week's views.

The randomness (who talks, who uses a tool and what evidence they see) is drawn outside, by
:func:`draw_week_inputs`, so the reference and the vectorised functions can be fed the same
inputs and compared exactly. :class:`PerAgentReference` is built from a
:class:`~model.simulation.WorkforceModel` so both start in the same state.

Written to the Mesa 3.5 API (``super().__init__(rng=...)``, ``Agent(model)``, an argument-free
``step``); it runs on Mesa 3.3 too.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from model.peers import influence_weight, neighbour_mean_trust, susceptibility
from model.simulation import WorkforceModel
from model.use import update_beliefs


@dataclass(frozen=True)
class WeekInputs:
    """The random part of one week, drawn once and fed to both implementations.

    Attributes:
        talkers (np.ndarray): Bool (N,), who discusses AI with their peers this week.
        users (np.ndarray): Int (U,), indices of the workers who used a tool this week.
        successes (np.ndarray): Float (U, K), cases perceived as the tool being right.
        failures (np.ndarray): Float (U, K), noticed errors.
    """

    talkers: np.ndarray
    users: np.ndarray
    successes: np.ndarray
    failures: np.ndarray


def draw_week_inputs(
    rng: np.random.Generator,
    n_workers: int,
    n_tools: int,
    talk_probability: float,
    use_share: float = 0.5,
    cases_per_week: float = 20.0,
    noticed_error_share: float = 0.1,
) -> WeekInputs:
    """One week's talkers and evidence: Bernoulli talkers and users, Poisson cases, binomial errors.

    A user's evidence about a tool it does not use is zero, as in :func:`model.use.use_ai`.
    """
    talkers = rng.random(n_workers) < talk_probability
    users = np.flatnonzero(rng.random(n_workers) < use_share)
    uses_tool = rng.random((users.size, n_tools)) < 0.7
    cases = np.where(uses_tool, rng.poisson(cases_per_week, size=(users.size, n_tools)), 0)
    failures = rng.binomial(cases, noticed_error_share)
    return WeekInputs(
        talkers=talkers,
        users=users,
        successes=(cases - failures).astype(np.float64),
        failures=failures.astype(np.float64),
    )


def vectorised_peer_influence(model: WorkforceModel, talkers: np.ndarray) -> None:
    """The body of :func:`model.peers.peer_influence` with the talkers given, not drawn."""
    wf = model.workforce
    who = np.flatnonzero(talkers)
    mean, total = neighbour_mean_trust(model, influence_weight(model))
    eps = susceptibility(model)[who, None]
    has_peers = total[who] > 0
    wf.trust[who] += np.where(has_peers, eps * (mean[who] - wf.trust[who]), 0.0)


def vectorised_week(model: WorkforceModel, inputs: WeekInputs) -> None:
    """The vectorised model's belief update then peer influence (the order of ``step``)."""
    update_beliefs(model, inputs.users, inputs.successes, inputs.failures)
    vectorised_peer_influence(model, inputs.talkers)


class ReferenceWorker(mesa.Agent):
    """One worker holding its own state as Python floats.

    Attributes:
        index (int): Row of this worker in the source model's arrays.
        trust (list[float]): Trust tau in each tool.
        trust_strength (list[float]): Pseudo-observations kappa behind each trust.
        susceptibility (float): Eps, how far a talk moves this worker toward its peers.
        influence_weight (float): W, the weight of this worker's view for its peers.
        neighbours (list[ReferenceWorker]): Network neighbours, in adjacency order.
        talks (bool): Whether this worker discusses AI this week.
        successes (list[float] | None): This week's perceived successes per tool, None if unused.
        failures (list[float] | None): This week's noticed errors per tool, None if unused.
    """

    model: PerAgentReference

    def __init__(
        self,
        model: PerAgentReference,
        index: int,
        trust: list[float],
        trust_strength: list[float],
        susceptibility: float,
        influence_weight: float,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.trust = trust
        self.trust_strength = trust_strength
        self.susceptibility = susceptibility
        self.influence_weight = influence_weight
        self.neighbours: list[ReferenceWorker] = []
        self.talks = False
        self.successes: list[float] | None = None
        self.failures: list[float] | None = None
        self._next_trust = trust

    def learn(self) -> None:
        """Beta update with forgetting of every tool's trust from this week's evidence."""
        if self.successes is None or self.failures is None:
            return
        model = self.model
        successes, failures = self.successes, self.failures
        if model.spillover > 0 and len(successes) > 1:
            all_s, all_f = sum(successes), sum(failures)
            successes = [s + model.spillover * (all_s - s) for s in successes]
            failures = [f + model.spillover * (all_f - f) for f in failures]
        for k, (tau, kappa) in enumerate(zip(self.trust, self.trust_strength, strict=True)):
            alpha = kappa * tau
            beta = kappa * (1.0 - tau)
            alpha_new = model.forgetting * alpha + successes[k]
            beta_new = model.forgetting * beta + model.error_weight * failures[k]
            total = alpha_new + beta_new
            if total > 0:
                self.trust[k] = alpha_new / total
            self.trust_strength[k] = min(total, model.max_trust_strength)
        self.successes = self.failures = None

    def listen(self) -> None:
        """Work out this week's trust from the neighbours' current trust (adopted later)."""
        if not self.talks:
            self._next_trust = self.trust
            return
        bounded, bound = self.model.bounded_confidence, self.model.confidence_bound
        new_trust = []
        for k, own in enumerate(self.trust):
            weighted = 0.0
            total = 0.0
            for neighbour in self.neighbours:
                theirs = neighbour.trust[k]
                if bounded and not abs(theirs - own) < bound:
                    continue
                weighted += neighbour.influence_weight * theirs
                total += neighbour.influence_weight
            if total > 0:
                own = own + self.susceptibility * (weighted / total - own)
            new_trust.append(own)
        self._next_trust = new_trust

    def adopt_view(self) -> None:
        """Take on the trust worked out in :meth:`listen`."""
        self.trust = self._next_trust


class PerAgentReference(mesa.Model):
    """Per-agent Mesa model of peer influence and belief updating, copied from a WorkforceModel.

    Feed a week with :meth:`run_week`, which stores the inputs and calls :meth:`step`.

    Attributes:
        workers (list[ReferenceWorker]): The agents, in the source model's row order.
        inputs (WeekInputs | None): The talkers and evidence of the week being stepped.
    """

    def __init__(self, source: WorkforceModel, rng: int | np.random.Generator | None = None):
        super().__init__(rng=source.config.seed if rng is None else rng)
        beh = source.config.behaviour
        self.forgetting = beh.forgetting
        self.error_weight = beh.error_weight
        self.max_trust_strength = beh.max_trust_strength
        self.spillover = beh.spillover
        self.bounded_confidence = beh.bounded_confidence
        self.confidence_bound = beh.confidence_bound
        self.inputs: WeekInputs | None = None
        wf = source.workforce
        trust, strength = wf.trust.tolist(), wf.trust_strength.tolist()
        eps, weight = susceptibility(source).tolist(), influence_weight(source).tolist()
        self.workers = [
            ReferenceWorker(self, i, trust[i], strength[i], eps[i], weight[i])
            for i in range(wf.size)
        ]
        indptr, indices = source.adjacency.indptr.tolist(), source.adjacency.indices.tolist()
        for i, worker in enumerate(self.workers):
            worker.neighbours = [self.workers[j] for j in indices[indptr[i] : indptr[i + 1]]]

    def step(self) -> None:
        """One week: users update their beliefs, then talkers move toward their peers."""
        inputs = self.inputs
        if inputs is None:
            raise ValueError("PerAgentReference.step: no week inputs; call run_week(inputs)")
        for worker, talks in zip(self.workers, inputs.talkers.tolist(), strict=True):
            worker.talks = talks
        for i, s, f in zip(
            inputs.users.tolist(), inputs.successes.tolist(), inputs.failures.tolist(), strict=True
        ):
            self.workers[i].successes = s
            self.workers[i].failures = f
        self.agents.do("learn")
        self.agents.do("listen")
        self.agents.do("adopt_view")

    def run_week(self, inputs: WeekInputs) -> None:
        """Step one week with the given talkers and evidence."""
        self.inputs = inputs
        self.step()

    @property
    def trust(self) -> np.ndarray:
        """Trust of every worker in every tool, N x K, in the source model's row order."""
        return np.array([worker.trust for worker in self.workers])

    @property
    def trust_strength(self) -> np.ndarray:
        """Trust strength of every worker in every tool, N x K."""
        return np.array([worker.trust_strength for worker in self.workers])

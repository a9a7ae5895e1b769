"""Per-agent Mesa implementations of peer influence and the Beta belief update.

These are the yardsticks for the vectorised model. Each worker is a :class:`mesa.Agent` holding
its own trust, trust strength, susceptibility and influence weight as Python attributes, and each
week is a Python loop over agents (``model.agents.do``). They implement only the two deterministic
rules that dominate a week's arithmetic:

- the Beta belief update with forgetting (spec section 4): ``alpha = kappa tau``,
  ``beta = kappa (1 - tau)``, ``alpha' = gamma alpha + S``, ``beta' = gamma beta + nu F``,
  ``tau' = alpha' / (alpha' + beta')``, ``kappa' = min(alpha' + beta', kappa_max)``, with S and F
  including ``spillover`` times the evidence about the worker's other tools;
- peer influence (spec section 5): each talker moves ``tau += eps (m - tau)`` where ``m`` is the
  ``w``-weighted mean trust of its neighbours (with bounded confidence, only neighbours within
  ``delta_bc``), synchronously: everyone listens to last week's views.

Two references, both started from a :class:`~model.simulation.WorkforceModel` so all start in the
same state:

- :class:`MesaSpaceReference`, written as a Mesa 3 user writes a network model: the workers are
  :class:`mesa.discrete_space.CellAgent` placed one per cell of a
  :class:`mesa.discrete_space.Network` built from a networkx graph of the model's adjacency, and
  each reads its neighbours through ``self.cell.neighborhood.agents`` (as in Mesa's
  ``virus_on_network`` example). This is the yardstick the speed target is judged against.
- :class:`PerAgentReference`, leaner than typical Mesa: each agent holds its neighbours as a
  pre-resolved Python list of agents, so no space is consulted.

The randomness (who talks, who uses a tool and what evidence they see) is drawn outside, by
:func:`draw_week_inputs`, so the references and the vectorised functions
(:func:`vectorised_week`, which calls the model's own :func:`~model.use.update_beliefs` and
:func:`~model.peers.peer_influence`) can be fed the same inputs and compared exactly.

Written to the Mesa 3.5 API (``super().__init__(rng=...)``, ``Agent(model)``, an argument-free
``step``, ``Network(..., layout=None)``); it runs on Mesa 3.3 too, whose ``Network`` has no
``layout`` argument (and computes no layout).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import mesa
import networkx as nx
import numpy as np
import scipy.sparse as sp
from mesa.discrete_space import Cell, CellAgent, Network

from model.peers import influence_weight, peer_influence, susceptibility
from model.simulation import WorkforceModel
from model.use import update_beliefs

NETWORK_OPTIONS = {"layout": None} if "layout" in inspect.signature(Network).parameters else {}
"""Mesa >= 3.4 lays a Network out with ``nx.spring_layout`` unless told not to; 3.3 never does."""


@dataclass(frozen=True)
class WeekInputs:
    """The random part of one week, drawn once and fed to every implementation.

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


class _PreparedDraws:
    """Stands in for ``model.rng`` for one ``random(n)`` call, returning prepared values."""

    def __init__(self, values: np.ndarray) -> None:
        self.values: np.ndarray | None = values

    def random(self, size: int) -> np.ndarray:
        """The prepared values, once; a second call or another size is an error."""
        values = self.values
        if values is None or size != values.shape[0]:
            raise RuntimeError(
                "vectorised_peer_influence: peer_influence drew from model.rng other than one "
                f"random({values.shape[0] if values is not None else 'n'}); update the benchmark"
            )
        self.values = None
        return values


def vectorised_peer_influence(model: WorkforceModel, talkers: np.ndarray) -> None:
    """The model's :func:`~model.peers.peer_influence` with the talkers given, not drawn.

    ``model.rng`` is replaced for the call by an object whose ``random(n)`` returns 0 for the
    given talkers and 1 for everyone else, so ``random(n) < f_talk`` selects exactly them for any
    ``0 < f_talk <= 1``; everything else is the model's own code.
    """
    p = model.config.behaviour.talk_probability
    if not 0 < p <= 1:
        raise ValueError(
            f"vectorised_peer_influence: behaviour.talk_probability = {p}; the given talkers can "
            "only be imposed for 0 < talk_probability <= 1"
        )
    rng = model.rng
    model.rng = _PreparedDraws(np.where(talkers, 0.0, 1.0))
    try:
        peer_influence(model)
    finally:
        model.rng = rng


def vectorised_week(model: WorkforceModel, inputs: WeekInputs) -> None:
    """The vectorised model's belief update then peer influence (the order of ``step``)."""
    update_beliefs(model, inputs.users, inputs.successes, inputs.failures)
    vectorised_peer_influence(model, inputs.talkers)


class _BeliefRules:
    """The belief update, peer influence and adoption of a view, shared by both agent classes.

    The two classes differ only in how a worker finds its neighbours (:meth:`peers`).

    Expects ``model``, ``trust``, ``trust_strength``, ``successes``, ``failures`` and
    ``_next_trust`` attributes (set by the agent classes).
    """

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

    def peers(self) -> Iterable[Any]:
        """The worker's network neighbours (each agent class finds them its own way)."""
        raise NotImplementedError

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
            for neighbour in self.peers():
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
        """Take on the trust worked out in ``listen``."""
        self.trust = self._next_trust


class ReferenceWorker(_BeliefRules, mesa.Agent):
    """One worker holding its own state as Python floats and its neighbours as a list.

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

    def peers(self) -> list[ReferenceWorker]:
        """Neighbours from the list resolved when the reference was built."""
        return self.neighbours


class NetworkWorker(_BeliefRules, CellAgent):
    """One worker on a cell of a Mesa ``Network``; it finds its peers through its cell.

    Attributes:
        trust (list[float]): Trust tau in each tool.
        trust_strength (list[float]): Pseudo-observations kappa behind each trust.
        susceptibility (float): Eps, how far a talk moves this worker toward its peers.
        influence_weight (float): W, the weight of this worker's view for its peers.
        talks (bool): Whether this worker discusses AI this week.
        successes (list[float] | None): This week's perceived successes per tool, None if unused.
        failures (list[float] | None): This week's noticed errors per tool, None if unused.
    """

    model: MesaSpaceReference

    def __init__(
        self,
        model: MesaSpaceReference,
        cell: Cell,
        trust: list[float],
        trust_strength: list[float],
        susceptibility: float,
        influence_weight: float,
    ) -> None:
        super().__init__(model)
        self.cell = cell
        self.trust = trust
        self.trust_strength = trust_strength
        self.susceptibility = susceptibility
        self.influence_weight = influence_weight
        self.talks = False
        self.successes: list[float] | None = None
        self.failures: list[float] | None = None
        self._next_trust = trust

    def peers(self) -> Iterable[NetworkWorker]:
        """Neighbours through the Mesa network space, as Mesa's examples find them."""
        return self.cell.neighborhood.agents


class _RulesModel(mesa.Model):
    """What both references share: the rule parameters, the week's inputs, trust read-out.

    Attributes:
        workers (list): The agents, in the source model's row order (set by subclasses).
        inputs (WeekInputs | None): The talkers and evidence of the week being stepped.
    """

    def __init__(self, source: WorkforceModel, rng: int | np.random.Generator | None) -> None:
        super().__init__(rng=source.config.seed if rng is None else rng)
        beh = source.config.behaviour
        self.forgetting = beh.forgetting
        self.error_weight = beh.error_weight
        self.max_trust_strength = beh.max_trust_strength
        self.spillover = beh.spillover
        self.bounded_confidence = beh.bounded_confidence
        self.confidence_bound = beh.confidence_bound
        self.inputs: WeekInputs | None = None
        self.workers: list = []

    @staticmethod
    def _agent_state(source: WorkforceModel) -> tuple[list, list, list, list]:
        """Trust rows, strength rows, susceptibility and influence weight as Python lists."""
        wf = source.workforce
        return (
            wf.trust.tolist(),
            wf.trust_strength.tolist(),
            susceptibility(source).tolist(),
            influence_weight(source).tolist(),
        )

    def _hand_out_inputs(self) -> None:
        """Tell every worker whether it talks and give each user its evidence."""
        inputs = self.inputs
        if inputs is None:
            raise ValueError(f"{type(self).__name__}.step: no week inputs; call run_week(inputs)")
        for worker, talks in zip(self.workers, inputs.talkers.tolist(), strict=True):
            worker.talks = talks
        for i, s, f in zip(
            inputs.users.tolist(), inputs.successes.tolist(), inputs.failures.tolist(), strict=True
        ):
            self.workers[i].successes = s
            self.workers[i].failures = f

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


class PerAgentReference(_RulesModel):
    """Per-agent Mesa model over pre-resolved neighbour lists, copied from a WorkforceModel.

    Leaner than a typical Mesa network model: no space, each agent iterates a plain list of its
    neighbour agents. Feed a week with :meth:`run_week`, which stores the inputs and calls
    :meth:`step`.

    Attributes:
        workers (list[ReferenceWorker]): The agents, in the source model's row order.
        inputs (WeekInputs | None): The talkers and evidence of the week being stepped.
    """

    def __init__(self, source: WorkforceModel, rng: int | np.random.Generator | None = None):
        super().__init__(source, rng)
        trust, strength, eps, weight = self._agent_state(source)
        self.workers = [
            ReferenceWorker(self, i, trust[i], strength[i], eps[i], weight[i])
            for i in range(source.workforce.size)
        ]
        indptr, indices = source.adjacency.indptr.tolist(), source.adjacency.indices.tolist()
        for i, worker in enumerate(self.workers):
            worker.neighbours = [self.workers[j] for j in indices[indptr[i] : indptr[i + 1]]]

    def step(self) -> None:
        """One week: users update their beliefs, then talkers move toward their peers."""
        self._hand_out_inputs()
        self.agents.do("learn")
        self.agents.do("listen")
        self.agents.do("adopt_view")


def adjacency_graph(adjacency: sp.csr_matrix | sp.csr_array) -> nx.Graph:
    """The networkx graph of a symmetric 0/1 adjacency matrix, nodes 0..N-1."""
    return nx.from_scipy_sparse_array(adjacency)


class MesaSpaceReference(_RulesModel):
    """Idiomatic Mesa 3 network model of the same two rules, copied from a WorkforceModel.

    The workers are :class:`NetworkWorker` cell agents, one per cell of a
    :class:`mesa.discrete_space.Network` (``self.grid``) built from a networkx graph of the source
    model's adjacency, created with ``create_agents`` as in Mesa's examples. A week is three
    ``self.agents.do`` passes (learn, listen, adopt_view) so the update is synchronous; the order
    of agents within a pass does not change the result, so it is not shuffled.

    Attributes:
        grid (Network): The network space; cell ``i`` is worker ``i``'s.
        workers (list[NetworkWorker]): The agents, in the source model's row order.
        inputs (WeekInputs | None): The talkers and evidence of the week being stepped.
    """

    def __init__(
        self,
        source: WorkforceModel,
        rng: int | np.random.Generator | None = None,
        graph: nx.Graph | None = None,
    ):
        super().__init__(source, rng)
        n = source.workforce.size
        graph = adjacency_graph(source.adjacency) if graph is None else graph
        if sorted(graph.nodes) != list(range(n)):
            raise ValueError(f"MesaSpaceReference: graph nodes must be 0..{n - 1}")
        self.grid = Network(graph, capacity=1, random=self.random, **NETWORK_OPTIONS)
        trust, strength, eps, weight = self._agent_state(source)
        self.workers = list(
            NetworkWorker.create_agents(
                self,
                n,
                cell=[self.grid[i] for i in range(n)],
                trust=trust,
                trust_strength=strength,
                susceptibility=eps,
                influence_weight=weight,
            )
        )

    def step(self) -> None:
        """One week: users update their beliefs, then talkers move toward their peers."""
        self._hand_out_inputs()
        self.agents.do("learn")
        self.agents.do("listen")
        self.agents.do("adopt_view")

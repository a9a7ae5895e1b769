"""Workers as arrays: who they are, what they know and believe (spec sections 1 and 7).

The :class:`Workforce` holds one numpy array per attribute (trust and tool use are N x K, one
column per tool). Joiners replacing leavers are drawn by the same function as the starting staff,
:func:`draw_workers`, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.config import ARCHETYPES, ModelConfig
from model.joiner_kernels import RandomSource, random_source, replace_in_post

NEVER = -(10**6)
"""Week stamp for 'never happened' (far enough in the past for any recall window)."""

SKILLS = ("literacy", "detection", "verification")
"""Skills that training raises, each gain split into a durable and a transient part (spec 6)."""


def beta_draws(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    """Draw Beta variates with the given means and concentration (alpha + beta).

    A mean of exactly 0 or 1, or a concentration of 0, returns the mean itself (no spread), so
    configs can switch randomness off for analytic checks.
    """
    mean = np.asarray(mean, dtype=float)
    if concentration <= 0:
        return mean.copy()
    safe = np.minimum(np.maximum(mean, 1e-9), 1 - 1e-9)  # np.clip, without its overhead
    draws = rng.beta(safe * concentration, (1 - safe) * concentration)
    return np.where((mean <= 0) | (mean >= 1), mean, draws)


def categorical(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws of category indices with probabilities proportional to ``weights``.

    The inverse-CDF draw ``rng.choice(len(weights), size=n, p=...)`` makes (one uniform per
    draw, searched in the normalised cumulative sums), without its argument checks, which cost
    several times the draw for the few joiners of a week. Same values as ``rng.choice``.
    """
    cdf = np.cumsum(np.asarray(weights, dtype=float) / np.sum(weights))
    cdf /= cdf[-1]
    return cdf.searchsorted(rng.random(n), side="right")


def exact_counts(shares: np.ndarray, n: int) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``shares`` (largest remainder method)."""
    shares = np.asarray(shares, dtype=float) / np.sum(shares)
    raw = shares * n
    counts = np.floor(raw).astype(np.int64)
    remainder = n - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:remainder]] += 1
    return counts


def initial_trust_mean(
    config: ModelConfig, archetype: np.ndarray, governance: np.ndarray
) -> np.ndarray:
    """Mean initial trust mu0(a) + k_G (G - 0.5) per worker and tool (spec sections 1 and 7)."""
    mu0 = np.array([config.population.archetypes[a].initial_trust for a in ARCHETYPES])
    shift = config.behaviour.governance_trust_shift * (governance - 0.5)
    return np.clip(mu0[archetype][:, None] + shift[None, :], 0.0, 1.0)


@dataclass
class Workforce:
    """State of every worker, one array per attribute (index = worker)."""

    staff_group: np.ndarray  # int8 code into config.population.staff_groups
    department: np.ndarray  # int32
    team: np.ndarray  # int32
    archetype: np.ndarray  # int8 code into ARCHETYPES
    digital_literacy: np.ndarray  # d in [0, 1]
    baseline_literacy: np.ndarray  # l0 in [0, 1]
    durable_gain: np.ndarray  # N x len(SKILLS): training gains that last
    transient_gain: np.ndarray  # N x len(SKILLS) x modalities: gains that fade without use
    skill_total: np.ndarray  # N x len(SKILLS): durable + transient gains, kept by refresh_skills
    fading: np.ndarray  # bool: holds a transient gain (trained since joining)
    trust: np.ndarray  # tau, N x K
    trust_strength: np.ndarray  # kappa, N x K
    self_efficacy: np.ndarray  # s in [0, 1]
    unaided_accuracy: np.ndarray  # h in [0, 1]
    perceived_accuracy: np.ndarray  # a_hat: the worker's belief about h
    unnoticed_tool_errors: np.ndarray  # N x K: wrong advice acted on, not (yet) noticed, decaying
    unnoticed_own_errors: np.ndarray  # own wrong decisions not (yet) noticed
    adoption_threshold: np.ndarray  # theta in [0, 1]
    influence_multiplier: np.ndarray  # champions' multiplier of w
    uses: np.ndarray  # bool, N x K
    mandated: np.ndarray  # bool: must use live (non general-purpose) tools
    times_trained: np.ndarray  # int16
    last_use_week: np.ndarray  # int32, N x K: last week each tool was used, NEVER if never
    starting_staff: np.ndarray  # bool: present since week 0

    @property
    def size(self) -> int:
        """Headcount."""
        return self.staff_group.size

    def skill_gain(self, skill: str) -> np.ndarray:
        """Current training gain in one of :data:`SKILLS`: durable plus transient parts.

        Read from :attr:`skill_total` (a read-only view), which the code that changes the gains
        keeps current through :meth:`refresh_skills`, so a read costs no pass over the
        N x skills x modalities transient array.
        """
        return self.skill_total[:, SKILLS.index(skill)]

    def refresh_skills(self, index: np.ndarray | slice = slice(None)) -> None:
        """Recompute :attr:`skill_total` at ``index`` (all workers by default) from the parts.

        Call it after writing to :attr:`durable_gain` or :attr:`transient_gain` directly.
        """
        self.skill_total[index] = self.durable_gain[index] + self.transient_gain[index].sum(axis=2)

    @property
    def literacy_bonus(self) -> np.ndarray:
        """Training gain in AI literacy."""
        return self.skill_gain("literacy")

    @property
    def detection_bonus(self) -> np.ndarray:
        """Training gain in error-detection skill (added to phi)."""
        return self.skill_gain("detection")

    @property
    def verification_bonus(self) -> np.ndarray:
        """Training gain in the propensity to check accepted advice (added to v)."""
        return self.skill_gain("verification")

    @property
    def ai_literacy(self) -> np.ndarray:
        """Current AI literacy l = l0 + training gain (spec section 6)."""
        return self.baseline_literacy + self.literacy_bonus


def assign_structure(config: ModelConfig, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Assign staff groups (exact NHS mix, shuffled), departments and teams.

    Departments are consecutive blocks of ``department_size`` workers and teams consecutive
    blocks of ``team_size`` inside a department; staff groups are mixed across both.

    Returns:
        ``(staff_group, department, team)`` arrays.
    """
    pop = config.population
    n = pop.n_workers
    shares = np.array([g.share for g in pop.staff_groups.values()])
    staff_group = np.repeat(np.arange(shares.size, dtype=np.int8), exact_counts(shares, n))
    rng.shuffle(staff_group)
    index = np.arange(n)
    department = (index // pop.department_size).astype(np.int32)
    position = index % pop.department_size
    teams_per_department = -(-pop.department_size // pop.team_size)
    team = (department * teams_per_department + position // pop.team_size).astype(np.int32)
    return staff_group, department, team


def draw_workers(
    config: ModelConfig,
    rng: np.random.Generator,
    staff_group: np.ndarray,
    governance: np.ndarray,
) -> dict[str, np.ndarray]:
    """Draw the personal attributes of new workers of the given staff groups.

    Used for the starting workforce and for joiners replacing leavers (spec section 7: joiners
    come from the initial distributions, untrained and not using any tool).

    Returns:
        A dict of arrays keyed by :class:`Workforce` field name.
    """
    pop, beh = config.population, config.behaviour
    n, k = staff_group.size, len(config.tools)
    n_modalities = len(config.training.modalities)
    groups = list(pop.staff_groups.values())
    archetype_shares = np.array([pop.archetypes[a].share for a in ARCHETYPES])
    archetype = categorical(rng, archetype_shares, n).astype(np.int8)
    d_mean = np.array([g.digital_literacy for g in groups])[staff_group]
    h_mean = np.array([g.unaided_accuracy for g in groups])[staff_group]
    l_mean = np.array([pop.archetypes[a].ai_literacy for a in ARCHETYPES])[archetype]
    digital = beta_draws(rng, d_mean, pop.literacy_concentration)
    literacy = beta_draws(rng, l_mean, pop.literacy_concentration)
    accuracy = beta_draws(rng, h_mean, pop.accuracy_concentration)
    trust_mean = initial_trust_mean(config, archetype, governance)
    trust = beta_draws(rng, trust_mean, pop.initial_trust_concentration)
    threshold = rng.normal(pop.adoption_threshold_mean, pop.adoption_threshold_sd, size=n)
    miscalibration = rng.normal(beh.self_assessment_bias, beh.self_assessment_sd, size=n)
    return {
        "archetype": archetype,
        "digital_literacy": digital,
        "baseline_literacy": literacy,
        "durable_gain": np.zeros((n, len(SKILLS))),
        "transient_gain": np.zeros((n, len(SKILLS), n_modalities)),
        "skill_total": np.zeros((n, len(SKILLS))),
        "fading": np.zeros(n, dtype=bool),
        "trust": trust.reshape(n, k),
        "trust_strength": np.full((n, k), beh.initial_trust_strength),
        # Assumption: self-efficacy starts as the mean of digital and AI literacy.
        "self_efficacy": 0.5 * digital + 0.5 * literacy,
        "unaided_accuracy": accuracy,
        "perceived_accuracy": np.clip(accuracy + miscalibration, 0.0, 1.0),
        "unnoticed_tool_errors": np.zeros((n, k)),
        "unnoticed_own_errors": np.zeros(n),
        "adoption_threshold": np.clip(threshold, 0.0, 1.0),
        "influence_multiplier": np.ones(n),
        "uses": np.zeros((n, k), dtype=bool),
        "mandated": rng.random(n) < beh.mandate_share,
        "times_trained": np.zeros(n, dtype=np.int16),
        "last_use_week": np.full((n, k), NEVER, dtype=np.int32),
        "starting_staff": np.zeros(n, dtype=bool),
    }


def create_workforce(
    config: ModelConfig, rng: np.random.Generator, governance: np.ndarray
) -> Workforce:
    """Create the starting workforce (spec section 1)."""
    staff_group, department, team = assign_structure(config, rng)
    attributes = draw_workers(config, rng, staff_group, governance)
    attributes["starting_staff"][:] = True
    return Workforce(staff_group=staff_group, department=department, team=team, **attributes)


def joiner_parameters(config: ModelConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The inputs of :func:`draw_workers` as arrays (for :func:`replace_workers`).

    Returns the archetype CDF (as :func:`categorical` builds it), per staff group the means of
    digital literacy and unaided accuracy, per archetype those of AI literacy and initial trust,
    and the scalar parameters (concentrations of literacy, accuracy and trust, threshold mean
    and sd, self-assessment bias and sd, mandate share, initial trust strength, governance
    trust shift). The tools' governance is read at each draw (events change it).
    """
    pop, beh = config.population, config.behaviour
    shares = np.array([pop.archetypes[a].share for a in ARCHETYPES])
    cdf = np.cumsum(shares / np.sum(shares))
    cdf /= cdf[-1]
    group_means = np.array(
        [[g.digital_literacy, g.unaided_accuracy] for g in pop.staff_groups.values()]
    )
    archetype_means = np.array(
        [[pop.archetypes[a].ai_literacy, pop.archetypes[a].initial_trust] for a in ARCHETYPES]
    )
    scalars = np.array(
        [
            pop.literacy_concentration,
            pop.accuracy_concentration,
            pop.initial_trust_concentration,
            pop.adoption_threshold_mean,
            pop.adoption_threshold_sd,
            beh.self_assessment_bias,
            beh.self_assessment_sd,
            beh.mandate_share,
            beh.initial_trust_strength,
            beh.governance_trust_shift,
        ],
        dtype=float,
    )
    return cdf, group_means, archetype_means, scalars


def replace_workers(
    workforce: Workforce,
    index: np.ndarray,
    config: ModelConfig,
    rng: np.random.Generator | RandomSource,
    governance: np.ndarray,
    parameters: tuple[np.ndarray, ...] | None = None,
) -> None:
    """Replace the workers at ``index`` by joiners in the same post (staff group, team, ties).

    The joiners are drawn from ``rng`` as by :func:`draw_workers` (same draws, same values) in
    one compiled pass, :func:`model.joiner_kernels.replace_in_post`. ``rng`` is a Generator or,
    cheaper to pass week after week, one held by a
    :class:`~model.joiner_kernels.RandomSource`. ``parameters`` are those of
    :func:`joiner_parameters` for ``config``, if already computed.
    """
    wf = workforce
    if parameters is None:
        parameters = joiner_parameters(config)
    cdf, group_means, archetype_means, scalars = parameters
    replace_in_post(
        random_source(rng), np.asarray(index, dtype=np.int64), cdf, group_means, archetype_means,
        np.asarray(governance, dtype=float), scalars,
        wf.staff_group, wf.archetype, wf.digital_literacy, wf.baseline_literacy,
        wf.durable_gain, wf.transient_gain, wf.skill_total, wf.fading, wf.trust,
        wf.trust_strength, wf.self_efficacy, wf.unaided_accuracy, wf.perceived_accuracy,
        wf.unnoticed_tool_errors, wf.unnoticed_own_errors, wf.adoption_threshold,
        wf.influence_multiplier, wf.uses, wf.mandated, wf.times_trained, wf.last_use_week,
        wf.starting_staff, NEVER,
    )  # fmt: skip

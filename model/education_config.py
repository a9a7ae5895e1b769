"""Typed configuration of education and its budget: modalities, programmes, audit, strategy.

Split from :mod:`model.config` (which re-exports every name), with the same conventions: every
field declared with :func:`model.params.param`, carrying its unit and source (spec section 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.params import fraction, param

TARGET_RULES = (
    "all",
    "random",
    "archetypes",
    "staff_groups",
    "top_influence",
    "low_literacy",
    "just_in_time",
    "users_of_tool",
    "non_users",
)


@dataclass
class ModalityConfig:
    """A kind of education or training and what one completion does (spec section 6)."""

    cost_gbp: float = param(0.0, unit="GBP per person", low=0.0, doc="direct cost")
    staff_hours: float = param(0.0, unit="hours per person", low=0.0, doc="time away from work")
    literacy_gain: float = fraction(0.0, doc="dl: AI literacy gain, x += dl (1 - x)")
    self_efficacy_gain: float = fraction(0.0, doc="ds: self-efficacy gain")
    calibration_pull: float = fraction(0.0, doc="pi: trust moves pi of the way to rho_d")
    detection_bonus: float = fraction(0.0, doc="dphi: error-detection bonus gain")
    trust_push: float = param(
        0.0,
        unit="share of the gap to 1",
        low=-1.0,
        high=1.0,
        doc="trust shift regardless of evidence",
    )
    half_life_weeks: float = param(
        26.0,
        unit="weeks",
        low=1e-6,
        source="per modality in data/evidence/parameters.csv (Bell et al. 2008; Tatel and Ackerman "
        "2025)",
        doc="half-life of the transient gains in weeks without use",
    )
    influence_multiplier: float = param(
        1.0, unit="factor", low=0.0, doc="multiplies peer influence weight (champions)"
    )
    durable_share: float = fraction(
        0.3,
        source="per modality in data/evidence/parameters.csv (Bell et al. 2008 for e-learning)",
        doc="share of each skill gain that does not decay",
    )
    verification_bonus: float = fraction(0.0, doc="dv: rise in the checking of accepted advice")
    self_assessment_pull: float = fraction(
        0.0, doc="share of the gap between perceived and true own accuracy closed"
    )


def _modalities() -> dict[str, ModalityConfig]:
    m = ModalityConfig
    # cost, hours, dl, ds, pi, dphi, push, half-life, influence, durable, dv, self-assessment
    return {
        "elearning": m(20.0, 1.0, 0.15, 0.05, 0.10, 0.02, 0.0, 1.0, 1.0, 0.1, 0.02, 0.0),
        "workshop": m(150.0, 4.0, 0.30, 0.15, 0.30, 0.10, 0.0, 28.0, 1.0, 0.3, 0.05, 0.2),
        "simulation": m(400.0, 4.0, 0.30, 0.20, 0.50, 0.25, 0.0, 28.0, 1.0, 0.3, 0.15, 0.5),
        "failure_exposure": m(40.0, 1.5, 0.10, 0.0, 0.30, 0.15, 0.0, 28.0, 1.0, 0.3, 0.20, 0.2),
        "vendor_demo": m(5.0, 1.0, 0.05, 0.10, 0.00, 0.00, 0.15, 1.0, 1.0, 0.1, 0.0, 0.0),
        "champions": m(1500.0, 30.0, 0.50, 0.30, 0.50, 0.20, 0.0, 48.0, 3.0, 0.3, 0.10, 0.5),
    }


@dataclass
class TrainingConfig:
    """Modalities on offer and the conditions of attendance (spec section 6)."""

    modalities: dict[str, ModalityConfig] = param(
        unit="-", default_factory=_modalities, doc="available modalities; costs and effects assumed"
    )
    backfill_gbp_per_hour: float = param(
        45.0,
        unit="GBP per staff hour",
        source="PSSRU Unit Costs of Health and Social Care (2014), uplifted (evidence table)",
        low=0.0,
        doc="cost of covering time away",
    )
    base_attendance: float = fraction(0.9, doc="probability an invited worker attends, no pressure")
    workload_pressure: float = fraction(0.3, doc="attendance = base_attendance (1 - pressure)")


@dataclass
class ProgrammeConfig:
    """A training programme: eligibility (target), reach (coverage, capacity), effect (modality)."""

    modality: str = param("elearning", unit="-", doc="a key of training.modalities")
    target: str = param("all", unit="-", choices=TARGET_RULES, doc="who is eligible")
    archetypes: list[str] = param(
        unit="-", default_factory=list, doc="target archetypes: which archetypes"
    )
    staff_groups: list[str] = param(
        unit="-", default_factory=list, doc="target staff_groups: which groups"
    )
    tool: str | None = param(
        None, unit="-", doc="tool for just_in_time, users_of_tool, non_users (None = any)"
    )
    coverage: float = fraction(1.0, doc="share of the eligible invited")
    start_week: int = param(0, unit="week", low=0, doc="first week of the programme")
    weekly_capacity: float = fraction(0.02, doc="places per week as a share of the workforce")
    refresher_weeks: int | None = param(
        None, unit="weeks", low=1, doc="re-invite after this many weeks (None = once)"
    )
    window_weeks: int = param(8, unit="weeks", low=0, doc="just_in_time: weeks before go-live")
    budget_share: float | None = param(
        None,
        unit="share of strategy.budget_gbp",
        low=0.0,
        high=1.0,
        doc="most this programme may spend over the horizon (None = no own limit: it spends "
        "from the common purse in schedule order)",
    )


@dataclass
class AuditConfig:
    """Clinical audit and feedback of AI-assisted decisions in a share of departments.

    Every ``period_weeks`` from ``start_week``, each audited department reveals ``reveal_share``
    of the errors its staff did not notice since the last round to the staff who made them, and
    publishes the tool's accuracy on ``sample_cases`` audited cases (Ivers et al. 2012, Cochrane).
    """

    coverage: float = fraction(0.0, doc="share of departments audited (0 = no audit)")
    period_weeks: int = param(13, unit="weeks", low=1, doc="weeks between audit rounds")
    start_week: int = param(0, unit="week", low=0, doc="first possible audit round")
    reveal_share: float = fraction(0.5, doc="share of unnoticed errors revealed per round")
    sample_cases: int = param(
        50, unit="cases per department", low=1, doc="cases audited to publish local accuracy"
    )
    publication_weight: float = param(
        20.0, unit="pseudo-observations", low=0.0, doc="weight of the published local accuracy"
    )
    cost_gbp_per_department: float = param(
        1000.0, unit="GBP per department and round", low=0.0, doc="cost of one audit round"
    )
    budget_share: float | None = param(
        None,
        unit="share of strategy.budget_gbp",
        low=0.0,
        high=1.0,
        doc="a strategy's audit: most it may spend over the horizon (None = no own limit)",
    )


PACES = ("asap", "even", "profile")


@dataclass
class StrategyConfig:
    """An education strategy: programmes in schedule order under one budget, spent at a pace."""

    name: str = param("no_training", unit="-", doc="strategy name")
    budget_gbp: float = param(0.0, unit="GBP", low=0.0, doc="total budget incl. backfill")
    programmes: list[ProgrammeConfig] = param(unit="-", default_factory=list, doc="programmes")
    pace: str = param(
        "even",
        unit="-",
        choices=PACES,
        doc="asap: as places allow; even: equal yearly limits; profile: spend_profile",
    )
    spend_profile: list[float] = param(
        unit="shares per 52-week year",
        default_factory=list,
        doc="pace=profile: share of the budget released in each year (sums to 1)",
    )
    audit: AuditConfig = field(default_factory=AuditConfig)

"""Typed configuration of the workforce model: dataclasses usable as Hydra structured configs.

Every field says its unit and whether its default is sourced (with the citation) or an
assumption; see :func:`model.params.param`. Cross-field rules (shares summing to one, names that
must exist, events inside the horizon) live in :mod:`model.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.education_config import (
    PACES,
    TARGET_RULES,
    AuditConfig,
    ModalityConfig,
    ProgrammeConfig,
    StrategyConfig,
    TrainingConfig,
)
from model.params import ASSUMPTION, fraction, param

ARCHETYPES = ("shaper", "driver", "creator", "embedder", "user")
"""Workforce archetypes of HEE and NHS AI Lab (2022), *Developing healthcare workers' confidence
in AI*, chapter 3."""

EVENT_KINDS = ("incident", "evidence", "approval", "leadership")
ROLLOUT_KINDS = ("big_bang", "phased", "pilot_then_scale")
NETWORK_KINDS = ("teams", "watts_strogatz", "empty")

NHS_WORKFORCE = (
    "NHS England workforce statistics 2025 (FTE by staff group, data/nhs_england_workforce.csv); "
    "five groups derived as documented in data/README.md"
)
HEE_2022 = "HEE and NHS AI Lab (2022), Developing healthcare workers' confidence in AI"
ROGERS = "Rogers E. (2003), Diffusion of Innovations, 5th ed.: adopter categories"


@dataclass
class StaffGroupConfig:
    """A professional staff group: its share of headcount and its skills."""

    share: float = fraction(0.2, source=NHS_WORKFORCE, doc="share of the workforce")
    digital_literacy: float = fraction(0.6, doc="mean digital literacy d (Beta mean)")
    unaided_accuracy: float = fraction(
        0.75,
        source="Dratsch et al. (2023) Radiology 307:e222176: unaided accuracy about 0.8 (evidence "
        "table); other groups assumed lower",
        doc="mean probability of a right decision without AI (h)",
    )


def _staff_groups() -> dict[str, StaffGroupConfig]:
    sg = StaffGroupConfig
    return {
        "medical": sg(share=0.1092, digital_literacy=0.65, unaided_accuracy=0.80),
        "nursing_midwifery": sg(share=0.2894, digital_literacy=0.55, unaided_accuracy=0.75),
        "ahp_scientific_technical": sg(share=0.1346, digital_literacy=0.65, unaided_accuracy=0.75),
        "clinical_support": sg(share=0.3051, digital_literacy=0.45, unaided_accuracy=0.65),
        "admin_infrastructure": sg(share=0.1617, digital_literacy=0.6, unaided_accuracy=0.65),
    }


@dataclass
class ArchetypeConfig:
    """An HEE archetype: its share and how its members think about and spread views on AI."""

    share: float = fraction(0.2, doc="share of the workforce")
    ai_literacy: float = fraction(0.3, doc="mean AI literacy l (Beta mean)")
    initial_trust: float = fraction(
        0.5, doc="mean initial trust in AI mu0, before governance shift"
    )
    peer_susceptibility: float = param(
        0.2,
        unit="share of the gap per conversation",
        low=0.0,
        high=1.0,
        source="assumption within Deffuant et al. (2000): convergence rate mu <= 0.5",
        doc="eps: how far a conversation moves trust toward the neighbours' mean",
    )
    influence_weight: float = param(
        1.0, unit="relative weight", low=0.0, doc="w: weight of this worker's view for peers"
    )


def _archetypes() -> dict[str, ArchetypeConfig]:
    a = ArchetypeConfig
    return {
        "shaper": a(0.02, 0.55, 0.60, 0.05, 3.0),
        "driver": a(0.05, 0.60, 0.65, 0.10, 2.0),
        "creator": a(0.03, 0.80, 0.65, 0.10, 1.5),
        "embedder": a(0.15, 0.50, 0.60, 0.15, 1.5),
        "user": a(0.75, 0.25, 0.50, 0.25, 1.0),
    }


@dataclass
class PopulationConfig:
    """Who the workforce is and how it is organised (spec sections 1 and 7)."""

    n_workers: int = param(5000, unit="workers", low=2, doc="headcount (constant)")
    department_size: int = param(100, unit="workers", low=1, doc="staff per department")
    team_size: int = param(10, unit="workers", low=1, doc="staff per team")
    staff_groups: dict[str, StaffGroupConfig] = param(
        unit="-", source=NHS_WORKFORCE, default_factory=_staff_groups, doc="staff groups"
    )
    archetypes: dict[str, ArchetypeConfig] = param(
        unit="-", source=HEE_2022, default_factory=_archetypes, doc="the five archetypes"
    )
    literacy_concentration: float = param(
        8.0, unit="Beta concentration", low=0.0, doc="spread of digital and AI literacy draws"
    )
    accuracy_concentration: float = param(
        40.0, unit="Beta concentration", low=0.0, doc="spread of unaided accuracy h"
    )
    initial_trust_concentration: float = param(
        10.0, unit="Beta concentration", low=0.0, doc="spread of initial trust draws"
    )
    adoption_threshold_mean: float = fraction(0.55, doc="mean adoption threshold theta")
    adoption_threshold_sd: float = param(
        0.15,
        unit="share",
        low=0.0,
        high=1.0,
        source=f"assumption; normal shape gives the adopter categories of {ROGERS}",
        doc="sd of theta; mean-2sd, mean-sd, mean, mean+sd cut the five categories",
    )
    annual_leaver_rate: float = fraction(
        0.11,
        source="The Health Foundation (2019), Falling short: one in nine NHS staff leave each year",
        doc="share of staff leaving per year",
    )


@dataclass
class NetworkConfig:
    """Who talks with whom (spec section 8)."""

    kind: str = param("teams", unit="-", choices=NETWORK_KINDS, doc="network generator")
    cross_team_ties: int = param(
        1, unit="ties per worker", low=0, doc="ties drawn to others in the same department"
    )
    professional_ties: int = param(
        1, unit="ties per worker", low=0, doc="ties drawn to the same staff group elsewhere"
    )
    watts_strogatz_k: int = param(12, unit="neighbours", low=2, doc="ring degree (watts_strogatz)")
    watts_strogatz_p: float = fraction(0.1, doc="rewiring probability (watts_strogatz)")


@dataclass
class RolloutConfig:
    """When each department gets a tool (spec section 2)."""

    kind: str = param("phased", unit="-", choices=ROLLOUT_KINDS, doc="how departments go live")
    go_live_week: int | None = param(8, unit="week", low=0, doc="first department goes live")
    go_live_date: str | None = param(
        None, unit="ISO date", doc="alternative to go_live_week (then go_live_week is ignored)"
    )
    rollout_weeks: int = param(52, unit="weeks", low=0, doc="phased: weeks until all are live")
    pilot_share: float = fraction(0.1, doc="pilot_then_scale: share of departments in the pilot")
    pilot_weeks: int = param(26, unit="weeks", low=0, doc="pilot_then_scale: pilot length")


@dataclass
class ToolConfig:
    """An AI tool: how reliable it is, how it is used, how it is governed and rolled out."""

    name: str = param("cdss", unit="-", doc="unique name")
    reliability: float = fraction(
        0.85,
        source="assumption; deployed tools can underperform claims (Wong et al. 2021, JAMA IM)",
        doc="rho: probability the tool's advice is right",
    )
    reliability_concentration: float = param(
        100.0,
        unit="Beta concentration",
        source="Wong et al. (2026) JAMA Netw Open: between-site spread of deployed model accuracy",
        low=0.0,
        doc="spread of department reliability rho_d around rho (0 = all equal)",
    )
    cases_per_week: float = param(
        5.0, unit="decisions per user-week", low=0.0, doc="lam: AI-assisted decisions"
    )
    error_salience: float = fraction(0.5, doc="sigma: how visible the tool's errors are")
    governance_maturity: float = fraction(
        0.5, doc="G: regulated, evaluated, locally validated (0 none, 1 full)"
    )
    general_purpose: bool = param(
        False, unit="-", doc="live everywhere from go-live (e.g. generative AI), used voluntarily"
    )
    published_reliability: float | None = param(
        None,
        unit="share",
        low=0.0,
        high=1.0,
        doc="reliability the vendor and training state (None = reliability); what courses teach",
    )
    local_validation_share: float = fraction(
        0.1, doc="share of departments that validated the tool locally and know their own rho_d"
    )
    forcing_function: float = fraction(
        0.0, doc="cognitive forcing: least share of accepted advice checked (Bucinca et al. 2021)"
    )
    confidence_display: float = fraction(
        0.0, doc="how well a per-case confidence display steers checks to wrong advice (0 none)"
    )
    rollout: RolloutConfig = field(default_factory=RolloutConfig)


@dataclass
class BehaviourConfig:
    """How workers adopt, rely on, learn from and talk about AI (spec sections 3 to 5)."""

    adoption_rate: float = fraction(
        0.008,
        source="Bass diffusion: p + q ~ 0.41 per year (Sultan, Farley and Lehmann 1990)",
        doc="p_adopt: weekly start probability at full readiness",
    )
    social_proof: float = param(
        0.3, unit="confidence per share of neighbours", low=0.0, doc="eta: pull of peers' use"
    )
    decision_temperature: float = param(
        0.1, unit="confidence", low=1e-6, doc="T: softness of adopt and drop decisions"
    )
    drop_rate: float = fraction(0.05, doc="p_drop: weekly stop probability at full reluctance")
    drop_margin: float = param(
        0.1, unit="confidence", low=0.0, high=1.0, doc="users stop only below theta - margin"
    )
    mandate_share: float = fraction(0.0, doc="share of staff who must use a live tool")
    confidence_trust_weight: float = fraction(
        0.5, doc="omega: reported confidence = omega * trust + (1 - omega) * self-efficacy"
    )
    reliance_steepness: float = param(
        10.0, unit="per unit trust gap", low=0.0, doc="k_r: r = sigmoid(k_r (tau - a_hat))"
    )
    automation_bias: float = fraction(
        0.4,
        source="Dratsch et al. (2023) Radiology: accuracy with incorrect AI advice 20-46%",
        doc="b_auto: lowers the checking of accepted advice, v (1 - b_auto)",
    )
    verification_gain: float = param(
        2.0,
        unit="checks per unit distrust",
        low=0.0,
        doc="g_v: verification v = g_v (1 - tau) (1 - b_auto) (1 - W) (1 + e_A A) + training",
    )
    accountability: float = fraction(
        0.0, doc="A: accountability for AI-assisted decisions at the point of decision (governance)"
    )
    accountability_effect: float = param(
        0.5, unit="relative rise", low=0.0, doc="e_A: rise in checking at full accountability"
    )
    false_alarm_rate: float = fraction(
        0.05, doc="f: probability a check wrongly rejects right advice"
    )
    verification_minutes: float = param(
        2.0,
        unit="minutes per case worked up by hand",
        low=0.0,
        doc="staff time of a case checked or decided without the advice",
    )
    self_assessment_bias: float = param(
        0.10,
        unit="accuracy",
        source="Meyer et al. (2013) JAMA Intern Med: confidence barely falls with accuracy",
        low=-1.0,
        high=1.0,
        doc="mean of perceived minus true own accuracy at entry (over-confidence > 0)",
    )
    self_assessment_sd: float = param(
        0.10,
        unit="accuracy",
        low=0.0,
        source="Davis et al. (2006) JAMA: physicians' self-assessment weakly related to measures",
        doc="spread of that miscalibration between workers",
    )
    self_knowledge_strength: float = param(
        100.0, unit="pseudo-observations", low=1e-6, doc="evidence behind perceived own accuracy"
    )
    self_efficacy_error_loss: float = fraction(
        0.05, doc="share of self-efficacy lost per revealed error of one's AI-assisted decisions"
    )
    detection_literacy_weight: float = fraction(0.5, doc="weight of AI literacy in detection skill")
    detection_accuracy_weight: float = fraction(0.5, doc="weight of expertise in detection skill")
    error_weight: float = param(
        2.0,
        unit="successes per error",
        low=1.0,
        source="assumption; the asymmetry is from Dietvorst et al. (2015) J Exp Psychol Gen",
        doc="nu: weight of a noticed error against a success",
    )
    forgetting: float = fraction(0.98, doc="gamma: weekly retention of past evidence")
    initial_trust_strength: float = param(
        10.0, unit="pseudo-observations", low=0.0, doc="kappa0: evidence behind initial trust"
    )
    max_trust_strength: float = param(
        200.0, unit="pseudo-observations", low=0.0, doc="kappa_max: cap on evidence"
    )
    practice_gain: float = fraction(0.02, doc="eta_use: self-efficacy gain per week of use")
    spillover: float = fraction(0.3, doc="weight of one tool's evidence on trust in the others")
    talk_probability: float = fraction(0.5, doc="f_talk: weekly probability of discussing AI")
    bounded_confidence: bool = param(
        False, unit="-", source="Deffuant et al. (2000)", doc="listen only to similar views"
    )
    confidence_bound: float = param(
        0.3, unit="trust", low=0.0, high=1.0, doc="delta_bc: bounded-confidence radius"
    )
    governance_trust_shift: float = param(
        0.3, unit="trust per unit G", low=0.0, doc="k_G: initial trust shift k_G (G - 0.5)"
    )


@dataclass
class EventConfig:
    """A scheduled event (spec section 7); give ``week`` or ``date``."""

    kind: str = param("incident", unit="-", choices=EVENT_KINDS, doc="what happens")
    week: int | None = param(None, unit="week", low=0, doc="when (or give date)")
    date: str | None = param(None, unit="ISO date", doc="when, as a date")
    magnitude: float = fraction(0.2, doc="size of the effect")
    tool: str | None = param(None, unit="-", doc="tool concerned (None = all)")
    department: int | None = param(
        None, unit="department index", low=0, doc="incident: where (None = a random live one)"
    )
    spread: float = fraction(0.5, doc="incident: share of the effect felt outside the department")
    duration_weeks: int = param(12, unit="weeks", low=0, doc="leadership: how long it lasts")


@dataclass
class OutcomeConfig:
    """How outcomes are defined (spec section 9)."""

    appropriate_margin: float = param(
        0.1, unit="trust", low=0.0, high=1.0, doc="delta_app: |tau - rho_d| for appropriate"
    )
    by_group: bool = param(True, unit="-", doc="record breakdowns by archetype and staff group")


@dataclass
class SurveyConfig:
    """The survey instrument (spec section 10)."""

    cut_points: list[float] = param(
        unit="latent scale",
        default_factory=lambda: [0.2, 0.4, 0.6, 0.8],
        doc="four ordered Likert cut-points",
    )
    response_noise: float = param(0.15, unit="latent scale", low=0.0, doc="sigma_resp")
    recall_weeks: int = param(52, unit="weeks", low=1, doc="uses_ai: 'used AI in the past year'")


@dataclass
class ModelConfig:
    """Everything a :class:`model.simulation.WorkforceModel` needs; defaults run as is."""

    seed: int = param(20260101, unit="-", low=0, doc="seed of the one numpy Generator")
    weeks: int = param(156, unit="weeks", low=1, doc="horizon (one step is one week)")
    start_date: str = param("2025-01-06", unit="ISO date", doc="date of week 0")
    population: PopulationConfig = field(default_factory=PopulationConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    tools: list[ToolConfig] = field(default_factory=lambda: [ToolConfig()])
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    events: list[EventConfig] = param(unit="-", default_factory=list, doc="scheduled events")
    audit: AuditConfig = field(default_factory=AuditConfig)
    outcomes: OutcomeConfig = field(default_factory=OutcomeConfig)
    survey: SurveyConfig = field(default_factory=SurveyConfig)


__all__ = [
    "ARCHETYPES",
    "PACES",
    "TARGET_RULES",
    "ASSUMPTION",
    "ArchetypeConfig",
    "AuditConfig",
    "BehaviourConfig",
    "EventConfig",
    "ModalityConfig",
    "ModelConfig",
    "NetworkConfig",
    "OutcomeConfig",
    "PopulationConfig",
    "RolloutConfig",
    "ProgrammeConfig",
    "StaffGroupConfig",
    "StrategyConfig",
    "SurveyConfig",
    "ToolConfig",
    "TrainingConfig",
]

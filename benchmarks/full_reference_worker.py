"""One healthcare worker of the per-agent Mesa reference of the full weekly rules.

Each worker is a :class:`mesa.discrete_space.CellAgent` on a cell of a Mesa ``Network`` and
holds its own state as Python floats and lists, one entry per tool (trust, use) or per skill and
modality (training gains). The methods are the model's rules written for one worker, as a Mesa
modeller writes them: a loop over this worker's tools and neighbours, scalar random draws from
the model (:meth:`~benchmarks.full_reference.FullRulesReference.uniform` and ``poisson``). The
formulas are those of :mod:`model.adoption`, :mod:`model.use`, :mod:`model.peers`,
:mod:`model.training` and :mod:`model.turnover`; see each method.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

from model.use import TALLY_FIELDS

if TYPE_CHECKING:
    from benchmarks.full_reference import FullRulesReference

TALLY = TALLY_FIELDS
"""What a worker counts of its week's decisions: the model's own field names."""


def sigmoid(x: float) -> float:
    """Logistic function."""
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def beta_update(
    mean: float,
    strength: float,
    successes: float,
    failures: float,
    retention: float = 1.0,
    error_weight: float = 1.0,
    max_strength: float = math.inf,
) -> tuple[float, float]:
    """One Beta update with forgetting and error asymmetry (:func:`model.use.beta_update`)."""
    kept = retention * strength
    alpha = max(kept * mean + successes, 0.0)
    total = max(alpha + kept * (1 - mean) + error_weight * failures, 0.0)
    return (alpha / total if total > 0 else mean), min(total, max_strength)


class FullWorker(CellAgent):
    """A worker with every attribute the weekly rules read or change.

    The attributes mirror :class:`model.workforce.Workforce` (one value per worker there, one
    attribute here); ``trust``, ``trust_strength``, ``uses``, ``last_use_week`` and
    ``unnoticed_tool_errors`` are lists over tools, ``durable`` a list over skills and
    ``transient`` a list over skills of lists over modalities. ``tally`` holds this week's
    decision counts over the worker's tools.
    """

    model: FullRulesReference

    def __init__(self, model: FullRulesReference, cell, state: dict) -> None:  # noqa: ANN001
        super().__init__(model)
        self.cell = cell
        self.__dict__.update(state)
        self.tally = dict.fromkeys(TALLY, 0.0)
        self._next_trust = self.trust
        self._start: list[bool] = []

    # -- derived quantities -------------------------------------------------------------------
    def skill(self, s: int) -> float:
        """Training gain in skill s: durable plus the sum of the transient gains."""
        return self.durable[s] + sum(self.transient[s])

    def ai_literacy(self) -> float:
        """l = l0 + literacy gain."""
        return self.baseline_literacy + self.skill(0)

    def confidence(self, k: int) -> float:
        """Reported confidence in tool k: omega tau_k + (1 - omega) s."""
        omega = self.model.beh.confidence_trust_weight
        return omega * self.trust[k] + (1 - omega) * self.self_efficacy

    # -- adoption (model.adoption) ------------------------------------------------------------
    def decide_adoption(self, k: int) -> None:
        """Draw whether to start (non-user with the tool live) or stop (user) using tool k."""
        model, beh = self.model, self.model.beh
        self._change = None
        if self.live[k] and not self.uses[k]:
            neighbours = self.cell.neighborhood.agents
            degree = using = 0
            for n in neighbours:
                degree += 1
                using += n.uses[k]
            q = using / max(degree, 1)
            readiness = self.confidence(k) + beh.social_proof * q - self.adoption_threshold
            p = (
                beh.adoption_rate
                * model.adoption_boost[k]
                * sigmoid(readiness / beh.decision_temperature)
            )
            if model.uniform() < min(p, 1.0):
                self._change = True
        elif self.uses[k]:
            reluctance = self.adoption_threshold - beh.drop_margin - self.confidence(k)
            if model.uniform() < beh.drop_rate * sigmoid(reluctance / beh.decision_temperature):
                self._change = False

    def apply_adoption(self, k: int) -> None:
        """Start or stop as decided; mandated staff use live clinical tools; none off-live."""
        if self._change is not None:
            self.uses[k] = self._change
        if self.live[k] and self.mandated and not self.model.general_purpose[k]:
            self.uses[k] = True
        if not self.live[k]:
            self.uses[k] = False

    # -- use with verification (model.use) ----------------------------------------------------
    def use_tools(self) -> None:
        """Decide this week's cases with each tool used; update trust and own-accuracy belief."""
        self.tally = dict.fromkeys(TALLY, 0.0)
        if not any(self.uses):
            return
        model, beh = self.model, self.model.beh
        n_tools = len(self.uses)
        self.unnoticed_tool_errors = [e * beh.forgetting for e in self.unnoticed_tool_errors]
        successes, failures = [0.0] * n_tools, [0.0] * n_tools
        own_decisions = own_noticed = 0.0
        h, f = self.unaided_accuracy, beh.false_alarm_rate
        phi = min(
            max(
                beh.detection_literacy_weight * self.ai_literacy()
                + beh.detection_accuracy_weight * h
                + self.skill(1),
                0.0,
            ),
            1.0,
        )
        for k in range(n_tools):
            if not self.uses[k]:
                continue
            lam, sigma = model.cases_per_week[k], model.error_salience[k]
            rho = model.reliability[self.department][k]
            tau = self.trust[k]
            r = sigmoid(beh.reliance_steepness * (tau - self.perceived_accuracy))
            v = model.verification_scale * (1 - tau) + self.skill(2)
            v = min(max(v, model.forcing_function[k]), 1.0)
            d = model.confidence_display[k]
            v_wrong, v_right = v + d * (1 - v), v * (1 - d)
            catch, notice_overridden = phi * sigma, sigma * h
            right_kept = lam * rho * r * (1 - v_right * f)
            right_false_alarm = lam * rho * r * v_right * f
            right_overridden = lam * rho * (1 - r)
            wrong_caught = lam * (1 - rho) * r * v_wrong * catch
            wrong_acted = lam * (1 - rho) * r * (1 - v_wrong * catch)
            wrong_overridden = lam * (1 - rho) * (1 - r)
            noticed_rate = right_false_alarm + wrong_caught + wrong_overridden * notice_overridden
            right_rate = lam - noticed_rate
            noticed = model.poisson(noticed_rate)
            perceived_right = model.poisson(right_rate)
            successes[k], failures[k] = perceived_right, noticed
            per_right = perceived_right / right_rate if right_rate > 0 else 0.0
            per_noticed = noticed / noticed_rate if noticed_rate > 0 else 0.0
            right_kept *= per_right
            right_false_alarm *= per_noticed
            right_overridden *= per_right
            wrong_caught *= per_noticed
            wrong_acted *= per_right
            wrong_overridden *= (1 - notice_overridden) * per_right + (
                notice_overridden * per_noticed
            )
            right_accepted = right_kept + right_false_alarm
            wrong_accepted = wrong_caught + wrong_acted
            verified = v_right * right_accepted + v_wrong * wrong_accepted
            alone = right_false_alarm + right_overridden + wrong_caught + wrong_overridden
            cases = perceived_right + noticed
            counts = self.tally
            counts["cases"] += cases
            counts["right_advice"] += right_accepted + right_overridden
            counts["wrong_advice"] += wrong_accepted + wrong_overridden
            counts["accepted"] += right_accepted + wrong_accepted
            counts["verified"] += verified
            counts["reviewed"] += verified + right_overridden + wrong_overridden
            counts["relied_wrong"] += wrong_acted
            counts["aversion_errors"] += (right_false_alarm + right_overridden) * (1 - h)
            counts["correct"] += right_kept + alone * h
            counts["ai_correct"] += right_accepted + right_overridden
            counts["unaided_correct"] += cases * h
            self.unnoticed_tool_errors[k] += wrong_acted
            own_decisions += alone
            own_noticed += sigma * alone * (1 - h)
        self._learn(successes, failures, own_decisions, own_noticed)

    def _learn(self, successes: list, failures: list, decisions: float, noticed: float) -> None:
        """Beta updates of trust (with spillover) and of the belief about own accuracy."""
        beh = self.model.beh
        all_s, all_f = sum(successes), sum(failures)
        if beh.spillover > 0 and len(successes) > 1:
            successes = [s + beh.spillover * (all_s - s) for s in successes]
            failures = [x + beh.spillover * (all_f - x) for x in failures]
        for k in range(len(self.trust)):
            self.trust[k], self.trust_strength[k] = beta_update(
                self.trust[k],
                self.trust_strength[k],
                successes[k],
                failures[k],
                beh.forgetting,
                beh.error_weight,
                beh.max_trust_strength,
            )
        self.perceived_accuracy, _ = beta_update(
            self.perceived_accuracy, beh.self_knowledge_strength, decisions - noticed, noticed
        )
        self.unnoticed_own_errors += decisions * (1 - self.unaided_accuracy) - noticed
        if all_s + all_f > 0:
            self.self_efficacy += beh.practice_gain * (1 - self.self_efficacy)
        week = self.model.week
        self.last_use_week = [
            week if used else last for used, last in zip(self.uses, self.last_use_week, strict=True)
        ]

    # -- peer influence (model.peers) ---------------------------------------------------------
    def listen(self) -> None:
        """With probability f_talk, work out trust moved toward the neighbours' weighted mean."""
        beh = self.model.beh
        self._next_trust = self.trust
        if not self.model.uniform() < beh.talk_probability:
            return
        neighbours = list(self.cell.neighborhood.agents)
        new_trust = []
        for k, own in enumerate(self.trust):
            weighted = total = 0.0
            for n in neighbours:
                theirs = n.trust[k]
                if beh.bounded_confidence and not abs(theirs - own) < beh.confidence_bound:
                    continue
                weighted += n.influence_weight * theirs
                total += n.influence_weight
            new_trust.append(own + self.susceptibility * (weighted / total - own) if total else own)
        self._next_trust = new_trust

    def adopt_view(self) -> None:
        """Take on the trust worked out in :meth:`listen` (synchronous update)."""
        self.trust = self._next_trust

    # -- training (model.training) ------------------------------------------------------------
    def fade(self) -> None:
        """Transient gains fade at their modality's rate in weeks without tool use."""
        if self.model.week in self.last_use_week:
            return
        retention = self.model.gain_retention
        self.transient = [
            [g * r for g, r in zip(row, retention, strict=True)] for row in self.transient
        ]

    def attend(self, m: int, modality) -> None:  # noqa: ANN001
        """The effect of completing modality number m (:func:`model.training.apply_modality`)."""
        levels = (self.ai_literacy(), self.skill(1), self.skill(2))
        gains = (modality.literacy_gain, modality.detection_bonus, modality.verification_bonus)
        for s, (level, gain) in enumerate(zip(levels, gains, strict=True)):
            increment = gain * (1 - level)
            self.durable[s] += modality.durable_share * increment
            self.transient[s][m] += (1 - modality.durable_share) * increment
        self.self_efficacy += modality.self_efficacy_gain * (1 - self.self_efficacy)
        self.perceived_accuracy += modality.self_assessment_pull * (
            self.unaided_accuracy - self.perceived_accuracy
        )
        taught = self.model.taught[self.department]
        target = 1.0 if modality.trust_push >= 0 else 0.0
        for k, tau in enumerate(self.trust):
            tau += modality.calibration_pull * (taught[k] - tau)
            self.trust[k] = tau + abs(modality.trust_push) * (target - tau)
        self.influence_multiplier = max(self.influence_multiplier, modality.influence_multiplier)
        self.influence_weight = self.model.base_weight[self.archetype] * self.influence_multiplier
        self.times_trained += 1

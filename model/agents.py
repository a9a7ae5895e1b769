"""The Mesa agent: a read-only view onto one row of the model's arrays.

Agents exist so that users can inspect and visualise individuals with Mesa's tools; the model's
processes never loop over them. A worker who leaves is replaced in the same post, so an agent
stands for a post: its attributes show whoever holds it now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.config import ARCHETYPES
from model.peers import influence_weight

if TYPE_CHECKING:
    from model.simulation import WorkforceModel

ADOPTER_CATEGORIES = ("innovator", "early_adopter", "early_majority", "late_majority", "laggard")


class HealthcareWorker(mesa.Agent):
    """A healthcare worker (spec section 1), backed by row ``index`` of the model's arrays.

    Attributes:
        index (int): Row of this worker in every state array.
    """

    model: WorkforceModel

    def __init__(self, model: WorkforceModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def staff_group(self) -> str:
        """Professional staff group."""
        return list(self.model.config.population.staff_groups)[
            self.model.workforce.staff_group[self.index]
        ]

    @property
    def archetype(self) -> str:
        """HEE archetype: shaper, driver, creator, embedder or user."""
        return ARCHETYPES[self.model.workforce.archetype[self.index]]

    @property
    def department(self) -> int:
        """Department index."""
        return int(self.model.workforce.department[self.index])

    @property
    def team(self) -> int:
        """Team index."""
        return int(self.model.workforce.team[self.index])

    @property
    def trust(self) -> dict[str, float]:
        """Trust in each tool, tau (probability the tool's advice is right, as believed)."""
        row = self.model.workforce.trust[self.index]
        return dict(zip(self.model.tools.names, row.tolist(), strict=True))

    @property
    def uses(self) -> dict[str, bool]:
        """Whether the worker uses each tool."""
        row = self.model.workforce.uses[self.index]
        return dict(zip(self.model.tools.names, row.tolist(), strict=True))

    @property
    def self_efficacy(self) -> float:
        """Confidence in one's own ability to use AI well, s."""
        return float(self.model.workforce.self_efficacy[self.index])

    @property
    def ai_literacy(self) -> float:
        """AI literacy l (baseline plus decaying training gains)."""
        return float(self.model.workforce.ai_literacy[self.index])

    @property
    def digital_literacy(self) -> float:
        """Digital literacy d."""
        return float(self.model.workforce.digital_literacy[self.index])

    @property
    def unaided_accuracy(self) -> float:
        """Probability of a right decision without AI, h."""
        return float(self.model.workforce.unaided_accuracy[self.index])

    @property
    def adoption_threshold(self) -> float:
        """Innovativeness threshold theta (lower adopts sooner)."""
        return float(self.model.workforce.adoption_threshold[self.index])

    @property
    def adopter_category(self) -> str:
        """Rogers' category from theta's distance to the mean in standard deviations."""
        pop = self.model.config.population
        z = (self.adoption_threshold - pop.adoption_threshold_mean) / max(
            pop.adoption_threshold_sd, 1e-12
        )
        return ADOPTER_CATEGORIES[int(np.searchsorted([-2.0, -1.0, 0.0, 1.0], z, side="right"))]

    @property
    def influence_weight(self) -> float:
        """Weight of this worker's view for its peers, w."""
        return float(influence_weight(self.model)[self.index])

    @property
    def times_trained(self) -> int:
        """Training completions so far."""
        return int(self.model.workforce.times_trained[self.index])

"""Compiled loop of turnover (spec section 7): joiners drawn and put in post in one pass.

:func:`replace_in_post` draws every joiner's attributes as :func:`model.workforce.draw_workers`
does and writes them into the workforce arrays. It draws from the model's own numpy Generator,
passed in held by a :class:`RandomSource` (numba runs numpy's own samplers on the Generator's
bit generator: the same values in the same order as the numpy calls of ``draw_workers``, checked
in tests/test_compiled_passes.py), so the random stream and every result are those of the numpy
code.
"""

# Kernel arguments are numpy arrays (indexed by joiner, worker, tool, archetype or staff group
# as named) and scalars; numba compiles a version per argument type, so they are left unannotated.
# ruff: noqa: ANN001, ANN201, PLR0913

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.experimental import structref


@structref.register
class RandomSourceType(types.StructRef):
    """numba's type of a :class:`RandomSource`."""

    def preprocess_fields(self, fields: tuple) -> tuple:
        """Store the fields' plain types."""
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class RandomSource(structref.StructRefProxy):
    """A numpy Generator held for compiled code (:func:`random_source`).

    numba converts a ``np.random.Generator`` argument in Python on every call: measured inside
    the weekly step of 10,000 workers, about 25 us, as much as the joiners' draws themselves. A
    structure holding the Generator is converted once, when built, and passed for under a
    microsecond. It holds the same Generator, so draws through it continue that Generator's
    stream exactly as the Generator's own calls would.
    """


structref.define_boxing(RandomSourceType, RandomSource)
_RANDOM_SOURCE = RandomSourceType(
    [("rng", types.NumPyRandomGeneratorType("NumPyRandomGeneratorType"))]
)


@njit(cache=True)
def _new_random_source(rng):
    source = structref.new(_RANDOM_SOURCE)
    source.rng = rng
    return source


def random_source(rng: np.random.Generator | RandomSource) -> RandomSource:
    """``rng`` held for compiled code (returned as is if it already is a :class:`RandomSource`)."""
    return rng if isinstance(rng, RandomSource) else _new_random_source(rng)


@njit(cache=True, inline="always")
def _beta_draw(rng, mean, concentration):
    """One draw of :func:`model.workforce.beta_draws` (its drawing branch, concentration > 0)."""
    safe = min(max(mean, 1e-9), 1 - 1e-9)
    draw = rng.beta(safe * concentration, (1 - safe) * concentration)
    return mean if (mean <= 0 or mean >= 1) else draw


@njit(cache=True)
def _beta_column(rng, means, concentration, out):
    """``out[:] = beta_draws(rng, means, concentration)``, element by element in order."""
    if concentration <= 0:
        out[:] = means
        return
    for j in range(means.size):
        out[j] = _beta_draw(rng, means[j], concentration)


@njit(cache=True)
def replace_in_post(
    source,
    leavers,
    archetype_cdf,
    group_means,
    archetype_means,
    governance,
    p,
    staff_group,
    archetype,
    digital,
    literacy,
    durable,
    transient,
    skill_total,
    fading,
    trust,
    trust_strength,
    self_efficacy,
    accuracy,
    perceived,
    unnoticed_tool,
    unnoticed_own,
    threshold,
    influence_multiplier,
    uses,
    mandated,
    times_trained,
    last_use_week,
    starting_staff,
    never,
):
    """Replace the workers at ``leavers`` by joiners in the same post.

    Draws, in the order of :func:`model.workforce.draw_workers`: archetypes (one uniform each,
    searched in ``archetype_cdf``), then Beta draws of digital literacy, AI literacy, unaided
    accuracy and initial trust (joiner by joiner, tool by tool), then the normal draws of the
    adoption threshold and of the self-assessment error, then one uniform each for the mandate.
    ``group_means`` holds per staff group the means of digital literacy and unaided accuracy,
    ``archetype_means`` per archetype those of AI literacy and initial trust; ``p`` the
    concentrations of literacy, accuracy and initial trust, threshold mean and sd,
    self-assessment bias and sd, mandate share, initial trust strength and the governance trust
    shift (times each tool's ``governance - 0.5``). ``never`` is
    :data:`model.workforce.NEVER`. ``source`` holds the model's Generator
    (:func:`random_source`).
    """
    rng = source.rng
    n, n_tools = leavers.size, trust.shape[1]
    lit_conc, acc_conc, trust_conc = p[0], p[1], p[2]
    kinds = np.empty(n, dtype=np.int64)
    for j in range(n):
        u = rng.random()
        c = 0
        while c < archetype_cdf.size and archetype_cdf[c] <= u:  # searchsorted, side="right"
            c += 1
        kinds[j] = c
    means = np.empty(n)
    d = np.empty(n)
    for j in range(n):
        means[j] = group_means[staff_group[leavers[j]], 0]
    _beta_column(rng, means, lit_conc, d)
    lit = np.empty(n)
    for j in range(n):
        means[j] = archetype_means[kinds[j], 0]
    _beta_column(rng, means, lit_conc, lit)
    h = np.empty(n)
    for j in range(n):
        means[j] = group_means[staff_group[leavers[j]], 1]
    _beta_column(rng, means, acc_conc, h)
    trust_means = np.empty(n * n_tools)
    for j in range(n):
        for k in range(n_tools):
            mean = archetype_means[kinds[j], 1] + p[9] * (governance[k] - 0.5)
            trust_means[j * n_tools + k] = min(max(mean, 0.0), 1.0)
    tau = np.empty(n * n_tools)
    _beta_column(rng, trust_means, trust_conc, tau)
    theta = np.empty(n)
    for j in range(n):
        theta[j] = rng.normal(p[3], p[4])
    miscalibration = np.empty(n)
    for j in range(n):
        miscalibration[j] = rng.normal(p[5], p[6])
    for j in range(n):
        mandated[leavers[j]] = rng.random() < p[7]
    for j in range(n):
        i = leavers[j]
        archetype[i] = kinds[j]
        digital[i] = d[j]
        literacy[i] = lit[j]
        durable[i, :] = 0.0
        transient[i, :, :] = 0.0
        skill_total[i, :] = 0.0
        fading[i] = False
        for k in range(n_tools):
            trust[i, k] = tau[j * n_tools + k]
            trust_strength[i, k] = p[8]
            unnoticed_tool[i, k] = 0.0
            uses[i, k] = False
            last_use_week[i, k] = never
        self_efficacy[i] = 0.5 * d[j] + 0.5 * lit[j]
        accuracy[i] = h[j]
        perceived[i] = min(max(h[j] + miscalibration[j], 0.0), 1.0)
        unnoticed_own[i] = 0.0
        threshold[i] = min(max(theta[j], 0.0), 1.0)
        influence_multiplier[i] = 1.0
        times_trained[i] = 0
        starting_staff[i] = False


@njit(cache=True, inline="always")
def refresh_weight(
    i,
    archetype,
    influence_multiplier,
    base_weight,
    base_susceptibility,
    weight,
    susceptibility,
    weight_total,
    indptr,
    indices,
    data,
):
    """Worker i's peer weight w and susceptibility, and its neighbours' kept ``A @ w``.

    ``w = archetype weight x influence multiplier`` (:func:`model.peers.influence_weight`);
    the change is added to every neighbour's kept sum.
    """
    previous = weight[i]
    weight[i] = base_weight[archetype[i]] * influence_multiplier[i]
    susceptibility[i] = base_susceptibility[archetype[i]]
    change = weight[i] - previous
    if change != 0:
        for e in range(indptr[i], indptr[i + 1]):
            weight_total[indices[e]] += data[e] * change


@njit(cache=True)
def refresh_ties(
    leavers,
    previous_uses,
    archetype,
    influence_multiplier,
    base_weight,
    base_susceptibility,
    weight,
    susceptibility,
    weight_total,
    neighbours_using,
    indptr,
    indices,
    data,
):
    """Joiners' peer weights and the kept neighbour sums after turnover.

    Each joiner's weight (:func:`refresh_weight`), then, tool by tool, the leavers' use removed from
    their neighbours' counts of users (:class:`model.network.KeptNeighbourSum`): every change is
    added to the neighbours' entries in the same order.
    """
    for j in range(leavers.size):
        refresh_weight(
            leavers[j], archetype, influence_multiplier, base_weight, base_susceptibility,
            weight, susceptibility, weight_total, indptr, indices, data,
        )  # fmt: skip
    for k in range(neighbours_using.shape[1]):
        for j in range(leavers.size):
            if previous_uses[j, k]:
                i = leavers[j]
                for e in range(indptr[i], indptr[i + 1]):
                    neighbours_using[indices[e], k] += data[e] * -1.0

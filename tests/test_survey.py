"""The survey instrument: ordered-probit answers, use questions, sampling and argument checks."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import chisquare, norm

from model import WorkforceModel, administer_survey
from model.config import ModelConfig, NetworkConfig, RolloutConfig, ToolConfig
from model.survey import likert_probabilities, sample_respondents

CUTS = [0.2, 0.4, 0.6, 0.8]
NOISE = 0.15
N_LARGE = 20_000
P_MIN = 0.001  # chi-square goodness of fit must not reject at this level (fixed seeds)


def survey_model(n_workers: int = N_LARGE, seed: int = 7, **survey: object) -> WorkforceModel:
    """An unstepped model with two tools, an empty network and the given survey settings."""
    config = ModelConfig(seed=seed, weeks=60)
    config.population.n_workers = n_workers
    config.network = NetworkConfig(kind="empty")
    config.tools = [
        ToolConfig(name="cdss", rollout=RolloutConfig(kind="big_bang", go_live_week=0)),
        ToolConfig(name="genai", rollout=RolloutConfig(kind="big_bang", go_live_week=0)),
    ]
    config.survey.cut_points = list(CUTS)
    config.survey.response_noise = NOISE
    for name, value in survey.items():
        setattr(config.survey, name, value)
    return WorkforceModel(config)


def test_likert_rows_sum_to_one() -> None:
    """Category probabilities are in [0, 1] and sum to one for any latent value and noise."""
    latent = np.array([-1.0, 0.0, 0.2, 0.35, 0.6, 0.99, 1.0, 2.0])
    for noise in (0.0, 0.01, NOISE, 1.0):
        probs = likert_probabilities(latent, CUTS, noise)
        assert probs.shape == (latent.size, 5)
        assert np.all((probs >= 0) & (probs <= 1))
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_likert_matches_normal_cdf_by_hand() -> None:
    """One latent value's probabilities are the differences of Phi((cut - latent) / noise)."""
    latent = 0.55
    phi = [norm.cdf((c - latent) / NOISE) for c in CUTS]
    expected = [phi[0], phi[1] - phi[0], phi[2] - phi[1], phi[3] - phi[2], 1 - phi[3]]
    np.testing.assert_allclose(
        likert_probabilities(np.array([latent]), CUTS, NOISE)[0], expected, rtol=0, atol=1e-15
    )


def test_likert_without_noise_is_the_category_of_the_latent() -> None:
    """With no response noise each latent value falls in exactly one category."""
    probs = likert_probabilities(np.array([0.1, 0.3, 0.5, 0.7, 0.9]), CUTS, 0.0)
    np.testing.assert_array_equal(probs, np.eye(5))


def _set_latent(model: WorkforceModel, case: str) -> np.ndarray:
    """Set trust and self-efficacy for a test case; return the latent value per worker."""
    wf, n = model.workforce, model.workforce.size
    half = np.arange(n) < n // 2
    omega = model.config.behaviour.confidence_trust_weight
    assert not model.live.any(), "latent trust is the mean over all tools before any go-live"
    if case == "trust_constant":
        wf.trust[:] = 0.6
        return np.full(n, 0.6)
    if case == "trust_mixture":
        # Two tools: (0.2, 0.4) for one half, (0.7, 0.9) for the other; latent = tool mean.
        wf.trust[:] = np.where(half[:, None], [0.2, 0.4], [0.7, 0.9])
        return np.where(half, 0.3, 0.8)
    if case == "confidence":
        wf.trust[:] = np.where(half[:, None], [0.5, 0.9], [0.1, 0.3])
        wf.self_efficacy[:] = np.linspace(0.1, 0.9, n)
        return omega * np.where(half, 0.7, 0.2) + (1 - omega) * wf.self_efficacy
    wf.self_efficacy[:] = np.where(half, 0.25, 0.65)
    return wf.self_efficacy.copy()


@pytest.mark.parametrize(
    ("case", "question"),
    [
        ("trust_constant", "trust"),
        ("trust_mixture", "trust"),
        ("confidence", "confidence"),
        ("self_efficacy", "self_efficacy"),
    ],
)
def test_likert_shares_match_ordered_probit(case: str, question: str) -> None:
    """Surveying everyone gives category counts fitting the mean ordered-probit probabilities."""
    model = survey_model()
    latent = _set_latent(model, case)
    result = administer_survey(model, question, n=N_LARGE)
    assert result.n == N_LARGE
    expected = likert_probabilities(latent, CUTS, NOISE).mean(axis=0) * N_LARGE
    assert chisquare(result.counts, expected).pvalue > P_MIN, (result.counts, expected)
    assert result.share_agree == (result.counts[3] + result.counts[4]) / N_LARGE


def test_likert_survey_has_power_against_a_shifted_latent() -> None:
    """The goodness-of-fit check above rejects a latent that is off by 0.02 (it can fail)."""
    model = survey_model()
    latent = _set_latent(model, "trust_constant")
    result = administer_survey(model, "trust", n=N_LARGE)
    expected = likert_probabilities(latent + 0.02, CUTS, NOISE).mean(axis=0) * N_LARGE
    assert chisquare(result.counts, expected).pvalue < P_MIN


def test_noise_free_survey_counts_are_exact() -> None:
    """With no response noise, Likert counts are the counts of workers per latent category."""
    model = survey_model(n_workers=1000, response_noise=0.0)
    levels = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    per_level = np.array([50, 150, 300, 400, 100])
    model.workforce.trust[:] = np.repeat(levels, per_level)[:, None]
    result = administer_survey(model, "trust", n=1000)
    np.testing.assert_array_equal(result.counts, per_level)
    assert result.share_agree == 0.5


def test_uses_ai_answers_match_the_use_record() -> None:
    """'Used AI in the past year' is yes exactly for use in the last recall_weeks completed weeks.

    At ``model.week = 100`` weeks 0..99 have run, so a 52-week recall covers weeks 48..99.
    """
    model = survey_model(n_workers=1000, recall_weeks=52)
    model.week = 100
    last = model.workforce.last_use_week
    last[:] = -(10**6)
    last[:100] = 99  # used in the week just completed
    last[100:250] = 100 - 52  # the oldest week of the past 52
    last[250:400] = 100 - 53  # one week too old
    result = administer_survey(model, "uses_ai", n=1000)
    np.testing.assert_array_equal(result.counts, [750, 250])
    assert result.share_agree == 0.25


def _mandated_model(recall_weeks: int) -> WorkforceModel:
    """Everyone must use a tool live from week 0; nobody leaves."""
    config = ModelConfig(seed=3, weeks=30)
    config.population.n_workers = 800
    config.population.annual_leaver_rate = 0.0
    config.behaviour.mandate_share = 1.0
    config.survey.recall_weeks = recall_weeks
    config.tools = [ToolConfig(rollout=RolloutConfig(kind="big_bang", go_live_week=0))]
    return WorkforceModel(config)


def test_one_week_recall_counts_last_weeks_users() -> None:
    """With recall_weeks = 1, everyone who used the tool in the week just run answers yes."""
    model = _mandated_model(recall_weeks=1)
    model.run(5)
    assert np.all(model.workforce.last_use_week == model.week - 1)
    result = administer_survey(model, "uses_ai", n=800)
    np.testing.assert_array_equal(result.counts, [0, 800])


def test_uses_ai_matches_use_record_after_running() -> None:
    """After real use, everyone's yes count equals the workers who used AI in the recall window."""
    config = ModelConfig(seed=3, weeks=30)
    config.population.n_workers = 800
    config.survey.recall_weeks = 10
    config.tools = [ToolConfig(rollout=RolloutConfig(kind="big_bang", go_live_week=0))]
    model = WorkforceModel(config)
    model.run()
    recent = model.week - model.workforce.last_use_week <= 10
    assert 0 < recent.sum() < 800
    result = administer_survey(model, "uses_ai", n=800)
    np.testing.assert_array_equal(result.counts, [800 - recent.sum(), recent.sum()])


def _largest_remainder(sizes: list[int], n: int) -> list[int]:
    """Hamilton quotas n * size / total, asserting no tie decides a seat."""
    total = sum(sizes)
    quotas = [Fraction(n * s, total) for s in sizes]
    floors = [int(q) for q in quotas]
    seats = n - sum(floors)
    remainders = sorted(
        ((q - f, i) for i, (q, f) in enumerate(zip(quotas, floors, strict=True))), reverse=True
    )
    if 0 < seats < len(sizes):
        assert remainders[seats - 1][0] != remainders[seats][0], "tie: pick another n"
    for _, i in remainders[:seats]:
        floors[i] += 1
    return floors


@pytest.mark.parametrize("n", [300, 777])
def test_stratified_sample_has_largest_remainder_quotas(n: int) -> None:
    """Stratified sampling gives each staff group its exact proportional (Hamilton) quota."""
    model = survey_model(n_workers=2000)
    wf = model.workforce
    n_groups = len(model.config.population.staff_groups)
    sizes = np.bincount(wf.staff_group, minlength=n_groups).tolist()
    index = sample_respondents(model, n, stratify=True)
    counts = np.bincount(wf.staff_group[index], minlength=n_groups)
    np.testing.assert_array_equal(counts, _largest_remainder(sizes, n))
    assert np.unique(index).size == index.size == n


def test_respondents_are_distinct_workers() -> None:
    """Every sampling mode draws distinct workers, and all of them when n is the headcount."""
    model = survey_model(n_workers=500)
    for stratify in (False, True):
        index = sample_respondents(model, 400, stratify=stratify)
        assert np.unique(index).size == index.size == 400
        everyone = sample_respondents(model, 500, stratify=stratify)
        np.testing.assert_array_equal(np.sort(everyone), np.arange(500))


def test_staff_group_survey_samples_only_that_group() -> None:
    """A survey of one staff group samples distinct members of that group only."""
    model = survey_model(n_workers=2000)
    names = list(model.config.population.staff_groups)
    code = names.index("medical")
    members = np.flatnonzero(model.workforce.staff_group == code)
    index = sample_respondents(model, 100, staff_group="medical")
    assert index.size == 100 and np.unique(index).size == 100
    assert np.all(model.workforce.staff_group[index] == code)
    everyone = sample_respondents(model, 10_000, staff_group="medical")
    np.testing.assert_array_equal(np.sort(everyone), members)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"question": "happiness", "n": 10}, "'happiness'"),
        ({"question": "trust", "n": 0}, "n = 0"),
        ({"question": "trust", "n": -3}, "n = -3"),
        ({"question": "trust", "n": 10, "staff_group": "porters"}, "'porters'"),
    ],
)
def test_bad_survey_arguments_raise(kwargs: dict, named: str) -> None:
    """A bad question name, a sample size below 1 or an unknown staff group raise ValueError."""
    model = survey_model(n_workers=200)
    with pytest.raises(ValueError) as raised:
        administer_survey(model, **kwargs)
    assert named in str(raised.value)


def test_tool_specific_questions_read_only_that_tool() -> None:
    """A survey naming a tool reads that tool's use record and trust; None reads any tool."""
    model = survey_model(n_workers=1000, recall_weeks=52, response_noise=0.0)
    model.week = 100
    last = model.workforce.last_use_week
    last[:] = -(10**6)
    last[:300, 0] = 99  # recent cdss users
    last[200:500, 1] = 99  # recent genai users (200 use both)
    assert administer_survey(model, "uses_ai", n=1000, tool="cdss").counts.tolist() == [700, 300]
    assert administer_survey(model, "uses_ai", n=1000, tool="genai").counts.tolist() == [700, 300]
    assert administer_survey(model, "uses_ai", n=1000).counts.tolist() == [500, 500]
    model.workforce.trust[:, 0] = 0.9  # category 5 with cut points CUTS and no noise
    model.workforce.trust[:, 1] = 0.1  # category 1
    assert administer_survey(model, "trust", n=1000, tool="cdss").share_agree == 1.0
    assert administer_survey(model, "trust", n=1000, tool="genai").share_agree == 0.0
    with pytest.raises(ValueError, match="tool = 'robot'"):
        administer_survey(model, "trust", n=10, tool="robot")

"""Census questions answered from the use record, checked worker by worker.

Written against mutmut's surviving mutants of ``model/survey.py`` (tests/MUTATION.md); each
docstring names the mutants (``model.survey.x_<function>__mutmut_<n>``) it kills.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import WorkforceModel, administer_survey
from model.survey import FREQUENCIES, census_answers, use_frequency
from model.tools import deploy
from model.workforce import NEVER

WEEK = 60
# (uses tool a, b, c; weeks since the last use of tool a, counted back from week WEEK - 1)
CASES = [
    ((True, False, False), None, "daily"),  # a: 6 cases a week
    ((False, True, False), None, "weekly"),  # b: 2 cases a week
    ((False, False, True), None, "monthly"),  # c: 0.5 cases a week
    ((False, False, False), 3, "monthly"),
    ((False, False, False), 4, "rarely"),
    ((False, False, False), 51, "rarely"),
    ((False, False, False), 52, "never"),
    ((False, False, False), None, "never"),
]


@pytest.fixture(scope="module")
def surveyed(small_config, make_tool) -> WorkforceModel:
    """Three tools of 6, 2 and 0.5 cases a week; the first 8 workers as in CASES, at week 60."""
    tools = [
        make_tool(name, cases_per_week=cases)
        for name, cases in (("a", 6.0), ("b", 2.0), ("c", 0.5))
    ]
    model = WorkforceModel(small_config(population__n_workers=100, tools=tools))
    wf = model.workforce
    model.week = WEEK
    deploy(model)
    wf.uses[:] = False
    wf.last_use_week[:] = NEVER
    wf.times_trained[:] = 0
    for i, (uses, since, _) in enumerate(CASES):
        wf.uses[i] = uses
        if since is not None:
            wf.last_use_week[i, 0] = WEEK - 1 - since
        for k in np.flatnonzero(uses):
            wf.last_use_week[i, k] = WEEK - 1
    wf.times_trained[:3] = [0, 1, 2]
    return model


def test_use_frequency_follows_the_case_rate_and_the_last_use(surveyed) -> None:
    """Daily, weekly or monthly for current users by case rate; monthly within 4 weeks of the
    last use, rarely within the 52-week recall, else never (edges included). Kills
    ``use_frequency__mutmut_15``, ``_16``, ``_22``, ``_23``, ``_50``, ``_53``, ``_68``, ``_74``,
    ``_80`` (arrays or codes broken), ``_27`` (every user daily) and ``_41`` (``week + 1``)."""
    assert surveyed.config.survey.recall_weeks == 52
    got = use_frequency(surveyed, np.arange(len(CASES)), None)
    assert [FREQUENCIES[c] for c in got] == [case[2] for case in CASES]
    only_b = use_frequency(surveyed, np.arange(3), "b")
    assert [FREQUENCIES[c] for c in only_b] == ["never", "weekly", "never"]


def test_trained_and_wants_training_count_completions(surveyed) -> None:
    """Trained once or more is 'trained'; 'wants training' is live and never trained. Kills
    ``census_answers__mutmut_1`` (no workforce), ``_29`` (``> 1``), ``_32`` (question name
    changed) and ``_37`` (``== 1``)."""
    index = np.arange(3)
    assert list(census_answers(surveyed, "trained", index)) == [False, True, True]
    assert surveyed.live[index].any(axis=1).all()
    assert list(census_answers(surveyed, "wants_training", index)) == [True, False, False]


def test_unknown_questions_list_the_valid_ones(surveyed) -> None:
    """Kills ``census_answers__mutmut_40`` and ``administer_survey__mutmut_5`` (the list of
    valid questions garbled)."""
    with pytest.raises(ValueError, match="expected one of uses_ai, use_frequency, trained, wants"):
        census_answers(surveyed, "mood", np.arange(3))
    with pytest.raises(ValueError, match="expected one of trust, confidence, self_efficacy, uses"):
        administer_survey(surveyed, "mood", 10)


def test_survey_counts_have_one_cell_per_answer_even_if_empty(surveyed) -> None:
    """A yes/no question nobody answers yes has counts [n, 0]; frequencies have 5 cells. Kills
    ``administer_survey__mutmut_64`` (no ``minlength``) and ``_30`` (no codes counted)."""
    saved = surveyed.workforce.times_trained.copy()
    try:
        surveyed.workforce.times_trained[:] = 0
        result = administer_survey(surveyed, "trained", 20)
        assert list(result.counts) == [20, 0]
    finally:
        surveyed.workforce.times_trained[:] = saved
    result = administer_survey(surveyed, "use_frequency", 100)
    assert len(result.counts) == 5 and result.counts.sum() == 100
    codes = use_frequency(surveyed, np.arange(100), None)
    assert list(result.counts) == list(np.bincount(codes, minlength=5))


def test_a_survey_of_one_is_allowed_and_use_frequency_agrees_daily_or_weekly(surveyed) -> None:
    """One respondent is a valid sample; for the use-frequency question the agree share is the
    share answering daily or weekly. Kills ``survey.x_administer_survey__mutmut_6`` (``n <= 1``
    refused) and ``_34`` (the share not computed)."""
    assert administer_survey(surveyed, "trust", 1).counts.sum() == 1
    result = administer_survey(surveyed, "use_frequency", 100)
    assert result.share_agree == pytest.approx((result.counts[0] + result.counts[1]) / 100)

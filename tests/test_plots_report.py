"""Tests of the experiment figures (experiments/plots/) and the report (experiments/report/).

Everything runs on small hand-made tables (a few scenarios, replicates and weeks), not on model
runs, so the whole file takes seconds.
"""

from __future__ import annotations

import base64
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from experiments import plots, report
from experiments.compare import analyse
from experiments.report import (
    cost_words,
    difference_words,
    render_report,
    verdict,
    write_report,
)
from experiments.summary import COST_EFFECT, SUMMARY_OUTCOMES, summarise
from model.config import ARCHETYPES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BASELINE = "no_training"
SCENARIOS = (BASELINE, "simulation_just_in_time", "vendor_demo")
QUESTION = "Which strategy is best? <script>alert('x')</script> & at what cost"
REPS = 4
WEEKS = 8
START = pd.Timestamp("2025-01-06")
# Per-replicate shift of the final appropriate share from the baseline: a clear gain for
# simulation (all positive), a gain whose CI includes zero for the vendor demo.
SHIFT = {
    BASELINE: [0.0] * REPS,
    "simulation_just_in_time": [0.05, 0.06, 0.05, 0.07],
    "vendor_demo": [0.02, -0.03, 0.01, -0.01],
}
# Per-replicate shift of the weekly error rates (per 1,000 decisions) from the baseline, reached
# in the final week: simulation clearly lowers both kinds of error, the vendor demo is noise.
ERROR_SHIFT = {
    BASELINE: {"automation_bias": [0.0] * REPS, "aversion": [0.0] * REPS},
    "simulation_just_in_time": {"automation_bias": [-3, -4, -3, -5], "aversion": [-1, -2, -1, -1]},
    "vendor_demo": {"automation_bias": [1, -2, 0.5, -0.5], "aversion": [0.5, -1, 0.0, 0.5]},
}
DECISIONS_PER_WEEK = 1000.0


def make_runs(conditions=("default",), error_shift=None, scenarios=SCENARIOS) -> pd.DataFrame:
    """Runs with every summary outcome, built so that the answer is known.

    Appropriate share = 0.6 + replicate noise + SHIFT (ramping up to the final week). Error rates
    per 1,000 decisions: automation bias 12 + 0.5 rep, aversion 8 + 0.3 rep, plus
    ``error_shift`` (default ERROR_SHIFT) ramping up to the final week; avoidable = their sum.
    Week 0 has no AI-assisted decision (rates undefined); later weeks have 1,000 each. Spend
    rises by 1,000 GBP per week per scenario index.
    """
    error_shift = error_shift or ERROR_SHIFT
    rng = np.random.default_rng(1)
    rows = []
    for condition in conditions:
        for cost_rate, scenario in enumerate(scenarios):
            for rep in range(REPS):
                for week in range(WEEKS):
                    row = {o: rng.uniform(0.1, 0.9) for o in SUMMARY_OUTCOMES}
                    ramp = week / (WEEKS - 1)
                    share = 0.6 + 0.01 * rep + SHIFT.get(scenario, [0.0] * REPS)[rep] * ramp
                    shift = error_shift[scenario]
                    bias = 12 + 0.5 * rep + shift["automation_bias"][rep] * ramp
                    aversion = 8 + 0.3 * rep + shift["aversion"][rep] * ramp
                    defined = week > 0
                    row.update(
                        automation_bias_errors_per_1000=bias if defined else np.nan,
                        aversion_errors_per_1000=aversion if defined else np.nan,
                        avoidable_errors_per_1000=bias + aversion if defined else np.nan,
                        decisions=DECISIONS_PER_WEEK if defined else 0.0,
                        over_trust_share=0.2 + shift.get("over_trust", [0.0] * REPS)[rep] * ramp,
                    )
                    row.update(
                        scenario=scenario,
                        condition=condition,
                        replicate=rep,
                        seed=100 + rep,
                        week=week,
                        date=START + pd.Timedelta(weeks=week),
                        appropriate_share=share,
                        appropriate_workers=500 * share,
                        cumulative_cost_gbp=1000.0 * cost_rate * (week + 1),
                        headcount=500.0,
                    )
                    rows.append(row)
    return pd.DataFrame(rows)


def make_by_group(conditions=("default",)) -> pd.DataFrame:
    """Archetype rows: final appropriate share = 0.1 * (archetype index + 1) + 0.01 * replicate."""
    rows = []
    for condition in conditions:
        for scenario in SCENARIOS:
            for rep in range(REPS):
                for week in range(WEEKS):
                    for a, group in enumerate(ARCHETYPES):
                        share = np.nan if week == 0 else 0.1 * (a + 1) + 0.01 * rep
                        rows.append(
                            dict(
                                scenario=scenario,
                                condition=condition,
                                replicate=rep,
                                week=week,
                                grouping="archetype",
                                group=group,
                                appropriate_share=share,
                                headcount=100.0 * (a + 1),
                            )
                        )
    return pd.DataFrame(rows)


def make_snapshots(n: int = 400, conditions=("default",)) -> pd.DataFrame:
    """Replicate-0 snapshots: reliability in 4 departments, trust around it."""
    rng = np.random.default_rng(2)
    tables = []
    for condition in conditions:
        for scenario in SCENARIOS:
            reliability = rng.choice([0.75, 0.8, 0.85, 0.9], n)
            tables.append(
                pd.DataFrame(
                    dict(
                        tool="cdss",
                        trust=np.clip(reliability + rng.normal(0.05, 0.1, n), 0, 1),
                        department_reliability=reliability,
                        archetype="user",
                        uses=rng.random(n) < 0.8,
                        scenario=scenario,
                        condition=condition,
                        replicate=0,
                    )
                )
            )
    return pd.concat(tables, ignore_index=True)


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    return make_runs()


@pytest.fixture(scope="module")
def summary(runs) -> pd.DataFrame:
    return summarise(runs, BASELINE, seed=0)


def make_cfg(replicates: int = REPS):
    return OmegaConf.create(
        {
            "name": "training_mix",
            "seed": 7,
            "weeks": WEEKS,
            "population": {"n_workers": 500, "department_size": 50, "team_size": 10},
            "strategy": {"budget_gbp": 250000.0},
            "experiment": {
                "title": "Education strategies <test>",
                "question": QUESTION,
                "replicates": replicates,
                "baseline": BASELINE,
                "scenarios": {s: [f"strategy={s}"] for s in SCENARIOS},
                "conditions": {},
                "condition_label": "condition",
            },
        }
    )


MANIFEST = {
    "created": "2026-01-01T00:00:00",
    "seed": 7,
    "wall_time_s": 12.5,
    "command": "run.py",
    "git": {"commit": "abc123", "dirty": False},
    "versions": {"python": "3.11", "numpy": "2"},
    "replicate_seeds": [1, 2, 3, 4],
    "runs_total": 12,
    "runs_reused": 0,
}


# ---------------------------------------------------------------- efficient frontier


def test_efficient_frontier_hand_made_example():
    """The frontier drops dominated strategies (more cost, no more gain) and keeps exact ties."""
    points = pd.DataFrame(
        [
            ("base", 0.0, 0.0),
            ("cheap_gain", 10.0, 5.0),
            ("same_gain_dearer", 20.0, 5.0),  # dominated: same gain for more money
            ("same_cost_less_gain", 10.0, 3.0),  # dominated: less gain for the same money
            ("tie_a", 15.0, 8.0),  # exact tie: both kept
            ("tie_b", 15.0, 8.0),
            ("harmful", 5.0, -2.0),  # dominated by the free baseline
            ("best", 30.0, 12.0),
            ("dear_and_worse", 40.0, 11.0),  # dominated by best
        ],
        columns=["scenario", "cost", "gain"],
    )
    frontier = plots.efficient_frontier(points)
    assert list(frontier.scenario) == ["base", "cheap_gain", "tie_a", "tie_b", "best"]
    assert list(frontier.cost) == sorted(frontier.cost)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-3, 3)), min_size=1, max_size=8))
def test_efficient_frontier_matches_definition(pairs):
    """On the frontier iff no other point is as good in both and better in one (brute force)."""
    points = pd.DataFrame(
        [(f"s{i}", float(c), float(g)) for i, (c, g) in enumerate(pairs)],
        columns=["scenario", "cost", "gain"],
    )
    on = set(plots.efficient_frontier(points).scenario)
    for row in points.itertuples():
        dominated = any(
            o.cost <= row.cost and o.gain >= row.gain and (o.cost < row.cost or o.gain > row.gain)
            for o in points.itertuples()
        )
        assert (row.scenario in on) == (not dominated)


# ---------------------------------------------------------------- wording


def test_wording_not_distinguishable_when_interval_includes_zero():
    """A CI from -0.01 to +0.03 is 'not distinguishable', never called an improvement."""
    row = {"diff_mean": 0.01, "diff_low_95": -0.01, "diff_high_95": 0.03}
    text = difference_words(row, "no training")
    assert verdict(row) == "not distinguishable"
    assert "not distinguishable from no training" in text
    assert "improvement" not in text
    assert "1.0 points more than no training" in text


def test_wording_interval_touching_zero_is_not_distinguishable():
    """A CI whose lower end is exactly 0 still includes zero."""
    row = {"diff_mean": 0.02, "diff_low_95": 0.0, "diff_high_95": 0.04}
    assert verdict(row) == "not distinguishable"


def test_wording_improvement_when_interval_excludes_zero():
    """A CI from 1.2 to 5.0 points is 'a clear improvement', with the CI in points."""
    row = {"diff_mean": 0.031, "diff_low_95": 0.012, "diff_high_95": 0.05}
    text = difference_words(row, "no training")
    assert verdict(row) == "improvement"
    assert text.startswith("3.1 points more than no training (95% CI 1.2 to 5.0)")
    assert "a clear improvement" in text
    assert "not distinguishable" not in text


def test_wording_worse_when_interval_below_zero():
    """A CI entirely below zero says 'fewer' and 'clearly worse'."""
    row = {"diff_mean": -0.02, "diff_low_95": -0.03, "diff_high_95": -0.01}
    text = difference_words(row, "no training")
    assert verdict(row) == "worse"
    assert "2.0 points fewer than no training" in text
    assert "clearly worse" in text and "improvement" not in text


def test_wording_without_interval_does_not_judge():
    """With one replicate (no CI) the text makes no claim of improvement or its absence."""
    row = {"diff_mean": 0.02, "diff_low_95": float("nan"), "diff_high_95": float("nan")}
    text = difference_words(row, "no training")
    assert verdict(row) == "unknown"
    assert "improvement" not in text and "not distinguishable" not in text


def test_cost_wording_cases():
    """No extra spend, spend without gain, and a cost per additional worker are told apart."""
    free = cost_words({"diff_mean": 0.0}, {"mean": np.nan, "diff_mean": 0.0}, "no training")
    assert free == "no extra cost"
    wasted = cost_words({"diff_mean": 24862.5}, {"mean": np.nan, "diff_mean": -5.0}, "no training")
    assert "costs £24,862 more than no training and gains nothing" in wasted
    effect = {"mean": 1200.0, "low_95": 800.0, "high_95": np.inf, "diff_mean": 10.0}
    clear_gain = {"diff_mean": 10.0, "diff_low_95": 2.0, "diff_high_95": 18.0}
    paid = cost_words({"diff_mean": 12000.0}, effect, "no training", clear_gain)
    assert paid.startswith("£1,200 per additional appropriately-confident worker")
    assert "£800 to no upper limit" in paid and "cannot be told apart" not in paid
    unclear_gain = {"diff_mean": 10.0, "diff_low_95": -2.0, "diff_high_95": 22.0}
    assert "cannot be told apart from none" in cost_words(
        {"diff_mean": 12000.0}, effect, "no training", unclear_gain
    )


def test_pretty_names():
    """Scenario names lose underscores and gain a capital; known acronyms stay upper case."""
    assert plots.pretty("simulation_just_in_time") == "Simulation just in time"
    assert plots.pretty("ahp_scientific_technical") == "AHP scientific technical"


# ---------------------------------------------------------------- figures


def _assert_labelled(fig, axes):
    """Every given axes has a title and both axis labels; the figure has a legend."""
    for ax in axes:
        assert ax.get_title().strip(), "panel without a title"
        assert ax.get_xlabel().strip(), f"{ax.get_title()}: no x label"
        assert ax.get_ylabel().strip(), f"{ax.get_title()}: no y label"
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert legends, "figure without a legend"


def test_trajectories_figure_shows_median_and_labels(runs):
    """Five labelled outcome panels; the simulation line is the weekly median over replicates."""
    fig = plots.trajectories_figure(runs, baseline=BASELINE)
    outcome_axes = [
        ax
        for ax in fig.axes
        if ax.get_title() in {plots.KEY_OUTCOMES[o][0] for o in plots.TRAJECTORY_OUTCOMES}
    ]
    assert len(outcome_axes) == len(plots.TRAJECTORY_OUTCOMES)
    _assert_labelled(fig, outcome_axes)
    assert fig.get_suptitle()
    colour = plots.scenario_colours(SCENARIOS, BASELINE)["simulation_just_in_time"]
    ax = next(a for a in outcome_axes if a.get_title() == "Appropriately confident")
    line = next(ln for ln in ax.get_lines() if ln.get_color() == colour)
    expected = (
        runs[runs.scenario == "simulation_just_in_time"]
        .groupby("week")["appropriate_share"]
        .median()
        * 100
    )
    np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())
    plt.close(fig)


def test_final_outcomes_figure_orders_by_appropriate_share(summary):
    """Rows run from the best final appropriate share (top) down; every panel is labelled."""
    fig = plots.final_outcomes_figure(summary, baseline=BASELINE)
    axes = fig.axes[: len(plots.FINAL_OUTCOMES)]
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel()
    assert axes[0].get_ylabel()
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels[-1] == "Simulation just in time"  # the top row is the clear winner
    assert fig.legends
    plt.close(fig)


def test_cost_effectiveness_figure_draws_the_frontier(summary):
    """The frontier line joins the baseline and the non-dominated strategies by cost."""
    fig = plots.cost_effectiveness_figure(summary, baseline=BASELINE)
    ax = fig.axes[0]
    _assert_labelled(fig, [ax])
    points = plots.cost_effect_points(summary)
    frontier = plots.efficient_frontier(points[["scenario", "cost", "gain"]])
    assert frontier.scenario.iloc[0] == BASELINE
    line = next(ln for ln in ax.get_lines() if ln.get_gid() == "efficient_frontier")
    np.testing.assert_allclose(line.get_xdata(), frontier.cost / 1000)
    np.testing.assert_allclose(line.get_ydata(), frontier.gain)
    plt.close(fig)


def test_trust_reliability_subsamples_with_a_fixed_seed():
    """At most max_points dots per panel, the same dots for the same seed, share from all rows."""
    snaps = make_snapshots(n=5000)
    fig = plots.trust_reliability_figure(snaps, margin=0.1, max_points=3000, seed=3)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == len(SCENARIOS)
    _assert_labelled(fig, panels)
    offsets = [np.vstack([c.get_offsets() for c in ax.collections[1:]]) for ax in panels]
    assert all(len(o) == 3000 for o in offsets)
    again = plots.trust_reliability_figure(snaps, margin=0.1, max_points=3000, seed=3)
    again_offsets = np.vstack([c.get_offsets() for c in again.axes[0].collections[1:]])
    np.testing.assert_array_equal(offsets[0], again_offsets)
    first = snaps[snaps.scenario == panels[0].get_title().lower().replace(" ", "_")]
    share = (np.abs(first.trust - first.department_reliability) <= 0.1).mean()
    assert f"appropriate {share:.0%}" in panels[0].texts[0].get_text()
    plt.close(fig)
    plt.close(again)


def test_group_heatmap_annotates_mean_of_final_values():
    """Each cell shows the mean over replicates of the group's final-week appropriate share."""
    fig = plots.group_heatmap_figure(make_by_group(), baseline=BASELINE)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert fig.axes[1].get_ylabel()  # the colour bar, the heatmap's legend
    texts = [t.get_text() for t in ax.texts]
    # archetype a: 0.1 (a + 1) + 0.01 * mean(0..3) = 10 (a + 1) + 1.5 percent -> rounded
    expected = [f"{10 * (a + 1) + 1.5:.0f}%" for a in range(len(ARCHETYPES))]
    assert texts[: len(ARCHETYPES)] == expected
    plt.close(fig)


def test_plot_functions_write_valid_png(tmp_path, runs, summary):
    """Each plot_* function writes a PNG (magic bytes) to the path it returns, leaving no temp."""
    written = [
        plots.plot_final_outcomes(summary, tmp_path / "final.png", baseline=BASELINE),
        plots.plot_cost_effectiveness(summary, tmp_path / "cost.png", baseline=BASELINE),
        plots.plot_group_heatmap(make_by_group(), tmp_path / "heat.png"),
    ]
    for path in written:
        assert path.exists() and path.read_bytes()[:8] == PNG_MAGIC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cost.png", "final.png", "heat.png"]


def test_make_all_plots_several_conditions(tmp_path):
    """With numeric conditions: a by-condition figure plus one of each kind per condition."""
    conditions = ("0.6", "0.9")
    runs = make_runs(conditions)
    summary = summarise(runs, BASELINE, seed=0)
    made = plots.make_all_plots(
        tmp_path,
        runs,
        make_by_group(conditions),
        summary,
        make_snapshots(50, conditions),
        BASELINE,
        "tool reliability",
    )
    kinds = [
        "trajectories",
        "final_outcomes",
        "errors",
        "cost_effectiveness",
        "cost_per_error_averted",
        "spending",
        "trust_reliability",
        "archetype_heatmap",
    ]
    expected = {"by_condition"} | {f"{k}:{c}" for k in kinds for c in conditions}
    assert set(made) == expected
    for path in made.values():
        assert path.parent == tmp_path / "plots" and path.read_bytes()[:8] == PNG_MAGIC
    assert len(set(made.values())) == len(made)


def test_condition_values_from_overrides_or_names():
    """Numbers come from a single numeric override, else from the name; otherwise None."""
    overrides = {"low": ["tools.0.reliability=0.6"], "high": ["tools.0.reliability=0.95"]}
    assert plots.condition_values(["low", "high"], overrides) == {"low": 0.6, "high": 0.95}
    assert plots.condition_values(["rel_0.7", "rel_0.8"]) == {"rel_0.7": 0.7, "rel_0.8": 0.8}
    assert plots.condition_values(["low", "high"]) is None


def test_one_condition_required_when_several(runs):
    """A figure of one condition refuses a table with several unless told which."""
    both = pd.concat([runs, runs.assign(condition="other")])
    with pytest.raises(ValueError, match="default, other"):
        plots.trajectories_figure(both)


# ---------------------------------------------------------------- report


@pytest.fixture(scope="module")
def report_html(tmp_path_factory, runs, summary):
    out = tmp_path_factory.mktemp("report")
    made = {
        "final_outcomes": plots.plot_final_outcomes(summary, out / "final.png", baseline=BASELINE),
        "cost_effectiveness": plots.plot_cost_effectiveness(
            summary, out / "cost.png", baseline=BASELINE
        ),
    }
    path = write_report(out, make_cfg(), summary, made, MANIFEST)
    return path, made


def ranking_list(text: str) -> dict[str, str]:
    """Strategy -> its item of the ranking (the first ordered list of the report)."""
    ranked = text.split("<ol>", 1)[1].split("</ol>", 1)[0]
    return dict(re.findall(r"<li[^>]*>([A-Z][a-z ]+): (.*?)</li>", ranked))


def test_report_is_self_contained(report_html):
    """No external resource; every <img> is a PNG data URI; each plot is embedded byte for byte."""
    path, made = report_html
    text = path.read_text(encoding="utf-8")
    assert 'src="http' not in text and "href=" not in text and "<link" not in text
    assert "url(" not in text and "@import" not in text
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', text)
    assert len(sources) == len(made)
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    embedded = {base64.b64decode(s.split(",", 1)[1]) for s in sources}
    assert embedded == {p.read_bytes() for p in made.values()}


def test_report_names_scenarios_and_question_escaped(report_html):
    """The question and each scenario's pretty name appear, with HTML in the text escaped."""
    text = report_html[0].read_text(encoding="utf-8")
    for scenario in SCENARIOS:
        assert plots.pretty(scenario) in text
    assert "Which strategy is best? &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;" in text
    assert "<script>" not in text
    assert "Education strategies &lt;test&gt;" in text


def test_report_ranking_words_follow_the_intervals(report_html):
    """Simulation (all replicates gain) is a clear improvement; the vendor demo is not."""
    text = report_html[0].read_text(encoding="utf-8")
    items = ranking_list(text)
    simulation_final = items["Simulation just in time"].split("Appropriately confident at")[1]
    assert "a clear improvement" in simulation_final.split(". Averaged")[0]
    vendor_final = items["Vendor demo"].split("Appropriately confident at")[1]
    assert "not distinguishable from no training" in vendor_final.split(". Averaged")[0]
    assert list(items)[0] == "Simulation just in time"  # ranked first
    assert "the comparator" in items["No training"]


def test_report_states_assumptions_and_provenance(report_html):
    """Assumptions are called assumptions; seed, commit, versions and the config are given."""
    text = report_html[0].read_text(encoding="utf-8")
    assert "What drives this result" in text
    assert "They are assumptions, not findings" in text
    assert "Calibration pull" in text and "tools.0.reliability" in text
    assert "abc123" in text and "12.5 s" in text and "<details>" in text
    assert "budget_gbp: 250000.0" in text  # the full config in the collapsible block


def test_render_report_accepts_plain_mapping(summary):
    """A plain dict config gives the same report as the DictConfig it came from."""
    cfg = make_cfg()
    plain = OmegaConf.to_container(cfg)
    assert render_report(plain, summary, {}, MANIFEST) == render_report(cfg, summary, {}, MANIFEST)


def test_cost_effect_row_is_used_for_cost_words(summary):
    """The report's cost per additional worker comes from the summary's cost-effect rows."""
    assert (summary.outcome == COST_EFFECT).any()
    text = render_report(make_cfg(), summary, {}, MANIFEST)
    effect = summary[
        (summary.outcome == COST_EFFECT) & (summary.scenario == "simulation_just_in_time")
    ].iloc[0]
    assert f"£{effect['mean']:,.0f} per additional appropriately-confident worker" in text


def test_single_replicate_interval_is_not_a_verdict():
    """A zero-width CI around a non-zero difference (one replicate) is not called a finding."""
    row = {"diff_mean": 0.03, "diff_low_95": 0.03, "diff_high_95": 0.03}
    assert verdict(row) == "unknown"
    assert "improvement" not in difference_words(row, "no training")


def test_without_baseline_no_comparison_is_claimed(tmp_path, runs):
    """With no baseline: no cost-effectiveness figure, and the report claims no difference."""
    summary = summarise(runs, None, seed=0)
    made = plots.make_all_plots(tmp_path, runs, None, summary, None, None)
    assert set(made) == {"trajectories", "final_outcomes", "spending"}
    cfg = make_cfg()
    cfg.experiment.baseline = None
    answer = render_report(cfg, summary, made, MANIFEST).split("<h2>Figures</h2>")[0]
    assert "improvement" not in answer and "not distinguishable" not in answer
    assert "per additional appropriately-confident worker (" not in answer
    assert "Simulation just in time: " in answer


def test_trajectories_without_dates_use_weeks(runs):
    """Without a date column the x axis is the week number, labelled as such."""
    fig = plots.trajectories_figure(runs.drop(columns="date"), baseline=BASELINE)
    ax = next(a for a in fig.axes if a.get_title() == "Appropriately confident")
    assert ax.get_xlabel() == "Week of the simulation"
    assert max(ln.get_xdata().max() for ln in ax.get_lines()) == WEEKS - 1
    plt.close(fig)


# ---------------------------------------------------------------- primary outcome and honesty

TRADE_OFF = {
    BASELINE: ERROR_SHIFT[BASELINE],
    # Far fewer aversion errors, clearly more automation-bias errors: better on the primary.
    "simulation_just_in_time": {"automation_bias": [2, 3, 2, 3], "aversion": [-7, -8, -7, -9]},
    "vendor_demo": ERROR_SHIFT["vendor_demo"],
}
NOISE_ONLY = {
    BASELINE: ERROR_SHIFT[BASELINE],
    "simulation_just_in_time": ERROR_SHIFT["vendor_demo"],
    "vendor_demo": {"automation_bias": [-1, 1.5, 0.5, -0.5], "aversion": [0.5, -0.5, 0.0, 0.5]},
}


def answer_of(summary, cfg=None) -> str:
    """The 'answer in brief' section of the report, tags removed."""
    html = render_report(cfg or make_cfg(), summary, {}, MANIFEST)
    section = html.split("<h2>Answer in brief</h2>")[1].split("<h2>Key figures</h2>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).replace("&#x27;", "'")


def sentences_with(text: str, word: str) -> list[str]:
    """The sentences of ``text`` (split at '. ' before a capital) that contain ``word``."""
    return [s for s in re.split(r"(?<=\.) (?=[A-Z])", text) if word in s]


def test_headline_names_the_worsening_in_the_same_sentence():
    """Better on avoidable errors but worse on automation bias: the sentence says both."""
    summary = summarise(make_runs(error_shift=TRADE_OFF), BASELINE, seed=0)
    headline = report.headline(summary, BASELINE, "avoidable_errors_per_1000", "time_average")
    assert headline.startswith("Simulation just in time lowers avoidable errors by about ")
    claim = sentences_with(headline, "a clear improvement")
    assert len(claim) == 1
    assert "but it raises automation-bias errors by about" in claim[0]
    assert re.search(r"per 1,000 decisions \(95% CI [\d.]+ to [\d.]+\)\.$", claim[0])
    # Every sentence of the answer that calls the strategy better names the worsening.
    for sentence in sentences_with(answer_of(summary), "a clear improvement"):
        assert "raises automation-bias errors" in sentence, sentence


def test_headline_without_worsening_has_no_caveat_and_gives_the_interval():
    """A clear gain with no error outcome worse: 'about N ... (95% CI a to b)', no 'but'."""
    summary = summarise(make_runs(), BASELINE, seed=0)
    headline = report.headline(summary, BASELINE, "avoidable_errors_per_1000", "time_average", 4)
    assert "Simulation just in time lowers avoidable errors by about" in headline
    assert "95% CI" in headline and "but it" not in headline
    assert "Vendor demo" not in headline  # not distinguishable: not called better


def test_headline_says_plainly_when_nothing_is_distinguishable():
    """No CI excludes zero: the answer says no strategy is distinguishable, at 4 replicates."""
    summary = summarise(make_runs(error_shift=NOISE_ONLY), BASELINE, seed=0)
    rows = summary[
        (summary.outcome == "avoidable_errors_per_1000") & (summary.measure == "time_average")
    ]
    assert ((rows.diff_low_95 <= 0) & (rows.diff_high_95 >= 0)).all()
    text = answer_of(summary)
    assert (
        "No strategy is distinguishable from no training on avoidable errors (averaged over the "
        "weeks) at 4 replicates per strategy" in text
    )
    assert "a clear improvement — " not in text.split("Appropriately")[0]


def test_headline_calls_a_clearly_worse_strategy_worse():
    """A strategy whose errors rise clearly is called worse and never an improvement."""
    worse = {**ERROR_SHIFT, "vendor_demo": {"automation_bias": [3, 4, 3, 4], "aversion": [1] * 4}}
    summary = summarise(make_runs(error_shift=worse), BASELINE, seed=0)
    headline = report.headline(summary, BASELINE)
    assert "Vendor demo is clearly worse than no training on avoidable errors" in headline
    assert not any("Vendor demo" in s for s in sentences_with(headline, "improvement"))


def test_primary_outcome_from_the_config_orders_the_ranking():
    """With appropriate_share (final) as primary, the ranking and headline follow it."""
    cfg = make_cfg()
    cfg.experiment.primary_outcome = "appropriate_share"
    cfg.experiment.primary_measure = "final"
    summary = summarise(make_runs(error_shift=NOISE_ONLY), BASELINE, seed=0)
    text = answer_of(summary, cfg)
    assert "Ranked by the share of staff appropriately confident (in the final week; higher" in text
    assert "Simulation just in time raises the share of staff appropriately confident" in text
    assert list(ranking_list(render_report(cfg, summary, {}, MANIFEST)))[0] == (
        "Simulation just in time"
    )
    cfg.experiment.primary_outcome = "appropriate"
    with pytest.raises(ValueError, match="experiment.primary_outcome = 'appropriate'"):
        render_report(cfg, summary, {}, MANIFEST)


def test_report_gives_cost_per_error_averted_and_when_money_is_spent(summary):
    """The ranking gives the cost per avoidable error averted; a line per spending strategy."""
    text = answer_of(summary)
    row = summary[
        (summary.outcome == "cost_per_avoidable_error_averted_gbp")
        & (summary.scenario == "simulation_just_in_time")
    ].iloc[0]
    assert f"£{row['mean']:,.0f} per avoidable error averted" in text
    # Spend rises evenly from week 0 to week 7: half by week 3, 95% by week 7.
    assert "Simulation just in time: half of its spend by week 3, 95% by week 7" in text
    assert "Spending nothing: No training." in text


def test_spending_figure_shows_median_spend_by_week(runs):
    """One line per spending strategy: the weekly median of cumulative spend, thousand GBP."""
    fig = plots.spending_figure(runs, baseline=BASELINE, budget_gbp=20000)
    ax = fig.axes[0]
    _assert_labelled(fig, [ax])
    assert "GBP" in ax.get_ylabel()
    line = next(ln for ln in ax.get_lines() if ln.get_gid() == "spend:vendor_demo")
    expected = runs[runs.scenario == "vendor_demo"].groupby("week").cumulative_cost_gbp.median()
    np.testing.assert_allclose(line.get_ydata(), expected.to_numpy() / 1000)
    assert not any(ln.get_gid() == f"spend:{BASELINE}" for ln in ax.get_lines())
    assert "spending nothing: No training (baseline)" in ax.get_legend().get_title().get_text()
    plt.close(fig)


def test_errors_figure_plots_each_difference_with_its_interval(summary):
    """A labelled panel per error outcome; each dot is the summary's mean paired difference."""
    fig = plots.errors_figure(summary, BASELINE)
    panels = fig.axes[: len(plots.ERROR_OUTCOMES)]
    assert all(ax.get_title() and "Difference from baseline" in ax.get_xlabel() for ax in panels)
    assert panels[0].get_ylabel() == "Strategy" and fig.legends
    row = summary[
        (summary.outcome == "avoidable_errors_per_1000")
        & (summary.measure == "time_average")
        & (summary.scenario == "vendor_demo")
    ].iloc[0]
    xs = [line.get_xdata()[0] for line in panels[0].get_lines() if line.get_marker() == "o"]
    assert row["diff_mean"] == pytest.approx(min(xs, key=lambda x: abs(x - row["diff_mean"])))
    plt.close(fig)


def test_cost_per_error_figure_uses_errors_averted(summary):
    """Gain axis: errors averted on the strategy's own decisions (the summary's averted row)."""
    points = plots.cost_effect_points(summary, gain="errors_averted").set_index("scenario")
    averted = summary[
        (summary.outcome == "avoidable_errors_averted") & (summary.measure == "cumulative")
    ].set_index("scenario")
    assert points.loc["simulation_just_in_time", "gain"] == pytest.approx(
        averted.loc["simulation_just_in_time", "diff_mean"]
    )
    assert points.gain_low.le(points.gain).all() and points.gain.le(points.gain_high).all()
    fig = plots.cost_effectiveness_figure(summary, baseline=BASELINE, gain="errors_averted")
    assert "errors averted" in fig.axes[0].get_ylabel()
    plt.close(fig)


def test_analyse_writes_every_output_from_tables_alone(tmp_path, runs):
    """From synthetic runs tables to summary.csv, figures, report and manifest, no model runs."""
    cfg = make_cfg()
    summary = analyse(cfg, tmp_path, runs, make_by_group(), make_snapshots(50), dict(MANIFEST))
    written = pd.read_csv(tmp_path / "summary.csv")
    costs = pd.read_csv(tmp_path / "cost_effectiveness.csv")
    assert set(written.outcome) >= {*SUMMARY_OUTCOMES, "avoidable_errors_averted"}
    assert "cost_per_avoidable_error_averted_gbp" in set(costs.ratio)
    assert len(written) + len(costs) == len(summary)
    assert (tmp_path / "plots" / "spending.png").read_bytes()[:8] == PNG_MAGIC
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "When the money is spent" in text and "avoidable errors" in text
    assert (tmp_path / "manifest.json").exists()


def test_worsening_too_small_to_show_is_not_named_but_a_visible_one_is():
    """An unclear worsening that prints as 0.0 gets no clause; one of 2 points does."""
    from experiments.report.uncertainty import worsened_guards

    def summary_with(diff: float) -> pd.DataFrame:
        return pd.DataFrame(
            [
                dict(
                    scenario="s",
                    condition="default",
                    outcome="over_trust_share",
                    measure="final",
                    mean=0.1,
                    diff_mean=diff,
                    diff_low_95=diff - 0.03,
                    diff_high_95=diff + 0.03,
                )
            ]
        )

    assert worsened_guards(summary_with(0.0002), "s", "final") == []
    clauses = worsened_guards(summary_with(0.02), "s", "final")
    assert len(clauses) == 1 and clauses[0].startswith("may raise")
    assert "not distinguishable from no change" in clauses[0]


def test_a_clear_but_tiny_worsening_is_named_without_a_zero_figure():
    """A worsening whose CI excludes zero but which prints as 0.0 reads 'slightly (by less than
    0.1 points, though clearly more than none)', never 'by about 0.0 points'."""
    from experiments.report.uncertainty import worsened_guards

    summary = pd.DataFrame(
        [
            dict(
                scenario="s",
                condition="default",
                outcome="over_trust_share",
                measure="final",
                mean=0.1,
                diff_mean=0.0002,
                diff_low_95=0.0001,
                diff_high_95=0.0003,
            )
        ]
    )
    (clause,) = worsened_guards(summary, "s", "final")
    assert clause == (
        "raises the share of staff over-trusting slightly "
        "(by less than 0.1 points, though clearly more than none)"
    )

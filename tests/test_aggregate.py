"""A sweep's aggregate.csv: every outcome of every job, each swept value in its own column."""

from __future__ import annotations

import pandas as pd
import yaml

from experiments.aggregate import aggregate


def fake_job(folder, overrides: list[str], rows: list[dict]) -> None:
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    pd.DataFrame(rows).to_csv(folder / "summary.csv", index=False)


def summary_rows(share: float, errors: float) -> list[dict]:
    common = {"scenario": "s", "condition": "default"}
    return [
        {**common, "outcome": "appropriate_share", "measure": "final", "mean": share},
        {
            **common,
            "outcome": "avoidable_errors_per_1000",
            "measure": "time_average",
            "mean": errors,
        },
    ]


def test_aggregate_keeps_every_outcome_and_a_column_per_swept_key(tmp_path) -> None:
    """Two jobs differing in reliability: 4 rows, a 'tools.0.reliability' column; the common
    override (the experiment) is not a column."""
    fake_job(tmp_path / "0", ["experiment=x", "tools.0.reliability=0.7"], summary_rows(0.4, 90))
    fake_job(tmp_path / "1", ["experiment=x", "tools.0.reliability=0.9"], summary_rows(0.6, 70))
    table = aggregate(tmp_path)
    assert len(table) == 4
    assert "experiment" not in table.columns
    errors = table[table.outcome == "avoidable_errors_per_1000"].set_index("tools.0.reliability")
    assert errors.loc["0.7", "mean"] == 90 and errors.loc["0.9", "mean"] == 70
    written = pd.read_csv(tmp_path / "aggregate.csv", dtype={"tools.0.reliability": str})
    assert set(written.outcome) == {"appropriate_share", "avoidable_errors_per_1000"}
    assert (tmp_path / "aggregate.png").exists()

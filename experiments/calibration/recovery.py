"""Parameter recovery: does the calibration find known values from a survey simulated with them?

The recovery task (``calibration.task=recovery``, ``experiment=calibrate_recovery``) replaces the
published figures by one survey simulated from the config's own values of the fitted parameters
(the truth; same figures, weeks and sample sizes, figure ids prefixed ``synthetic_`` and
``synthetic = True``), calibrates as usual, and reports per parameter whether the true value
falls in its 90% interval and whether the data identify it. A parameter whose interval covers
most of its prior is reported as not identified, even when it covers the truth: covering the
truth by covering everything is not recovery.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def recovery_table(summary: pd.DataFrame, truth: Mapping[str, float]) -> pd.DataFrame:
    """Per parameter: true value, 90% interval, covered and identified."""
    table = summary[["parameter", "key", "unit", "prior_low", "prior_high", "mean", "q05", "q95"]]
    table = table.copy()
    table.insert(3, "truth", [float(truth[p]) for p in table.parameter])
    table["covered"] = (table.q05 <= table.truth) & (table.truth <= table.q95)
    table["identified"] = summary["identified"].to_numpy()
    table["verdict"] = [_verdict(r) for r in table.itertuples()]
    return table


def _verdict(row: object) -> str:
    identified = row.identified == "yes"
    if row.covered and identified:
        return "recovered: the truth is in a narrowed 90% interval"
    if row.covered:
        return "not identified: the interval covers the truth only by covering most of the prior"
    if identified:
        return "missed: the interval is narrow but excludes the truth (check bias or budget)"
    return "missed and not identified"


def recovery_sentence(table: pd.DataFrame) -> str:
    """One plain sentence on the recovery."""
    recovered = table[table.covered & (table.identified == "yes")].parameter.tolist()
    unidentified = table[table.identified != "yes"].parameter.tolist()
    missed = table[~table.covered].parameter.tolist()
    parts = [f"{len(recovered)} of {len(table)} parameters recovered"]
    if recovered:
        parts[0] += f" ({', '.join(recovered)})"
    if unidentified:
        parts.append(f"not identified by these data: {', '.join(unidentified)}")
    if missed:
        parts.append(f"true value outside the 90% interval: {', '.join(missed)}")
    return "; ".join(parts) + "."

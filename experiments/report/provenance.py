"""Provenance: when, how and from what the results were made (seed, commit, versions, config)."""

from __future__ import annotations

from collections.abc import Mapping

from omegaconf import DictConfig, OmegaConf

from experiments.report.assumptions import table_html
from experiments.report.text import esc


def provenance_html(cfg: DictConfig, manifest: Mapping) -> str:
    """The provenance section: seed, runs, commit, wall time, versions and the full config."""
    git = manifest.get("git") or {}
    commit = str(git.get("commit", "unknown"))
    if git.get("dirty"):
        commit += " (with uncommitted changes)"
    wall = manifest.get("wall_time_s")
    rows = [
        ["Created", manifest.get("created", "unknown")],
        ["Command", manifest.get("command", "unknown")],
        ["Seed", manifest.get("seed", OmegaConf.select(cfg, "seed"))],
        ["Replicate seeds", f"{len(manifest.get('replicate_seeds') or [])} derived from the seed"],
        [
            "Runs",
            f"{manifest.get('runs_total', 'n/a')} "
            f"({manifest.get('runs_reused', 0)} reused from an earlier run)",
        ],
        ["Git commit", commit],
        ["Wall time", "unknown" if wall is None else f"{float(wall):,.1f} s"],
    ]
    if manifest.get("pooled_from"):
        shards = manifest["pooled_from"]
        rows.append(["Pooled from", f"{len(shards)} shard(s): {', '.join(map(str, shards))}"])
    versions = [[k, v] for k, v in (manifest.get("versions") or {}).items()]
    config_text = OmegaConf.to_yaml(cfg, resolve=True)
    return "\n".join(
        [
            table_html(["Item", "Value"], [[k, str(v)] for k, v in rows]),
            "<details><summary>Package versions</summary>",
            table_html(["Package", "Version"], versions),
            "</details>",
            "<details><summary>Full configuration (config.yaml)</summary>",
            f"<pre>{esc(config_text)}</pre></details>",
        ]
    )

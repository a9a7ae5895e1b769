"""A fixed-seed random sample of mutmut's mutants and its mutation score (tests/MUTATION.md).

A whole mutmut pass over ``model/`` is some 4,000 mutants, hours on 2 cores. Random mutant
sampling estimates the score of the whole set from a sample (Wong and Mathur 1995; Zhang et al.
2013 found sampled scores close to full ones): this script draws the sample, stratified by source
file with proportional allocation (so the pooled proportion is self-weighting), and scores it
with an exact (Clopper-Pearson) binomial 95% interval.

Run from the project root, after mutmut has generated the mutants (any ``mutmut run``, e.g. of
one mutant, does that)::

    python tests/mutation_sample.py draw --size 400 --seed 15 --only model/ > mutants/sample.txt
    mutmut run --max-children 1 $(cat mutants/sample.txt)
    python tests/mutation_sample.py score mutants/sample.txt

``score`` counts a mutant killed when mutmut says killed or timeout; mutants listed in
``tests/mutation_equivalent.txt`` (one name a line, the reason in tests/MUTATION.md) are left out
of the denominator (also when they timed out: that is the machine's load); "no tests" counts as
survived. ``--previous DIR`` (repeatable) counts a mutant killed if the run whose ``*.meta``
files were saved in DIR killed it: for a rerun of the survivors after tests were added.
``--mutants DIR`` reads another mutmut directory (the kernel pass, ``mutants-kernels/mutants``).
``--equivalent FILE`` (repeatable) reads other lists of equivalent mutants: mutmut numbers mutants
within each function, so a list holds only for the code it was judged on (the one of commit
a022e1a is ``tests/mutation_equivalent_a022e1a.txt``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import beta

EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")
KILLED = {1, 3, 36, -24, 24, 152, 255}  # mutmut's "killed" and "timeout" exit codes
SURVIVED_CODES = {0: "survived", 5: "no tests", 33: "no tests", None: "not checked"}


def load_exit_codes(mutants: Path) -> dict[str, dict[str, int | None]]:
    """``{source file: {mutant name: exit code}}`` from mutmut's ``*.meta`` files."""
    codes = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        source = str(meta.relative_to(mutants))[: -len(".meta")]
        codes[source] = json.loads(meta.read_text())["exit_code_by_key"]
    if not codes:
        raise SystemExit(f"no mutmut *.meta files under {mutants}: run mutmut once first")
    return codes


def draw(codes: dict[str, dict[str, int | None]], size: int, seed: int) -> list[str]:
    """A simple random sample of ``size`` mutants within each file, proportional to its count.

    Files get ``size * n_file / n_total`` mutants rounded by largest remainder, so the counts
    add up to ``size``; names are drawn without replacement by one seeded generator, files in
    sorted order.
    """
    files = sorted(codes)
    counts = np.array([len(codes[f]) for f in files])
    quota = size * counts / counts.sum()
    alloc = np.floor(quota).astype(int)
    for i in np.argsort(-(quota - alloc), kind="stable")[: size - alloc.sum()]:
        alloc[i] += 1
    rng = np.random.default_rng(seed)
    sample = []
    for f, k in zip(files, alloc, strict=True):
        names = sorted(codes[f])
        sample += [names[i] for i in sorted(rng.choice(len(names), size=k, replace=False))]
    return sample


def clopper_pearson(killed: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval of a proportion ``killed / n``."""
    a = (1 - level) / 2
    low = beta.ppf(a, killed, n - killed + 1) if killed > 0 else 0.0
    high = beta.ppf(1 - a, killed + 1, n - killed) if killed < n else 1.0
    return float(low), float(high)


def load_equivalent(files: list[Path] | None = None) -> tuple[set[str], set[str]]:
    """Names listed as equivalent, and those of them under a ``# dead code`` heading."""
    equivalent, dead, in_dead = set(), set(), False
    lines = [line for f in files or [EQUIVALENT] for line in f.read_text().splitlines()]
    for line in lines:
        if line.startswith("#"):
            in_dead = line.lower().startswith("# dead code")
        elif line.strip():
            equivalent.add(line.strip())
            if in_dead:
                dead.add(line.strip())
    return equivalent, dead


def merged_codes(codes: dict[str, dict[str, int | None]], previous: list[Path]) -> dict:
    """``codes`` with a mutant counted killed if an earlier run (``previous`` dirs) killed it.

    Sound only when the tests were only added between the runs: a test that killed a mutant
    still kills it.
    """
    earlier: dict[str, int | None] = {}
    for directory in previous:
        for meta in sorted(directory.glob("*.meta")):
            for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
                if code in (1, 3):  # killed by a failing test (an earlier timeout may be load)
                    earlier[name] = code
    return {
        f: {n: (earlier[n] if n in earlier and c not in (1, 3) else c) for n, c in keys.items()}
        for f, keys in codes.items()
    }


def score(
    codes: dict[str, dict[str, int | None]], names: list[str], equivalent_files: list[Path]
) -> str:
    """The sample's score by file and pooled, and its surviving non-equivalent mutants.

    Sampled mutants that no longer exist (their code was removed since the draw) are reported
    and left out. The pooled score is given with dead-code mutants as equivalent and, in the
    last line, as survivors.
    """
    equivalent, dead = load_equivalent(equivalent_files)
    where = {name: f for f, keys in codes.items() for name in keys}
    removed = [n for n in names if n not in where]
    names = [n for n in names if n in where]
    by_file: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, killed, equiv, tmo
    survivors, unchecked, dead_hits = [], [], 0
    for name in names:
        code = codes[where[name]][name]
        row = by_file[where[name]]
        row[0] += 1
        if code in (1, 3) or (code in KILLED and name not in equivalent):
            row[1] += 1
            row[3] += code not in (1, 3)
        elif name in equivalent:  # a timeout of an equivalent mutant is the machine's load
            row[2] += 1
            dead_hits += name in dead
        elif code is None:
            unchecked.append(name)
        else:
            survivors.append(f"{name} ({SURVIVED_CODES.get(code, f'exit {code}')})")
    if unchecked:
        raise SystemExit(f"{len(unchecked)} sampled mutants not run yet, e.g. {unchecked[0]}")
    lines = ["| file | sampled | killed (timeout) | equivalent | survived | score |"]
    lines.append("|---|---|---|---|---|---|")
    for f in sorted(by_file):
        n, k, e, t = by_file[f]
        denom = n - e
        lines.append(
            f"| {f} | {n} | {k} ({t}) | {e} | {denom - k} | "
            + (f"{k / denom:.0%} |" if denom else "- |")
        )
    n, k, e, t = (sum(r[i] for r in by_file.values()) for i in range(4))
    low, high = clopper_pearson(k, n - e)
    low_d, high_d = clopper_pearson(k, n - e + dead_hits)
    total = sum(len(v) for v in codes.values())
    lines.append(f"| **all** | {n} | {k} ({t}) | {e} | {n - e - k} | {k / (n - e):.1%} |")
    lines += [
        "",
        f"{n} of {total} mutants sampled and still present ({len(removed)} more sampled in code "
        f"since removed); score {k} / {n - e} = {k / (n - e):.1%}, 95% CI (Clopper-Pearson) "
        f"{low:.1%} to {high:.1%}.",
        f"Counting the {dead_hits} mutants in dead code as survivors: {k} / {n - e + dead_hits} = "
        f"{k / (n - e + dead_hits):.1%} (95% CI {low_d:.1%} to {high_d:.1%}).",
        "",
        "Surviving non-equivalent mutants of the sample:",
        *(f"- {s}" for s in survivors),
        "",
        "Sampled mutants whose code was removed:",
        *(f"- {r}" for r in removed),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``draw`` a sample (names to stdout) or ``score`` a sample file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--size", type=int, default=400)
    d.add_argument("--seed", type=int, default=15)
    d.add_argument("--only", default="", help="draw only from files whose path starts so")
    d.add_argument(
        "--not-in", type=Path, help="draw only mutants absent from this other mutmut directory"
    )
    s = sub.add_parser("score")
    s.add_argument("sample", type=Path)
    s.add_argument(
        "--previous", type=Path, action="append", default=[], help="*.meta of an earlier run"
    )
    s.add_argument(
        "--equivalent",
        type=Path,
        action="append",
        default=[],
        help=f"lists of equivalent mutants (default {EQUIVALENT.name}); repeatable",
    )
    args = parser.parse_args(argv)
    codes = load_exit_codes(args.mutants)
    if args.command == "draw":
        codes = {f: v for f, v in codes.items() if f.startswith(args.only)}
        if args.not_in is not None:
            other = {n for v in load_exit_codes(args.not_in).values() for n in v}
            codes = {f: {n: c for n, c in v.items() if n not in other} for f, v in codes.items()}
        print("\n".join(draw(codes, args.size, args.seed)))
    else:
        names = args.sample.read_text().split()
        print(score(merged_codes(codes, args.previous), names, args.equivalent))


if __name__ == "__main__":
    sys.exit(main())

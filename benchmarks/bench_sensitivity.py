"""Benchmark: the Monte-Carlo sensitivity analysis on a large synthetic sub-district.

Builds a rubric of 15 indicators (every rule, a bonus, a penalty, a veto and
an 优秀 quota) and a checklist CSV of N branches, then measures

- ``analyse`` in process (the runs alone: draws, matrix products, ranks, grades);
- ``inspect-score sensitivity RUBRIC CSV --runs R --csv DIR -o OUT.xlsx`` end to end.

With ``--schema 2`` the rubric is ``bench_schema2.py``'s (10 clause items of
3 clauses each, a weighted part, an ``applies_if``) over ``samples/generate.py``'s
checklists: each run then draws 2 section weights and 30 clause points.

Usage::

    python benchmarks/bench_sensitivity.py --branches 1000 --runs 10000
    python benchmarks/bench_sensitivity.py --branches 1000 --runs 10000 --schema 2

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from inspect_score.checklists.load import load_checklists
from inspect_score.rubric.loader import load_rubric
from inspect_score.scoring.score import score
from inspect_score.tuning.sensitivity import Settings, analyse

HEAD = """\
schema = 1

[rubric]
id = "bench-15"
title = "Benchmark rubric, 15 indicators"
lang = "en"
total = 100
bonus_cap = 3

[[field]]
id = "flag"
type = "bool"

[[field]]
id = "files"
type = "choice"
choices = ["complete", "partial", "missing"]

[[field]]
id = "awards"
type = "int"
min = 0

[[field]]
id = "cases"
type = "int"
min = 0

[[section]]
id = "all"
title = "All"
max = 100
"""

#: (rule, extra keys) cycled over the 15 indicators; maxima add up to 100
RULES = [
    ("scale", "target = 12"),
    ("deduct", "per = 1.5"),
    ("steps", "steps = [[1, 2], [2, 4], [3, {max}]]"),
    ("count", "per = 2"),
    ("check", 'op = ">="\nvalue = 5'),
]
MAXIMA = [10, 8, 6, 7, 5, 9, 6, 6, 7, 5, 8, 6, 7, 5, 5]


def rubric_text() -> str:
    parts = [HEAD]
    for index, maximum in enumerate(MAXIMA):
        rule, extra = RULES[index % len(RULES)]
        parts.append(
            f'[[field]]\nid = "v{index}"\ntype = "number"\nmin = 0\n\n'
            f'[[indicator]]\nid = "i{index}"\nsection = "all"\ntitle = "Indicator {index}"\n'
            f'field = "v{index}"\nmax = {maximum}\nrule = "{rule}"\n'
            + extra.format(max=maximum) + "\n"
        )
    parts.append(
        '[[bonus]]\nid = "award"\ntitle = "Awards"\nfield = "awards"\nmax = 3\n'
        'rule = "count"\nper = 1\n\n'
        '[[penalty]]\nid = "case"\ntitle = "Cases"\nfield = "cases"\nmax = 10\n'
        'rule = "count"\nper = 5\n\n'
        '[[veto]]\nid = "serious"\ntitle = "Serious"\nfield = "flag"\nop = "=="\n'
        'value = true\ngrade = "fail"\n\n'
        '[[grade]]\nname = "excellent"\nmin = 85\nmax_share = 0.2\n\n'
        '[[grade]]\nname = "good"\nmin = 70\n\n'
        '[[grade]]\nname = "pass"\nmin = 55\n\n'
        '[[grade]]\nname = "fail"\nmin = 0\n'
    )
    return "\n".join(parts)


def checklist_csv(branches: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    header = ["branch_id", "branch_name", "flag", "files", "awards", "cases",
              *[f"v{index}" for index in range(len(MAXIMA))]]
    columns = [
        [f"B{number}" for number in range(1, branches + 1)],
        [f"Branch {number}" for number in range(1, branches + 1)],
        np.where(rng.random(branches) < 0.02, "yes", "no").tolist(),
        rng.choice(["complete", "partial", "missing"], branches).tolist(),
        rng.integers(0, 4, branches).tolist(),
        np.where(rng.random(branches) < 0.05, 1, 0).tolist(),
        *[np.round(rng.uniform(0, 14, branches), 1).tolist() for _ in MAXIMA],
    ]
    rows = [",".join(header)] + [",".join(map(str, row)) for row in zip(*columns, strict=True)]
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--spread", type=float, default=0.2)
    parser.add_argument("--thresholds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3, help="in-process runs; the best is kept")
    parser.add_argument("--schema", type=int, choices=(1, 2), default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        rubric_path = work / "rubric.toml"
        data = work / "checklists.csv"
        if args.schema == 1:
            rubric_path.write_text(rubric_text(), encoding="utf-8")
            data.write_text(checklist_csv(args.branches, seed=1), encoding="utf-8")
        else:
            from bench_run import generate
            from bench_schema2 import schema_2_rubric

            rubric_path.write_text(schema_2_rubric(), encoding="utf-8")
            generate(args.branches, data)
        rubric = load_rubric(rubric_path)
        scores = score(rubric, load_checklists(rubric, [data]))
        settings = Settings(runs=args.runs, spread=args.spread, thresholds=args.thresholds,
                            seed=1)
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = analyse(rubric, scores, settings)
            best = min(best, time.perf_counter() - started)
        factors = result.indicators.shape[0]
        print(f"schema {args.schema}: {args.runs:,} runs x {args.branches:,} branches x "
              f"{factors} drawn weights: analyse {best:.2f} s (best of {args.repeat}); "
              f"{result.stable_count} stable grades")

        command = [sys.executable, "-m", "inspect_score", "sensitivity", str(rubric_path),
                   str(data), "--runs", str(args.runs), "--spread", str(args.spread),
                   "--thresholds", str(args.thresholds), "--seed", "1",
                   "--csv", str(work / "out"), "-o", str(work / "sensitivity.xlsx")]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        print(f"inspect-score sensitivity ... --csv --xlsx end to end: "
              f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

"""`explain --all -o OUT.xlsx` against `run -o OUT.xlsx` on the same sub-district.

Builds a 5,000-branch checklist by repeating a sample with fresh branch ids,
then times each command as a whole process under ``/usr/bin/time -v`` (wall
time, peak memory); the best of ``--repeat`` runs is kept and every run is
shown. ``--rubric h2`` (the default) repeats ``samples/h2/`` under
``rubrics/street-2025-h2.toml``; ``--rubric h1`` repeats the first half's
sample under ``rubrics/street-2025-h1.toml`` and also times the library part
alone: every branch's path to the next grade
(:func:`~inspect_score.selfcheck.next_grade.paths_to_next_grade`), in this
process. ``--generated`` (h1) takes synthetic values instead of the repeated
sample (``samples/generate.py``: every branch different), ``--raters K`` gives
each branch K raters' rows. Usage::

    python benchmarks/bench_explain.py --branches 5000 --repeat 3
    python benchmarks/bench_explain.py --rubric h1 --branches 2000 --repeat 1
    python benchmarks/bench_explain.py --rubric h1 --generated --raters 3 --branches 2000

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_run import GENERATOR, timed

ROOT = Path(__file__).resolve().parent.parent
#: per rubric: the rubric, the sample repeated, and the sample's encoding
RUBRICS = {
    "h1": (ROOT / "rubrics" / "street-2025-h1.toml", ROOT / "samples" / "街道社区2025上半年.csv",
           "gb18030"),
    "h2": (ROOT / "rubrics" / "street-2025-h2.toml",
           ROOT / "samples" / "h2" / "街道社区2025下半年.csv", "utf-8-sig"),
}


def repeated(sample: Path, encoding: str, branches: int, out: Path) -> None:
    """The sample's rows repeated until there are ``branches`` rows, each with its own id
    and name (so each is a branch of its own)."""
    frame = pd.read_csv(sample, dtype=str, keep_default_na=False, encoding=encoding)
    copies = -(-branches // len(frame))
    frame = pd.concat([frame] * copies, ignore_index=True).iloc[:branches].copy()
    number = pd.Series(range(1, branches + 1)).astype(str).str.zfill(5)
    frame[frame.columns[0]] = "SQ" + number
    frame[frame.columns[1]] = frame[frame.columns[1]] + number
    frame.to_csv(out, index=False, encoding="utf-8-sig")


def generated(branches: int, raters: int, out: Path) -> None:
    """Synthetic values for the h1 rubric: ``raters`` rows a branch (0: one row, no rater)."""
    rows = branches * max(raters, 1)
    subprocess.run([sys.executable, str(GENERATOR), "--rows", str(rows), "--out", str(out),
                    "--seed", "1", "--raters", str(raters)], check=True)


def library(rubric_path: Path, data: Path, repeat: int) -> list[float]:
    """Seconds to find every branch's path to the next grade (after quotas), in process."""
    from inspect_score.checklists.load import load_checklists
    from inspect_score.rubric.loader import load_rubric
    from inspect_score.scoring.pipeline import evaluate
    from inspect_score.selfcheck.next_grade import paths_to_next_grade

    rubric = load_rubric(rubric_path)
    checklists = load_checklists(rubric, [data])
    results = evaluate(rubric, checklists)
    ids = results.ranking["branch_id"].tolist()
    held = dict(zip(ids, results.ranking["grade"].tolist(), strict=True))
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        paths_to_next_grade(rubric, checklists, ids, held)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    parser.add_argument("--rubric", choices=sorted(RUBRICS), default="h2")
    parser.add_argument("--generated", action="store_true",
                        help="h1: synthetic values, every branch different")
    parser.add_argument("--raters", type=int, default=0, help="with --generated: rows a branch")
    args = parser.parse_args()
    if args.generated and args.rubric != "h1":
        parser.error("--generated makes values for the h1 rubric only")
    rubric, sample, encoding = RUBRICS[args.rubric]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        data = work / "checklists.csv"
        if args.generated:
            generated(args.branches, args.raters, data)
        else:
            repeated(sample, encoding, args.branches, data)
        if args.rubric == "h1":
            seconds = library(rubric, data, args.repeat)
            shown = ", ".join(f"{second:.2f} s" for second in seconds)
            print(f"{'paths (library)':>17}, {args.branches:,} branches: {min(seconds):6.2f} s"
                  f"            (every run: {shown})")
        commands = {
            "run -o": ["run", str(rubric), str(data), "-o", str(work / "run.xlsx"), "--quiet"],
            "explain --all -o": ["explain", str(rubric), str(data), "--all",
                                 "-o", str(work / "explain.xlsx")],
        }
        for name, command in commands.items():
            runs = [timed([sys.executable, "-m", "inspect_score", *command, "--force"])
                    for _ in range(args.repeat)]
            shown = ", ".join(f"{seconds:.2f} s {mib:.0f} MiB" for seconds, mib in runs)
            best = min(runs)
            print(f"{name:>17}, {args.branches:,} branches: {best[0]:6.2f} s  {best[1]:5.0f} MiB"
                  f"   (every run: {shown})")


if __name__ == "__main__":
    main()

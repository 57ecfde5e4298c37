"""`explain --all -o OUT.xlsx` against `run -o OUT.xlsx` on the same sub-district.

Builds a 5,000-branch checklist by repeating the h2 sample
(``samples/h2/``, rubric ``rubrics/street-2025-h2.toml``) with fresh branch
ids, then times each command as a whole process under ``/usr/bin/time -v``
(wall time, peak memory); the best of ``--repeat`` runs is kept and every run
is shown. Usage::

    python benchmarks/bench_explain.py --branches 5000 --repeat 3

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_run import timed

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = ROOT / "rubrics" / "street-2025-h2.toml"
SAMPLE = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def repeated(branches: int, out: Path) -> None:
    """The sample's rows repeated until there are ``branches`` rows, each with its own id
    and name (so each is a branch of its own)."""
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    copies = -(-branches // len(sample))
    frame = pd.concat([sample] * copies, ignore_index=True).iloc[:branches].copy()
    number = pd.Series(range(1, branches + 1)).astype(str).str.zfill(5)
    frame[frame.columns[0]] = "SQ" + number
    frame[frame.columns[1]] = frame[frame.columns[1]] + number
    frame.to_csv(out, index=False, encoding="utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        data = work / "checklists.csv"
        repeated(args.branches, data)
        commands = {
            "run -o": ["run", str(RUBRIC), str(data), "-o", str(work / "run.xlsx"), "--quiet"],
            "explain --all -o": ["explain", str(RUBRIC), str(data), "--all",
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

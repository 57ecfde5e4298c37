"""End-to-end benchmark: `inspect-score run --csv` on a large synthetic sub-district.

Measures, on the same generated checklist CSV:

- the floor: reading the CSV with plain ``pandas.read_csv`` and writing a
  ranking-sized CSV (one row per branch, nine columns);
- ``inspect-score run RUBRIC CSV --csv DIR`` end to end (all four CSV outputs);
- optionally ``inspect-score run RUBRIC CSV -o OUT.xlsx`` on a smaller set.

Wall time and peak memory come from ``/usr/bin/time -v``. Usage::

    python benchmarks/bench_run.py --rows 1000000 --xlsx-rows 200000

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
GENERATOR = ROOT / "samples" / "generate.py"

FLOOR = """
import sys, pandas as pd, numpy as np
frame = pd.read_csv(sys.argv[1])
n = len(frame)
pd.DataFrame({
    "rank": np.arange(1, n + 1),
    "branch_id": frame["branch_id"], "branch_name": frame["branch_name"],
    "total": np.linspace(100, 0, n), "base": np.linspace(100, 0, n), "bonus": 0.0, "penalty": 0.0,
    "grade": "合格", "vetoed": "",
}).to_csv(sys.argv[2], index=False, float_format="%.2f")
"""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command under /usr/bin/time -v; return (wall seconds, peak RSS in MiB)."""
    completed = subprocess.run(
        ["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False, env=env
    )
    if completed.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{completed.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", completed.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr)
    assert wall and rss, completed.stderr
    hours, minutes, seconds = wall.groups()
    seconds_total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return seconds_total, int(rss.group(1)) / 1024


def generate(rows: int, out: Path) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--rows", str(rows), "--out", str(out), "--seed", "1"],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000, help="0 to skip")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "inspect_score"]

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        data = work / "checklists.csv"
        generate(args.rows, data)
        size = data.stat().st_size / 2**20
        print(f"{args.rows:,} checklist rows, {size:.0f} MiB CSV")

        floors = [timed([sys.executable, "-c", FLOOR, str(data), str(work / "floor.csv")])
                  for _ in range(args.repeat)]
        runs = [timed([*cli, "run", str(RUBRIC), str(data), "--csv", str(work / "out"),
                       "--force", "--quiet"])
                for _ in range(args.repeat)]
        floor, run = min(floors), min(runs)
        print(f"floor (read_csv + ranking-sized to_csv): {floor[0]:6.2f} s  {floor[1]:7.0f} MiB")
        print(f"inspect-score run --csv (4 outputs):     {run[0]:6.2f} s  {run[1]:7.0f} MiB"
              f"  ({run[0] / floor[0]:.2f}x the floor)")
        if args.repeat > 1:
            # the best run is shown above; every run, for the spread of a shared machine
            for name, figures in (("floor", floors), ("run", runs)):
                shown = ", ".join(f"{seconds:.2f} s {mib:.0f} MiB" for seconds, mib in figures)
                print(f"  every {name}: {shown}")

        if args.xlsx_rows:
            small = work / "checklists-xlsx.csv"
            generate(args.xlsx_rows, small)
            book = timed([*cli, "run", str(RUBRIC), str(small), "-o", str(work / "out.xlsx"),
                          "--force", "--quiet"])
            print(f"inspect-score run -o xlsx, {args.xlsx_rows:,} rows: "
                  f"{book[0]:6.2f} s  {book[1]:7.0f} MiB")


if __name__ == "__main__":
    main()

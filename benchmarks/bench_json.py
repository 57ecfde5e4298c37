"""Memory of `run --csv --json` against `run --csv` alone, on a large synthetic sub-district.

The JSON output streams its records a block of rows at a time, so it should
cost little beyond the tables that the CSV files are written from: the goal is
a peak within 1.3x that of ``--csv`` alone at 1,000,000 branches. Wall time and
peak memory come from ``/usr/bin/time -v``. Usage::

    python benchmarks/bench_json.py --rows 1000000

Figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench_run import RUBRIC, generate, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path,
                        help="a checklist CSV to use instead of generating one")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "inspect_score"]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        data = args.data
        if data is None:
            data = work / "checklists.csv"
            generate(args.rows, data)
        common = [*cli, "run", str(RUBRIC), str(data), "--force", "--quiet"]
        csv_only = timed([*common, "--csv", str(work / "a")])
        both = timed([*common, "--csv", str(work / "b"), "--json", str(work / "b.json")])
        size = (work / "b.json").stat().st_size / 2**20
        print(f"run --csv:        {csv_only[0]:6.2f} s  {csv_only[1]:7.0f} MiB")
        print(f"run --csv --json: {both[0]:6.2f} s  {both[1]:7.0f} MiB  "
              f"({both[1] / csv_only[1]:.2f}x the memory of --csv; JSON {size:.0f} MiB)")


if __name__ == "__main__":
    main()

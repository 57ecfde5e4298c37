"""The price of the print style: `run -o OUT.xlsx --rectify` with and without it.

Writes the results workbook (with the rectification sheet) for a generated
sub-district, under ``/usr/bin/time -v`` for wall time and peak memory, with
this checkout's package and, for comparison, with another checkout's ``src``
folder (``--baseline DIR``: e.g. the tree of the commit before the print style,
exported with ``git archive``). Usage::

    python benchmarks/bench_workbook.py --rows 50000 --baseline /tmp/main/src --repeat 3

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# the sibling benchmark's helpers, found through the path set above
from bench_run import RUBRIC, generate, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--baseline", type=Path, help="another checkout's src folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        data = work / "checklists.csv"
        generate(args.rows, data)
        sources = {"this checkout": None}
        if args.baseline is not None:
            sources["baseline"] = args.baseline
        for name, source in sources.items():
            environment = dict(os.environ)
            if source is not None:
                environment["PYTHONPATH"] = str(source)
            runs = [timed([sys.executable, "-m", "inspect_score", "run", str(RUBRIC), str(data),
                           "-o", str(work / "out.xlsx"), "--rectify", "--force", "--quiet"],
                          environment)
                    for _ in range(args.repeat)]
            shown = ", ".join(f"{seconds:.2f} s {mib:.0f} MiB" for seconds, mib in runs)
            best = min(runs)
            print(f"{name:>14}: run -o xlsx --rectify, {args.rows:,} branches: "
                  f"{best[0]:6.2f} s  {best[1]:5.0f} MiB   (every run: {shown})")


if __name__ == "__main__":
    main()

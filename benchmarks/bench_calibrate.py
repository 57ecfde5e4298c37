"""`inspect-score calibrate` at scale: a sub-district's self-assessments against its inspection.

The schema 2 rubric of ``bench_schema2.py`` (10 items, 30 clauses, a weighted
part, an ``applies_if``) and two generated checklist CSVs of the same branches
(``samples/generate.py`` with two seeds: the self-assessment and the
inspection). ``calibrate --csv`` runs end to end under ``/usr/bin/time -v``
(wall time, peak memory), best of ``--repeat``; a ``run --csv`` of one side is
timed beside it, since calibrate scores both sides and should cost about two
runs. Usage::

    python benchmarks/bench_calibrate.py --rows 200000 --repeat 2

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_run import GENERATOR, timed
from bench_schema2 import schema_2_rubric


def generate(rows: int, out: Path, seed: int) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--rows", str(rows), "--out", str(out),
                    "--seed", str(seed)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "inspect_score"]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        rubric = folder / "bench-2.toml"
        rubric.write_text(schema_2_rubric(), encoding="utf-8")
        own, inspected = folder / "self.csv", folder / "inspected.csv"
        generate(args.rows, own, 1)
        generate(args.rows, inspected, 2)
        commands = {
            "run --csv (one side)": [*cli, "run", str(rubric), str(inspected), "--csv",
                                     str(folder / "run"), "--force", "-q"],
            "calibrate --csv": [*cli, "calibrate", str(rubric), "--self", str(own),
                                "--inspection", str(inspected), "--csv", str(folder / "cal"),
                                "--force"],
        }
        for name, command in commands.items():
            runs = []
            for _ in range(args.repeat):
                # calibrate prints every branch: its terminal table is not what is timed
                runs.append(timed([*command]))
            wall, rss = min(runs)
            shown = ", ".join(f"{seconds:.1f} s" for seconds, _ in runs)
            print(f"{name:<22} {args.rows:>9,} branches: {wall:6.1f} s, "
                  f"peak {rss:,.0f} MiB (runs: {shown})")


if __name__ == "__main__":
    main()

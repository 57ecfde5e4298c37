"""How fast the command line starts, as ratios to importing pandas on the same machine.

    .venv/bin/python benchmarks/bench_start.py [--repeat 15]

Each case is a whole process, timed from outside (wall time), run ``--repeat``
times in turn with the others so that a busy machine slows them alike; the
median is kept. Python may cache compiled modules, as it does where the package
is installed (pip compiles them then): the cache goes to a temporary folder
(PYTHONPYCACHEPREFIX), filled by one round that is not counted, even where the
environment says PYTHONDONTWRITEBYTECODE. The targets: ``--version`` and ``--help`` at most 0.3 of
``python -c "import pandas"``, ``check`` at most 0.5, a run of the fifteen sample
branches to CSV at most 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"

#: name, target ratio (None for the reference), arguments after the interpreter
CASES: list[tuple[str, float | None, list[str]]] = [
    ("import pandas", None, ["-c", "import pandas"]),
    ("--version", 0.3, ["-m", "inspect_score", "--version"]),
    ("--help", 0.3, ["-m", "inspect_score", "--help"]),
    ("check", 0.5, ["-m", "inspect_score", "check", str(RUBRIC)]),
    ("run --csv (15 branches)", 1.5,
     ["-m", "inspect_score", "run", str(RUBRIC), str(SAMPLE), "--csv", "{out}", "--force"]),
]


def wall_time(arguments: list[str], out: str, env: dict[str, str]) -> float:
    command = [sys.executable, *(argument.replace("{out}", out) for argument in arguments)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        env = {name: value for name, value in os.environ.items()
               if name != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PYTHONPYCACHEPREFIX": cache, "INSPECT_SCORE_LANG": "zh"}
        for _, _, arguments in CASES:  # fills the cache
            wall_time(arguments, out, env)
        for _ in range(options.repeat):
            for name, _, arguments in CASES:
                times[name].append(wall_time(arguments, out, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    reference = medians["import pandas"]
    failed = False
    print(f"{'case':<26}{'median s':>10}{'ratio':>8}{'target':>8}")
    for name, target, _ in CASES:
        ratio = medians[name] / reference
        verdict = "" if target is None else ("  ok" if ratio <= target else "  OVER")
        failed |= target is not None and ratio > target
        print(f"{name:<26}{medians[name]:>10.3f}{ratio:>8.2f}"
              f"{'' if target is None else f'{target:>8.1f}'}{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

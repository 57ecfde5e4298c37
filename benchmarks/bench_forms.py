"""Benchmark: loading a large checklist as it is, under a title row, and with a
合计 row at the end, to show what finding the header and skipping totals cost.

Each load runs in its own process under ``/usr/bin/time -v`` (wall time and
peak memory of the whole process, Python's start included); the time of
``load_checklists`` alone is printed by the process. Usage::

    python benchmarks/bench_forms.py --rows 1000000 --repeat 3

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

LOAD = """
import sys, time
from inspect_score.checklists.load import load_checklists
from inspect_score.rubric.loader import load_rubric
rubric = load_rubric(sys.argv[1])
start = time.perf_counter()
checklists = load_checklists(rubric, [sys.argv[2]])
print(f"{time.perf_counter() - start:.3f} {len(checklists.frame)} {len(checklists.warnings)}")
"""


def timed_load(path: Path) -> tuple[float, float, float, int, int]:
    """(load seconds, process wall seconds, peak MiB, rows, warnings) of one load."""
    completed = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", LOAD, str(RUBRIC), str(path)],
        capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"failed on {path}\n{completed.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", completed.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr)
    assert wall and rss, completed.stderr
    hours, minutes, seconds = wall.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    load, rows, warnings = completed.stdout.split()
    return float(load), total, int(rss.group(1)) / 1024, int(rows), int(warnings)


def as_form(plain: Path, form: Path, *, title: bool, totals: bool) -> None:
    """The same rows under a title, or with a 合计 row under them, or both."""
    text = plain.read_text(encoding="utf-8-sig").rstrip()
    width = text.split("\n", 1)[0].count(",")
    if title:
        text = "2025年上半年社区党建工作检查考评表" + "," * width + "\n" + text
    if totals:
        # blank under the yes/no columns, as a clerk's 合计 row is: pandas then
        # reads those columns as objects, which the parser takes longer over
        text += "\n合计" + "," * width
    form.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="loads of each, interleaved")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        files = {name: Path(scratch) / f"{name}.csv" for name in ("plain", "title", "totals")}
        subprocess.run([sys.executable, str(GENERATOR), "--rows", str(args.rows), "--out",
                        str(files["plain"]), "--seed", "1"], check=True, capture_output=True)
        as_form(files["plain"], files["title"], title=True, totals=False)
        as_form(files["plain"], files["totals"], title=False, totals=True)
        results: dict[str, list[tuple[float, float, float, int, int]]] = {
            name: [] for name in files}
        for _ in range(args.repeat):
            for name, path in files.items():
                results[name].append(timed_load(path))
        for name, runs in results.items():
            _, _, _, rows, warnings = runs[0]
            loads = ", ".join(f"{run[0]:.2f}" for run in runs)
            best = min(runs)
            print(f"{name:6} ({rows:,} rows, {warnings} warning(s)): load_checklists {loads} s; "
                  f"best process {best[1]:.2f} s, {best[2]:.0f} MiB")


if __name__ == "__main__":
    main()

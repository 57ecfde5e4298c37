"""Schema 2 against schema 1: `inspect-score run --csv` on the same large sub-district.

Two rubrics of the same size over the same fields and the same generated
checklist CSV (``samples/generate.py``, the fields of the street rubric):

- schema 1: 30 indicators, every rule of schema 1;
- schema 2: 10 ``clauses`` indicators of 3 clauses each (30 clauses: faults on
  bools, choices and numbers, counts with caps, shortfalls, lists), every clause
  with a problem text, a weighted part and an ``applies_if``.

Both are written to a scratch folder, checked, and each run end to end under
``/usr/bin/time -v`` (wall time, peak memory); the best of ``--repeat`` runs
is kept and every run is shown. Usage::

    python benchmarks/bench_schema2.py --rows 1000000 --repeat 3

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_run import generate, timed

FIELDS = """
[[field]]
id = "meetings_held"
type = "int"
[[field]]
id = "meetings_required"
type = "int"
[[field]]
id = "reserve_cadres"
type = "int"
[[field]]
id = "activists"
type = "int"
[[field]]
id = "dues_on_time"
type = "bool"
[[field]]
id = "files_status"
type = "choice"
choices = ["齐全", "基本齐全", "不齐全"]
[[field]]
id = "roster_ok"
type = "bool"
[[field]]
id = "minutes_ok"
type = "bool"
[[field]]
id = "ledger_ok"
type = "bool"
[[field]]
id = "photos_ok"
type = "bool"
[[field]]
id = "study_absences"
type = "int"
[[field]]
id = "service_events"
type = "int"
[[field]]
id = "audit_breaches"
type = "int"
[[field]]
id = "finance_published"
type = "int"
[[field]]
id = "satisfaction"
type = "number"
missing = "na"
[[field]]
id = "awards"
type = "int"
missing = "zero"
[[field]]
id = "media_reports"
type = "int"
missing = "zero"
[[field]]
id = "discipline_cases"
type = "int"
missing = "zero"
[[field]]
id = "serious_violation"
type = "bool"
missing = "zero"
[[field]]
id = "remarks"
type = "text"
missing = "zero"
"""

BOOLS = ("dues_on_time", "roster_ok", "minutes_ok", "ledger_ok", "photos_ok")
COUNTS = ("study_absences", "audit_breaches", "discipline_cases", "service_events", "awards",
          "media_reports")
LEVELS = (("meetings_held", 12), ("reserve_cadres", 3), ("activists", 1),
          ("finance_published", 4), ("service_events", 4))


def _schema_1_items() -> list[str]:
    """30 indicators of 5 points: every schema 1 rule over the fields."""
    items = []
    for field in BOOLS:
        items.append(f'rule = "check"\nfield = "{field}"')
    for field, level in LEVELS:
        items.append(f'rule = "check"\nfield = "{field}"\nop = ">="\nvalue = {level}')
    for field in COUNTS:
        items.append(f'rule = "deduct"\nfield = "{field}"\nper = 1')
    for field, level in LEVELS:
        items.append(f'rule = "steps"\nfield = "{field}"\nsteps = [[1, 2], [{level + 1}, 5]]')
    items.append('rule = "choice"\nfield = "files_status"\n'
                 'points = { "齐全" = 5, "基本齐全" = 3, "不齐全" = 0 }')
    items.append('rule = "scale"\nfield = "meetings_held"\ntarget_field = "meetings_required"')
    items.append('rule = "scale"\nfield = "satisfaction"\ntarget = 100')
    items.append('rule = "share"\nfields = ["roster_ok", "minutes_ok", "ledger_ok", "photos_ok"]')
    for field in COUNTS[:5]:
        items.append(f'rule = "count"\nfield = "{field}"\nper = 1')
    assert len(items) == 30
    return items


def schema_1_rubric() -> str:
    parts = ['schema = 1\n[rubric]\nid = "bench-1"\ntitle = "基准 schema 1"\ntotal = 150',
             FIELDS]
    for half in (0, 1):
        parts.append(f'[[section]]\nid = "s{half}"\ntitle = "第{half + 1}部分"\nmax = 75')
    for number, body in enumerate(_schema_1_items()):
        parts.append(f'[[indicator]]\nid = "i{number}"\nsection = "s{number // 15}"\n'
                     f'title = "项目{number}"\nmax = 5\n{body}')
    parts.append('[[grade]]\nname = "优秀"\nmin = 130\nmax_share = 0.2\n'
                 '[[grade]]\nname = "合格"\nmin = 90\n[[grade]]\nname = "不合格"\nmin = 0')
    return "\n\n".join(parts) + "\n"


def _clauses() -> list[str]:
    """30 clauses of every shape, each with a problem text."""
    clauses = []
    for field in BOOLS:
        clauses.append(f'field = "{field}"\nis = false\npoints = 3\nproblem = "{field}未落实"')
    for field, level in LEVELS:
        clauses.append(f'field = "{field}"\nbelow = {level}\nper = 1\n'
                       f'problem = "{field}少{{short}}次"')
    for field in COUNTS:
        clauses.append(f'field = "{field}"\nper = 0.5\ncap = 4\n'
                       f'problem = "{field}有{{value}}次"')
    clauses.append('field = "files_status"\nis = ["基本齐全", "不齐全"]\npoints = 3\n'
                   'problem = "档案{value}"')
    clauses.append('field = "audit_breaches"\nop = ">"\nvalue = 0\npoints = 2\n'
                   'problem = "违反三审制度"')
    for _ in range(5):
        clauses.append('fields = ["roster_ok", "minutes_ok", "ledger_ok", "photos_ok"]\n'
                       'per = 1\nproblem = "缺少{missing}"')
    for field, level in LEVELS[:4]:
        clauses.append(f'field = "{field}"\nop = "<"\nvalue = {level}\npoints = 1\n'
                       f'problem = "{field}不足"')
    clauses.append('field = "satisfaction"\nbelow = 90\nper = 0.5\ncap = 5\n'
                   'problem = "满意率低于90%"')
    clauses.append('field = "meetings_held"\nbelow = 12\nper = 0.5\nproblem = "少开{short}次"')
    clauses.append('field = "media_reports"\nper = 1\ncap = 2\nproblem = "{value}次"')
    assert len(clauses) == 30, len(clauses)
    return clauses


def schema_2_rubric() -> str:
    """10 items of 15 points, 3 clauses each; the second part weighted 0.5 of 150."""
    parts = ['schema = 2\n[rubric]\nid = "bench-2"\ntitle = "基准 schema 2"\ntotal = 150',
             FIELDS]
    parts.append('[[section]]\nid = "s0"\ntitle = "第1部分"\nmax = 75')
    parts.append('[[section]]\nid = "s1"\ntitle = "第2部分"\nmax = 150\nweight = 0.5')
    clauses = _clauses()
    for number in range(10):
        section, most = ("s0", 15) if number < 5 else ("s1", 30)
        applies = ('applies_if = { field = "dues_on_time", is = true }\notherwise = "full"\n'
                   if number == 9 else "")
        parts.append(f'[[indicator]]\nid = "i{number}"\nsection = "{section}"\n'
                     f'title = "项目{number}"\nmax = {most}\nrule = "clauses"\n{applies}')
        for clause in clauses[3 * number: 3 * number + 3]:
            parts.append(f"[[indicator.clause]]\n{clause}")
    parts.append('[[grade]]\nname = "优秀"\nmin = 130\nmax_share = 0.2\n'
                 'quota_rounding = "nearest"\nmax_count = 100000\n'
                 '[[grade]]\nname = "合格"\nmin = 90\n[[grade]]\nname = "不合格"\nmin = 0')
    return "\n\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "inspect_score"]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        rubrics = {"schema 1 (30 indicators)": work / "bench-1.toml",
                   "schema 2 (30 clauses)": work / "bench-2.toml"}
        rubrics["schema 1 (30 indicators)"].write_text(schema_1_rubric(), encoding="utf-8")
        rubrics["schema 2 (30 clauses)"].write_text(schema_2_rubric(), encoding="utf-8")
        for path in rubrics.values():
            subprocess.run([*cli, "check", str(path)], check=True, capture_output=True)
        data = work / "checklists.csv"
        generate(args.rows, data)
        print(f"{args.rows:,} checklist rows, {data.stat().st_size / 2**20:.0f} MiB CSV")
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in rubrics}
        # interleaved, so that a busy moment of a shared machine hits both alike
        for _ in range(args.repeat):
            for name, path in rubrics.items():
                runs[name].append(timed([*cli, "run", str(path), str(data), "--csv",
                                         str(work / path.stem), "--force", "--quiet"]))
        best = {}
        for name, path in rubrics.items():
            findings = sum(1 for _ in (work / path.stem / "findings.csv").open(
                encoding="utf-8")) - 1
            best[name] = min(runs[name])
            shown = ", ".join(f"{seconds:.2f} s {mib:.0f} MiB" for seconds, mib in runs[name])
            print(f"{name}: best {best[name][0]:.2f} s, {best[name][1]:.0f} MiB peak, "
                  f"{findings:,} findings (every run: {shown})")
        first, second = best.values()
        print(f"schema 2 / schema 1 wall time: {second[0] / first[0]:.2f}x")


if __name__ == "__main__":
    main()

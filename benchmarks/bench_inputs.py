"""Benchmark of reading what grows: a large rubric, odd workbooks, ragged-row checks.

Measures, each as a separate process under ``/usr/bin/time -v`` (wall time and
peak memory):

- ``inspect-score check RUBRIC`` on a generated rubric of ``--rubric-mib``
  MiB (as many fields and indicators as it takes, one indicator per field);
- ``inspect-score validate`` on a small workbook, on the same with one stray
  cell at XFD1048576, and with one at A1048576;
- ``inspect-score validate`` on ``--rows`` generated CSV rows (which
  includes the streaming count of every row's cells);
- ``inspect-score validate`` on ``--xlsx-rows`` generated rows in a workbook
  (calamine's values, the XML searched for the cells it misreads).

Usage::

    python benchmarks/bench_inputs.py --rubric-mib 50 --rows 1000000 --xlsx-rows 100000

Timings are figures to read, not assertions: the machines are shared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path

from bench_run import RUBRIC, generate, timed


def write_rubric(path: Path, mib: float) -> int:
    """A valid rubric of about ``mib`` MiB: n int fields, each read by one scale indicator."""
    per_item = 211  # bytes one field and its indicator take below (UTF-8)
    count = max(1, int(mib * 2**20 / per_item))
    lines = ["schema = 1", "", "[rubric]", 'id = "big"', 'title = "大规模考评细则"',
             f"total = {count}", ""]
    for index in range(count):
        lines += ["[[field]]", f'id = "f{index}"', f'label = "第{index}项 召开次数"',
                  'type = "int"', "min = 0", "max = 200", ""]
    lines += ["[[section]]", 'id = "all"', 'title = "全部"', f"max = {count}", ""]
    for index in range(count):
        lines += ["[[indicator]]", f'id = "i{index}"', 'section = "all"', f'title = "指标{index}"',
                  "max = 1", 'rule = "scale"', f'field = "f{index}"', "target = 12", ""]
    lines += ["[[grade]]", 'name = "优秀"', "min = 90", "", "[[grade]]", 'name = "不合格"',
              "min = 0", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return count


def write_stray_workbook(path: Path, cell: str) -> None:
    """A one-branch checklist with one more cell, holding 'x', at ``cell``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["branch_id", "branch_name", "meetings_held"])
    sheet.append(["SQ01", "一社区", 12])
    book.save(path)
    if not cell:
        return  # the floor: the same workbook without a stray cell
    row = "".join(ch for ch in cell if ch.isdigit())
    stray = (f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
             "</sheetData>").encode()
    edited = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", stray)
            target.writestr(item, data)
    edited.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rubric-mib", type=float, default=50)
    parser.add_argument("--rows", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="0 to skip")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "inspect_score"]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        rubric = work / "big.toml"
        count = write_rubric(rubric, args.rubric_mib)
        size = rubric.stat().st_size / 2**20
        # check exits 0 (warnings allowed); timed() refuses a failed command
        seconds, mib = timed([*cli, "check", str(rubric)])
        print(f"check, {size:.0f} MiB rubric ({count:,} fields and indicators): "
              f"{seconds:6.2f} s  {mib:7.0f} MiB")
        for cell in ("", "XFD1048576", "A1048576"):
            book = work / f"stray-{cell or 'none'}.xlsx"
            write_stray_workbook(book, cell)
            # the stray value is an input error (exit 1): time it all the same
            seconds, mib = timed([sys.executable, "-c",
                                  "import sys; from inspect_score.cli.main import main; "
                                  "sys.argv = ['inspect-score', *sys.argv[1:]]\n"
                                  "try:\n    main()\nexcept SystemExit:\n    pass",
                                  "validate", str(RUBRIC), str(book)])
            where = f"a stray cell at {cell}" if cell else "no stray cell (the floor)"
            print(f"validate, workbook with {where}: "
                  f"{seconds:6.2f} s  {mib:7.0f} MiB")
        if args.rows:
            data = work / "checklists.csv"
            generate(args.rows, data)
            seconds, mib = timed([*cli, "validate", str(RUBRIC), str(data)])
            print(f"validate, {args.rows:,} CSV rows: {seconds:6.2f} s  {mib:7.0f} MiB")
        if args.xlsx_rows:
            import pandas as pd

            data = work / "checklists-for-xlsx.csv"
            generate(args.xlsx_rows, data)
            book = work / "checklists.xlsx"
            pd.read_csv(data, dtype=str, keep_default_na=False).to_excel(
                book, index=False, engine="xlsxwriter")
            seconds, mib = timed([*cli, "validate", str(RUBRIC), str(book)])
            print(f"validate, {args.xlsx_rows:,} workbook rows: {seconds:6.2f} s  {mib:7.0f} MiB")


if __name__ == "__main__":
    main()

"""Write a large synthetic checklist CSV for the street rubric, for benchmarks.

Usage::

    python samples/generate.py --rows 1000000 --out big.csv [--seed 1] [--raters 3]

One row per branch (or ``--raters K`` rows per branch, one per inspector, with
a ``rater`` column), headers by field id, UTF-8 without a byte-order mark. The
values follow the fields of ``rubrics/street-2025-h1.toml`` and stay within
their bounds, so the file loads without errors; booleans are written 是/否 as
branches type them. Every column is built with NumPy at once: a million rows
take a few seconds, most of it in writing the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

BOOL_WORDS = np.array(["否", "是"], dtype=object)
FILES_STATUS = np.array(["齐全", "基本齐全", "不齐全"], dtype=object)
REMARKS = np.array(["", "", "", "", "已整改", "档案补齐中", "新任书记"], dtype=object)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(numbers).astype(str).str.zfill(width)


def synthetic_checklists(rows: int, seed: int = 1, raters: int = 0) -> pd.DataFrame:
    """A frame of ``rows`` checklist rows with realistic values for every field."""
    rng = np.random.default_rng(seed)
    per_branch = max(raters, 1)
    branch = np.arange(rows) // per_branch
    width = max(6, len(str(branch[-1] + 1))) if rows else 6
    frame = pd.DataFrame({
        "branch_id": _ids("SQ", branch + 1, width),
        "branch_name": _ids("社区", branch + 1, width) + "党支部",
    })
    if raters:
        frame["rater"] = "检查员" + pd.Series(np.arange(rows) % raters + 1).astype(str)

    def boolean(p_true: float) -> np.ndarray:
        return BOOL_WORDS[(rng.random(rows) < p_true).astype(np.int64)]

    required = rng.choice(np.array([12, 18, 24]), size=rows)
    frame["meetings_held"] = np.clip(required - rng.poisson(1.0, rows), 0, 200)
    frame["meetings_required"] = required
    frame["reserve_cadres"] = np.clip(rng.poisson(3.0, rows), 0, 50)
    frame["activists"] = np.clip(rng.poisson(2.0, rows), 0, 100)
    frame["dues_on_time"] = boolean(0.93)
    frame["files_status"] = FILES_STATUS[rng.choice(3, size=rows, p=[0.6, 0.3, 0.1])]
    frame["roster_ok"] = boolean(0.95)
    frame["minutes_ok"] = boolean(0.85)
    frame["ledger_ok"] = boolean(0.9)
    frame["photos_ok"] = boolean(0.8)
    frame["study_absences"] = np.clip(rng.poisson(4.0, rows), 0, 500)
    frame["service_events"] = np.clip(rng.poisson(6.0, rows), 0, 100)
    frame["audit_breaches"] = np.clip(rng.poisson(0.3, rows), 0, 100)
    frame["finance_published"] = rng.integers(0, 7, rows)
    satisfaction = np.round(np.clip(rng.normal(88.0, 7.0, rows), 0, 100), 1)
    # about 2% of branches held no survey: blank, scored as not applicable
    frame["satisfaction"] = np.where(rng.random(rows) < 0.02, np.nan, satisfaction)
    frame["awards"] = np.clip(rng.poisson(0.15, rows), 0, 20)
    frame["media_reports"] = np.clip(rng.poisson(0.4, rows), 0, 50)
    frame["discipline_cases"] = (rng.random(rows) < 0.01).astype(np.int64)
    frame["serious_violation"] = boolean(0.002)
    frame["remarks"] = REMARKS[rng.integers(0, len(REMARKS), rows)]
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="checklist rows to write")
    parser.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--raters", type=int, default=0,
                        help="rows per branch, one per inspector (0: no rater column)")
    args = parser.parse_args()
    if args.rows < 0 or args.raters < 0:
        parser.error("--rows and --raters must not be negative")
    frame = synthetic_checklists(args.rows, args.seed, args.raters)
    frame.to_csv(args.out, index=False, encoding="utf-8")


if __name__ == "__main__":
    main()

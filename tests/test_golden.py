"""Golden cases: hand-checked rubrics and checklists with their expected ranking.

Each folder under ``tests/data/golden/`` holds ``rubric.toml``, ``checklist.csv``,
``expected_ranking.csv`` (rank, branch_id, total, grade, vetoed) and
``DERIVATION.md``, which works out every expected number by hand.
"""

from __future__ import annotations

import csv
from pathlib import Path

import oracle
import pandas as pd
import pytest

from inspect_score.scoring.grading import rank_and_grade
from inspect_score.scoring.score import score

rubric_loader = pytest.importorskip("inspect_score.rubric.loader")
checklists_module = pytest.importorskip("inspect_score.checklists.load")

GOLDEN = Path(__file__).parent / "data" / "golden"
CASES = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
COLUMNS = ("rank", "branch_id", "total", "grade", "vetoed")


def read_expected(case: Path) -> list[dict[str, str]]:
    with (case / "expected_ranking.csv").open(encoding="utf-8", newline="") as handle:
        return [{column: row[column] for column in COLUMNS} for row in csv.DictReader(handle)]


def test_every_golden_case_is_complete() -> None:
    """Every case has its rubric, checklist, expected ranking and written derivation."""
    needed = {"rubric.toml", "checklist.csv", "expected_ranking.csv", "DERIVATION.md"}
    incomplete = [
        case for case in CASES if not needed <= {p.name for p in (GOLDEN / case).iterdir()}
    ]
    assert incomplete == []
    assert len(CASES) >= 5


@pytest.mark.parametrize("case", CASES)
def test_golden_ranking_is_reproduced(case: str) -> None:
    """Loading, scoring and grading a golden case gives its hand-checked ranking."""
    folder = GOLDEN / case
    rubric = rubric_loader.load_rubric(folder / "rubric.toml")
    checklists = checklists_module.load_checklists(rubric, [folder / "checklist.csv"])
    ranking = rank_and_grade(rubric, score(rubric, checklists))
    actual = [
        {
            # an excluded branch (schema 2) has no rank
            "rank": "" if pd.isna(row.rank) else str(row.rank),
            "branch_id": row.branch_id,
            "total": f"{row.total:.{rubric.precision}f}",
            "grade": row.grade,
            "vetoed": row.vetoed,
        }
        for row in ranking.itertuples(index=False)
    ]
    assert read_expected(folder) == actual


@pytest.mark.parametrize("case", CASES)
def test_golden_ranking_agrees_with_the_oracle(case: str) -> None:
    """The row-by-row oracle reaches the same hand-checked ranking."""
    folder = GOLDEN / case
    rubric = rubric_loader.load_rubric(folder / "rubric.toml")
    checklists = checklists_module.load_checklists(rubric, [folder / "checklist.csv"])
    if rubric.schema == 2:
        ranked = oracle.rank_and_grade_rows_2(rubric,
                                              oracle.score_rows_2(rubric, checklists.frame))
    else:
        ranked = oracle.rank_and_grade_rows(rubric, oracle.score_rows(rubric, checklists.frame))
    actual = [
        {
            "rank": "" if branch["rank"] is None else str(branch["rank"]),
            "branch_id": branch["branch_id"],
            "total": f"{float(branch['total']):.{rubric.precision}f}",
            "grade": branch["grade"],
            "vetoed": branch["vetoed"],
        }
        for branch in ranked
    ]
    assert read_expected(folder) == actual

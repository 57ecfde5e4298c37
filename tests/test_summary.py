"""The run as a whole: per item and per grade; and the whole pipeline into every output."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pandas as pd
from sample_run import sample_ranking, sample_rubric, sample_scores

from inspect_score.checklists.load import load_checklists
from inspect_score.outputs.write_csv import write_csv
from inspect_score.outputs.write_json import read_json_results, write_json
from inspect_score.rubric.loader import load_rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.summary import GRADE_COUNT_COLUMNS, SUMMARY_COLUMNS, summarize

ROOT = Path(__file__).resolve().parent.parent


def test_summary_per_item() -> None:
    """Mean over applicable branches rounded to precision; full marks, none, and how many apply."""
    summary, _ = summarize(sample_rubric(), sample_scores(), sample_ranking())
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    rows = summary.set_index("item_id")
    assert rows.loc["satisfaction"].tolist() == ["群众满意度", 23.0, 22.43, 1, 0, 2]
    # 10 + 5 + 10 over three branches: 8.333... rounds to 8.33
    assert rows.loc["ledgers"].tolist() == ["台账资料", 10.0, 8.33, 2, 0, 3]
    assert rows.loc["cases"].tolist() == ["班子成员受党纪处分", 10.0, 1.67, 0, 2, 3]
    assert summary["item_id"].tolist() == [
        "meetings", "reserve", "activists", "dues", "files", "ledgers", "audit", "volunteer",
        "satisfaction", "innovation", "cases"]


def test_item_that_applies_nowhere_has_no_mean() -> None:
    """An item not applicable to any branch has an empty mean and counts no branch."""
    scores = sample_scores()
    points = scores.points.assign(satisfaction=np.nan)
    summary, _ = summarize(sample_rubric(), attrs.evolve(scores, points=points), sample_ranking())
    row = summary.set_index("item_id").loc["satisfaction"]
    assert (pd.isna(row["mean_points"]), row["full_marks"], row["branches"]) == (True, 0, 0)


def test_grade_counts_every_grade_best_first_zeros_included() -> None:
    """Every grade of the rubric is listed, best first, with 0 where no branch got it."""
    _, grade_counts = summarize(sample_rubric(), sample_scores(), sample_ranking())
    assert list(grade_counts.columns) == list(GRADE_COUNT_COLUMNS)
    assert grade_counts.values.tolist() == [["优秀", 1], ["良好", 0], ["合格", 0], ["不合格", 2]]


def test_bundled_sample_through_every_output(tmp_path: Path) -> None:
    """The bundled rubric and sample checklists score, and every output agrees with the results:
    findings follow the ranking, each with a note; the JSON and CSV tables read back."""
    rubric = load_rubric(ROOT / "rubrics" / "street-2025-h1.toml")
    sample = ROOT / "samples" / "街道社区2025上半年.csv"
    results = evaluate(rubric, load_checklists(rubric, [sample]))
    findings = results.findings
    assert len(findings) > 0 and findings["note"].str.len().min() > 0

    rank_of = dict(zip(results.ranking["branch_id"], range(len(results.ranking)), strict=True))
    ranks = findings["branch_id"].map(rank_of).tolist()
    assert ranks == sorted(ranks)
    assert results.grade_counts["branches"].sum() == len(results.ranking)

    write_json(results, tmp_path / "results.json", tool_version="test")
    back = read_json_results(tmp_path / "results.json")
    assert back["findings"]["note"].tolist() == findings["note"].tolist()
    assert back["ranking"]["total"].tolist() == results.ranking["total"].tolist()

    write_csv(results, tmp_path)
    ranking_csv = pd.read_csv(tmp_path / "ranking.csv", encoding="utf-8-sig", dtype=str,
                              keep_default_na=False)
    assert ranking_csv["branch_id"].tolist() == results.ranking["branch_id"].tolist()
    assert ranking_csv["total"].tolist() == [f"{total:.2f}" for total in results.ranking["total"]]

"""How the run went as a whole: per item, and per grade."""

from __future__ import annotations

import numpy as np
import pandas as pd

from inspect_score.rubric.model import Rubric
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.tables import Scores

SUMMARY_COLUMNS = ("item_id", "title", "max", "mean_points", "full_marks", "zero_points",
                   "branches")
GRADE_COUNT_COLUMNS = ("grade", "branches")


def summarize(rubric: Rubric, scores: Scores,
              ranking: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per indicator, bonus and penalty, and per grade, over every branch of the run.

    ``summary``: one row per item in rubric order; ``mean_points`` is over the
    branches where the item applies, rounded to the rubric's precision (NaN
    where it applies to none); ``full_marks`` and ``zero_points`` count
    branches with points equal to ``max`` and to 0; ``branches`` counts those
    where it applies. ``grade_counts``: every grade, best first, zeros included.
    """
    rows = []
    for item in rubric.items:
        points = scores.points[item.id].to_numpy(dtype=np.float64)
        applies = ~np.isnan(points)
        count = int(applies.sum())
        mean = float(points[applies].mean()) if count else np.nan
        rows.append({
            "item_id": item.id,
            "title": item.title,
            "max": item.max,
            "mean_points": mean,
            "full_marks": int((points == item.max).sum()),
            "zero_points": int((points == 0).sum()),
            "branches": count,
        })
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    summary["mean_points"] = round_points(summary["mean_points"].astype(np.float64),
                                          rubric.precision)
    summary = summary.astype({"item_id": str, "title": str, "max": np.float64,
                              "full_marks": np.int64, "zero_points": np.int64,
                              "branches": np.int64})

    names = [grade.name for grade in rubric.grades]
    counts = ranking["grade"].value_counts().reindex(names, fill_value=0)
    grade_counts = pd.DataFrame({
        "grade": pd.Series(names, dtype=str),
        "branches": counts.to_numpy(dtype=np.int64),
    })
    return summary, grade_counts

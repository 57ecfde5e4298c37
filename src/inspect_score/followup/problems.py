"""Problems worth reporting: the findings a bulletin and a rectification list speak of.

A finding's ``note`` keeps the arithmetic ("每缺一次扣0.5分，缺2次"); documents an
office sends out speak in ``problem`` (the problem in words, "党员大会少开1次")
and ``rectify`` (what the branch must do), and leave out fractions of a point
below the rubric's ``problem_min_lost``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from inspect_score.rubric.model import Lang
from inspect_score.scoring.labels import plain_number, render
from inspect_score.scoring.results import Results
from inspect_score.scoring.rounding import round_points

#: The points an item without clauses must lose to be a problem worth reporting, where
#: the rubric sets no ``problem_min_lost`` (the spec's default: any loss at 2 decimals).
PROBLEM_MIN_LOST = 0.01


def problem_findings(results: Results) -> pd.DataFrame:
    """The findings a bulletin or a rectification list reports: points lost on an indicator
    or a penalty, each with its ``problem`` text.

    An item without clauses counts only where it lost at least its
    ``problem_min_lost`` (the item's, else the rubric's, else 0.01): a fraction
    of a point is no problem to report. A clause's finding always counts. The
    problem text is the finding's ``problem`` where the results carry one, else
    "{title}扣{lost}分" ("{title}: {lost} points lost").
    """
    rubric = results.rubric
    findings = results.findings
    losing = findings[findings["kind"].isin(["indicator", "penalty"])]
    items = {item.id: item for item in (*rubric.indicators, *rubric.penalties)}
    default_min = getattr(rubric, "problem_min_lost", None)
    default_min = PROBLEM_MIN_LOST if default_min is None else float(default_min)
    minimum = losing["item_id"].map({
        item_id: (float(item_min) if (item_min := getattr(item, "problem_min_lost", None))
                  is not None else default_min)
        for item_id, item in items.items()}).to_numpy(dtype=np.float64)
    lost = losing["lost"].to_numpy(dtype=np.float64)
    if "clause" in losing.columns:
        clause = losing["clause"]
        is_clause = (clause.notna() & (clause.astype(str) != "")).to_numpy(dtype=bool)
    else:
        is_clause = np.zeros(len(losing), dtype=bool)
    # a tolerance: a loss of 0.2 kept as 0.19999999999999 is still 0.2
    kept = losing[is_clause | (lost >= minimum - 1e-9)]
    if "problem" in kept.columns:
        problems = kept["problem"].fillna("").astype(str).to_numpy(dtype=object)
    else:
        problems = np.full(len(kept), "", dtype=object)
    missing = problems == ""
    if missing.any():
        pattern = "{title}扣{lost}分" if rubric.lang == "zh" else "{title}: {lost} points lost"
        titles = kept["item_id"].map({key: item.title for key, item in items.items()})
        lost_text = [plain_number(float(value)) for value in round_points(
            kept["lost"].to_numpy(dtype=np.float64), rubric.precision)]
        defaults = render(pattern, {
            "title": titles.astype(str).to_numpy(dtype=object),
            "lost": np.asarray(lost_text, dtype=object)}, len(kept))
        problems = np.where(missing, defaults, problems)
    if "clause" in kept.columns:
        numbers = pd.to_numeric(kept["clause"], errors="coerce")
        clauses = numbers.astype("Int64").astype(str).where(numbers.notna(), "")
    else:
        clauses = pd.Series("", index=kept.index, dtype=object)
    return pd.DataFrame({
        "branch_id": kept["branch_id"].astype(str).to_numpy(dtype=object),
        "clause": clauses.to_numpy(dtype=object),
        "kind": kept["kind"].astype(str).to_numpy(dtype=object),
        "item_id": kept["item_id"].astype(str).to_numpy(dtype=object),
        "lost": kept["lost"].to_numpy(dtype=np.float64),
        "problem": problems,
        "rectify": (kept["rectify"].fillna("").astype(str).to_numpy(dtype=object)
                    if "rectify" in kept.columns else np.full(len(kept), "", dtype=object)),
    })


def headline_of(item: Any, lang: Lang) -> str:
    """How a bulletin names an item's problems as a whole: its ``headline``, else its title
    followed by "方面存在不足" (": shortcomings")."""
    headline = getattr(item, "headline", None)
    if headline:
        return str(headline)
    return f"{item.title}方面存在不足" if lang == "zh" else f"{item.title}: shortcomings"

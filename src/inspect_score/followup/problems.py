"""Problems worth reporting: the findings a bulletin and a rectification list speak of.

A finding's ``note`` keeps the arithmetic ("每缺一次扣0.5分，缺2次"); documents an
office sends out speak in ``problem`` (the problem in words, "党员大会少开1次")
and ``rectify`` (what the branch must do), and leave out fractions of a point
below the rubric's ``problem_min_lost``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inspect_score.rubric.model import Item, Lang
from inspect_score.scoring.labels import plain_number, render
from inspect_score.scoring.results import Results
from inspect_score.scoring.rounding import round_points


def problem_findings(results: Results) -> pd.DataFrame:
    """The findings a bulletin or a rectification list reports: points lost on an indicator
    or a penalty, each with its ``problem`` and ``rectify`` texts.

    An item without clauses counts only where it lost at least its
    ``problem_min_lost`` (the item's, else the rubric's): a fraction of a point
    is no problem to report. A clause's finding always counts. The problem text
    is the finding's ``problem`` where the results carry one, else the item's
    ``problem`` (with ``{title}``, ``{lost}`` and ``{value}`` filled in), else
    "{title}扣{lost}分" ("{title}: {lost} points lost"); ``rectify`` likewise
    the finding's, else the item's, else "".

    Columns: ``branch_id, clause, kind, item_id, lost, problem, rectify``
    (``clause`` the clause's number as text, "" for an item without clauses).
    """
    rubric = results.rubric
    findings = results.findings
    losing = findings[findings["kind"].isin(["indicator", "penalty"])]
    items: dict[str, Item] = {item.id: item for item in (*rubric.indicators, *rubric.penalties)}
    minimum = losing["item_id"].map({
        item_id: (item.problem_min_lost if item.problem_min_lost is not None
                  else rubric.problem_min_lost)
        for item_id, item in items.items()}).to_numpy(dtype=np.float64)
    lost = losing["lost"].to_numpy(dtype=np.float64)
    clauses = clause_numbers(losing)
    # a tolerance: a loss of 0.2 kept as 0.19999999999999 is still 0.2
    kept_mask = (clauses != "") | (lost >= minimum - 1e-9)
    kept = losing[kept_mask]
    count = len(kept)
    item_ids = kept["item_id"].astype(str).to_numpy(dtype=object)
    problems = _given(kept, "problem")
    missing = problems == ""
    if missing.any():
        default = "{title}扣{lost}分" if rubric.lang == "zh" else "{title}: {lost} points lost"
        parts = {
            "title": np.asarray([items[item_id].title for item_id in item_ids], dtype=object),
            "lost": np.asarray([plain_number(float(value)) for value in round_points(
                kept["lost"].to_numpy(dtype=np.float64), rubric.precision)], dtype=object),
            "value": kept["value"].fillna("").astype(str).to_numpy(dtype=object),
        }
        rendered = np.full(count, "", dtype=object)
        # one template per item: each is filled for all of its rows at once
        for item_id, item in items.items():
            rows = item_ids == item_id
            if rows.any():
                rendered[rows] = render(item.problem or default,
                                        {key: value[rows] for key, value in parts.items()},
                                        int(rows.sum()))
        problems = np.where(missing, rendered, problems)
    rectify = _given(kept, "rectify")
    rectify = np.where(rectify == "", np.asarray(
        [items[item_id].rectify or "" for item_id in item_ids], dtype=object), rectify)
    return pd.DataFrame({
        "branch_id": kept["branch_id"].astype(str).to_numpy(dtype=object),
        "clause": clauses[kept_mask],
        "kind": kept["kind"].astype(str).to_numpy(dtype=object),
        "item_id": item_ids,
        "lost": kept["lost"].to_numpy(dtype=np.float64),
        "problem": problems,
        "rectify": rectify,
    })


def _given(findings: pd.DataFrame, column: str) -> np.ndarray:
    """A text column the findings may carry (schema 2), "" where absent or blank."""
    if column not in findings.columns:
        return np.full(len(findings), "", dtype=object)
    return findings[column].fillna("").astype(str).to_numpy(dtype=object)


def clause_numbers(findings: pd.DataFrame) -> np.ndarray:
    """Each finding's clause number as text, "" for an item without clauses."""
    if "clause" not in findings.columns:
        return np.full(len(findings), "", dtype=object)
    numbers = pd.to_numeric(findings["clause"], errors="coerce")
    text = numbers.astype("Int64").astype(str).where(numbers.notna(), "")
    return text.to_numpy(dtype=object)


def headline_of(item: Item, lang: Lang) -> str:
    """How a bulletin names an indicator's problems as a whole: its ``headline``, else its
    title followed by "方面存在不足" (": shortcomings"). (A penalty without a headline
    states the fact, in the bulletin template's words: "个别社区被通报批评".)"""
    if item.headline:
        return item.headline
    return f"{item.title}方面存在不足" if lang == "zh" else f"{item.title}: shortcomings"

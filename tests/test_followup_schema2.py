"""The follow-up documents on drawn schema 2 runs: several findings per item (one per
clause), branches a veto zeroed or excluded (no rank), rubrics without grades. Whatever
the run, the bulletin, the rectification list and the trend are written without error,
and what they say adds up."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import docx
import openpyxl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import checklists_for, runs_2

from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.followup.bulletin import (
    build_bulletin,
    grade_tally,
    markdown_text,
    write_bulletin,
)
from inspect_score.followup.rectify import rectification_table, rectify_outputs
from inspect_score.followup.trend import (
    compare_periods,
    period_from_results,
    read_period_json,
    trend_rich_table,
    write_trend_csv,
    write_trend_workbook,
)
from inspect_score.outputs.workbook import write_workbook
from inspect_score.outputs.write_json import write_json
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results

documents = settings(max_examples=12, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def drawn_results(run: tuple[Rubric, Checklists]) -> Results:
    """The run's results; a run the scoring refuses (a bad cell, quotas that cannot hold)
    is no case for the documents."""
    rubric, checklists = run
    try:
        return evaluate(rubric, checklists)
    except ChecklistError:
        assume(False)
        raise


@documents
@given(runs_2())
def test_the_bulletin_is_written_for_any_schema_2_run(run: tuple[Rubric, Checklists]) -> None:
    """The bulletin is built and written as Word and Markdown; its grade sentence counts
    every branch exactly once (an excluded branch under its label) or, without grades, is
    absent."""
    results = drawn_results(run)
    bulletin = build_bulletin(results, period="2025年下半年",
                              deadline=datetime.date(2025, 12, 31))
    tally = grade_tally(results)
    if results.rubric.grades:
        assert sum(count for _, count in tally) == len(results.ranking)
    else:
        assert tally == []
        assert not any(text.startswith("评定") for text in bulletin.texts("paragraph"))
    assert markdown_text(bulletin).startswith("# 关于2025年下半年")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "通报.docx"
        write_bulletin(bulletin, path)
        assert docx.Document(str(path)).paragraphs[0].text == bulletin.title


@documents
@given(runs_2())
def test_the_rectification_list_is_written_for_any_schema_2_run(
        run: tuple[Rubric, Checklists]) -> None:
    """One row per clause finding, per item finding above the threshold and per veto; the
    workbook sheet and rectify.csv are written and hold those rows."""
    results = drawn_results(run)
    table = rectification_table(results, datetime.date(2025, 12, 31))
    findings = results.findings
    assert (table["kind"] == "veto").sum() == (findings["kind"] == "veto").sum()
    clause_rows = findings[findings["clause"].notna() & findings["kind"].isin(
        ["indicator", "penalty"])] if "clause" in findings.columns else findings.iloc[0:0]
    assert (table["kind"] != "veto").sum() >= len(clause_rows)
    extra = rectify_outputs(results, None, per_branch_pages=True)
    with tempfile.TemporaryDirectory() as folder:
        book_path = Path(folder) / "results.xlsx"
        write_workbook(results, book_path, inputs=["x.csv"], tool_version="0",
                       extra_sheets=extra.sheets)
        assert "整改清单" in openpyxl.load_workbook(book_path, read_only=True).sheetnames
        extra.csv["rectify.csv"](Path(folder) / "rectify.csv")
        lines = (Path(folder) / "rectify.csv").read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) >= 1 + len(table)


@documents
@given(runs_2(), st.data())
def test_the_trend_is_written_for_any_two_schema_2_runs(
        first: tuple[Rubric, Checklists], data: st.DataObject) -> None:
    """Two drawn periods under one schema 2 rubric, straight and through their JSON
    outputs: the trend, its lists, workbook, CSV files and terminal table are made; an
    excluded branch (no rank) is never on the red list."""
    rubric = first[0]
    runs = [first, (rubric, data.draw(checklists_for(rubric, max_branches=10)))]
    results = [drawn_results(run) for run in runs]
    periods = [period_from_results(name, name, result)
               for name, result in zip(("上半年", "下半年"), results, strict=True)]
    with tempfile.TemporaryDirectory() as folder:
        json_periods = []
        for name, result in zip(("上半年", "下半年"), results, strict=True):
            path = Path(folder) / f"{name}.json"
            write_json(result, path, "0")
            json_periods.append(read_period_json(path))
        for chosen in (periods, json_periods):
            trend = compare_periods(chosen)
            red = trend.lists[trend.lists["list"] == "red"]
            assert red["rank"].notna().all()
            write_trend_workbook(trend, Path(folder) / "trend.xlsx")
            write_trend_csv(trend, Path(folder))
            trend_rich_table(trend)

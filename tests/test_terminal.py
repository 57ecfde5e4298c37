"""The ranking table on the terminal."""

from __future__ import annotations

import io

from rich.console import Console
from sample_run import sample_results

from inspect_score.outputs.terminal import print_ranking, ranking_table


def _printed(limit: int | None = None, lang: str = "zh") -> str:
    output = io.StringIO()
    print_ranking(sample_results(lang), Console(file=output, width=120), limit=limit)
    return output.getvalue()


def test_table_has_the_columns_in_the_rubric_language() -> None:
    """Chinese headings: 排名, 编号, 名称, 总分, 等次, 否决事由."""
    table = ranking_table(sample_results())
    assert [str(column.header) for column in table.columns] == [
        "排名", "编号", "名称", "总分", "等次", "否决事由"]


def test_english_headings() -> None:
    """An English rubric gets English headings."""
    table = ranking_table(sample_results("en"))
    assert [str(column.header) for column in table.columns] == [
        "Rank", "ID", "Name", "Total", "Grade", "Vetoed by"]


def test_rows_best_first_with_totals_and_veto_titles() -> None:
    """Rows follow the ranking; totals have the rubric's decimals; vetoes show their titles."""
    lines = [line for line in _printed().splitlines() if "SQ" in line]
    branch_ids = [next(word for word in line.split() if word.startswith("SQ")) for line in lines]
    assert branch_ids == ["SQ01", "SQ10", "SQ02"]
    assert "100.85" in lines[0] and "优秀" in lines[0]
    assert "发生严重违纪问题" in lines[1] and "不合格" in lines[1]


def test_formula_like_names_print_as_written() -> None:
    """A branch name is printed as text, never interpreted as markup."""
    assert '=HYPERLINK("http://x")' in _printed()


def test_limit_keeps_the_best_and_says_how_many_are_left_out() -> None:
    """limit=1 prints the best branch only and a caption with the number left out."""
    printed = _printed(limit=1)
    assert "SQ01" in printed and "SQ02" not in printed and "SQ10" not in printed
    assert "… 2" in printed

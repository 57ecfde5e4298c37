"""The workbook: sheets in the rubric's language, formats, print setup, determinism."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import openpyxl
import pytest
from print_checks import assert_print_style
from sample_run import sample_results

from inspect_score.outputs import print_style, workbook
from inspect_score.outputs.print_style import DocumentTitle
from inspect_score.outputs.workbook import display_width, write_workbook


def _write(tmp_path: Path, lang: str = "zh", name: str = "out.xlsx") -> Path:
    path = tmp_path / name
    write_workbook(sample_results(lang), path, inputs=["checklists/street.csv"],
                   tool_version="0.1.0")
    return path


def _rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))


def test_sheet_names_in_chinese_and_english(tmp_path: Path) -> None:
    """A zh rubric gets 排名, 各项得分, 存在问题, 汇总, 考评说明; an en rubric English names."""
    zh = openpyxl.load_workbook(_write(tmp_path, "zh", "zh.xlsx"))
    en = openpyxl.load_workbook(_write(tmp_path, "en", "en.xlsx"))
    assert zh.sheetnames == ["排名", "各项得分", "存在问题", "汇总", "考评说明"]
    assert en.sheetnames == ["Ranking", "Points", "Findings", "Summary", "About"]


def test_ranking_sheet_title_headers_and_rows(tmp_path: Path) -> None:
    """Title row, then 序号 … 否决事由 with sections as "title(max)", then branches best first."""
    rows = _rows(openpyxl.load_workbook(_write(tmp_path))["排名"])
    assert rows[0][0] == "________________考评结果"
    assert rows[1] == ("序号", "编号", "名称", "组织建设(35)", "基础工作(35)", "财务管理(30)",
                       "加分", "扣分", "总分", "排名", "等次", "否决事由")
    assert rows[2:] == [
        (1, "SQ01", "幸福里社区", 35, 35, 28.85, 2, 0, 100.85, 1, "优秀", None),
        (2, "SQ10", '=HYPERLINK("http://x")', 32, 35, 30, 0, 0, 97, 2, "不合格",
         "发生严重违纪问题"),
        (3, "SQ02", "东湖社区", 13, 16, 3, 0, 5, 36.56, 3, "不合格", None),
    ]


def test_formula_like_names_stay_text(tmp_path: Path) -> None:
    """A branch named "=HYPERLINK(...)" is a string cell, not a formula."""
    sheet = openpyxl.load_workbook(_write(tmp_path))["排名"]
    assert (sheet["C4"].value, sheet["C4"].data_type) == ('=HYPERLINK("http://x")', "s")


def test_number_formats_follow_the_precision(tmp_path: Path) -> None:
    """Points show with the rubric's decimals ("0.00"); ranks and counts as whole numbers."""
    sheet = openpyxl.load_workbook(_write(tmp_path))["排名"]
    assert [sheet["I3"].number_format, sheet["J3"].number_format, sheet["A3"].number_format] == [
        "0.00", "0", "0"]


def test_points_sheet_has_every_item_per_branch(tmp_path: Path) -> None:
    """各项得分: 编号, 名称, then each item "title(max)"; n/a is an empty cell."""
    rows = _rows(openpyxl.load_workbook(_write(tmp_path))["各项得分"])
    assert rows[1][:4] == ("编号", "名称", "三会一课落实(15)", "后备干部队伍(8)")
    assert rows[1][-1] == "班子成员受党纪处分(10)"
    assert rows[4] == ("SQ02", "东湖社区", 10, 3, 0, 0, 6, 5, 5, 3, None, 0, 5)


def test_findings_sheet_has_the_reasons(tmp_path: Path) -> None:
    """存在问题: one row per finding, with the item title, the problem as a report states
    it, and the arithmetic in a column of its own (no 整改要求 column where the rubric
    gives none)."""
    rows = _rows(openpyxl.load_workbook(_write(tmp_path))["存在问题"])
    assert rows[1] == ("编号", "名称", "项目", "存在问题", "填报值", "得分", "失分", "计分依据")
    assert rows[2] == ("SQ01", "幸福里社区", "群众满意度", "群众满意度扣1.15分", "95", 21.85,
                       1.15, "群众满意度(%) 95，应为 100，按比例得 21.85 分")
    assert rows[4] == ('SQ10', '=HYPERLINK("http://x")', "发生严重违纪问题", "发生严重违纪问题",
                       "是", None, None, "发生严重违纪问题，等次不高于不合格")
    assert len(rows) == 2 + len(sample_results().findings)


def test_summary_sheet_with_the_grade_distribution(tmp_path: Path) -> None:
    """汇总: per item mean, full marks, none; then every grade with its count, zeros too."""
    rows = _rows(openpyxl.load_workbook(_write(tmp_path))["汇总"])
    assert rows[1] == ("项目", "满分", "平均得分", "满分单位数", "零分单位数", "参评单位数")
    assert rows[10] == ("群众满意度", 23, 22.43, 1, 0, 2)
    grades = [row[:2] for row in rows[rows.index(("等次", "单位数", None, None, None, None)):]]
    assert grades == [("等次", "单位数"), ("优秀", 1), ("良好", 0), ("合格", 0), ("不合格", 2)]


def test_about_sheet_names_rubric_and_inputs_without_a_date(tmp_path: Path) -> None:
    """考评说明: rubric id, title, version, sha256, source, inputs and tool version."""
    rows = _rows(openpyxl.load_workbook(_write(tmp_path))["考评说明"])
    assert rows[2:] == [
        ("细则编号", "street-test"),
        ("细则名称", "社区党建工作检查考评细则"),
        ("细则版本", "2025-08"),
        ("细则 SHA-256", "ab" * 32),
        ("细则文件", "rubrics/street-test.toml"),
        ("输入文件", "checklists/street.csv"),
        ("工具版本", "inspect-score 0.1.0"),
    ]


def test_every_sheet_is_ready_to_print(tmp_path: Path) -> None:
    """Frozen header, autofilter, landscape A4 one page wide, header repeated, page footer."""
    book = openpyxl.load_workbook(_write(tmp_path))
    for sheet in book:
        assert sheet.freeze_panes == "A3", sheet.title
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A2:")
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        # fitToWidth left out means 1, the OOXML default
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$2:$2"
        assert "&P" in sheet.oddFooter.center.text
    assert book["排名"].auto_filter.ref == "A2:L5"


def test_column_widths_fit_chinese_text(tmp_path: Path) -> None:
    """A column is as wide as its widest text, Chinese characters counting double."""
    sheet = openpyxl.load_workbook(_write(tmp_path))["存在问题"]
    widest_name = display_width("幸福里社区")
    assert sheet.column_dimensions["B"].width >= widest_name
    # a column of sentences (计分依据, after 存在问题) wraps at a readable width
    assert sheet.column_dimensions["H"].width <= 42
    assert sheet["H3"].alignment.wrap_text
    assert display_width("东湖社区ab") == 10


def test_same_results_same_bytes(tmp_path: Path) -> None:
    """Two writes of the same results give byte-identical files."""
    first = _write(tmp_path, name="a.xlsx").read_bytes()
    second = _write(tmp_path, name="b.xlsx").read_bytes()
    assert first == second


def test_rows_past_the_excel_limit_are_cut_with_a_note_and_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a sheet needs more rows than Excel holds, it keeps what fits, says so, and warns."""
    # title + header + 11 rows: the 11 summary rows fit, the 12 findings do not
    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 13)
    path = tmp_path / "cut.xlsx"
    warnings = write_workbook(sample_results(), path, inputs=[], tool_version="0.1.0")
    assert [(issue.code, issue.severity) for issue in warnings] == [("sheet-truncated", "warning")]
    assert "存在问题" in warnings[0].message and "CSV" in warnings[0].message
    sheet = openpyxl.load_workbook(path)["存在问题"]
    assert "只列出前11行" in sheet["A1"].value
    assert sheet.max_row == 13


def test_precision_zero_shows_whole_numbers(tmp_path: Path) -> None:
    """With precision 0 the number format is "0"."""
    results = sample_results()
    results = attrs.evolve(results, rubric=attrs.evolve(results.rubric, precision=0))
    path = tmp_path / "p0.xlsx"
    write_workbook(results, path, inputs=[], tool_version="0.1.0")
    assert openpyxl.load_workbook(path)["排名"]["I3"].number_format == "0"


def test_many_branches_write_in_order(tmp_path: Path) -> None:
    """A larger run keeps every branch in ranking order on the points sheet."""
    results = sample_results()
    count = 500
    positions = np.arange(count) % 3
    ranking = results.ranking.iloc[positions].reset_index(drop=True)
    ranking = ranking.assign(branch_id=[f"B{index}" for index in range(count)],
                             rank=np.arange(1, count + 1))
    scores = results.scores
    scores = attrs.evolve(scores, branches=scores.branches.iloc[positions].reset_index(drop=True)
                          .assign(branch_id=ranking["branch_id"]),
                          points=scores.points.iloc[positions].reset_index(drop=True),
                          vetoes=scores.vetoes.iloc[positions].reset_index(drop=True))
    ranking["position"] = np.arange(count)
    path = tmp_path / "many.xlsx"
    write_workbook(attrs.evolve(results, ranking=ranking, scores=scores,
                                findings=results.findings.head(0)), path, inputs=[])
    rows = _rows(openpyxl.load_workbook(path)["各项得分"])
    assert [row[0] for row in rows[2:]] == ranking["branch_id"].tolist()
    assert (rows[3][10], rows[4][10]) == (None, 23)


def test_every_sheet_is_in_the_print_style(tmp_path: Path) -> None:
    """Each sheet prints as an office prints it: A4 landscape fitted to the width, the header
    repeated, page numbers "第 1 页 共 3 页", a border on every cell of the table; the first
    row is a title naming the period, the subject and the table."""
    path = tmp_path / "out.xlsx"
    write_workbook(sample_results(), path, inputs=["x.csv"], tool_version="0",
                   title=DocumentTitle(period="2025年上半年", subject="社区党建工作"))
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert_print_style(sheet, header_row=2)
    assert book["排名"]["A1"].value == "2025年上半年社区党建工作考评结果"
    assert book["排名"].oddFooter.center.text == "第 &P 页 共 &N 页"
    assert book["存在问题"]["A1"].value == "2025年上半年社区党建工作考评存在问题"


def test_numbers_and_ids_do_not_run_together(tmp_path: Path) -> None:
    """序号 and 排名 are centred and bordered, 等次 centred: "1" and "SQ01", "15" and "不合格"
    never print as one."""
    sheet = openpyxl.load_workbook(_write(tmp_path))["排名"]
    header = [cell.value for cell in sheet[2]]
    for heading in ("序号", "排名", "等次"):
        cell = sheet.cell(row=3, column=header.index(heading) + 1)
        assert cell.alignment.horizontal == "center", heading
        assert cell.border.left.style == "thin", heading


def test_a_long_heading_over_numbers_wraps_in_a_row_tall_enough() -> None:
    """A heading wider than its column gets a header row tall enough for its lines."""
    assert print_style.header_height(["组织建设(35)"], [14]) == print_style.LINE_HEIGHT + 3
    assert print_style.header_height(["三会一课落实情况及记录(15)"], [14]) >= \
        2 * print_style.LINE_HEIGHT


def test_a_row_whose_sentence_wraps_is_tall_enough_for_it(tmp_path: Path) -> None:
    """A note wider than its column wraps, and its row is as tall as its lines: a printed row
    keeps the height it is given."""
    sheet = openpyxl.load_workbook(_write(tmp_path))["存在问题"]
    # 计分依据, the note, stands after 存在问题 in column H
    width = sheet.column_dimensions["H"].width
    for row in range(3, sheet.max_row + 1):
        note = sheet.cell(row=row, column=8).value
        lines = print_style.lines_needed(note, width) if note else 1
        height = sheet.row_dimensions[row].height
        assert (height or print_style.LINE_HEIGHT) >= print_style.LINE_HEIGHT * lines, note


def test_a_weighted_part_says_its_weight_in_its_heading(tmp_path: Path) -> None:
    """A part that counts toward the total at a weight ("100分，占60%") shows its own
    points under a heading that says so, "党建工作(100分，占60%)", so that nobody reads
    the parts as adding up to the total; a part inside it counts at its weight too. The
    bulletin's results table heads its columns the same way."""
    from inspect_score.checklists.load import load_checklists
    from inspect_score.followup.bulletin import build_bulletin
    from inspect_score.rubric.loader import load_rubric
    from inspect_score.scoring.pipeline import evaluate

    folder = Path(__file__).parent / "data" / "golden" / "s2-weights-groups"
    rubric = load_rubric(folder / "rubric.toml")
    results = evaluate(rubric, load_checklists(rubric, [folder / "checklist.csv"]))
    path = tmp_path / "weighted.xlsx"
    write_workbook(results, path, inputs=[str(folder / "checklist.csv")], tool_version="0.1.0")
    header = _rows(openpyxl.load_workbook(path)["排名"])[1]
    expected = ["党建工作(100分，占60%)", "班子建设(40分，占60%)", "服务工作(100分，占40%)"]
    assert list(header[3:6]) == expected
    table = next(block for block in build_bulletin(results).blocks if block.kind == "table")
    assert list(table.rows[0][2:5]) == expected


def test_a_points_sheet_too_wide_to_read_fitted_prints_across_pages(tmp_path: Path) -> None:
    """The half-year rubric's 各项得分 (twenty-odd items) fitted to one A4 width would print
    at 6 points: it prints at full size over pages across, 编号 and 名称 on every page, the
    title in the page header; the narrow sheets stay fitted to the width."""
    from inspect_score.checklists.load import load_checklists
    from inspect_score.rubric.loader import load_rubric
    from inspect_score.scoring.pipeline import evaluate

    root = Path(__file__).parent.parent
    rubric = load_rubric(root / "rubrics" / "street-2025-h1.toml")
    sample = root / "samples" / "街道社区2025上半年.csv"
    results = evaluate(rubric, load_checklists(rubric, [sample]))
    path = tmp_path / "out.xlsx"
    write_workbook(results, path, inputs=["x.csv"], tool_version="0")
    book = openpyxl.load_workbook(path)
    points = book["各项得分"]
    assert not points.sheet_properties.pageSetUpPr.fitToPage
    assert points.print_title_cols == "$A:$B"
    assert "各项得分" in points.oddHeader.center.text
    assert book["汇总"].sheet_properties.pageSetUpPr.fitToPage
    for sheet in book.worksheets:
        assert_print_style(sheet, header_row=2)

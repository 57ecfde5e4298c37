"""The fill-in form: headers, validations, comments, the rubric explained, and the round trip."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from print_checks import assert_print_style

from inspect_score.checklists.load import load_checklists
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Field, Rubric
from inspect_score.selfcheck.template import (
    BLANK_ROWS,
    column_letter,
    form_headers,
    form_issues,
    load_branch_list,
    rubric_in_words,
    write_form,
    write_form_csv,
)

ROOT = Path(__file__).resolve().parent.parent
STREET = load_rubric(ROOT / "rubrics" / "street-2025-h1.toml")
EN_BASIC = load_rubric(ROOT / "tests" / "data" / "rubrics" / "en-basic.toml")


def _form(tmp_path: Path, rubric: Rubric, branches: list[tuple[str, str]] | None = None) -> Path:
    path = tmp_path / "form.xlsx"
    write_form(rubric, path, branches or [])
    return path


def test_headers_are_branch_columns_then_every_field_label(tmp_path: Path) -> None:
    """Row 1 holds 编号, 名称 and each field's label, in rubric order."""
    sheet = openpyxl.load_workbook(_form(tmp_path, STREET)).worksheets[0]
    expected = ["编号", "名称", *(field.header for field in STREET.fields)]
    assert expected == [cell.value for cell in sheet[1]]


def test_every_typed_field_has_a_validation_with_its_bounds(tmp_path: Path) -> None:
    """bool: 是/否 list; choice: its choices; int: whole within min/max; number: decimal."""
    sheet = openpyxl.load_workbook(_form(tmp_path, STREET)).worksheets[0]
    found = {str(rule.sqref).split(":")[0]: rule for rule in sheet.data_validations.dataValidation}
    last = BLANK_ROWS + 1
    for offset, field in enumerate(STREET.fields):
        letter = column_letter(offset + 2)
        if field.type == "text":
            assert f"{letter}2" not in found
            continue
        rule = found[f"{letter}2"]
        assert f"{letter}2:{letter}{last}" == str(rule.sqref)
        if field.type == "bool":
            assert (rule.type, rule.formula1) == ("list", '"是,否"')
        elif field.type == "choice":
            assert ("list", '"' + ",".join(field.choices) + '"') == (rule.type, rule.formula1)
        else:
            kind = "whole" if field.type == "int" else "decimal"
            assert (kind, field.min, field.max) == (
                rule.type, float(rule.formula1), float(rule.formula2))


def test_validations_refuse_wrong_values_with_the_field_as_title(tmp_path: Path) -> None:
    """Each validation shows an input message and stops a wrong value with an error."""
    sheet = openpyxl.load_workbook(_form(tmp_path, STREET)).worksheets[0]
    rules = sheet.data_validations.dataValidation
    assert all(rule.showErrorMessage and rule.showInputMessage for rule in rules)
    titles = {rule.promptTitle for rule in rules}
    assert "三会一课召开次数" in titles


def test_open_bounds_become_one_sided_validations(tmp_path: Path) -> None:
    """An int with only a min (study absences >= 0) gets a greater-or-equal rule."""
    sheet = openpyxl.load_workbook(_form(tmp_path, EN_BASIC)).worksheets[0]
    column = column_letter(2 + [field.id for field in EN_BASIC.fields].index("study_absences"))
    rule = next(rule for rule in sheet.data_validations.dataValidation
                if str(rule.sqref).startswith(f"{column}2"))
    assert (rule.type, rule.operator, rule.formula1) == ("whole", "greaterThanOrEqual", "0")


def test_header_comments_carry_help_and_the_rules_fed(tmp_path: Path) -> None:
    """The comment on a header holds the field's help and every rule that reads the field."""
    sheet = openpyxl.load_workbook(_form(tmp_path, STREET)).worksheets[0]
    comment = sheet["C1"].comment.text
    assert "以会议记录为准" in comment
    assert "三会一课落实" in comment and "15分" in comment
    satisfaction = column_letter(2 + [field.id for field in STREET.fields].index("satisfaction"))
    text = sheet[f"{satisfaction}1"].comment.text
    assert "群众满意度低于60%" in text and "良好" in text


def test_the_second_sheet_explains_the_rubric_in_words(tmp_path: Path) -> None:
    """Sections, items with points, bonus cap, penalty, vetoes, grades and policies."""
    book = openpyxl.load_workbook(_form(tmp_path, STREET))
    sheet = book.worksheets[1]
    text = "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
                     if cell)
    assert sheet.title == "考评细则说明"
    for needle in ("组织建设（35分）", "三会一课落实（15分）", "加分项（合计最多加5分）",
                   "每人次扣5分，最多扣10分", "等次不高于不合格", "优秀：总分90分以上",
                   "不超过参评单位的20%", "不填的该项不计分", "取平均分", "缺一项扣2.5分"):
        assert needle in text


def test_every_rule_is_put_in_words_in_english() -> None:
    """Each of the seven rules of the English rubric is explained in English."""
    text = "\n".join(line for _, line in rubric_in_words(EN_BASIC))
    for needle in ("points in proportion to Meetings held out of Meetings required",
                   "4 points from 1", "if Dues paid on time is yes", "complete 20",
                   "10 points off for each not met", "2 points off per Study absences",
                   "2 points per Service events, up to 10", "Bonus (at most 3 points in all)",
                   "5 points off per Discipline cases", "no better than fail",
                   "at most 25% of the branches"):
        assert needle in text


def test_branches_are_prefilled(tmp_path: Path) -> None:
    """--branches fills in ids and names, as text."""
    listing = tmp_path / "branches.csv"
    listing.write_text("编号,名称\nSQ01,幸福里社区\n007,东湖社区\n", encoding="utf-8-sig")
    sheet = openpyxl.load_workbook(
        _form(tmp_path, STREET, load_branch_list(listing))).worksheets[0]
    expected = [("SQ01", "幸福里社区"), ("007", "东湖社区")]
    assert expected == [(sheet.cell(row, 1).value, sheet.cell(row, 2).value) for row in (2, 3)]


def test_a_csv_template_has_the_same_header(tmp_path: Path) -> None:
    """--csv writes the header row (UTF-8 with BOM) and the pre-filled branches."""
    path = tmp_path / "form.csv"
    write_form_csv(STREET, path, [("SQ01", "幸福里社区")])
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [form_headers(STREET), ["SQ01", "幸福里社区", *[""] * len(STREET.fields)]] == rows
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def _cell(draw: st.DrawFn, rubric: Rubric, field: Field) -> Any:
    """A value a branch could type or pick (points a ``direct`` item can give, where one
    reads the field); None for a blank where the policy allows one."""
    if rubric.missing_policy(field.id) != "error" and draw(st.integers(0, 4)) == 0:
        return None
    if field.type == "bool":
        return draw(st.sampled_from(("是", "否") if rubric.lang == "zh" else ("yes", "no")))
    if field.type == "choice":
        return draw(st.sampled_from(field.choices))
    low = field.min if field.min is not None else -1000.0
    high = field.max if field.max is not None else 1000.0
    for item in rubric.items:
        if item.rule == "direct" and item.field == field.id:
            low = max(low, -item.max if item.entry == "lost" else 0.0)
            high = min(high, item.max)
    if field.type == "int":
        return draw(st.integers(int(low), int(high)))
    if field.type == "number":
        return draw(st.integers(int(low * 100), int(high * 100))) / 100
    return draw(st.text(st.sampled_from("整改到位按时abc 12"), min_size=1, max_size=8)
                .filter(lambda text: text.strip() != ""))


@st.composite
def filled_forms(draw: st.DrawFn) -> tuple[Rubric, list[dict[str, Any]]]:
    rubric = draw(st.sampled_from((STREET, EN_BASIC, STREET_2, BASIC_2)))
    count = draw(st.integers(1, 5))
    return rubric, [{"id": f"SQ{index:02d}", "name": f"第{index}社区",
                     **{field.id: _cell(draw, rubric, field) for field in rubric.fields}}
                    for index in range(count)]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filled_forms())
def test_a_filled_form_loads_back_through_the_checklist_loader(
    tmp_path: Path, filled: tuple[Rubric, list[dict[str, Any]]]
) -> None:
    """Values typed into the form come back from load_checklists exactly as typed."""
    rubric, records = filled
    path = tmp_path / "filled.xlsx"
    write_form(rubric, path, [])
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row, record in enumerate(records, start=2):
        sheet.cell(row, 1, record["id"])
        sheet.cell(row, 2, record["name"])
        for offset, field in enumerate(rubric.fields):
            if record[field.id] is not None:
                sheet.cell(row, offset + 3, record[field.id])
    book.save(path)
    frame = load_checklists(rubric, [path]).frame
    assert [record["id"] for record in records] == frame["branch_id"].tolist()
    yes = {"是", "yes"}
    for field in rubric.fields:
        typed = [record[field.id] for record in records]
        loaded = frame[field.id].tolist()
        for wrote, read in zip(typed, loaded, strict=True):
            if wrote is None:
                assert read is None or (isinstance(read, float) and math.isnan(read))
            elif field.type == "bool":
                assert float(wrote in yes) == read
            elif field.type in ("int", "number"):
                assert np.isclose(float(wrote), read)
            else:
                assert str(wrote).strip() == read


def test_a_changed_header_is_reported_with_its_cell(tmp_path: Path) -> None:
    """A header typed over in the form is named by its cell and the header expected."""
    path = _form(tmp_path, STREET)
    book = openpyxl.load_workbook(path)
    book.worksheets[0]["D1"] = "应开会议"
    book.save(path)
    issues = form_issues(STREET, path)
    expected = [("form-header-changed", 1, "应开会议")]
    assert expected == [(issue.code, issue.row, issue.column) for issue in issues]
    assert "D1" in issues[0].message and "三会一课应开次数" in issues[0].message


def test_a_removed_column_is_reported_with_its_cell(tmp_path: Path) -> None:
    """A column deleted from the form is reported at the cell where it belongs."""
    path = _form(tmp_path, STREET)
    book = openpyxl.load_workbook(path)
    book.worksheets[0].delete_cols(5)
    book.save(path)
    issues = form_issues(STREET, path)
    assert [(i.code, i.column) for i in issues] == [("form-column-removed", "后备干部人数")]
    assert "E1" in issues[0].message


def test_a_cleared_column_is_named_by_its_own_cell(tmp_path: Path) -> None:
    """A column emptied of header and cells (nothing left in it to read) is reported at its
    cell, D1, not taken for the changed header that follows it: the sheet's own columns count,
    not the columns that hold something."""
    path = _form(tmp_path, STREET)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_col=4, max_col=4):
        row[0].value = None
    sheet["E1"] = "后备干部"
    book.save(path)
    issues = form_issues(STREET, path)
    assert (issues[0].code, issues[0].column) == ("form-column-removed", "三会一课应开次数")
    assert "D1" in issues[0].message
    assert all(issue.code != "form-header-changed" or "E1" in issue.message for issue in issues)


def test_other_tables_are_left_to_the_loader(tmp_path: Path) -> None:
    """A table not laid out like the form (headers in another order) raises no form issue."""
    path = tmp_path / "other.csv"
    path.write_text("三会一课召开次数,编号\n12,SQ01\n", encoding="utf-8")
    assert form_issues(STREET, path) == []


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_column_letters(index: int, letter: str) -> None:
    """Columns are named as Excel names them."""
    assert letter == column_letter(index)


def test_the_form_and_the_rubric_explained_are_in_the_print_style(tmp_path: Path) -> None:
    """Both sheets print on A4 landscape with every cell bordered, the header repeated and
    page numbers (the form, too wide to fit one width readably, across pages); the form
    keeps its header on row 1 (its title is in the page header), the rubric explained has a
    title row and names items in Chinese, never by their ids (org, meetings)."""
    book = openpyxl.load_workbook(_form(tmp_path, STREET))
    form, about = book.worksheets
    assert_print_style(form, header_row=1, fitted=False)
    assert "自查自评检查表" in form.oddHeader.center.text
    assert_print_style(about, header_row=2)
    assert about["A1"].value.endswith("说明")
    keys = {row[0] for row in about.iter_rows(min_row=3, values_only=True) if row[0]}
    ids = {item.id for item in STREET.items} | {section.id for section in STREET.sections}
    assert not keys & ids
    assert {"考评部分", "考评项目"} <= keys


STREET_2 = load_rubric(ROOT / "rubrics" / "street-2025-h2.toml")
STARS_2 = load_rubric(ROOT / "rubrics" / "stars-2025-h2.toml")
BASIC_2 = load_rubric(ROOT / "tests" / "data" / "rubrics" / "schema2-basic.toml")
SAMPLE_2 = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def _explained(rubric: Rubric) -> str:
    return "\n".join(f"{key} {text}" for key, text in rubric_in_words(rubric))


def test_schema_2_clauses_are_explained_one_by_one_with_their_problem() -> None:
    """Each clause in words: what it counts, per/points/cap, and the problem as a report
    states it, blanks shown as ×; the item says 扣完为止; a bonus's clauses add."""
    text = _explained(STREET_2)
    for needle in (
        "三会一课（16分）：按5条细则扣分，扣完为止",
        "第2条：党员大会次数不足2次的，每少1次扣2分（问题表述：党员大会少开×次）",
        "第3条：党小组会次数不足6次的，每少1次扣0.5分，本条最多扣3分",
        "第1条：党费按时足额交纳为否的，扣3分（问题表述：党费未按时足额交纳）",
        "第2条：欠缴党费人数每人扣0.5分，本条最多扣3分（问题表述：×名党员欠缴党费）",
        "工作计划总结，每缺一项扣1分（问题表述：缺少××）",
        "获得表彰（最多3分）：按2条细则加分",
        "第2条：获得表彰为市级及以上的，加3分",
        "建立社区网站、建立党员微信群任何一项为是的，加1分，不累计",
        "为民办实事（10分）：考评组直接打分，填写所得分数（0到10分）",
    ):
        assert needle in text


def test_schema_2_applies_if_weights_vetoes_and_quotas_are_explained() -> None:
    """一肩挑 items say where they apply and what others score; a weighted part its share;
    vetoes their action; grades their count quotas, rounding and lower quotas."""
    text = _explained(STREET_2)
    assert ("配备专职党务副书记（6分）：配备专职党务副书记为是的，得6分，否则不得分；"
            "仅适用于书记主任一肩挑的单位；其他单位本项不扣分") in text
    assert "三、民主测评（100分，占30%，计入总分30分）" in text
    assert "基础分 = 各部分得分乘以所占比例后相加" in text
    assert "发生严重违纪违法问题为是时，取消考核资格，不参加排名、不评定等次" in text
    assert "发生重大安全责任事故为是时，总分计0分" in text
    stars = _explained(STARS_2)
    assert "五星：总分90分以上，不超过参评单位的10%，不超过3个（按四舍五入计算名额）" in stars
    assert "二星：总分60分以上；二星及以下不少于参评单位的10%（按四舍五入计算名额）" in stars


def test_the_last_grade_is_the_band_below_the_grade_above_it() -> None:
    """The last grade starts at 0, and "总分0分以上" says nothing: it is stated as below the
    next grade's minimum ("低于", since 以上 counts the minimum itself: "60分以上" is 合格),
    with its own quotas still after it; the others by their minimum."""
    lines = [text for _, text in rubric_in_words(STREET_2)]
    start = lines.index("优秀：总分90分以上，不超过参评单位的20%")
    assert lines[start + 1:start + 4] == ["良好：总分80分以上", "合格：总分60分以上",
                                          "不合格：总分低于60分"]
    assert "一星：总分低于60分" in [text for _, text in rubric_in_words(STARS_2)]
    english = [text for _, text in rubric_in_words(EN_BASIC) if text.startswith("fail")]
    assert english == ["fail: a total below 60"]
    with_quota = attrs.evolve(STARS_2, grades=(*STARS_2.grades[:-1], attrs.evolve(
        STARS_2.grades[-1], min_count=1)))
    assert "一星：总分低于60分；一星及以下不少于1个" in _explained(with_quota)
    alone = attrs.evolve(STARS_2, grades=STARS_2.grades[-1:])
    assert "一星：总分0分以上" in _explained(alone)


def test_schema_2_alternatives_and_points_off_entry_are_explained() -> None:
    """Alternatives name each other and say each branch takes one; a direct item entered as
    points off says how to type it; an uncapped bonus says so."""
    text = _explained(BASIC_2)
    assert "与服务工作为同一项目的不同情形，每个单位只适用其中一项" in text
    assert "仅适用于单位类型为教学的单位；其他单位本项不计分，基础分按比例折算" in text
    assert "填写扣分数（0到40分；扣3分填3或-3）" in text
    uncapped = attrs.evolve(BASIC_2, bonus_cap=math.inf)
    assert "加分项（不设上限）" in _explained(uncapped)
    assert "加分（不超过上限）" not in _explained(uncapped)


def test_schema_2_form_has_one_input_per_field_with_drop_downs_and_bounds(
        tmp_path: Path) -> None:
    """One column per field (reference fields too); bool and choice cells drop down; a
    direct field entered as points off takes -max..max, as points 0..max."""
    sheet = openpyxl.load_workbook(_form(tmp_path, BASIC_2)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == form_headers(BASIC_2)
    found = {str(rule.sqref).split(":")[0]: rule
             for rule in sheet.data_validations.dataValidation}
    ids = [field.id for field in BASIC_2.fields]

    def rule(field_id: str) -> Any:
        return found[f"{column_letter(2 + ids.index(field_id))}2"]

    assert (rule("dual_role").type, rule("dual_role").formula1) == ("list", '"是,否"')
    assert (rule("unit_type").type, rule("unit_type").formula1) == ("list", '"教学,非教学"')
    impression = rule("impression")
    assert impression.type == "decimal"
    assert (float(impression.formula1), float(impression.formula2)) == (-40.0, 40.0)
    teaching = rule("teaching_points")
    assert (float(teaching.formula1), float(teaching.formula2)) == (0.0, 60.0)


def test_schema_2_header_comments_name_the_clause_the_condition_and_reference(
        tmp_path: Path) -> None:
    """A clause field's comment names only its clause; an applies_if field says which item
    it decides; a reference field says it is not scored."""
    sheet = openpyxl.load_workbook(_form(tmp_path, STREET_2)).worksheets[0]
    ids = [field.id for field in STREET_2.fields]

    def comment(field_id: str) -> str:
        return str(sheet[f"{column_letter(2 + ids.index(field_id))}1"].comment.text)

    general = comment("general_meetings")
    assert "用于“三会一课”第2条：党员大会次数不足2次的，每少1次扣2分" in general
    assert "第1条" not in general
    assert ("用于判断“配备专职党务副书记”是否适用：仅适用于书记主任一肩挑的单位"
            in comment("dual_role"))
    assert "仅作参考，不计分" in comment("party_members")
    assert "取消考核资格" in comment("serious_violation")


UNITS_2 = load_rubric(ROOT / "tests" / "data" / "rubrics" / "schema2-units.toml")
#: An ASCII colon, or a space beside Chinese: what a Chinese text never holds (GB/T 9704).
_NOT_CHINESE_PUNCTUATION = re.compile(r":|[\u4e00-\u9fff“”] +[\u4e00-\u9fff“”0-9]"
                                      r"|[0-9] +[\u4e00-\u9fff“”]")


def _form_texts(path: Path) -> list[str]:
    """Every text of a form a clerk reads: header comments, the input and error messages
    of the validations, and the rubric explained."""
    book = openpyxl.load_workbook(path)
    form, about = book.worksheets
    texts = [str(cell.comment.text) for cell in form[1] if cell.comment]
    for rule in form.data_validations.dataValidation:
        texts += [str(rule.prompt), str(rule.error)]
    texts += [str(cell) for row in about.iter_rows(values_only=True) for cell in row if cell]
    return texts


@pytest.mark.parametrize("rubric", [STREET, STREET_2, STARS_2, BASIC_2, UNITS_2],
                         ids=["street-h1", "street-h2", "stars-h2", "schema2-basic", "units"])
def test_a_chinese_form_uses_chinese_punctuation(tmp_path: Path, rubric: Rubric) -> None:
    """Each comment, prompt and line of a Chinese form writes its colons full-width and no
    space beside Chinese: "用于“为民办实事”：…", "从下拉列表中选择：…", "填“是”或“否”"."""
    wrong = [text for text in _form_texts(_form(tmp_path, rubric))
             if _NOT_CHINESE_PUNCTUATION.search(text)]
    assert wrong == []


def test_a_comment_names_the_item_or_clause_it_feeds_in_quotation_marks(tmp_path: Path) -> None:
    """A field's comment says what to type and, for each item or clause it feeds, 用于 that
    item (quoted once, as a sentence quotes a title) or its clause by number."""
    sheet = openpyxl.load_workbook(_form(tmp_path, UNITS_2)).worksheets[0]
    comments = {str(cell.value): str(cell.comment.text) for cell in sheet[1] if cell.comment}
    assert comments["党费按时足额上交"] == ("填“是”或“否”\n"
                                      "用于“班子建设”第3条：党费按时足额上交为否的，扣3分")
    assert comments["居民满意率"] == (
        "填数字，0到100\n用于“居民满意度”：按居民满意率与100%之比计分，达到100%得满分80分\n"
        "居民满意率过低：居民满意率低于60%时，等次不高于合格")
    street = openpyxl.load_workbook(_form(tmp_path, STREET_2)).worksheets[0]
    choice = next(str(cell.comment.text) for cell in street[1] if cell.value == "获得表彰")
    assert choice.startswith("从下拉列表中选择：无、区级、市级及以上\n")


def test_a_schema_2_form_filled_with_the_sample_scores_as_the_sample(tmp_path: Path) -> None:
    """The second-half sample typed into the form (是/否 as picked, numbers as numbers) reads
    back through the real loader and scores exactly as the sample CSV does."""
    from inspect_score.scoring.score import score

    rows = list(csv.reader(SAMPLE_2.read_text(encoding="utf-8-sig").splitlines()))
    # the sample's 期间 column says the run's period, not a field: the form leaves it out
    period = rows[0].index("期间")
    rows = [row[:period] + row[period + 1:] for row in rows]
    path = _form(tmp_path, STREET_2, [(row[0], row[1]) for row in rows[1:]])
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == rows[0]
    for number, row in enumerate(rows[1:], start=2):
        for column, value in enumerate(row[2:], start=3):
            if value != "":
                typed: Any = value
                if STREET_2.fields[column - 3].type in ("int", "number"):
                    typed = float(value)
                sheet.cell(number, column, typed)
    book.save(path)
    from_form = score(STREET_2, load_checklists(STREET_2, [path]))
    from_sample = score(STREET_2, load_checklists(STREET_2, [SAMPLE_2]))
    assert from_form.branches["total"].tolist() == from_sample.branches["total"].tolist()
    assert from_form.points.equals(from_sample.points)
    assert from_form.clauses.equals(from_sample.clauses)


@pytest.mark.parametrize("name", ["street-2025-h1", "street-2025-h2"])
def test_a_wide_form_prints_across_pages_at_full_size(tmp_path: Path, name: str) -> None:
    """A form too wide for one A4 width at a readable scale (70% or more) is not squeezed
    onto it: it prints at full size, the columns running onto further pages across, each
    repeating 编号 and 名称 and the header row."""
    from inspect_score.outputs.print_style import fit_scale
    from inspect_score.selfcheck.template import form_headers, write_form

    rubric = load_rubric(Path(__file__).parent.parent / "rubrics" / f"{name}.toml")
    write_form(rubric, tmp_path / "form.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "form.xlsx").worksheets[0]
    widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width
              for column in range(1, len(form_headers(rubric)) + 1)]
    assert fit_scale(widths, landscape=True) < 0.7
    properties = sheet.sheet_properties.pageSetUpPr
    assert properties is None or not properties.fitToPage
    assert sheet.print_title_cols == "$A:$B" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9


def test_a_narrow_form_is_fitted_to_one_page_width() -> None:
    """Columns that fit one A4 landscape width at 70% or more keep the one-page-wide fit."""
    from inspect_score.outputs.print_style import fit_scale

    assert fit_scale([10] * 8, landscape=True) >= 0.7
    assert fit_scale([10] * 30, landscape=True) < 0.7

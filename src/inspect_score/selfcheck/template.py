"""The form a branch fills in for its self-check (自查自评), and the rubric in words.

The form has one column per field, headed by the field's label, so that the
normal checklist loader reads a filled form back without any change. Each
header carries a comment with the field's help and the rules it feeds, and
every data cell an Excel data validation (是/否 and choice drop-downs, whole
numbers and decimals within the field's bounds), so that a wrong value cannot
be typed. A second sheet explains the rubric in words.

:func:`form_issues` checks a filled form's header row against the rubric and
names the cell that is wrong, for a header changed or a column removed.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from inspect_score.checklists.cells import cell_text
from inspect_score.checklists.load import (
    TYPO_CUTOFF,
    did_you_mean,
    header_finder,
    header_key,
    missing_column_text,
    typo_text,
)
from inspect_score.checklists.readers import (
    CSV_SUFFIXES,
    SHEET_SUFFIXES,
    HeaderFinder,
    RawTable,
    ReadError,
    csv_headers,
    first_row,
    read_csv,
    read_sheet,
)
from inspect_score.checklists.table import BRANCH_ID
from inspect_score.errors import ChecklistError, Issue
from inspect_score.messages import Message, msg
from inspect_score.outputs import print_style
from inspect_score.outputs.escape import csv_text
from inspect_score.outputs.print_style import DocumentTitle, display_width
from inspect_score.outputs.workbook import PINNED_CREATED
from inspect_score.rubric.model import Clause, Field, Grade, Item, Rubric, Veto
from inspect_score.scoring.labels import labels_for, plain_number
from inspect_score.scoring.rule_words import (
    applies_text,
    cap_text,
    clause_name,
    clause_text,
    quoted,
    rule_text,
)

# explain's vetoes say a condition as the form does, by this name
from inspect_score.scoring.rule_words import describe_condition as describe_condition

#: Rows of the form that carry data validation beyond the pre-filled branches.
BLANK_ROWS = 500
#: Excel's limits: an input message title and body, and a list validation's source.
INPUT_TITLE_LIMIT = 32
INPUT_MESSAGE_LIMIT = 255
LIST_SOURCE_LIMIT = 255
#: Rows of a blank form that are bordered and printed: a page to fill in by hand, not the
#: hundreds of rows that carry validation.
PRINTED_BLANK_ROWS = 20
#: The width of the rubric-explained sheet's text column, in characters: it wraps there.
ABOUT_WIDTH = 90

FORM_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "form": "检查表", "about": "考评细则说明", "id": "编号", "name": "名称",
        "used_by_clause": "用于{clause}：{rule}", "used_by_item": "用于{item}：{rule}",
        "key": "项目", "content": "内容",
        "section_key": "考评部分", "item_key": "考评项目", "bonus_key": "加分项",
        "penalty_key": "直接扣分", "veto_key": "一票否决", "about_title": "说明",
        "form_title": "自查自评检查表",
        "rubric": "考评细则", "version": "版本", "total": "基础分满分",
        "section": "{title}（{max}分）", "item": "{title}（{max}分）：{rule}",
        "bonus_head": "加分项（合计最多加{cap}分）", "bonus": "{title}（最多{max}分）：{rule}",
        "penalty_head": "直接扣分（从总分中扣除）", "penalty": "{title}（最多扣{max}分）：{rule}",
        "veto_head": "一票否决", "veto": "{title}：{condition}时，等次不高于{grade}",
        # 以上 counts the number itself (民法典第1259条): the last grade is below the next
        # one's minimum, never "60分以下", which 合格's "60分以上" holds too
        "grade_head": "等次", "grade": "{name}：总分{min}分以上",
        "grade_last": "{name}：总分低于{above}分",
        "quota": "，不超过参评单位的{share}%",
        "total_rule": "总分 = 基础分 + 加分（不超过上限）− 扣分，最低0分；"
                      "分数按四舍五入保留{precision}位小数",
        "missing": "漏填", "missing_fields": "{fields}：{rule}",
        "missing_error": "必须填写，漏填的检查表退回补填",
        "missing_zero": "可以不填，不填按0（否）计",
        "missing_na": "可以不填，不填的该项不计分，基础分按比例折算",
        "raters": "多名检查人员打分", "raters_mean": "取平均分", "raters_median": "取中位数",
        "raters_trimmed_mean": "去掉最高分和最低分各{trim}个后取平均分",
        "bool_hint": "填“是”或“否”", "choice_hint": "从下拉列表中选择：{choices}",
        "int_hint": "填整数", "number_hint": "填数字", "range": "，{low}到{high}",
        "at_least": "，不小于{low}", "at_most": "，不大于{high}",
        # schema 2
        "clause": "第{number}条：{rule}", "problem": "（问题表述：{problem}）",
        "clause_cap": "，本条{cap}",
        "applies_if": "仅适用于{condition}的单位",
        "clause_applies": "{applies}，{rule}", "clause_otherwise": "其他单位本条不扣分",
        "clause_otherwise_bonus": "其他单位本条不加分",
        "otherwise_full": "其他单位本项不扣分",
        "otherwise_full_bonus": "其他单位本项不加分",
        "otherwise_na": "其他单位本项不计分，基础分按比例折算",
        "otherwise_zero": "其他单位本项不得分",
        "otherwise_zero_bonus": "其他单位本项不加分",
        "otherwise_full_penalty": "其他单位本项不扣分",
        "otherwise_zero_penalty": "其他单位本项不扣分",
        "otherwise_na_bonus": "其他单位本项不计",
        "otherwise_na_penalty": "其他单位本项不计",
        "group": "与{others}为同一项目的不同情形，每个单位只适用其中一项",
        "weighted_section": "{title}（{max}分，占{weight}%，计入总分{counted}分）",
        "bonus_head_uncapped": "加分项（不设上限）",
        "veto_zero": "{title}：{condition}时，总分计0分",
        "veto_exclude": "{title}：{condition}时，{label}，不参加排名、不评定等次",
        "no_grades": "本细则只计分，不评定等次",
        "count_quota": "，不超过{count}个", "quota_nearest": "（按四舍五入计算名额）",
        "quota_up": "（名额按进一法计算）",
        "min_quota": "；{name}及以下不少于参评单位的{share}%",
        "min_count_quota": "；{name}及以下不少于{count}个",
        "total_rule_2": "总分 = 基础分 + 加分{capped} − 扣分，最低0分；"
                        "分数按四舍五入保留{precision}位小数",
        "capped": "（不超过上限）",
        "weighted_base": "基础分 = 各部分得分乘以所占比例后相加",
        "reference_hint": "仅作参考，不计分",
        "applies_field": "用于判断{title}是否适用：{where}",
        "direct_hint": "填写所得分数，0到{max}",
        "direct_lost_hint": "填写扣分数，0到{max}（扣3分填3或-3）",
    },
    "en": {
        "form": "Checklist", "about": "Rubric explained", "id": "branch_id", "name": "branch_name",
        "used_by_clause": "Used by {clause}: {rule}", "used_by_item": "Used by {item}: {rule}",
        "key": "Item", "content": "Content",
        "section_key": "Section", "item_key": "Item", "bonus_key": "Bonus",
        "penalty_key": "Penalty", "veto_key": "Veto", "about_title": ", explained",
        "form_title": "Self-check form",
        "rubric": "Rubric", "version": "Version", "total": "Base full mark",
        "section": "{title} ({max} points)", "item": "{title} ({max} points): {rule}",
        "bonus_head": "Bonus (at most {cap} points in all)",
        "bonus": "{title} (up to {max} points): {rule}",
        "penalty_head": "Penalties (taken off the total)",
        "penalty": "{title} (up to {max} points off): {rule}",
        "veto_head": "Vetoes",
        "veto": "{title}: when {condition}, the grade is no better than {grade}",
        "grade_head": "Grades", "grade": "{name}: a total of {min} or more",
        "grade_last": "{name}: a total below {above}",
        "quota": ", at most {share}% of the branches",
        "total_rule": "total = base + bonus (up to the cap) - penalties, never below 0; "
                      "points rounded half up to {precision} decimals",
        "missing": "Blank values", "missing_fields": "{fields}: {rule}",
        "missing_error": "required; a checklist with blanks is returned",
        "missing_zero": "may be left blank, counting as 0 (no)",
        "missing_na": "may be left blank; the item is then not scored and the base is rescaled",
        "raters": "Several raters", "raters_mean": "the mean", "raters_median": "the median",
        "raters_trimmed_mean": "the mean after dropping the {trim} highest and lowest",
        "bool_hint": "yes or no", "choice_hint": "pick from the list: {choices}",
        "int_hint": "a whole number", "number_hint": "a number", "range": " from {low} to {high}",
        "at_least": ", at least {low}", "at_most": ", at most {high}",
        # schema 2
        "clause": "clause {number}: {rule}", "problem": " (stated as: {problem})",
        "clause_cap": ", {cap} by this clause",
        "applies_if": "applies only to branches where {condition}",
        "clause_applies": "{applies}: {rule}",
        "clause_otherwise": "other branches lose nothing by this clause",
        "clause_otherwise_bonus": "other branches gain nothing by this clause",
        "otherwise_full": "other branches lose nothing here",
        "otherwise_full_bonus": "other branches gain nothing here",
        "otherwise_na": "other branches are not scored here; the base is rescaled",
        "otherwise_zero": "other branches get no points here",
        "otherwise_zero_bonus": "other branches gain nothing here",
        "otherwise_full_penalty": "other branches lose nothing here",
        "otherwise_zero_penalty": "other branches lose nothing here",
        "otherwise_na_bonus": "not counted for other branches",
        "otherwise_na_penalty": "not counted for other branches",
        "group": "one of the cases of one item with {others}: each branch takes exactly one",
        "weighted_section": "{title} ({max} points, weighing {weight}%: "
                            "{counted} toward the total)",
        "bonus_head_uncapped": "Bonus (no cap)",
        "veto_zero": "{title}: when {condition}, the total is 0",
        "veto_exclude": "{title}: when {condition}, {label}: not ranked, no grade",
        "no_grades": "this rubric scores only; it gives no grades",
        "count_quota": ", at most {count} branches", "quota_nearest": " (places rounded half up)",
        "quota_up": " (places rounded up)",
        "min_quota": "; at least {share}% of the branches get {name} or lower",
        "min_count_quota": "; at least {count} branches get {name} or lower",
        "total_rule_2": "total = base + bonus{capped} - penalties, never below 0; "
                        "points rounded half up to {precision} decimals",
        "capped": " (up to the cap)",
        "weighted_base": "base = the sum of each part's points times its weight",
        "reference_hint": "for reference only, not scored",
        "applies_field": "decides whether \"{title}\" applies: {where}",
        "direct_hint": "the points given, 0 to {max}",
        "direct_lost_hint": "the points off, 0 to {max} (3 or -3 for 3 off)",
    },
}


def words(rubric: Rubric) -> dict[str, str]:
    return FORM_WORDS[rubric.lang]


def form_headers(rubric: Rubric) -> list[str]:
    """The form's header row: branch id, branch name, then each field's label."""
    said = words(rubric)
    return [said["id"], said["name"], *(field.header for field in rubric.fields)]


# --- the rubric in words -----------------------------------------------------------


def describe_rule(rubric: Rubric, item: Item) -> str:
    """How the item earns (or, for a penalty, takes) points, in the rubric's language, with
    the item's note; a ``clauses`` item's clauses are listed one by one
    (:func:`describe_clause`)."""
    text = rule_text(rubric, item)
    return f"{text}（{item.note}）" if item.note and rubric.lang == "zh" else (
        f"{text} ({item.note})" if item.note else text)


def describe_clause(rubric: Rubric, item: Item, clause: Clause) -> str:
    """One clause in words: what it counts, what it costs (or gains), its cap, and the
    problem as the findings will state it ("支委会少开×次")."""
    said = words(rubric)
    text = clause_text(rubric, item, clause)
    if clause.cap is not None:
        text += said["clause_cap"].format(cap=cap_text(rubric, item, clause))
    if clause.applies_if is not None:
        # "书记、主任一肩挑的社区未配备专职党务副书记的扣3分": where, then the fault
        applies = said["applies_if"].format(condition=applies_text(rubric, clause.applies_if))
        text = said["clause_applies"].format(applies=applies, rule=text)
    if clause.problem:
        text += said["problem"].format(problem=problem_shown(rubric, item, clause.problem))
    return text


def describe_clause_applies(rubric: Rubric, item: Item, clause: Clause) -> str:
    """Where the clause counts and what it costs elsewhere: "仅适用于书记主任一肩挑的单位；
    其他单位本条不扣分"; "" for a clause that counts everywhere."""
    if clause.applies_if is None:
        return ""
    said = words(rubric)
    separator = "；" if rubric.lang == "zh" else "; "
    otherwise = "clause_otherwise_bonus" if item.kind == "bonus" else "clause_otherwise"
    return (said["applies_if"].format(condition=applies_text(rubric, clause.applies_if))
            + separator + said[otherwise])


def problem_shown(rubric: Rubric, item: Item, problem: str) -> str:
    """A problem text with its placeholders as a blank form shows them: "党员大会少开×次"."""
    blank = "×" if rubric.lang == "zh" else "N"
    shown = problem.replace("{title}", item.title).replace("{missing}", blank * 2)
    for name in ("value", "short", "lost"):
        shown = shown.replace("{" + name + "}", blank)
    return shown


def describe_applies(rubric: Rubric, item: Item) -> str:
    """Where the item applies and what it scores elsewhere: "仅适用于书记主任一肩挑的单位；
    其他单位本项不扣分"; "" for an item that applies everywhere."""
    if item.applies_if is None:
        return ""
    said = words(rubric)
    where = applies_text(rubric, item.applies_if)
    otherwise = f"otherwise_{item.otherwise}"
    if item.kind != "indicator":
        otherwise += f"_{item.kind}"
    separator = "；" if rubric.lang == "zh" else "; "
    return said["applies_if"].format(condition=where) + separator + said[otherwise]


def describe_item(rubric: Rubric, item: Item) -> str:
    """The item's rule, then (schema 2) where it applies and the alternatives it is one of."""
    said = words(rubric)
    separator = "；" if rubric.lang == "zh" else "; "
    texts = [describe_rule(rubric, item), describe_applies(rubric, item)]
    if item.group is not None:
        others = [other.title for other in rubric.indicators
                  if other.group == item.group and other.section == item.section
                  and other.id != item.id]
        texts.append(said["group"].format(
            others=labels_for(rubric.lang).list_separator.join(others)))
    return separator.join(text for text in texts if text)


def rubric_in_words(rubric: Rubric) -> list[tuple[str, str]]:
    """The rubric explained, as (heading, text) rows: sections, items (and their clauses),
    bonus, penalty, vetoes, grades, missing values and raters."""
    said = words(rubric)
    rows: list[tuple[str, str]] = [
        (said["rubric"], rubric.title),
        (said["version"], rubric.version or ""),
        (said["total"], plain_number(rubric.total)),
    ]
    for section in rubric.sections:
        rows.append(("", ""))
        if section.weight != 1:
            heading = said["weighted_section"].format(
                title=section.title, max=plain_number(section.max),
                weight=plain_number(round(section.weight * 100, 6)),
                counted=plain_number(round(section.max * section.weight, 6)))
        else:
            heading = said["section"].format(title=section.title, max=plain_number(section.max))
        rows.append((said["section_key"], heading))
        for item in rubric.indicators:
            if item.section == section.id:
                rows.append((said["item_key"], said["item"].format(
                    title=item.title, max=plain_number(item.max),
                    rule=describe_item(rubric, item))))
                rows += _clause_rows(rubric, item)
    if rubric.bonuses:
        head = (said["bonus_head"].format(cap=plain_number(rubric.bonus_cap))
                if rubric.bonus_capped else said["bonus_head_uncapped"])
        rows += [("", ""), ("", head)]
        for item in rubric.bonuses:
            rows.append((said["bonus_key"], said["bonus"].format(title=item.title,
                                                       max=plain_number(item.max),
                                                       rule=describe_item(rubric, item))))
            rows += _clause_rows(rubric, item)
    if rubric.penalties:
        rows += [("", ""), ("", said["penalty_head"])]
        for item in rubric.penalties:
            rows.append((said["penalty_key"], said["penalty"].format(title=item.title,
                                                         max=plain_number(item.max),
                                                         rule=describe_item(rubric, item))))
            rows += _clause_rows(rubric, item)
    if rubric.vetoes:
        rows += [("", ""), ("", said["veto_head"])]
        rows += [(said["veto_key"], describe_veto(rubric, veto)) for veto in rubric.vetoes]
    rows += [("", ""), ("", said["grade_head"])]
    if not rubric.grades:
        rows.append(("", said["no_grades"]))
    rows += [("", describe_grade(rubric, grade)) for grade in rubric.grades]
    rows.append(("", ""))
    if rubric.schema == 2:
        capped = said["capped"] if rubric.bonus_capped and rubric.bonuses else ""
        rows.append(("", said["total_rule_2"].format(precision=rubric.precision,
                                                     capped=capped)))
    else:
        rows.append(("", said["total_rule"].format(precision=rubric.precision)))
    if any(section.weight != 1 for section in rubric.sections):
        rows.append(("", said["weighted_base"]))
    for policy in ("error", "zero", "na"):
        fields = [field.header for field in rubric.fields
                  if rubric.missing_policy(field.id) == policy]
        if fields:
            joined = labels_for(rubric.lang).list_separator.join(fields)
            rows.append((said["missing"], said["missing_fields"].format(
                fields=joined, rule=said["missing_" + policy])))
    rows.append((said["raters"], said["raters_" + rubric.raters].format(trim=rubric.trim)))
    return rows


def _clause_rows(rubric: Rubric, item: Item) -> list[tuple[str, str]]:
    said = words(rubric)
    return [("", said["clause"].format(number=number, rule=describe_clause(rubric, item, clause)))
            for number, clause in enumerate(item.clauses, start=1)]


def describe_veto(rubric: Rubric, veto: Veto) -> str:
    """A veto in words, by its action: a grade cap, a total of 0, or 取消资格."""
    said = words(rubric)
    condition = describe_condition(rubric, veto.field, veto.op, veto.value)
    if veto.action == "cap":
        return said["veto"].format(title=veto.title, grade=veto.grade, condition=condition)
    return said[f"veto_{veto.action}"].format(title=veto.title, condition=condition,
                                               label=veto.label)


def describe_grade(rubric: Rubric, grade: Grade) -> str:
    """A grade's band and quotas: "五星：总分90分以上，不超过参评单位的10%，不超过3个"; the
    last grade (from 0) by the grade above it: "不合格：总分低于60分", not "0分以上"."""
    said = words(rubric)
    at = rubric.grades.index(grade)
    if at > 0 and at == len(rubric.grades) - 1 and grade.min == 0:
        text = said["grade_last"].format(name=grade.name,
                                         above=plain_number(rubric.grades[at - 1].min))
    else:
        text = said["grade"].format(name=grade.name, min=plain_number(grade.min))
    if grade.max_share is not None:
        text += said["quota"].format(share=plain_number(round(grade.max_share * 100, 6)))
    if grade.max_count is not None:
        text += said["count_quota"].format(count=grade.max_count)
    if grade.min_share is not None:
        text += said["min_quota"].format(name=grade.name,
                                         share=plain_number(round(grade.min_share * 100, 6)))
    if grade.min_count is not None:
        text += said["min_count_quota"].format(name=grade.name, count=grade.min_count)
    quotas = (grade.max_share, grade.max_count, grade.min_share, grade.min_count)
    if grade.quota_rounding != "down" and any(quota is not None for quota in quotas):
        text += said[f"quota_{grade.quota_rounding}"]
    return text


def direct_item(rubric: Rubric, field: Field) -> Item | None:
    """The ``direct`` item whose points (or points off) the field's cells hold, if any."""
    return next((item for item in rubric.items
                 if item.rule == "direct" and item.field == field.id), None)


def field_bounds(rubric: Rubric, field: Field) -> tuple[float | None, float | None]:
    """What a cell may hold: the field's bounds, narrowed for a ``direct`` field to
    what its item accepts (0..max; -max..max where it holds the points off)."""
    low, high = field.min, field.max
    item = direct_item(rubric, field)
    if item is not None:
        least = -item.max if item.entry == "lost" else 0.0
        low = least if low is None else max(low, least)
        high = item.max if high is None else min(high, item.max)
    return low, high


def field_hint(rubric: Rubric, field: Field) -> str:
    """What a cell of the field takes: the kind of value and its bounds."""
    said = words(rubric)
    hint = _value_hint(rubric, field)
    item = direct_item(rubric, field)
    if item is not None:
        key = "direct_lost_hint" if item.entry == "lost" else "direct_hint"
        hint = said[key].format(max=plain_number(item.max))
    if field.reference:
        separator = "；" if rubric.lang == "zh" else "; "
        hint = separator.join(text for text in (hint, said["reference_hint"]) if text)
    return hint


def _value_hint(rubric: Rubric, field: Field) -> str:
    said = words(rubric)
    if field.type == "bool":
        return said["bool_hint"]
    if field.type == "choice":
        return said["choice_hint"].format(
            choices=labels_for(rubric.lang).list_separator.join(field.choices))
    if field.type not in ("int", "number"):
        return ""
    hint = said[f"{field.type}_hint"]
    low = plain_number(field.min) if field.min is not None else None
    high = plain_number(field.max) if field.max is not None else None
    if low is not None and high is not None:
        return hint + said["range"].format(low=low, high=high)
    if low is not None:
        return hint + said["at_least"].format(low=low)
    if high is not None:
        return hint + said["at_most"].format(high=high)
    return hint


def field_comment(rubric: Rubric, field: Field) -> str:
    """The header comment: help, the kind of value, and every rule the field feeds."""
    said = words(rubric)
    lines = [line for line in (field.help, field_hint(rubric, field)) if line]
    for item in rubric.items:
        # a title as a sentence quotes it: 用于“为民办实事”：…
        title = quoted(item.title) if rubric.lang == "zh" else item.title
        if item.rule == "clauses":
            # only the clauses that read the field: the others say nothing about this cell
            for number, clause in enumerate(item.clauses, start=1):
                if field.id in clause.input_fields:
                    lines.append(said["used_by_clause"].format(
                        clause=clause_name(item.title, number, rubric.lang),
                        rule=describe_clause(rubric, item, clause)))
        elif field.id in item.input_fields:
            lines.append(said["used_by_item"].format(item=title,
                                                     rule=describe_rule(rubric, item)))
        if item.applies_if is not None and item.applies_if.field == field.id:
            lines.append(said["applies_field"].format(title=title,
                                                      where=describe_applies(rubric, item)))
        for number, clause in enumerate(item.clauses, start=1):
            if clause.applies_if is not None and clause.applies_if.field == field.id:
                lines.append(said["applies_field"].format(
                    title=clause_name(item.title, number, rubric.lang),
                    where=describe_clause_applies(rubric, item, clause)))
    for veto in rubric.vetoes:
        if veto.field == field.id:
            lines.append(describe_veto(rubric, veto))
    return "\n".join(lines)


# --- writing forms ------------------------------------------------------------------


def write_form(rubric: Rubric, path: Path, branches: Sequence[tuple[str, str]] = ()) -> None:
    """Write the XLSX form: the checklist sheet with validations, then the rubric explained."""
    said = words(rubric)
    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    book.set_properties({"title": rubric.title, "created": PINNED_CREATED})
    formats = print_style.formats(book, rubric.precision)
    # the form's cells take text as typed ("１２", "85%"): the loader parses them
    text_format = book.add_format({"num_format": "@", "border": 1, "valign": "vcenter"})
    sheet = book.add_worksheet(said["form"])
    last_row = len(branches) + BLANK_ROWS
    headers = form_headers(rubric)
    # the header stays on the first row, where the loader reads it back: the title goes
    # in the printed page's header
    widths = [min(max(display_width(header) + 2, 10), 40) for header in headers]
    for offset, field in enumerate(rubric.fields):
        if field.type == "text":
            widths[offset + 2] = 30
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.set_row(0, print_style.header_height(headers, widths))
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, formats["header"])
    printed = len(branches) or PRINTED_BLANK_ROWS
    for row in range(1, printed + 1):
        branch = branches[row - 1] if row <= len(branches) else ("", "")
        for column in range(len(headers)):
            value = branch[column] if column < 2 else ""
            if value:
                sheet.write_string(row, column, value, text_format)
            else:
                sheet.write_blank(row, column, None, text_format)
    for offset, field in enumerate(rubric.fields):
        column = offset + 2
        comment = field_comment(rubric, field)
        if comment:
            sheet.write_comment(0, column, comment, {"x_scale": 3, "y_scale": 3})
        validation = _validation(rubric, field, comment)
        if validation is not None:
            sheet.data_validation(1, column, last_row, column, validation)
    sheet.freeze_panes(1, 2)
    title = DocumentTitle(subject=rubric.subject or rubric.title)
    # squeezed onto one width the cells would be too small to write in by hand: a wide form
    # runs on over further pages across, each page repeating 编号 and 名称
    print_style.page_setup(sheet, header_rows=0, last_row=printed,
                           last_column=len(headers) - 1, lang=rubric.lang, widths=widths,
                           key_columns=2)
    sheet.set_header("&C&14&B" + _escape_header(title.subject or "") + said["form_title"],
                     {"margin": 0.3})
    sheet.set_margins(**{**print_style.MARGINS, "top": 1.0})

    about = book.add_worksheet(said["about"])
    # the rubric explained is titled by the rubric itself ("…考评细则说明")
    print_style.write_title(about, formats, rubric.title + said["about_title"], 1)
    about.set_column(0, 0, 12)
    about.set_column(1, 1, ABOUT_WIDTH)
    about.set_row(1, print_style.header_height([said["key"], said["content"]], [12, 90]))
    about.write_string(1, 0, said["key"], formats["header"])
    about.write_string(1, 1, said["content"], formats["header"])
    explained = rubric_in_words(rubric)
    for row, (key, text) in enumerate(explained, start=2):
        lines = max(print_style.lines_needed(text, ABOUT_WIDTH) if text else 1,
                    print_style.lines_needed(key, 12) if key else 1)
        if (height := print_style.row_height(lines)) is not None:
            about.set_row(row, height)
        about.write_string(row, 0, key, formats["wrap"])
        about.write_string(row, 1, text, formats["wrap"])
    about.freeze_panes(2, 0)
    print_style.page_setup(about, header_rows=1, last_row=1 + len(explained), last_column=1,
                           lang=rubric.lang)
    book.close()


def _escape_header(text: str) -> str:
    """Text for a page header: "&" is Excel's code character."""
    return text.replace("&", "&&")


def _validation(rubric: Rubric, field: Field, comment: str) -> dict[str, Any] | None:
    """The Excel data validation that keeps wrong values out of a field's cells."""
    labels = labels_for(rubric.lang)
    rule: dict[str, Any]
    if field.type == "bool":
        rule = {"validate": "list", "source": [labels.yes, labels.no]}
    elif field.type == "choice":
        rule = {"validate": "list", "source": list(field.choices)}
        if len(",".join(field.choices)) > LIST_SOURCE_LIMIT:
            return None  # Excel refuses longer lists; the loader still checks the choices
    elif field.type in ("int", "number"):
        kind = "integer" if field.type == "int" else "decimal"
        # an int field's bounds are written as whole numbers: Excel shows them as typed
        low, high = (_bound(field, bound) for bound in field_bounds(rubric, field))
        if low is not None and high is not None:
            rule = {"validate": kind, "criteria": "between", "minimum": low, "maximum": high}
        elif low is not None:
            rule = {"validate": kind, "criteria": ">=", "value": low}
        elif high is not None:
            rule = {"validate": kind, "criteria": "<=", "value": high}
        else:
            rule = {"validate": kind, "criteria": "between",
                    "minimum": -1e15, "maximum": 1e15}
    else:
        return None
    rule["input_title"] = _clip(field.header, INPUT_TITLE_LIMIT)
    rule["input_message"] = _clip(comment or field_hint(rubric, field), INPUT_MESSAGE_LIMIT)
    rule["error_title"] = _clip(field.header, INPUT_TITLE_LIMIT)
    rule["error_message"] = _clip(field_hint(rubric, field), INPUT_MESSAGE_LIMIT)
    rule["ignore_blank"] = True
    return rule


def _bound(field: Field, value: float | None) -> float | int | None:
    if value is None or field.type != "int":
        return value
    return int(value)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_form_csv(rubric: Rubric, path: Path, branches: Sequence[tuple[str, str]] = ()) -> None:
    """Write the CSV form: UTF-8 with a byte-order mark, so that Excel opens it right."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(form_headers(rubric))
        blanks = [""] * len(rubric.fields)
        for branch_id, name in branches:
            # ids and names come from the branch list: never a formula in Excel
            writer.writerow([csv_text(branch_id), csv_text(name), *blanks])


# --- reading branch lists and checking forms ------------------------------------------


def _header_row(path: Path, find_header: HeaderFinder = first_row) -> RawTable:
    """A table (XLSX or CSV) read whole, its header where ``find_header`` finds it."""
    shown = str(path)
    suffix = path.suffix.lower()
    if suffix in SHEET_SUFFIXES:
        return read_sheet(path, shown, None, find_header)
    if suffix in CSV_SUFFIXES:
        head, encoding = csv_headers(path, shown, None, find_header)
        return read_csv(path, shown, head, encoding, user_encoding=False,
                        text_columns=range(len(head.headers)))
    raise ReadError(Issue("not-a-table", msg("expected a .csv or .xlsx file"), shown))


def load_branch_list(path: Path) -> list[tuple[str, str]]:
    """Branch ids and names from a CSV or XLSX with branch_id/编号 and branch_name/名称 columns."""
    try:
        table = _header_row(path)
    except ReadError as error:
        raise ChecklistError([error.issue]) from None
    headers = table.headers
    keys = [header_key(header) for header in headers]
    id_at = next((keys.index(key) for key in ("branch_id", "编号") if key in keys), None)
    name_at = next((keys.index(key) for key in ("branch_name", "名称") if key in keys), None)
    if id_at is None:
        raise ChecklistError([Issue("missing-column", msg("no branch_id (编号) column"), str(path),
                                    row=1, column="branch_id")])
    ids = _texts(table.columns[id_at])
    names = _texts(table.columns[name_at]) if name_at is not None else [""] * len(ids)
    return [(branch_id, name) for branch_id, name in zip(ids, names, strict=True) if branch_id]


def _texts(column: Any) -> list[str]:
    return [cell_text(value) for value in column.tolist()]


def column_letter(index: int) -> str:
    """Excel's name of a 0-based column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _changed_header(rubric: Rubric, index: int, column: int, found: str, expected: str,
                    cell: str) -> Message | None:
    """A form's header changed (the ``index``-th expected, in ``column``, A = 1): a typo
    of the id or a field's header is said in the loader's words, as `run` says it
    (None: no typo, the header is simply another)."""
    if difflib.SequenceMatcher(None, header_key(found), header_key(expected)).ratio() \
            < TYPO_CUTOFF:
        return None
    if index == 1:  # the name column, which the loader does not require
        return msg("cell {cell} reads {headers!r}: {question}", cell=cell, headers=found,
                   question=did_you_mean(expected))
    target = BRANCH_ID if index == 0 else rubric.fields[index - 2].id
    return msg("{missing}; {typo}", missing=missing_column_text(rubric, target),
               typo=typo_text(column, found, expected))


def form_issues(rubric: Rubric, path: Path) -> list[Issue]:
    """A filled form's header row against the rubric: each changed header or removed column,
    named by its cell ("C1"). Tables that are not laid out as forms are left to the loader."""
    try:
        table = _header_row(path, header_finder(rubric))
    except ReadError:
        return []  # the loader reports unreadable files
    headers, row = table.headers, table.header_row
    # the sheet's column (A = 1) of each header: a workbook's empty columns are not read
    numbers = [table.column_number(position) for position in range(len(headers))]
    expected = form_headers(rubric)
    accepted = [{header_key(expected[0]), "branch_id", "编号"},
                {header_key(expected[1]), "branch_name", "名称"}]
    accepted += [{header_key(field.id), header_key(field.header)} for field in rubric.fields]
    found = [header_key(header) for header in headers]
    present = set(found)
    if sum(1 for keys in accepted if keys & present) * 2 < len(expected):
        return []
    known = set().union(*accepted)
    issues: list[Issue] = []
    after = 0  # the file's column (A = 1) of the last expected header found so far
    for index, keys in enumerate(accepted):
        if keys & present:
            after = numbers[next(column for column, key in enumerate(found) if key in keys)]
            continue
        # a missing header belongs right after the previous one found
        cell = f"{column_letter(after)}{row}"
        where = numbers.index(after + 1) if after + 1 in numbers else None
        if where is not None and found[where] not in known and headers[where].strip():
            issues.append(Issue(
                "form-header-changed",
                _changed_header(rubric, index, numbers[where], headers[where], expected[index],
                                cell)
                or msg("cell {cell} reads {headers!r}; expected the header {expected!r}",
                       cell=cell, headers=headers[where], expected=expected[index]),
                str(path), row=row, column=headers[where]))
            after += 1
        else:
            issues.append(Issue(
                "form-column-removed",
                msg("the column {expected!r} is missing (it belongs at cell {cell}); restore it "
                    "from a new template",
                    expected=expected[index], cell=cell),
                str(path), row=row, column=expected[index]))
    return issues

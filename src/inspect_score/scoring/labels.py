"""The words of the outputs, in each rubric language, and numbers as text.

Every heading, sheet name and finding note the outputs show lives here, once
per language, so that adding a language is adding one :class:`Labels` value.
Note templates use ``{name}`` placeholders; :func:`render` fills them with
whole columns at once (prefix + column + suffix), never one format call per row.

Numbers become text through their distinct values only (:func:`fixed_text`,
:func:`plain_text`): a million branches share a few hundred distinct points, so
formatting those and indexing is what keeps a million-row CSV fast.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs
import numpy as np
import pandas as pd

from inspect_score.rubric.model import Field, Lang, Op, Rubric, Section
from inspect_score.scoring.plain import plain_decimal, top_weights
from inspect_score.scoring.plain import plain_number as plain_number  # where it lived first
from inspect_score.scoring.rounding import decimal_of


@attrs.frozen
class Labels:
    """Everything the outputs say in one language."""

    yes: str
    no: str
    #: a value left blank (counted as 0 under ``missing = "zero"``)
    blank: str
    #: separator between field labels in a ``share`` note
    list_separator: str
    sheets: Mapping[str, str]
    #: workbook and terminal headings
    headings: Mapping[str, str]
    #: what a ``check`` condition expects, before the expected value
    expectations: Mapping[Op, str]
    #: finding notes by rule (indicators), ``penalty_*`` for penalties, and ``veto``; as
    #: schema 1 has always written them (its golden findings keep them)
    notes: Mapping[str, str]
    #: schema 2's notes where they differ from ``notes``, as an official document writes
    #: (GB/T 9704): no space between Chinese and a number, a value stated by ``value_is``
    #: ("报到率为82.5%", "会议次数未填"), a percentage with its "%"
    notes_2: Mapping[str, str]
    #: schema 2's expectations of a ``check``, and of one on a percentage ("应不低于90%")
    expectations_2: Mapping[Op, str]
    percent_expectations_2: Mapping[Op, str]
    #: a value stated after its field's label in a schema 2 note (a blank is ``blank``)
    value_is: str
    #: the measure words a count is said in (zh "次", "篇", "人次"): a label ending in one
    #: and 数 ("媒体报道篇数"), or naming one in brackets ("后备干部（名）"), counts in it
    units: tuple[str, ...]
    #: the unit of a count whose label names none
    default_unit: str
    #: the unit a percentage rises and falls in (zh "个百分点")
    percent_unit: str
    truncated: str


ZH = Labels(
    yes="是",
    no="否",
    blank="未填",
    list_separator="、",
    sheets={
        "ranking": "排名",
        "points": "各项得分",
        "findings": "存在问题",
        "summary": "汇总",
        "about": "考评说明",
    },
    headings={
        "number": "序号",
        "branch_id": "编号",
        "branch_name": "名称",
        "bonus": "加分",
        "penalty": "扣分",
        "base": "基础分",
        "total": "总分",
        "rank": "排名",
        "grade": "等次",
        "vetoed": "否决事由",
        "item": "项目",
        "value": "填报值",
        "points": "得分",
        "max": "满分",
        "lost": "失分",
        "note": "计分依据",
        "problem": "存在问题",
        "rectify": "整改要求",
        "mean_points": "平均得分",
        "full_marks": "满分单位数",
        "zero_points": "零分单位数",
        "branches": "参评单位数",
        "grade_branches": "单位数",
        "key": "项目",
        "content": "内容",
        "rubric_id": "细则编号",
        "rubric_title": "细则名称",
        "rubric_version": "细则版本",
        "rubric_sha256": "细则 SHA-256",
        "rubric_source": "细则文件",
        "input": "输入文件",
        "tool": "工具版本",
        "page": "第 &P 页，共 &N 页",
    },
    expectations={
        ">=": "应不少于 ",
        ">": "应多于 ",
        "<=": "应不多于 ",
        "<": "应少于 ",
        "==": "应为 ",
        "!=": "不应为 ",
    },
    notes={
        "check": "{label} {value}，{expectation}",
        "scale": "{label} {value}，应为 {target}，按比例得 {points} 分",
        "deduct": "{label} {value}，每{unit}扣 {per} 分",
        "steps": "{label} {value}，按档次得 {points} 分",
        "choice": "{label}为“{value}”，得 {points} 分",
        "share": "{failed} 未达标（{value}）",
        "count": "{label} {value}，每{unit}得 {per} 分，满分 {max} 分",
        "penalty_count": "{label} {value}，每{unit}扣 {per} 分",
        "penalty": "{label} {value}，扣 {points} 分",
        "veto": "{title}，等次不高于{grade}",
        "veto_zero": "{title}，总分计0分",
        "veto_exclude": "{title}，{label}",
        "direct_points": "{label} {value}，得 {points} 分",
        "direct_lost": "{label} {value}，扣 {lost} 分",
        "problem": "{title}扣{lost}分",
    },
    notes_2={
        "check": "{label}{value_is}，{expectation}",
        "scale": "{label}{value_is}，应为{target}，按比例得{points}分",
        "deduct": "{label}{value_is}，每{unit}扣{per}分",
        "steps": "{label}{value_is}，按档次得{points}分",
        "choice": "{label}为“{value}”，得{points}分",
        "share": "{failed}未达标（{value}）",
        "count": "{label}{value_is}，每{unit}得{per}分，满分{max}分",
        "penalty_count": "{label}{value_is}，每{unit}扣{per}分",
        "penalty": "{label}{value_is}，扣{points}分",
        "direct_points": "{label}{value_is}，得{points}分",
        "direct_lost": "{label}{value_is}，扣{lost}分",
        "clause_fault": "{label}{value_is}，扣{points}分",
        "clause_count": "{label}{value_is}，每{unit}扣{per}分",
        "clause_shortfall": "{label}{value_is}，应不少于{below}{unit}，每少1{unit}扣{per}分",
        "clause_shortfall_percent": "{label}{value_is}，应不低于{below}，每低1{unit}扣{per}分",
        "clause_list": "{missing}未达标（{value}），每项扣{per}分",
        "clause_any": "{label}（{value}），扣{points}分",
        "clause_cap": "，最多扣{cap}分",
    },
    expectations_2={">=": "应不少于", ">": "应多于", "<=": "应不多于", "<": "应少于",
                    "==": "应为", "!=": "不应为"},
    percent_expectations_2={">=": "应不低于", ">": "应高于", "<=": "应不高于", "<": "应低于",
                            "==": "应为", "!=": "不应为"},
    value_is="为{value}",
    # compounds first: "受处分人次数" counts in 人次, not 次
    units=("人次", "户次", "场次", "课时", "学时", "小时",
           "次", "人", "名", "个", "件", "篇", "例", "笔", "户", "项", "条", "份", "家", "起",
           "场", "期", "天", "处", "本", "张", "套", "台", "所", "批", "位", "元"),
    default_unit="次",
    percent_unit="个百分点",
    truncated=(
        "本表超出 Excel 每表1,048,576行的上限，只列出前{rows}行；"
        "CSV 输出包含全部{total}行。"
    ),
)

_EXPECTED_EN: Mapping[Op, str] = {
    ">=": "expected at least ",
    ">": "expected more than ",
    "<=": "expected at most ",
    "<": "expected less than ",
    "==": "expected ",
    "!=": "expected other than ",
}

EN = Labels(
    yes="yes",
    no="no",
    blank="blank",
    list_separator=", ",
    sheets={
        "ranking": "Ranking",
        "points": "Points",
        "findings": "Findings",
        "summary": "Summary",
        "about": "About",
    },
    headings={
        "number": "No.",
        "branch_id": "ID",
        "branch_name": "Name",
        "bonus": "Bonus",
        "penalty": "Penalty",
        "base": "Base",
        "total": "Total",
        "rank": "Rank",
        "grade": "Grade",
        "vetoed": "Vetoed by",
        "item": "Item",
        "value": "Value",
        "points": "Points",
        "max": "Max",
        "lost": "Lost",
        "note": "Scoring",
        "problem": "Problem",
        "rectify": "To do",
        "mean_points": "Mean points",
        "full_marks": "Full marks",
        "zero_points": "No points",
        "branches": "Branches",
        "grade_branches": "Branches",
        "key": "Item",
        "content": "Content",
        "rubric_id": "Rubric id",
        "rubric_title": "Rubric title",
        "rubric_version": "Rubric version",
        "rubric_sha256": "Rubric SHA-256",
        "rubric_source": "Rubric file",
        "input": "Input",
        "tool": "Tool version",
        "page": "Page &P of &N",
    },
    expectations=_EXPECTED_EN,
    notes={
        "check": "{label} {value}, {expectation}",
        "scale": "{label} {value}, expected {target}, {points} points pro rata",
        "deduct": "{label} {value}, {per} points off each",
        "steps": "{label} {value}, {points} points by steps",
        "choice": '{label} is "{value}", {points} points',
        "share": "{failed} not met ({value})",
        "count": "{label} {value}, {per} points each, up to {max}",
        "penalty_count": "{label} {value}, {per} points off each",
        "penalty": "{label} {value}, {points} points off",
        "veto": "{title}: grade no better than {grade}",
        "veto_zero": "{title}: total counted as 0",
        "veto_exclude": "{title}: {label}",
        "direct_points": "{label} {value}, {points} points",
        "direct_lost": "{label} {value}, {lost} points off",
        "clause_fault": "{label} is {value}, {points} points off",
        "clause_count": "{label} {value}, {per} points off each",
        "clause_shortfall": "{label} {value}, at least {below} expected, {per} points off "
                            "for each short",
        "clause_list": "{missing} not met ({value}), {per} points off each",
        "clause_any": "{label} ({value}), {points} points off",
        "clause_cap": ", at most {cap} points off",
        "problem": "{title}: {lost} points lost",
    },
    notes_2={
        "clause_shortfall_percent": "{label} {value}, at least {below} expected, {per} points "
                                    "off for each {unit} short",
    },
    expectations_2=_EXPECTED_EN,
    percent_expectations_2=_EXPECTED_EN,
    value_is=" {value}",
    units=(),
    default_unit="",
    percent_unit="percentage point",
    truncated=(
        "This sheet exceeds Excel's limit of 1,048,576 rows; it lists the first {rows} rows. "
        "The CSV outputs hold all {total} rows."
    ),
)

LABELS: Mapping[Lang, Labels] = {"zh": ZH, "en": EN}


def labels_for(lang: Lang) -> Labels:
    return LABELS[lang]


def section_heading(rubric: Rubric, section: Section) -> str:
    """A part's column heading over its points: "组织建设(35)"; a part that counts toward
    the total at a weight says so, "民主测评(100分，占20%)" ("Survey (100, weight 20%)"),
    since its points (97.20 of 100) are not what it adds to the total (19.44)."""
    weight = top_weights(rubric)[section.id]
    if weight == 1:
        return f"{section.title}({plain_number(section.max)})"
    share = plain_number(weight * 100)
    if rubric.lang == "zh":
        return f"{section.title}({plain_number(section.max)}分，占{share}%)"
    return f"{section.title} ({plain_number(section.max)}, weight {share}%)"


#: What a label may end in to say its values are percentages: "报到率(%)", "满意率（%）".
PERCENT_MARKS = ("(%)", "（%）", "(％)", "（％）", "%", "％")
#: Brackets a label may name its unit in: "后备干部（名）".
BRACKETS = (("(", ")"), ("（", "）"))


def is_percent(field: Field) -> bool:
    """Whether a number field holds percentages: its label says so ("在职党员报到率(%)"), or
    it is a rate (率) of at most 100 ("居民满意率", max = 100)."""
    if field.type not in ("int", "number"):
        return False
    label = field.header
    return "%" in label or "％" in label or (label.endswith("率") and field.max == 100)


def _bracketed(label: str) -> tuple[str, str] | None:
    """A label's trailing bracket, as (the label before it, what it holds); None without one."""
    for opening, closing in BRACKETS:
        if label.endswith(closing) and opening in label:
            at = label.rindex(opening)
            return label[:at], label[at + 1:-1]
    return None


def unit_of(labels: Labels, field: Field) -> str:
    """The unit a field counts in, from its label's measure word: "媒体报道篇数" counts in
    篇, "发展党员程序不规范例数" in 例, "书记受处分人次" in 人次, "后备干部（名）" in 名; a
    percentage rises and falls in 个百分点; a label naming no unit counts in 次."""
    if is_percent(field):
        return labels.percent_unit
    label = field.header
    bracketed = _bracketed(label)
    if bracketed is not None and bracketed[1] in labels.units:
        return bracketed[1]
    for unit in labels.units:
        if label.endswith(unit + "数") or (len(unit) > 1 and label.endswith(unit)):
            return unit
    return labels.default_unit


def field_name(labels: Labels, field: Field) -> str:
    """A number field as a rule names it, its unit left to the number: "在职党员报到率"
    for "在职党员报到率(%)" ("低于90%"), "后备干部" for "后备干部（名）" ("不足3名");
    any other field by its header."""
    label = field.header
    if field.type not in ("int", "number"):
        return label
    if is_percent(field):
        for mark in PERCENT_MARKS:
            if label.endswith(mark) and len(label) > len(mark):
                return label[: -len(mark)].rstrip()
        return label
    bracketed = _bracketed(label)
    if bracketed is not None and bracketed[1] in labels.units and bracketed[0].strip():
        return bracketed[0].rstrip()
    return label


def value_suffix(field: Field) -> str:
    """What follows a field's value where a sentence states it: "%" for a percentage."""
    return "%" if is_percent(field) else ""


def note_template(labels: Labels, schema: int, key: str) -> str:
    """A finding's note template: schema 2's own wording where it has one, else schema 1's."""
    if schema == 2 and key in labels.notes_2:
        return labels.notes_2[key]
    return labels.notes[key]


def _int32(codes: np.ndarray) -> np.ndarray:
    return np.asarray(codes, dtype=np.int32)


@attrs.frozen
class Coded:
    """A column of texts held as codes into its distinct texts: ``texts[codes]``.

    Findings repeat a few thousand distinct values and notes over millions of
    rows; codes keep them one integer a row, and Python touches each distinct
    text once.
    """

    #: positions into ``texts``, one per row (int32: a million rows, not
    #: two billion texts)
    codes: np.ndarray = attrs.field(converter=_int32)
    #: object array of str; may hold texts no row uses
    texts: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> Coded:
        """Texts (an object array of str) as codes."""
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        return cls(codes, np.asarray(uniques, dtype=object))

    def take(self, positions: np.ndarray) -> Coded:
        return Coded(self.codes[positions], self.texts)

    def decoded(self) -> np.ndarray:
        return np.asarray(self.texts[self.codes], dtype=object)

    def compact(self) -> Coded:
        """The same column, with only the texts some row uses, in order of first use."""
        codes, used = pd.factorize(self.codes)
        return Coded(codes, np.asarray(self.texts[used], dtype=object))

    def with_texts(self, texts: np.ndarray) -> Coded:
        """The same codes into other texts (one per text, in the same places)."""
        return Coded(self.codes, np.asarray(texts, dtype=object))


Part = str | np.ndarray | Coded


def render(template: str, parts: Mapping[str, Part], length: int) -> np.ndarray:
    """Fill a note template with scalars and whole columns; an object array of ``length``."""
    codes, texts = render_coded(template, parts, length)
    return np.asarray(texts[codes], dtype=object)


def render_coded(
    template: str, parts: Mapping[str, Part], length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`render`, as codes into the distinct texts: ``texts[codes]`` is the result.

    Scalars are folded into the literal text. Columns (object arrays of str,
    or :class:`Coded` columns, ``length`` long) are concatenated with the
    literals once per distinct combination of their values, and the texts then
    indexed: a million findings of one item share a few thousand distinct
    notes at most.
    """
    literals: list[str] = []
    columns: list[Coded] = []
    literal = ""
    for text, name, _spec, _conversion in string.Formatter().parse(template):
        literal += text
        if name is None:
            continue
        part = parts[name]
        if isinstance(part, str):
            literal += part
        else:
            literals.append(literal)
            columns.append(part if isinstance(part, Coded) else Coded.of(part))
            literal = ""
    if not columns:
        return np.zeros(length, dtype=np.int64), np.array([literal], dtype=object)
    # one dense code per distinct combination of the columns' values
    combination = np.zeros(length, dtype=np.int64)
    for column in columns:
        combination, _ = pd.factorize(combination * len(column.texts) + column.codes)
    distinct = int(combination.max()) + 1 if length else 0
    # any row of a combination represents it: they all hold the same values
    representative = np.zeros(distinct, dtype=np.int64)
    representative[combination] = np.arange(length)
    texts = np.full(distinct, "", dtype=object)
    for before, column in zip(literals, columns, strict=True):
        texts = texts + before + column.texts[column.codes[representative]]
    texts = texts + literal
    return combination, np.asarray(texts, dtype=object)


def fixed_text(values: np.ndarray | pd.Series, precision: int) -> np.ndarray:
    """Numbers with exactly ``precision`` decimals ("15.00"); "" for NaN.

    Rounds half away from zero as decimal arithmetic would, from the shortest
    decimal that reads back as the float (so 2.675 gives "2.68").
    """
    return fixed_coded(values, precision).decoded()


def fixed_coded(values: np.ndarray | pd.Series, precision: int) -> Coded:
    """:func:`fixed_text` as codes: each distinct number is formatted once."""
    return _numbers_coded(
        values, lambda value: format(decimal_of(value, precision), "f"))


def plain_text(values: np.ndarray | pd.Series) -> np.ndarray:
    """Numbers as a person writes them: "8", "85.5", never "8.0"; "" for NaN."""
    return plain_coded(values).decoded()


def plain_coded(values: np.ndarray | pd.Series) -> Coded:
    """:func:`plain_text` as codes: each distinct number is formatted once."""
    return _numbers_coded(values, lambda value: plain_number(float(value)))


def shortfall_coded(below: float, values: np.ndarray) -> Coded:
    """``max(below - value, 0)`` for each value, as plain text ("" for NaN), worked
    out in decimal from the numbers as written: 10 - 7.9 is "2.1", where floats
    give 2.0999999999999996."""
    wanted = Decimal(repr(float(below)))
    return _numbers_coded(
        values, lambda value: plain_decimal(max(wanted - Decimal(repr(float(value))), Decimal(0))))


def _numbers_coded(values: np.ndarray | pd.Series, text_of: Callable[[float], str]) -> Coded:
    codes, uniques = pd.factorize(np.asarray(values, dtype=np.float64), use_na_sentinel=True)
    # NaN (code -1) takes the trailing ""
    codes[codes < 0] = len(uniques)
    return Coded(codes, np.array([*(text_of(value) for value in uniques), ""], dtype=object))


def check_value_text(value: float | bool | str, labels: Labels) -> str:
    """A rubric's condition value as text: a bool as 是/否, a number without ".0"."""
    if isinstance(value, bool):
        return labels.yes if value else labels.no
    if isinstance(value, float | int):
        return plain_number(float(value))
    return value

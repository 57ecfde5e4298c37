"""Hypothesis strategies for rubrics and the checklists scored against them.

``rubrics()`` draws valid :class:`Rubric` values built with the model classes:
fields of every type, every rule with valid parameters, sections that add up,
bonuses, penalties, vetoes, grades with quotas, missing policies and rater
methods. ``checklists_for(rubric)`` draws a matching :class:`Checklists`
frame, with blanks where the policies allow them and several raters per
branch when the draw says so. ``runs()`` draws both together.

Numbers are drawn with few decimals (quarters, tenths), as rubric authors and
branches write them, so that exact decimal arithmetic and float arithmetic
agree after rounding.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pandas as pd
from hypothesis import strategies as st

from inspect_score.checklists.table import Checklists
from inspect_score.rubric.model import (
    Clause,
    Condition,
    Field,
    Grade,
    Item,
    Lang,
    MissingPolicy,
    Rubric,
    Section,
    Veto,
)

CHOICES = ("齐全", "基本齐全", "不齐全")
NUMERIC_FIELDS = ("n_count", "n_faults", "n_rate", "n_target")
BOOL_FIELDS = ("b_roster", "b_minutes", "b_ledger", "b_dues")
CHOICE_FIELD = "c_files"
TEXT_FIELD = "t_remarks"
#: Chinese headers a field may carry instead of its id
LABELS = {
    "n_count": "活动次数",
    "n_faults": "问题笔数",
    "n_rate": "满意度",
    "n_target": "应开次数",
    "b_roster": "花名册完整",
    "b_minutes": "会议记录完整",
    "b_ledger": "台账完整",
    "b_dues": "党费按时上交",
    "c_files": "党建档案",
    "t_remarks": "备注",
}
NUMERIC_OPS = (">=", ">", "<=", "<", "==", "!=")

policies = st.sampled_from(("zero", "na"))
#: the finest step of maxima and step/choice points at each precision, so that
#: rounding a clipped value never takes it past its item's max
UNITS = {0: 1.0, 1: 0.5, 2: 0.25, 3: 0.25}


def multiples(unit: float, most: float, least: int = 0) -> st.SearchStrategy[float]:
    """Multiples of ``unit`` from ``least * unit`` up to ``most``."""
    return st.integers(least, int(most / unit)).map(lambda k: k * unit)


@st.composite
def fields(draw: st.DrawFn) -> tuple[Field, ...]:
    """The fixed pool of fields, each with its own (or no) missing policy."""

    def policy() -> MissingPolicy | None:
        return draw(st.sampled_from((None, None, "zero", "na", "error")))

    def label(name: str) -> str | None:
        return draw(st.sampled_from((None, LABELS[name])))

    pool = [
        Field(
            id=name,
            type=draw(st.sampled_from(("int", "number"))),
            label=label(name),
            missing=policy(),
        )
        for name in NUMERIC_FIELDS
    ]
    pool += [
        Field(id=name, type="bool", label=label(name), missing=policy()) for name in BOOL_FIELDS
    ]
    pool.append(
        Field(
            id=CHOICE_FIELD,
            type="choice",
            label=label(CHOICE_FIELD),
            choices=CHOICES,
            missing=policy(),
        )
    )
    pool.append(Field(id=TEXT_FIELD, type="text", label=label(TEXT_FIELD), missing="zero"))
    return tuple(pool)


@st.composite
def items(
    draw: st.DrawFn, kind: str, item_id: str, section: str | None = None, unit: float = 0.25
) -> Item:
    """One indicator, bonus or penalty with any rule and valid parameters."""
    top = draw(multiples(unit, 15.0, least=1))
    rule = draw(st.sampled_from(("check", "scale", "deduct", "steps", "choice", "share", "count")))
    common: dict[str, Any] = {
        "kind": kind,
        "id": item_id,
        "title": f"{item_id} 标题",
        "max": top,
        "rule": rule,
        "section": section,
    }
    numeric = st.sampled_from(NUMERIC_FIELDS)
    if rule == "check":
        field_kind = draw(st.sampled_from(("numeric", "bool", "choice")))
        if field_kind == "numeric":
            return Item(
                **common,
                field=draw(numeric),
                op=draw(st.sampled_from(NUMERIC_OPS)),
                value=float(draw(st.integers(0, 10))),
            )
        if field_kind == "bool":
            return Item(
                **common,
                field=draw(st.sampled_from(BOOL_FIELDS)),
                op=draw(st.sampled_from(("==", "!="))),
                value=draw(st.booleans()),
            )
        return Item(
            **common,
            field=CHOICE_FIELD,
            op=draw(st.sampled_from(("==", "!="))),
            value=draw(st.sampled_from(CHOICES)),
        )
    if rule == "scale":
        if draw(st.booleans()):
            field_id, target_field = draw(st.permutations(NUMERIC_FIELDS))[:2]
            return Item(**common, field=field_id, target_field=target_field)
        target = draw(st.sampled_from((0.0, -1.0, 3.0, 7.5, 12.0)))
        return Item(**common, field=draw(numeric), target=target)
    if rule in ("deduct", "count"):
        per = draw(st.sampled_from((0.1, 0.25, 0.5, 1.0, 2.0, 5.0)))
        return Item(**common, field=draw(numeric), per=per)
    if rule == "steps":
        thresholds = sorted(draw(st.sets(st.integers(-2, 12), min_size=1, max_size=4)))
        ascending = draw(st.booleans())
        step_points = sorted(draw(multiples(unit, top)) for _ in thresholds)
        if not ascending:
            step_points = step_points[::-1]
        steps = tuple(
            (float(threshold), points)
            for threshold, points in zip(thresholds, step_points, strict=True)
        )
        return Item(**common, field=draw(numeric), steps=steps)
    if rule == "choice":
        points = tuple((choice, draw(multiples(unit, top))) for choice in CHOICES)
        return Item(**common, field=CHOICE_FIELD, points=points)
    if rule == "share":
        chosen = draw(st.lists(st.sampled_from(BOOL_FIELDS), min_size=1, max_size=4, unique=True))
        return Item(**common, fields=tuple(chosen))
    per = draw(st.sampled_from((0.5, 1.0, 2.0)))
    return Item(**common, field=draw(numeric), per=per)


@st.composite
def grades(draw: st.DrawFn, total: float) -> tuple[Grade, ...]:
    """2 to 4 grades, minimums falling strictly to 0, quotas on some but the last."""
    count = draw(st.integers(2, 4))
    fractions = sorted(
        draw(st.sets(st.integers(1, 99), min_size=count - 1, max_size=count - 1)), reverse=True
    )
    reachable = {round(total * fraction / 100, 2) for fraction in fractions}
    minimums = [*sorted((m for m in reachable if m > 0), reverse=True), 0.0]
    result = []
    for index, minimum in enumerate(minimums):
        last = index == len(minimums) - 1
        share = None if last else draw(st.sampled_from((None, None, 0.1, 0.2, 0.25, 0.5, 1.0)))
        result.append(Grade(name=f"G{index}", min=float(minimum), max_share=share))
    return tuple(result)


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    """A valid rubric: every rule, policy and rater method can appear."""
    pool = draw(fields())
    precision = draw(st.integers(0, 3))
    unit = UNITS[precision]
    section_count = draw(st.integers(1, 3))
    indicators: list[Item] = []
    for section_index in range(section_count):
        for item_index in range(draw(st.integers(1, 4))):
            indicators.append(
                draw(
                    items("indicator", f"i{section_index}_{item_index}", f"s{section_index}", unit)
                )
            )
    sections = tuple(
        Section(
            id=f"s{index}",
            title=f"第{index}部分",
            max=sum(item.max for item in indicators if item.section == f"s{index}"),
        )
        for index in range(section_count)
    )
    total = sum(section.max for section in sections)
    bonuses = tuple(
        draw(items("bonus", f"bonus{index}", unit=unit)) for index in range(draw(st.integers(0, 2)))
    )
    penalties = tuple(
        draw(items("penalty", f"penalty{index}", unit=unit))
        for index in range(draw(st.integers(0, 2)))
    )
    grade_list = draw(grades(total))
    vetoes = []
    for index in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            field_id, op, value = draw(st.sampled_from(BOOL_FIELDS)), "==", True
        else:
            field_id = draw(st.sampled_from(NUMERIC_FIELDS))
            op = draw(st.sampled_from(NUMERIC_OPS))
            value = float(draw(st.integers(0, 10)))
        vetoes.append(
            Veto(
                id=f"veto{index}",
                title=f"否决{index}",
                field=field_id,
                op=op,  # type: ignore[arg-type]
                value=value,
                grade=draw(st.sampled_from([grade.name for grade in grade_list])),
            )
        )
    return Rubric(
        id="drawn",
        title="抽样细则",
        total=float(total),
        fields=pool,
        sections=sections,
        indicators=tuple(indicators),
        grades=grade_list,
        bonuses=bonuses,
        penalties=penalties,
        vetoes=tuple(vetoes),
        bonus_cap=draw(st.sampled_from((0.0, 1.0, 2.0, 5.0))),
        missing=draw(policies),
        raters=draw(st.sampled_from(("mean", "median", "trimmed_mean"))),
        trim=draw(st.integers(1, 2)),
        precision=precision,
    )


def _value(draw: st.DrawFn, rubric: Rubric, field: Field) -> Any:
    """One cell: blank where the field's policy allows it, else a parsed value."""
    if rubric.missing_policy(field.id) != "error" and draw(st.integers(0, 5)) == 0:
        return None
    if field.type == "bool":
        return float(draw(st.booleans()))
    if field.id == GROUP_FIELD:
        return draw(st.sampled_from(GROUP_CHOICES))
    if field.id == DIRECT_FIELD:
        return draw(multiples(0.25, DIRECT_MAX))
    if field.id == LOST_FIELD:
        return draw(st.integers(-40, 40)) / 4
    if field.type == "choice":
        return draw(st.sampled_from(CHOICES))
    if field.type == "text":
        return draw(st.sampled_from(("", "按时整改", "=SUM(A1)")))
    if field.type == "int":
        return float(draw(st.integers(-2, 20)))
    return draw(st.integers(-20, 200).map(lambda tenths: tenths / 10))


@st.composite
def checklists_for(
    draw: st.DrawFn, rubric: Rubric, min_branches: int = 1, max_branches: int = 12
) -> Checklists:
    """A checklists table for the rubric: one row per branch, or several raters' rows."""
    branch_count = draw(st.integers(min_branches, max_branches))
    numbers = draw(
        st.lists(st.integers(1, 120), min_size=branch_count, max_size=branch_count, unique=True)
    )
    prefix = draw(st.sampled_from(("B", "SQ", "社区")))
    has_rater = draw(st.booleans())
    # a branch's raters must agree on which alternative of a group applies (else the
    # run is refused): in half the runs they copy the first rater's deciding cells
    deciding = {item.applies_if.field for item in rubric.indicators
                if item.group is not None and item.applies_if is not None}
    agree = has_rater and bool(deciding) and draw(st.booleans())
    records = []
    for number in numbers:
        raters = draw(st.integers(1, 4)) if has_rater else 1
        for rater in range(raters):
            record: dict[str, Any] = {
                "branch_id": f"{prefix}{number}",
                "branch_name": f"第{number}社区",
                "rater": f"R{rater + 1}" if has_rater else "",
            }
            for field in rubric.fields:
                record[field.id] = _value(draw, rubric, field)
            if agree and rater > 0:
                record.update({field_id: records[-rater][field_id] for field_id in deciding})
            records.append(record)
    if has_rater:
        records = draw(st.permutations(records))
    return make_checklists(rubric, records, has_rater=has_rater)


def make_checklists(
    rubric: Rubric, records: list[dict[str, Any]], *, has_rater: bool = False, path: str = "in.csv"
) -> Checklists:
    """A Checklists value from plain records, typed exactly as the loader types them."""
    columns: dict[str, Any] = {
        "branch_id": pd.Series([str(r["branch_id"]) for r in records], dtype=object),
        "branch_name": pd.Series([str(r.get("branch_name", "")) for r in records], dtype=object),
        "rater": pd.Series([str(r.get("rater", "")) for r in records], dtype=object),
    }
    for field in rubric.fields:
        raw = [r.get(field.id) for r in records]
        if field.type == "choice":
            columns[field.id] = pd.Series(pd.Categorical(raw, categories=list(field.choices)))
        elif field.type == "text":
            columns[field.id] = pd.Series(
                [np.nan if v is None else str(v) for v in raw], dtype=object
            )
        else:
            columns[field.id] = pd.Series(
                [np.nan if v is None else float(v) for v in raw], dtype=np.float64
            )
    columns["_file"] = pd.Series(pd.Categorical([path] * len(records)))
    columns["_row"] = pd.Series(np.arange(2, len(records) + 2), dtype=np.int64)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(records)))
    return Checklists(frame=frame, sources=(path,), has_rater=has_rater)


@st.composite
def runs(draw: st.DrawFn, max_branches: int = 12) -> tuple[Rubric, Checklists]:
    """A rubric and checklists scored against it."""
    rubric = draw(rubrics())
    return rubric, draw(checklists_for(rubric, max_branches=max_branches))


def rubric_of(
    indicators: list[Item],
    *,
    fields: tuple[Field, ...] | None = None,
    bonuses: tuple[Item, ...] = (),
    penalties: tuple[Item, ...] = (),
    vetoes: tuple[Veto, ...] = (),
    grades: tuple[Grade, ...] = (Grade("优秀", 90.0), Grade("合格", 60.0), Grade("不合格", 0.0)),
    **settings: Any,
) -> Rubric:
    """A hand-written rubric for example tests: one section holding every indicator.

    Without ``fields``, every field an item or veto reads is declared as a
    number (a bool where a ``share`` reads it), with the rubric's policy.
    """
    section_max = sum(item.max for item in indicators)
    placed = tuple(attrs.evolve(item, section="main") for item in indicators)
    if fields is None:
        read: dict[str, str] = {}
        for item in (*placed, *bonuses, *penalties):
            for field_id in item.input_fields:
                read.setdefault(field_id, "bool" if item.rule == "share" else "number")
        for veto in vetoes:
            read.setdefault(veto.field, "number")
        fields = tuple(Field(id=name, type=kind) for name, kind in read.items())  # type: ignore[arg-type]
    return Rubric(
        id="example",
        title="示例细则",
        total=float(settings.pop("total", section_max)),
        fields=fields,
        sections=(Section(id="main", title="主要", max=section_max),),
        indicators=placed,
        grades=grades,
        bonuses=bonuses,
        penalties=penalties,
        vetoes=vetoes,
        **settings,
    )


# -- schema 2 ----------------------------------------------------------------------

#: schema 2 fields beside the pool: the group's field (never blank), the
#: inspector's points (0..10) and points taken off (-10..10)
GROUP_FIELD = "g_kind"
GROUP_CHOICES = ("教学", "非教学", "其他")
DIRECT_FIELD = "d_points"
LOST_FIELD = "d_lost"
DIRECT_MAX = 10.0
#: problem and rectify texts: none (the default), plain words, and every placeholder
TEXTS = (None, "问题已查实", "{title}：{value}", "少{short}次，缺少{missing}，扣{lost}分",
         "{title}|{value}|{short}|{missing}|{lost}")
texts = st.sampled_from(TEXTS)


@st.composite
def conditions(draw: st.DrawFn, rubric_missing: MissingPolicy,
               pool: tuple[Field, ...]) -> Condition:
    """A clause's or applies_if's condition: is on a bool or a choice (a list of
    choices too), or op + value on a number."""
    kind = draw(st.sampled_from(("bool", "choice", "numeric")))
    if kind == "bool":
        return Condition(field=draw(st.sampled_from(BOOL_FIELDS)), op="==",
                         values=(draw(st.booleans()),))
    if kind == "choice":
        chosen = draw(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=2, unique=True))
        return Condition(field=CHOICE_FIELD, op="==", values=tuple(chosen))
    return Condition(field=draw(st.sampled_from(NUMERIC_FIELDS)),
                     op=draw(st.sampled_from(NUMERIC_OPS)),  # type: ignore[arg-type]
                     values=(float(draw(st.integers(0, 10))),))


@st.composite
def clauses(draw: st.DrawFn, rubric_missing: MissingPolicy, pool: tuple[Field, ...],
            unit: float) -> Clause:
    """One clause of any shape, with or without a cap, sometimes with its own applies_if."""
    shape = draw(st.sampled_from(("fault", "count", "shortfall", "list", "any")))
    cap = draw(st.sampled_from((None, None, 1.0, 2.5, 5.0)))
    per = draw(st.sampled_from((0.25, 0.5, 1.0, 2.0)))
    points = draw(multiples(unit, 10.0, least=1))
    if shape == "fault":
        condition = draw(conditions(rubric_missing, pool))
        choice = next(field for field in pool if field.id == CHOICE_FIELD)
        if condition.field == CHOICE_FIELD and (choice.missing or rubric_missing) == "zero":
            condition = Condition(field=BOOL_FIELDS[0], op="==", values=(False,))
        clause = Clause(shape="fault", field=condition.field, condition=condition,
                        points=points, cap=cap, problem=draw(texts), rectify=draw(texts))
    elif shape in ("count", "shortfall"):
        below = float(draw(st.integers(1, 12))) if shape == "shortfall" else 0.0
        clause = Clause(shape=shape, field=draw(st.sampled_from(NUMERIC_FIELDS)),
                        per=per, below=below, cap=cap, problem=draw(texts), rectify=draw(texts))
    else:
        clause = _bools_clause(draw, shape, per, points, cap)
    if draw(st.integers(0, 3)) == 0:  # "一肩挑的社区……扣3分": the clause applies to some rows
        clause = attrs.evolve(clause, applies_if=draw(conditions(rubric_missing, pool)))
    return clause


def _bools_clause(draw: st.DrawFn, shape: str, per: float, points: float,
                  cap: float | None) -> Clause:
    chosen = tuple(draw(st.lists(st.sampled_from(BOOL_FIELDS), min_size=1, max_size=4,
                                 unique=True)))
    if shape == "list":
        return Clause(shape="list", fields=chosen, per=per, cap=cap, problem=draw(texts),
                      rectify=draw(texts))
    return Clause(shape="any", fields=chosen, points=points, cap=cap, problem=draw(texts),
                  rectify=draw(texts))


@st.composite
def items_2(draw: st.DrawFn, kind: str, item_id: str, rubric_missing: MissingPolicy,
            pool: tuple[Field, ...], section: str | None = None, unit: float = 0.25) -> Item:
    """A schema 2 item: a schema 1 rule, clauses or direct entry, maybe with applies_if."""
    rule = draw(st.sampled_from(("clauses", "clauses", "direct", "schema1")))
    if rule == "schema1":
        item = draw(items(kind, item_id, section, unit))
    elif rule == "direct":
        entry = draw(st.sampled_from(("points", "lost")))
        item = Item(kind=kind, id=item_id, title=f"{item_id} 标题", max=DIRECT_MAX,  # type: ignore[arg-type]
                    rule="direct", section=section, entry=entry,
                    field=DIRECT_FIELD if entry == "points" else LOST_FIELD)
    else:
        chosen = tuple(draw(st.lists(clauses(rubric_missing, pool, unit), min_size=1,
                                     max_size=4)))
        item = Item(kind=kind, id=item_id, title=f"{item_id} 标题",  # type: ignore[arg-type]
                    max=draw(multiples(unit, 15.0, least=1)), rule="clauses", section=section,
                    clauses=chosen, problem_min_lost=draw(st.sampled_from((None, 0.5))))
    # what the item's findings say (a clauses item's rectify is its clauses' default)
    item = attrs.evolve(item, problem=None if item.rule == "clauses" else draw(texts),
                        rectify=draw(texts))
    if draw(st.integers(0, 3)) == 0:
        item = attrs.evolve(item, applies_if=draw(conditions(rubric_missing, pool)),
                            otherwise=draw(st.sampled_from(("full", "na", "zero"))))
    return item


@st.composite
def grades_2(draw: st.DrawFn, total: float) -> tuple[Grade, ...]:
    """Grades with schema 2 quotas (or none at all: a score-only rubric)."""
    if draw(st.integers(0, 5)) == 0:
        return ()
    result = []
    for index, grade in enumerate(draw(grades(total))):
        # never a lower quota on the first grade, never an upper one on the last
        result.append(attrs.evolve(
            grade,
            max_count=None if grade.min == 0 else draw(st.sampled_from((None, 1, 2, 3))),
            quota_rounding=draw(st.sampled_from(("down", "nearest", "up"))),
            min_share=None if index == 0 else draw(st.sampled_from((None, None, 0.1, 0.3))),
            min_count=None if index == 0 else draw(st.sampled_from((None, None, 1, 2))),
        ))
    return tuple(result)


@st.composite
def rubrics_2(draw: st.DrawFn, langs: tuple[Lang, ...] = ("zh",)) -> Rubric:
    """A valid schema 2 rubric: clauses of every shape, applies_if, a group of
    alternatives, direct entry, nested and weighted sections, quotas, veto actions;
    in one of ``langs``."""
    missing = draw(policies)
    pool = draw(fields())
    pool += (
        Field(id=GROUP_FIELD, type="choice", choices=GROUP_CHOICES, missing="error"),
        Field(id=DIRECT_FIELD, type="number", missing=draw(st.sampled_from(("na", "error")))),
        Field(id=LOST_FIELD, type="number", missing=draw(st.sampled_from(("na", "error")))),
    )
    precision = draw(st.integers(0, 3))
    unit = UNITS[precision]
    section_count = draw(st.integers(1, 3))
    indicators: list[Item] = []
    sections: list[Section] = []
    for index in range(section_count):
        sid = f"s{index}"
        members = [draw(items_2("indicator", f"i{index}_{n}", missing, pool, sid, unit))
                   for n in range(draw(st.integers(1, 3)))]
        if index == 0 and draw(st.booleans()):
            # alternatives: equal max, each with applies_if and otherwise = "na"
            top = draw(multiples(unit, 15.0, least=1))
            for number, chosen in enumerate((("教学",), ("非教学", "其他"))):
                alternative = draw(items_2("indicator", f"alt{number}", missing, pool, sid,
                                           unit))
                members.append(attrs.evolve(
                    alternative, max=top if alternative.rule != "direct" else DIRECT_MAX,
                    group="kind",
                    applies_if=Condition(field=GROUP_FIELD, op="==", values=chosen),
                    otherwise="na"))
            if members[-1].max != members[-2].max:  # a direct alternative keeps its max
                members = members[:-2]
        child = None
        if draw(st.integers(0, 2)) == 0 and len(members) > 1:
            # the first indicator (never an alternative) in a section inside this one
            child = f"{sid}c"
            members[0] = attrs.evolve(members[0], section=child)
        indicators += members
        slots = {(item.group or item.id): item.max for item in members}
        weight = draw(st.sampled_from((1.0, 1.0, 0.5, 2.0)))
        sections.append(Section(id=sid, title=f"第{index}部分", max=sum(slots.values()),
                                weight=weight))
        if child is not None:
            sections.append(Section(id=child, title=f"第{index}部分之一", parent=sid,
                                    max=members[0].max))
    total = sum(section.max * section.weight for section in sections if section.parent is None)
    bonuses = tuple(draw(items_2("bonus", f"bonus{n}", missing, pool, unit=unit))
                    for n in range(draw(st.integers(0, 2))))
    penalties = tuple(draw(items_2("penalty", f"penalty{n}", missing, pool, unit=unit))
                      for n in range(draw(st.integers(0, 2))))
    grade_list = draw(grades_2(total))
    vetoes = []
    for index in range(draw(st.integers(0, 2))):
        action = draw(st.sampled_from(("cap", "zero", "exclude") if grade_list
                                      else ("zero", "exclude")))
        vetoes.append(Veto(
            id=f"veto{index}", title=f"否决{index}",
            field=draw(st.sampled_from(BOOL_FIELDS)), op="==", value=True,
            grade=draw(st.sampled_from([grade.name for grade in grade_list]))
            if action == "cap" else "",
            action=action, label="取消资格" if action == "exclude" else "",
            rectify=draw(st.sampled_from((None, "整改：{title}")))))
    return Rubric(
        id="drawn2", title="抽样细则二", total=float(total), fields=pool,
        sections=tuple(sections), indicators=tuple(indicators), grades=grade_list,
        bonuses=bonuses, penalties=penalties, vetoes=tuple(vetoes),
        bonus_cap=draw(st.sampled_from((math.inf, 1.0, 5.0))), missing=missing,
        raters=draw(st.sampled_from(("mean", "median", "trimmed_mean"))),
        trim=draw(st.integers(1, 2)), precision=precision, schema=2,
        lang=draw(st.sampled_from(langs)),
    )


@st.composite
def runs_2(draw: st.DrawFn, max_branches: int = 10,
           langs: tuple[Lang, ...] = ("zh",)) -> tuple[Rubric, Checklists]:
    """A schema 2 rubric (in one of ``langs``) and checklists scored against it."""
    rubric = draw(rubrics_2(langs))
    return rubric, draw(checklists_for(rubric, max_branches=max_branches))


#: What forms write above their header: titles, units, dates, notes.
_TITLE_WORDS = ("2025年上半年社区党建工作检查考评表", "填报单位：", "东湖街道", "填报日期：",
                "2025年7月8日", "（盖章）", "单位：次、人", "", " ")


def title_rows() -> st.SearchStrategy[list[list[str]]]:
    """Zero to eight rows written above a form's header (some blank), naming no field."""
    row = st.lists(st.sampled_from(_TITLE_WORDS), min_size=0, max_size=3)
    return st.lists(row, min_size=0, max_size=8)


def total_labels() -> st.SearchStrategy[list[str]]:
    """Labels of zero to two rows of totals under a form's branches, spaced as forms space them."""
    label = st.builds(
        lambda word, spaced: "  ".join(word) if spaced else word,
        st.sampled_from(["合计", "总计", "小计", "平均", "平均值", "Total", "AVERAGE"]),
        st.booleans(),
    )
    return st.lists(label, min_size=0, max_size=2)

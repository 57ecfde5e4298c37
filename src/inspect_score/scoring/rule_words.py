"""An item's rule, a clause and a condition in words, in the rubric's language.

The self-check form explains the rubric with these words, and ``compare``
states a rule or a clause that changed with them, so that an office reads
a rule the same way wherever the tool shows it: "党员大会次数不足2次的，每少1次
扣2分", never ``shortfall (field = meetings, below = 2)``. Fields are named by
their labels, never their ids, and a count by its unit ("每人次", "每篇"); a percentage
is a number with "%", compared with 低于 and counted in 个百分点 ("在职党员报到率低于90%的，
每低1个百分点扣0.5分"). As in an official document, no space stands between Chinese and
a number.
"""

from __future__ import annotations

from typing import Any

from inspect_score.rubric.model import Clause, Condition, Field, Item, Lang, Rubric
from inspect_score.scoring.labels import (
    check_value_text,
    field_name,
    is_percent,
    labels_for,
    plain_number,
    unit_of,
    value_suffix,
)

#: The words of rules and clauses; a bonus's own wording under ``bonus_*`` (and a
#: penalty's under ``penalty_*``) where it gains (or only loses) what an indicator loses.
RULE_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "check": "{condition}的，得{max}分，否则不得分",
        "scale": "按{label}与{target}之比计分，达到{target}得满分{max}分",
        "deduct": "{label}每{unit}扣{per}分，扣完为止",
        "steps": "{label}{steps}；低于{first}不得分",
        "step": "达到{threshold}得{points}分",
        "choice": "{label}：{choices}", "choice_one": "{choice}{points}分",
        "share": "{labels}共{count}项，按达标项数比例计分，每缺一项扣{each}分",
        "count": "{label}每{unit}得{per}分，最多{max}分",
        "penalty_count": "{label}每{unit}扣{per}分，最多扣{max}分",
        "direct": "考评组直接打分，填写所得分数（0到{max}分）",
        "direct_lost": "考评组直接打分，填写扣分数（0到{max}分；扣3分填3或-3）",
        "clauses": "按{count}条细则扣分，扣完为止", "bonus_clauses": "按{count}条细则加分",
        "penalty_clauses": "按{count}条细则扣分",
        "fault": "{condition}的，扣{points}分", "bonus_fault": "{condition}的，加{points}分",
        "clause_count": "{label}每{unit}扣{per}分",
        "bonus_clause_count": "{label}每{unit}加{per}分",
        "shortfall": "{label}不足{below}{unit}的，每少1{unit}扣{per}分",
        "bonus_shortfall": "{label}不足{below}{unit}的，每少1{unit}加{per}分",
        "shortfall_percent": "{label}低于{below}的，每低1{unit}扣{per}分",
        "bonus_shortfall_percent": "{label}低于{below}的，每低1{unit}加{per}分",
        "list": "{labels}，每缺一项扣{per}分", "bonus_list": "{labels}，每缺一项加{per}分",
        "any": "{labels}任何一项为是的，扣{points}分",
        "bonus_any": "{labels}任何一项为是的，加{points}分，不累计",
        "cap": "最多扣{cap}分", "bonus_cap": "最多加{cap}分",
        "either": "或",
        "applies_bool": "{label}",
    },
    "en": {
        "check": "{max} points if {condition}, else none",
        "scale": "points in proportion to {label} out of {target}; full {max} points at {target}",
        "deduct": "{per} points off per {label}, down to zero",
        "steps": "{label}: {steps}; none below {first}",
        "step": "{points} points from {threshold}",
        "choice": "{label}: {choices}", "choice_one": "{choice} {points}",
        "share": "{labels}: {count} in all, points in proportion to those met, "
                 "{each} points off for each not met",
        "count": "{per} points per {label}, up to {max}",
        "penalty_count": "{per} points off per {label}, up to {max}",
        "direct": "points given by the inspectors: enter the points (0 to {max})",
        "direct_lost": "points given by the inspectors: enter the points off (0 to {max}; "
                       "3 or -3 for 3 off)",
        "clauses": "points off by {count} clauses, down to zero",
        "bonus_clauses": "points added by {count} clauses",
        "penalty_clauses": "points off by {count} clauses",
        "fault": "{points} points off when {condition}",
        "bonus_fault": "{points} points added when {condition}",
        "clause_count": "{per} points off per {label}",
        "bonus_clause_count": "{per} points added per {label}",
        "shortfall": "{per} points off for each {label} below {below}",
        "bonus_shortfall": "{per} points added for each {label} below {below}",
        "shortfall_percent": "{per} points off for each {unit} {label} is below {below}",
        "bonus_shortfall_percent": "{per} points added for each {unit} {label} is below {below}",
        "list": "{per} points off for each of {labels} missing",
        "bonus_list": "{per} points added for each of {labels} missing",
        "any": "{points} points off when any of {labels} is yes",
        "bonus_any": "{points} points added when any of {labels} is yes, once",
        "cap": "at most {cap} points off", "bonus_cap": "at most {cap} points added",
        "either": " or ",
        "applies_bool": "{label} is yes",
    },
}

#: A condition in words, between the field's label and the value.
CONDITION_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {"==": "为", "!=": "不为", ">=": "不少于", ">": "多于", "<=": "不多于", "<": "低于"},
    "en": {"==": " is ", "!=": " is not ", ">=": " is at least ", ">": " is more than ",
           "<=": " is at most ", "<": " is less than "},
}
#: A percentage is compared as a level, not a count: "报到率不低于90%", never "不少于".
PERCENT_CONDITION_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {**CONDITION_WORDS["zh"], ">=": "不低于", ">": "高于", "<=": "不高于"},
    "en": CONDITION_WORDS["en"],
}


def condition_words(rubric: Rubric, field: Field) -> dict[str, str]:
    """The words of ``op`` for a condition on ``field``."""
    return (PERCENT_CONDITION_WORDS if is_percent(field) else CONDITION_WORDS)[rubric.lang]


def describe_condition(rubric: Rubric, field_id: str, op: str, value: Any) -> str:
    """``field op value`` by the field's label: "发生严重违纪违法问题为是"; a percentage
    with its "%": "居民满意率低于60%"."""
    field, labels = rubric.field(field_id), labels_for(rubric.lang)
    shown = check_value_text(value, labels) + value_suffix(field)
    return f"{field_name(labels, field)}{condition_words(rubric, field)[op]}{shown}"


def condition_text(rubric: Rubric, condition: Condition) -> str:
    """A condition with all its values: "级别为区级或市级及以上" (the label once where any of
    the values will do), else each ``field op value`` joined by 或 / or."""
    words, labels = RULE_WORDS[rubric.lang], labels_for(rubric.lang)
    if condition.op == "==" and len(condition.values) > 1:
        field = rubric.field(condition.field)
        values = words["either"].join(check_value_text(value, labels) + value_suffix(field)
                                      for value in condition.values)
        return field_name(labels, field) + condition_words(rubric, field)["=="] + values
    return words["either"].join(describe_condition(rubric, condition.field, condition.op, value)
                                for value in condition.values)


def applies_text(rubric: Rubric, condition: Condition) -> str:
    """The condition of an ``applies_if`` as a 细则 names the branches it covers: a
    yes/no field by its label alone ("书记主任一肩挑"), anything else as a condition."""
    field = rubric.field(condition.field)
    if field.type == "bool" and condition.op == "==" and condition.values == (True,):
        return RULE_WORDS[rubric.lang]["applies_bool"].format(label=field.header)
    return condition_text(rubric, condition)


def kind_key(item: Item, key: str) -> str:
    """A bonus gains what an indicator or penalty loses: its own wording, where it has one."""
    return f"bonus_{key}" if item.kind == "bonus" else (
        f"penalty_{key}" if item.kind == "penalty" and key == "clauses" else key)


def rule_text(rubric: Rubric, item: Item) -> str:
    """How the item earns (or, for a penalty, takes) points: "违反三审制度笔数每笔扣5分，扣完
    为止". A ``clauses`` item says how many clauses it has (:func:`clause_text` states
    each); the item's note is not part of its rule."""
    words, labels = RULE_WORDS[rubric.lang], labels_for(rubric.lang)
    if item.rule == "clauses":
        return words[kind_key(item, "clauses")].format(count=len(item.clauses))
    if item.rule == "direct":
        return words["direct_lost" if item.entry == "lost" else "direct"].format(
            max=plain_number(item.max))
    field = rubric.field(item.field) if item.field else None
    suffix = value_suffix(field) if field else ""
    parts = {"label": field_name(labels, field) if field else "", "max": plain_number(item.max),
             "per": plain_number(item.per), "unit": unit_of(labels, field) if field else ""}
    if item.rule == "check":
        assert item.field is not None
        condition = describe_condition(rubric, item.field, item.op, item.value)
        return words["check"].format(condition=condition, **parts)
    if item.rule == "scale":
        target = (field_name(labels, rubric.field(item.target_field)) if item.target_field
                  else plain_number(item.target or 0.0) + suffix)
        return words["scale"].format(target=target, **parts)
    if item.rule == "steps":
        steps = labels.list_separator.join(
            words["step"].format(threshold=plain_number(threshold) + suffix,
                                 points=plain_number(points))
            for threshold, points in item.steps)
        return words["steps"].format(steps=steps, first=plain_number(item.steps[0][0]) + suffix,
                                     **parts)
    if item.rule == "choice":
        choices = labels.list_separator.join(
            words["choice_one"].format(choice=choice, points=plain_number(points))
            for choice, points in item.points)
        return words["choice"].format(choices=choices, **parts)
    if item.rule == "share":
        headers = labels.list_separator.join(rubric.field(name).header for name in item.fields)
        each = plain_number(round(item.max / len(item.fields), rubric.precision))
        return words["share"].format(labels=headers, count=len(item.fields), each=each, **parts)
    if item.rule == "count" and item.kind == "penalty":
        return words["penalty_count"].format(**parts)
    return words[item.rule].format(**parts)


def clause_text(rubric: Rubric, item: Item, clause: Clause) -> str:
    """What a clause counts and what it costs (or, in a bonus, gains): "党员大会次数不足2次的，
    每少1次扣2分". Without its cap (:func:`cap_text`) and its problem text."""
    words, labels = RULE_WORDS[rubric.lang], labels_for(rubric.lang)
    field = rubric.field(clause.field) if clause.field else None
    parts = {"label": field_name(labels, field) if field else "",
             "unit": unit_of(labels, field) if field else "",
             "labels": labels.list_separator.join(rubric.field(name).header
                                                  for name in clause.fields),
             "per": plain_number(clause.per), "points": plain_number(clause.points),
             "below": plain_number(clause.below) + (value_suffix(field) if field else "")}
    if clause.shape == "fault":
        assert clause.condition is not None
        parts["condition"] = condition_text(rubric, clause.condition)
        return words[kind_key(item, "fault")].format(**parts)
    if clause.shape == "count":
        return words[kind_key(item, "clause_count")].format(**parts)
    if clause.shape == "shortfall" and field is not None and is_percent(field):
        # a rate falls short in percentage points, below a percentage: "低于90%的，每低1个百分点"
        return words[kind_key(item, "shortfall_percent")].format(**parts)
    return words[kind_key(item, clause.shape)].format(**parts)


def cap_text(rubric: Rubric, item: Item, clause: Clause) -> str:
    """The most a clause alone costs (or gains): "最多扣3分"; "" where it has no cap."""
    if clause.cap is None:
        return ""
    return RULE_WORDS[rubric.lang][kind_key(item, "cap")].format(cap=plain_number(clause.cap))


def quoted(title: str, lang: Lang = "zh") -> str:
    """A title as a sentence quotes it: “党员发展”. A title the rubric already wrote in
    quotation marks (“三会一课”) keeps its own, never doubled; quotation marks inside a
    title become single ones, as quotes within quotes are written (“落实‘三会一课’制度”).
    English: 'Meetings'."""
    if lang != "zh":
        return f"'{title}'"
    inner = title[1:-1]
    if title.startswith("“") and title.endswith("”") and "“" not in inner and "”" not in inner:
        return title
    return "“" + title.replace("“", "‘").replace("”", "’") + "”"


def clause_name(title: str, number: int, lang: Lang = "zh") -> str:
    """A clause as an office cites it, by its item's title and its number:
    “党员发展”第1条, never ``development#1``. English: Development, clause 1."""
    if lang != "zh":
        return f"{title}, clause {number}"
    return f"{quoted(title)}第{number}条"

"""What changed between two rubrics, in words, matched by id.

Sub-district offices tune a rubric between periods; before adopting the new
one they need to see each edit stated plainly: an item added or removed, its
max changed, its rule or the rule's parameters changed, a grade band or quota
moved, a veto added or changed. Items, sections and vetoes are matched by id,
grades by name, so a renamed item reads as one removed and one added.

Schema 2 edits are traced to the clause: a clause of a ``clauses`` item is
matched by its number within the item ("第2条"), and each of its parameters
that changed is one edit stated as the 细则 states it ("每项扣0.5分 → 1分").
A clause added or removed at the end of an item is one edit; clauses are never
re-matched by content, because the 细则 numbers them and offices cite them by
number. ``applies_if``/``otherwise``, groups, section parents and weights,
quota counts and rounding, lower quotas and veto actions are each an edit too.

The words follow the new rubric's language (``rubric.lang``).
"""

from __future__ import annotations

import math

import attrs

from inspect_score.rubric.model import Clause, Grade, Item, Lang, Rubric, Section, Veto
from inspect_score.scoring.labels import plain_number
from inspect_score.scoring.rule_words import (
    applies_text,
    cap_text,
    clause_text,
    condition_text,
    describe_condition,
    quoted,
    rule_text,
)


@attrs.frozen
class RubricEdit:
    """One difference between two rubrics."""

    #: stable kebab-case code: ``item-added``, ``item-max``, ``grade-min``, ...
    code: str
    #: the id (item, veto), grade name, or rubric setting the edit is about
    target: str
    #: the old and new value as text ("" where there is none)
    old: str
    new: str
    #: the edit in words, in the new rubric's language
    text: str
    #: a grade edit as the cause of a branch's move, short ("优秀名额由20%改为30%");
    #: the text for other edits
    cause: str = ""


_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "item-added": "新增{kind}{title}，满分{new}",
        "item-removed": "删除{kind}{title}，原满分{old}",
        "item-kind": "{title}由{old}改为{new}",
        "item-max": "{title}满分由{old}改为{new}",
        "item-rule": "{title}计分办法由「{old}」改为「{new}」",
        "item-parameters": "{title}计分标准由「{old}」改为「{new}」",
        "item-section": "{title}所属板块由「{old}」改为「{new}」",
        "item-title": "{old_title}更名为{new_title}",
        "grade-added": "新增等次“{target}”，最低{new}分",
        "grade-removed": "删除等次“{target}”（原最低{old}分）",
        "grade-min": "等次“{target}”最低分由{old}改为{new}",
        "grade-quota": "等次“{target}”名额比例由{old}改为{new}",
        "veto-added": "新增否决项{title}：{new}",
        "veto-removed": "删除否决项{title}：{old}",
        "veto-changed": "否决项{title}由「{old}」改为「{new}」",
        "setting": "{name}由{old}改为{new}",
        "section-added": "新增板块{title}，满分{new}",
        "section-removed": "删除板块{title}，原满分{old}",
        "section-max": "板块{title}满分由{old}改为{new}",
        "section-title": "板块{old_title}更名为{new_title}",
        "section-parent": "板块{title}上级板块由「{old}」改为「{new}」",
        "section-weight": "板块{title}权重由{old}改为{new}",
        "item-applies": "{title}适用条件由「{old}」改为「{new}」",
        "item-group": "{title}所属备选组由「{old}」改为「{new}」",
        "clause-added": "{title}新增{clause}：{new}",
        "clause-removed": "{title}删除{clause}：{old}",
        "clause-changed": "{title}{clause} {old} → {new}",
        "grade-quota-count": "等次“{target}”名额上限（个数）由{old}改为{new}",
        "grade-rounding": "等次“{target}”名额取整由{old}改为{new}",
        "grade-min-quota": "等次“{target}”及以下最低比例由{old}改为{new}",
        "grade-min-count": "等次“{target}”及以下最低个数由{old}改为{new}",
        "grade-added-cause": "新增等次“{target}”",
        "grade-removed-cause": "删除等次“{target}”",
        "grade-min-cause": "{target}最低分由{old}改为{new}",
        "grade-quota-cause": "{target}名额由{old}改为{new}",
        "grade-quota-count-cause": "{target}名额上限由{old}改为{new}",
        "grade-rounding-cause": "{target}名额取整由{old}改为{new}",
        "grade-min-quota-cause": "{target}及以下最低比例由{old}改为{new}",
        "grade-min-count-cause": "{target}及以下最低个数由{old}改为{new}",
        "none": "不限",
        "cap": "等次不高于{grade}",
        "zero": "总分计0分",
        "exclude": "{label}",
        "always": "全部适用",
        "otherwise": "不适用时{how}",
        "otherwise-full": "不扣分",
        "otherwise-na": "不计入",
        "otherwise-zero": "计0分",
        "clause": "第{number}条",
        "clause-applies": "仅适用于{condition}的单位",
        "no-cap": "不设上限",
        "rounding-down": "去尾法", "rounding-nearest": "四舍五入", "rounding-up": "进一法",
        "problem": "问题表述{text}",
        "rectify": "整改要求{text}",
        "no-text": "（未写）",
        "join": "、",
        "lang": "zh",
    },
    "en": {
        "item-added": "{kind} {title} ({target}) added, max {new}",
        "item-removed": "{kind} {title} ({target}) removed, was max {old}",
        "item-kind": "{title} ({target}) changed from {old} to {new}",
        "item-max": "{title} ({target}): max {old} -> {new}",
        "item-rule": "{title} ({target}): rule {old} -> {new}",
        "item-parameters": "{title} ({target}): parameters {old} -> {new}",
        "item-section": "{title} ({target}): section {old} -> {new}",
        "item-title": "{target}: title {old_title} -> {new_title}",
        "grade-added": "grade '{target}' added, min {new}",
        "grade-removed": "grade '{target}' removed, was min {old}",
        "grade-min": "grade '{target}': min {old} -> {new}",
        "grade-quota": "grade '{target}': quota {old} -> {new}",
        "veto-added": "veto {title} ({target}) added: {new}",
        "veto-removed": "veto {title} ({target}) removed: {old}",
        "veto-changed": "veto {title} ({target}): {old} -> {new}",
        "setting": "rubric setting {name}: {old} -> {new}",
        "section-added": "section {title} ({target}) added, max {new}",
        "section-removed": "section {title} ({target}) removed, was max {old}",
        "section-max": "section {title} ({target}): max {old} -> {new}",
        "section-title": "section {target}: title {old_title} -> {new_title}",
        "section-parent": "section {title} ({target}): parent {old} -> {new}",
        "section-weight": "section {title} ({target}): weight {old} -> {new}",
        "item-applies": "{title} ({target}): applies {old} -> {new}",
        "item-group": "{title} ({target}): group {old} -> {new}",
        "clause-added": "{title} ({item}): {clause} added: {new}",
        "clause-removed": "{title} ({item}): {clause} removed: {old}",
        "clause-changed": "{title} ({item}) {clause}: {old} -> {new}",
        "grade-quota-count": "grade '{target}': most branches {old} -> {new}",
        "grade-rounding": "grade '{target}': quota rounding {old} -> {new}",
        "grade-min-quota": "grade '{target}' or worse: least share {old} -> {new}",
        "grade-min-count": "grade '{target}' or worse: least branches {old} -> {new}",
        "grade-added-cause": "grade '{target}' added",
        "grade-removed-cause": "grade '{target}' removed",
        "grade-min-cause": "{target} min {old} -> {new}",
        "grade-quota-cause": "{target} quota {old} -> {new}",
        "grade-quota-count-cause": "{target} most branches {old} -> {new}",
        "grade-rounding-cause": "{target} quota rounding {old} -> {new}",
        "grade-min-quota-cause": "{target} or worse: least share {old} -> {new}",
        "grade-min-count-cause": "{target} or worse: least branches {old} -> {new}",
        "none": "none",
        "cap": "grade at best {grade}",
        "zero": "total set to 0",
        "exclude": "{label}",
        "always": "always",
        "otherwise": "otherwise {how}",
        "otherwise-full": "full marks",
        "otherwise-na": "not applicable",
        "otherwise-zero": "0 points",
        "clause": "clause {number}",
        "clause-applies": "applies only where {condition}",
        "no-cap": "no cap",
        "rounding-down": "down", "rounding-nearest": "nearest", "rounding-up": "up",
        "problem": "problem {text}",
        "rectify": "rectify {text}",
        "no-text": "(none)",
        "join": ", ",
        "lang": "en",
    },
}

_KINDS: dict[Lang, dict[str, str]] = {
    "zh": {"indicator": "指标", "bonus": "加分项", "penalty": "扣分项"},
    "en": {"indicator": "indicator", "bonus": "bonus", "penalty": "penalty"},
}

#: Rubric settings that change scores or grades, compared one by one.
_SETTINGS: tuple[str, ...] = ("total", "bonus_cap", "missing", "raters", "trim", "precision")


#: The rubric settings as the 细则 names them, and their values in words: a clerk reads
#: "多人评分方式", never ``raters = "trimmed_mean"``.
_SETTING_NAMES: dict[Lang, dict[str, str]] = {
    "zh": {"total": "总分", "bonus_cap": "加分上限", "missing": "漏填处理方式",
           "raters": "多人评分方式", "trim": "去掉最高最低分的个数",
           "precision": "得分保留小数位数"},
    "en": {name: name for name in _SETTINGS},
}
_SETTING_VALUES: dict[Lang, dict[str, str]] = {
    "zh": {"mean": "平均分", "median": "中位数", "trimmed_mean": "去掉最高最低分后平均",
           "error": "报错，不计分", "zero": "按0计", "na": "该项不适用", "inf": "不设上限"},
    "en": {},
}


def rule_parameters(item: Item) -> str:
    """The parameters of an item's rule as a rubric author writes them: an item whose
    parameters differ from its old self's is an ``item-parameters`` edit."""
    if item.rule == "check":
        return f"{item.field} {item.op} {_value_text(item.value)}"
    if item.rule == "scale":
        target = item.target_field if item.target_field else _number(item.target)
        return f"{item.field}, target = {target}"
    if item.rule in ("deduct", "count"):
        return f"{item.field}, per = {plain_number(item.per)}"
    if item.rule == "steps":
        steps = ", ".join(f"[{plain_number(t)}, {plain_number(p)}]" for t, p in item.steps)
        return f"{item.field}, steps = [{steps}]"
    if item.rule == "choice":
        points = ", ".join(f"{name} = {plain_number(p)}" for name, p in item.points)
        return f"{item.field}, points = {{{points}}}"
    if item.rule == "direct":
        return f"{item.field}, entry = {item.entry}"
    if item.rule == "clauses":
        # each clause is compared on its own (clause edits); here only how many
        return f"clauses = {len(item.clauses)}"
    return "fields = [" + ", ".join(item.fields) + "]"


def diff_rubrics(old: Rubric, new: Rubric) -> list[RubricEdit]:
    """Every edit from ``old`` to ``new``: settings, sections, items (with their clauses),
    grades, vetoes, in that order."""
    words = _WORDS[new.lang]
    edits = _setting_edits(old, new, words)
    edits += _section_edits(old, new, words)
    edits += _item_edits(old, new, words, _KINDS[new.lang])
    edits += _grade_edits(old, new, words)
    edits += _veto_edits(old, new, words)
    return edits


def _number(value: float | None) -> str:
    return "" if value is None else plain_number(value)


def _value_text(value: float | bool | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return plain_number(float(value))
    return f'"{value}"'


def _edit(words: dict[str, str], code: str, target: str, old: str, new: str,
          **extra: str) -> RubricEdit:
    # titles are quoted here, once: a title the rubric wrote in quotation marks keeps its own
    lang: Lang = "zh" if words["lang"] == "zh" else "en"
    shown = {key: quoted(value, lang) if key.endswith("title") else value
             for key, value in extra.items()}
    text = words[code].format(target=target, old=old, new=new, **shown)
    cause = (words[code + "-cause"].format(target=target, old=old, new=new, **shown)
             if code + "-cause" in words else text)
    return RubricEdit(code=code, target=target, old=old, new=new, text=text, cause=cause)


def _setting_edits(old: Rubric, new: Rubric, words: dict[str, str]) -> list[RubricEdit]:
    edits = []
    values = _SETTING_VALUES[new.lang]
    for name in _SETTINGS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            old_text, new_text = _setting_text(before), _setting_text(after)
            edits.append(_edit(words, "setting", name, values.get(old_text, old_text),
                               values.get(new_text, new_text),
                               name=_SETTING_NAMES[new.lang][name]))
    return edits


def _setting_text(value: object) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "inf"  # schema 2 without bonus_cap: the bonuses add up uncapped
    return plain_number(value) if isinstance(value, float) else str(value)


def _section_edits(old: Rubric, new: Rubric, words: dict[str, str]) -> list[RubricEdit]:
    before = {section.id: section for section in old.sections}
    after = {section.id: section for section in new.sections}
    edits: list[RubricEdit] = []
    for section in new.sections:
        previous = before.get(section.id)
        if previous is None:
            edits.append(_edit(words, "section-added", section.id, "",
                               plain_number(section.max), title=section.title))
            continue
        edits += _changed_section(old, previous, new, section, words)
    for section in old.sections:
        if section.id not in after:
            edits.append(_edit(words, "section-removed", section.id,
                               plain_number(section.max), "", title=section.title))
    return edits


def _changed_section(old: Rubric, previous: Section, new: Rubric, section: Section,
                     words: dict[str, str]) -> list[RubricEdit]:
    edits = []
    title = section.title
    if previous.title != section.title:
        edits.append(_edit(words, "section-title", section.id, previous.title, section.title,
                           old_title=previous.title, new_title=section.title))
    if previous.parent != section.parent:
        edits.append(_edit(words, "section-parent", section.id,
                           _section_title(old, previous.parent, words),
                           _section_title(new, section.parent, words), title=title))
    if previous.max != section.max:
        edits.append(_edit(words, "section-max", section.id, plain_number(previous.max),
                           plain_number(section.max), title=title))
    if previous.weight != section.weight:
        edits.append(_edit(words, "section-weight", section.id, plain_number(previous.weight),
                           plain_number(section.weight), title=title))
    return edits


def _item_edits(old: Rubric, new: Rubric, words: dict[str, str],
                kinds: dict[str, str]) -> list[RubricEdit]:
    before = {item.id: item for item in old.items}
    after = {item.id: item for item in new.items}
    edits: list[RubricEdit] = []
    for item in new.items:
        previous = before.get(item.id)
        if previous is None:
            edits.append(_edit(words, "item-added", item.id, "", plain_number(item.max),
                               kind=kinds[item.kind], title=item.title))
            continue
        title = item.title
        if previous.kind != item.kind:
            edits.append(_edit(words, "item-kind", item.id, kinds[previous.kind],
                               kinds[item.kind], title=title))
        if previous.title != item.title:
            edits.append(_edit(words, "item-title", item.id, previous.title, item.title,
                               old_title=previous.title, new_title=item.title))
        if previous.section != item.section:
            edits.append(_edit(words, "item-section", item.id,
                               _section_title(old, previous.section, words),
                               _section_title(new, item.section, words), title=title))
        if previous.max != item.max:
            edits.append(_edit(words, "item-max", item.id, plain_number(previous.max),
                               plain_number(item.max), title=title))
        if previous.rule != item.rule:
            edits.append(_edit(words, "item-rule", item.id, rule_text(old, previous),
                               rule_text(new, item), title=title))
        elif item.rule == "clauses":
            edits += _clause_edits(old, previous, new, item, words)
        elif rule_parameters(previous) != rule_parameters(item):
            edits.append(_edit(words, "item-parameters", item.id, rule_text(old, previous),
                               rule_text(new, item), title=title))
        applies_before = _applies_text(old, previous, words)
        applies_after = _applies_text(new, item, words)
        if applies_before != applies_after:
            edits.append(_edit(words, "item-applies", item.id, applies_before, applies_after,
                               title=title))
        if previous.group != item.group:
            edits.append(_edit(words, "item-group", item.id, previous.group or words["none"],
                               item.group or words["none"], title=title))
    for item in old.items:
        if item.id not in after:
            edits.append(_edit(words, "item-removed", item.id, plain_number(item.max), "",
                               kind=kinds[item.kind], title=item.title))
    return edits


def _section_title(rubric: Rubric, section_id: str | None, words: dict[str, str]) -> str:
    """A section as the 细则 heads it: its title, not its id."""
    titles = {section.id: section.title for section in rubric.sections}
    return titles.get(section_id, section_id) if section_id else words["none"]


def _quota_text(share: float | None, words: dict[str, str]) -> str:
    """A share as a clerk reads it, a percentage: 0.2 -> "20%"."""
    # rounded so that a share typed as 0.3 reads 30%, not 30.000000000000004%
    return words["none"] if share is None else f"{plain_number(round(share * 100, 9))}%"


def _applies_text(rubric: Rubric, item: Item, words: dict[str, str]) -> str:
    if item.applies_if is None:
        return words["always"]
    how = words["otherwise-" + item.otherwise]
    condition = condition_text(rubric, item.applies_if)
    return f"{condition}（{words['otherwise'].format(how=how)}）" if rubric.lang == "zh" \
        else f"{condition} ({words['otherwise'].format(how=how)})"


def _cap_text(rubric: Rubric, item: Item, clause: Clause, words: dict[str, str]) -> str:
    return cap_text(rubric, item, clause) or words["no-cap"]


def _clause_applies_text(rubric: Rubric, clause: Clause, words: dict[str, str]) -> str:
    """Where a clause counts, as the form says it: "仅适用于书记主任一肩挑的单位", or
    "全部适用"."""
    if clause.applies_if is None:
        return words["always"]
    return words["clause-applies"].format(condition=applies_text(rubric, clause.applies_if))


def _clause_whole(rubric: Rubric, item: Item, clause: Clause, words: dict[str, str]) -> str:
    """A clause added or removed: what it scores, its cap and where it counts where it
    has them."""
    text = clause_text(rubric, item, clause)
    if clause.cap is not None:
        text += words["join"] + cap_text(rubric, item, clause)
    if clause.applies_if is not None:
        text += words["join"] + _clause_applies_text(rubric, clause, words)
    return text


def _clause_edits(old: Rubric, previous: Item, new: Rubric, item: Item,
                  words: dict[str, str]) -> list[RubricEdit]:
    """Clauses matched by number: each parameter that changed is an edit of its own."""
    edits: list[RubricEdit] = []
    before = previous.clauses if previous.rule == "clauses" else ()
    extra = {"title": item.title, "item": item.id}
    for number, clause in enumerate(item.clauses, start=1):
        which = words["clause"].format(number=number)
        target = f"{item.id}#{number}"
        if number > len(before):
            edits.append(_edit(words, "clause-added", target, "",
                               _clause_whole(new, item, clause, words), clause=which, **extra))
            continue
        was = before[number - 1]
        pairs = [
            (clause_text(old, previous, was), clause_text(new, item, clause)),
            (_cap_text(old, previous, was, words), _cap_text(new, item, clause, words)),
            (_clause_applies_text(old, was, words), _clause_applies_text(new, clause, words)),
            (_text_of("problem", was.problem, words), _text_of("problem", clause.problem, words)),
            (_text_of("rectify", was.rectify, words), _text_of("rectify", clause.rectify, words)),
        ]
        edits += [_edit(words, "clause-changed", target, a, b, clause=which, **extra)
                  for a, b in pairs if a != b]
    for number in range(len(item.clauses) + 1, len(before) + 1):
        which = words["clause"].format(number=number)
        edits.append(_edit(words, "clause-removed", f"{item.id}#{number}",
                           _clause_whole(old, previous, before[number - 1], words), "",
                           clause=which, **extra))
    return edits


def _text_of(key: str, text: str | None, words: dict[str, str]) -> str:
    if text is None:
        return words[key].format(text=words["no-text"])
    return words[key].format(text=quoted(text, "zh" if words["lang"] == "zh" else "en"))


def _grade_edits(old: Rubric, new: Rubric, words: dict[str, str]) -> list[RubricEdit]:
    before = {grade.name: grade for grade in old.grades}
    after = {grade.name: grade for grade in new.grades}
    edits: list[RubricEdit] = []
    for grade in new.grades:
        previous = before.get(grade.name)
        if previous is None:
            edits.append(_edit(words, "grade-added", grade.name, "", plain_number(grade.min)))
            continue
        if previous.min != grade.min:
            edits.append(_edit(words, "grade-min", grade.name, plain_number(previous.min),
                               plain_number(grade.min)))
        if previous.max_share != grade.max_share:
            edits.append(_edit(words, "grade-quota", grade.name,
                               _quota_text(previous.max_share, words),
                               _quota_text(grade.max_share, words)))
        edits += _schema_2_quota_edits(previous, grade, words)
    for grade in old.grades:
        if grade.name not in after:
            edits.append(_edit(words, "grade-removed", grade.name, plain_number(grade.min), ""))
    return edits


def _schema_2_quota_edits(previous: Grade, grade: Grade,
                          words: dict[str, str]) -> list[RubricEdit]:
    edits = []
    if previous.min_share != grade.min_share:
        edits.append(_edit(words, "grade-min-quota", grade.name,
                           _quota_text(previous.min_share, words),
                           _quota_text(grade.min_share, words)))
    pairs = (("grade-quota-count", previous.max_count, grade.max_count),
             ("grade-min-count", previous.min_count, grade.min_count))
    for code, before, after in pairs:
        if before != after:
            edits.append(_edit(words, code, grade.name, _count_text(before, words),
                               _count_text(after, words)))
    if previous.quota_rounding != grade.quota_rounding:
        edits.append(_edit(words, "grade-rounding", grade.name,
                           words["rounding-" + previous.quota_rounding],
                           words["rounding-" + grade.quota_rounding]))
    return edits


def _count_text(value: float | None, words: dict[str, str]) -> str:
    return words["none"] if value is None else plain_number(float(value))


def _veto_text(rubric: Rubric, veto: Veto, words: dict[str, str]) -> str:
    """A veto as the 细则 says it, by the field's label, never its id:
    ``发生严重违纪违法问题为“是”，等次不高于合格``."""
    if veto.action == "cap":
        outcome = words["cap"].format(grade=veto.grade)
    elif veto.action == "zero":
        outcome = words["zero"]
    else:
        outcome = words["exclude"].format(label=veto.label)
    condition = describe_condition(rubric, veto.field, veto.op, veto.value)
    return f"{condition}时，{outcome}" if rubric.lang == "zh" else f"{condition}, {outcome}"


def _veto_edits(old: Rubric, new: Rubric, words: dict[str, str]) -> list[RubricEdit]:
    before = {veto.id: veto for veto in old.vetoes}
    after = {veto.id: veto for veto in new.vetoes}
    edits: list[RubricEdit] = []
    for veto in new.vetoes:
        previous = before.get(veto.id)
        if previous is None:
            edits.append(_edit(words, "veto-added", veto.id, "", _veto_text(new, veto, words),
                               title=veto.title))
        elif _veto_text(old, previous, words) != _veto_text(new, veto, words):
            edits.append(_edit(words, "veto-changed", veto.id, _veto_text(old, previous, words),
                               _veto_text(new, veto, words), title=veto.title))
    for veto in old.vetoes:
        if veto.id not in after:
            edits.append(_edit(words, "veto-removed", veto.id, _veto_text(old, veto, words), "",
                               title=veto.title))
    return edits

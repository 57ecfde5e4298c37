"""What changed between two rubrics, in words, matched by id.

Sub-district offices tune a rubric between periods; before adopting the new
one they need to see each edit stated plainly: an item added or removed, its
max changed, its rule or the rule's parameters changed, a grade band or quota
moved, a veto added or changed. Items and vetoes are matched by id, grades by
name, so a renamed item reads as one removed and one added.

The words follow the new rubric's language (``rubric.lang``).
"""

from __future__ import annotations

import attrs

from inspect_score.rubric.model import Item, Lang, Rubric, Veto
from inspect_score.scoring.labels import plain_number


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


_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "item-added": "新增{kind}“{title}”（{target}），满分 {new}",
        "item-removed": "删除{kind}“{title}”（{target}），原满分 {old}",
        "item-kind": "“{title}”（{target}）由{old}改为{new}",
        "item-max": "“{title}”（{target}）满分由 {old} 改为 {new}",
        "item-rule": "“{title}”（{target}）计分规则由 {old} 改为 {new}",
        "item-parameters": "“{title}”（{target}）计分参数由 {old} 改为 {new}",
        "item-section": "“{title}”（{target}）所属板块由 {old} 改为 {new}",
        "item-title": "{target} 名称由“{old}”改为“{new}”",
        "grade-added": "新增等次“{target}”，最低 {new} 分",
        "grade-removed": "删除等次“{target}”（原最低 {old} 分）",
        "grade-min": "等次“{target}”最低分由 {old} 改为 {new}",
        "grade-quota": "等次“{target}”名额比例由 {old} 改为 {new}",
        "veto-added": "新增否决项“{title}”（{target}）：{new}",
        "veto-removed": "删除否决项“{title}”（{target}）：{old}",
        "veto-changed": "否决项“{title}”（{target}）由 {old} 改为 {new}",
        "setting": "细则设置 {target} 由 {old} 改为 {new}",
        "none": "不限",
        "cap": "等次不高于{grade}",
    },
    "en": {
        "item-added": "{kind} '{title}' ({target}) added, max {new}",
        "item-removed": "{kind} '{title}' ({target}) removed, was max {old}",
        "item-kind": "'{title}' ({target}) changed from {old} to {new}",
        "item-max": "'{title}' ({target}): max {old} -> {new}",
        "item-rule": "'{title}' ({target}): rule {old} -> {new}",
        "item-parameters": "'{title}' ({target}): parameters {old} -> {new}",
        "item-section": "'{title}' ({target}): section {old} -> {new}",
        "item-title": "{target}: title '{old}' -> '{new}'",
        "grade-added": "grade '{target}' added, min {new}",
        "grade-removed": "grade '{target}' removed, was min {old}",
        "grade-min": "grade '{target}': min {old} -> {new}",
        "grade-quota": "grade '{target}': quota {old} -> {new}",
        "veto-added": "veto '{title}' ({target}) added: {new}",
        "veto-removed": "veto '{title}' ({target}) removed: {old}",
        "veto-changed": "veto '{title}' ({target}): {old} -> {new}",
        "setting": "rubric setting {target}: {old} -> {new}",
        "none": "none",
        "cap": "grade at best {grade}",
    },
}

_KINDS: dict[Lang, dict[str, str]] = {
    "zh": {"indicator": "指标", "bonus": "加分项", "penalty": "扣分项"},
    "en": {"indicator": "indicator", "bonus": "bonus", "penalty": "penalty"},
}

#: Rubric settings that change scores or grades, compared one by one.
_SETTINGS: tuple[str, ...] = ("total", "bonus_cap", "missing", "raters", "trim", "precision")


def rule_parameters(item: Item) -> str:
    """The parameters of an item's rule as a rubric author writes them."""
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
    return "fields = [" + ", ".join(item.fields) + "]"


def diff_rubrics(old: Rubric, new: Rubric) -> list[RubricEdit]:
    """Every edit from ``old`` to ``new``: settings, items, grades, vetoes, in that order."""
    words = _WORDS[new.lang]
    edits = _setting_edits(old, new, words)
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
    text = words[code].format(target=target, old=old, new=new, **extra)
    return RubricEdit(code=code, target=target, old=old, new=new, text=text)


def _setting_edits(old: Rubric, new: Rubric, words: dict[str, str]) -> list[RubricEdit]:
    edits = []
    for name in _SETTINGS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            edits.append(_edit(words, "setting", name, _setting_text(before),
                               _setting_text(after)))
    return edits


def _setting_text(value: object) -> str:
    return plain_number(value) if isinstance(value, float) else str(value)


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
            edits.append(_edit(words, "item-title", item.id, previous.title, item.title))
        if previous.section != item.section:
            edits.append(_edit(words, "item-section", item.id, previous.section or "",
                               item.section or "", title=title))
        if previous.max != item.max:
            edits.append(_edit(words, "item-max", item.id, plain_number(previous.max),
                               plain_number(item.max), title=title))
        if previous.rule != item.rule:
            edits.append(_edit(words, "item-rule", item.id,
                               f"{previous.rule} ({rule_parameters(previous)})",
                               f"{item.rule} ({rule_parameters(item)})", title=title))
        elif rule_parameters(previous) != rule_parameters(item):
            edits.append(_edit(words, "item-parameters", item.id, rule_parameters(previous),
                               rule_parameters(item), title=title))
    for item in old.items:
        if item.id not in after:
            edits.append(_edit(words, "item-removed", item.id, plain_number(item.max), "",
                               kind=kinds[item.kind], title=item.title))
    return edits


def _quota_text(share: float | None, words: dict[str, str]) -> str:
    return words["none"] if share is None else plain_number(share)


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
    for grade in old.grades:
        if grade.name not in after:
            edits.append(_edit(words, "grade-removed", grade.name, plain_number(grade.min), ""))
    return edits


def _veto_text(veto: Veto, words: dict[str, str]) -> str:
    cap = words["cap"].format(grade=veto.grade)
    return f"{veto.field} {veto.op} {_value_text(veto.value)}, {cap}"


def _veto_edits(old: Rubric, new: Rubric, words: dict[str, str]) -> list[RubricEdit]:
    before = {veto.id: veto for veto in old.vetoes}
    after = {veto.id: veto for veto in new.vetoes}
    edits: list[RubricEdit] = []
    for veto in new.vetoes:
        previous = before.get(veto.id)
        if previous is None:
            edits.append(_edit(words, "veto-added", veto.id, "", _veto_text(veto, words),
                               title=veto.title))
        elif _veto_text(previous, words) != _veto_text(veto, words):
            edits.append(_edit(words, "veto-changed", veto.id, _veto_text(previous, words),
                               _veto_text(veto, words), title=veto.title))
    for veto in old.vetoes:
        if veto.id not in after:
            edits.append(_edit(words, "veto-removed", veto.id, _veto_text(veto, words), "",
                               title=veto.title))
    return edits

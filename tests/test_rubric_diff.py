"""Rubric edits in words: every difference between two rubrics, matched by id."""

from __future__ import annotations

from pathlib import Path

import attrs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import rubrics, rubrics_2

from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Clause, Grade, Item, Rubric, Veto
from inspect_score.tuning.rubric_diff import diff_rubrics, rule_parameters

EN_BASIC = Path(__file__).parent / "data" / "rubrics" / "en-basic.toml"


def en_basic() -> Rubric:
    return load_rubric(EN_BASIC)


def replace_item(rubric: Rubric, item_id: str, **changes: object) -> Rubric:
    indicators = tuple(
        attrs.evolve(item, **changes) if item.id == item_id else item
        for item in rubric.indicators
    )
    return attrs.evolve(rubric, indicators=indicators)


def summary(rubric_old: Rubric, rubric_new: Rubric) -> list[tuple[str, str, str, str]]:
    return [(e.code, e.target, e.old, e.new) for e in diff_rubrics(rubric_old, rubric_new)]


@settings(max_examples=40, deadline=None)
@given(rubrics())
def test_a_rubric_compared_with_itself_has_no_edits(rubric: Rubric) -> None:
    """Comparing a rubric with itself finds nothing."""
    assert diff_rubrics(rubric, rubric) == []


def test_a_changed_max_is_one_edit_in_words() -> None:
    """Raising an indicator's max is reported with its title, old and new max."""
    old = en_basic()
    new = replace_item(old, "meetings", max=25.0)
    edits = diff_rubrics(old, new)
    assert summary(old, new) == [("item-max", "meetings", "20", "25")]
    assert edits[0].text == "'Meetings held as required' (meetings): max 20 -> 25"


def test_added_and_removed_items_are_matched_by_id() -> None:
    """An item only in the new rubric is added; one only in the old is removed."""
    old = en_basic()
    renamed = replace_item(old, "study", id="learning")
    expected = [("item-added", "learning", "", "10"), ("item-removed", "study", "10", "")]
    assert expected == summary(old, renamed)


def test_rule_and_parameter_changes_are_told_apart() -> None:
    """A new rule is a rule edit; the same rule with new parameters is a parameter edit."""
    old = en_basic()
    new_per = replace_item(old, "study", per=3.0)
    new_rule = replace_item(old, "volunteer", rule="deduct")
    assert summary(old, new_per) == [("item-parameters", "study",
             "2 points off per Study absences, down to zero",
             "3 points off per Study absences, down to zero")]
    assert summary(old, new_rule) == [("item-rule", "volunteer",
             "2 points per Service events, up to 10",
             "2 points off per Service events, down to zero")]


def test_grade_bands_and_quotas_moved_are_reported() -> None:
    """A grade's min and quota changes, an added grade and a removed one each give an edit."""
    old = en_basic()
    grades = (Grade("excellent", 92.0, max_share=0.3), Grade("good", 75.0),
              Grade("fair", 65.0), Grade("fail", 0.0))
    new = attrs.evolve(old, grades=grades)
    assert summary(old, new) == [
        ("grade-min", "excellent", "90", "92"),
        ("grade-quota", "excellent", "25%", "30%"),
        ("grade-added", "fair", "", "65"),
        ("grade-removed", "pass", "60", ""),
    ]


def test_a_quota_share_reads_as_a_percentage() -> None:
    """A share is a percentage to a clerk: 名额比例由20%改为30%, never 由0.2改为0.3; a lower
    quota's share too."""
    old = street_h2()
    best, *rest = old.grades
    new = attrs.evolve(old, grades=(attrs.evolve(best, max_share=0.3), *rest[:-1],
                                    attrs.evolve(rest[-1], min_share=0.05)))
    old = attrs.evolve(old, grades=(attrs.evolve(best, max_share=0.2), *rest))
    texts = [edit.text for edit in diff_rubrics(old, new)]
    assert texts == [f"等次“{best.name}”名额比例由20%改为30%",
                     f"等次“{rest[-1].name}”及以下最低比例由不限改为5%"]


def test_vetoes_and_settings_are_reported() -> None:
    """A veto's new gate, an added veto and a new bonus cap each give an edit; a veto is
    stated by its field's label, never its id."""
    old = en_basic()
    gate = Veto("violation", "Serious violation", "serious_violation", "==", True, "pass")
    extra = Veto("low", "Few meetings", "meetings_held", "<", 2.0, "pass")
    new = attrs.evolve(old, vetoes=(gate, extra), bonus_cap=5.0)
    assert summary(old, new) == [
        ("setting", "bonus_cap", "3", "5"),
        ("veto-changed", "violation", "Serious violation is yes, grade at best fail",
         "Serious violation is yes, grade at best pass"),
        ("veto-added", "low", "", "Meetings held is less than 2, grade at best pass"),
    ]


def test_words_follow_the_new_rubrics_language() -> None:
    """A Chinese rubric's edits are told in Chinese."""
    old = attrs.evolve(en_basic(), lang="zh")
    new = replace_item(old, "meetings", max=25.0)
    expected = ["“Meetings held as required”满分由20改为25"]
    assert expected == [edit.text for edit in diff_rubrics(old, new)]


def test_rule_parameters_read_like_the_rubric() -> None:
    """Each rule's parameters are written as a rubric author writes them."""
    rubric = en_basic()
    by_id: dict[str, Item] = {item.id: item for item in rubric.items}
    assert [rule_parameters(by_id[name]) for name in
          ("meetings", "reserve", "dues", "files", "ledgers")] == [
        "meetings_held, target = meetings_required",
        "reserve_cadres, steps = [[1, 4], [2, 7], [3, 10]]",
        "dues_on_time == true",
        "files_status, points = {complete = 20, partial = 12, missing = 0}",
        "fields = [roster_ok, minutes_ok]",
    ]


# schema 2 -----------------------------------------------------------------------------------

STREET_H2 = Path(__file__).parent.parent / "rubrics" / "street-2025-h2.toml"


def street_h2() -> Rubric:
    return load_rubric(STREET_H2)


def with_clauses(rubric: Rubric, item_id: str, clauses: tuple[Clause, ...]) -> Rubric:
    return attrs.evolve(rubric, indicators=tuple(
        attrs.evolve(item, clauses=clauses) if item.id == item_id else item
        for item in rubric.indicators))


@settings(max_examples=30, deadline=None)
@given(rubrics_2())
def test_a_schema_2_rubric_compared_with_itself_has_no_edits(rubric: Rubric) -> None:
    """Clauses, applies_if, groups, weights, quotas, veto actions: nothing differs from itself."""
    assert diff_rubrics(rubric, rubric) == []


@st.composite
def clause_edits(draw: st.DrawFn) -> tuple[Rubric, Rubric, str]:
    """A schema 2 rubric with a clause item, and the same rubric with one clause's cost changed."""
    rubric = draw(rubrics_2())
    candidates = [item for item in rubric.items if item.clauses]
    assume(candidates)
    item = draw(st.sampled_from(candidates))
    number = draw(st.integers(1, len(item.clauses)))
    clause = item.clauses[number - 1]
    if clause.shape in ("fault", "any"):
        changed = attrs.evolve(clause, points=clause.points + 1)
    else:
        changed = attrs.evolve(clause, per=clause.per + 1)
    clauses = tuple(changed if n == number else c for n, c in enumerate(item.clauses, start=1))

    def evolve(items: tuple[Item, ...]) -> tuple[Item, ...]:
        return tuple(attrs.evolve(i, clauses=clauses) if i.id == item.id else i for i in items)

    new = attrs.evolve(rubric, indicators=evolve(rubric.indicators),
                       bonuses=evolve(rubric.bonuses), penalties=evolve(rubric.penalties))
    return rubric, new, f"{item.id}#{number}"


@settings(max_examples=30, deadline=None)
@given(clause_edits())
def test_every_clause_cost_edit_is_traced_to_its_clause(
        edit: tuple[Rubric, Rubric, str]) -> None:
    """Changing what one clause costs is exactly one edit, naming the item and the clause."""
    old, new, target = edit
    edits = diff_rubrics(old, new)
    assert [(e.code, e.target) for e in edits] == [("clause-changed", target)]
    number = target.split("#")[1]
    assert f"第{number}条" in edits[0].text
    assert edits[0].old != edits[0].new


def test_a_clause_edit_reads_as_the_rubric_states_it() -> None:
    """党员大会 每少1次扣2分 -> 3分, with a cap added: two edits in the 细则's words."""
    old = street_h2()
    item = next(i for i in old.indicators if i.id == "three_meetings")
    clauses = list(item.clauses)
    clauses[1] = attrs.evolve(clauses[1], per=3.0, cap=4.0)
    new = with_clauses(old, "three_meetings", tuple(clauses))
    texts = [e.text for e in diff_rubrics(old, new)]
    assert texts == [
        "“三会一课”第2条 党员大会次数不足2次的，每少1次扣2分 → "
        "党员大会次数不足2次的，每少1次扣3分",
        "“三会一课”第2条 不设上限 → 最多扣4分",
    ]


def test_a_title_the_rubric_quoted_is_not_quoted_again() -> None:
    """A rubric that titles an item “三会一课” (quotation marks and all): its edits read
    “三会一课”第2条 and “三会一课”更名为…, never ““三会一课””."""
    old = street_h2()
    old = attrs.evolve(old, indicators=tuple(
        attrs.evolve(i, title="“三会一课”") if i.id == "three_meetings" else i
        for i in old.indicators))
    item = next(i for i in old.indicators if i.id == "three_meetings")
    clauses = list(item.clauses)
    clauses[1] = attrs.evolve(clauses[1], per=3.0)
    new = with_clauses(old, "three_meetings", tuple(clauses))
    renamed = attrs.evolve(new, indicators=tuple(
        attrs.evolve(i, title="落实“三会一课”") if i.id == "three_meetings" else i
        for i in new.indicators))
    texts = [e.text for e in diff_rubrics(old, renamed)]
    assert texts[0] == "“三会一课”更名为“落实‘三会一课’”"
    assert texts[1].startswith("“落实‘三会一课’”第2条 ")
    assert not any("““" in text or "””" in text for text in texts)


def test_clauses_added_and_removed_are_numbered() -> None:
    """Dropping the last clause removes 第5条; putting it back adds it, with what it costs."""
    old = street_h2()
    item = next(i for i in old.indicators if i.id == "three_meetings")
    fewer = with_clauses(old, "three_meetings", item.clauses[:-1])
    removed = diff_rubrics(old, fewer)
    assert [(e.code, e.target) for e in removed] == [("clause-removed", "three_meetings#5")]
    assert removed[0].text == ("“三会一课”删除第5条："
                               "每月开展主题党日为否的，扣3分")
    added = diff_rubrics(fewer, old)
    assert [(e.code, e.target) for e in added] == [("clause-added", "three_meetings#5")]


def test_section_max_weight_and_parent_are_edits() -> None:
    """A section's max, weight and parent changed are each listed (schema 1 missed the max)."""
    old = en_basic()
    new = attrs.evolve(old, sections=tuple(
        attrs.evolve(s, max=s.max + 10) if s.id == "org" else s for s in old.sections))
    assert [(e.code, e.target, e.old, e.new) for e in diff_rubrics(old, new)] == [
        ("section-max", "org", "40", "50")]
    h2 = street_h2()
    review = next(s for s in h2.sections if s.weight != 1.0)
    reweighted = attrs.evolve(h2, sections=tuple(
        attrs.evolve(s, weight=0.5) if s.id == review.id else s for s in h2.sections))
    edit, = diff_rubrics(h2, reweighted)
    assert (edit.code, edit.old, edit.new) == ("section-weight", "0.3", "0.5")
    assert edit.text == f"板块“{review.title}”权重由0.3改为0.5"


def test_applies_if_quotas_and_veto_actions_are_edits() -> None:
    """applies_if dropped, a count quota and rounding, a veto turned into exclude: each in words."""
    old = street_h2()
    deputy = next(i for i in old.indicators if i.applies_if is not None)
    grade = old.grades[0]
    veto = next(v for v in old.vetoes if v.action == "cap")
    new = attrs.evolve(
        old,
        indicators=tuple(attrs.evolve(i, applies_if=None) if i.id == deputy.id else i
                         for i in old.indicators),
        grades=(attrs.evolve(grade, max_count=3, quota_rounding="nearest"), *old.grades[1:]),
        vetoes=tuple(attrs.evolve(v, action="exclude", grade="", label="取消考核资格")
                     if v.id == veto.id else v for v in old.vetoes))
    edits = {e.code: e for e in diff_rubrics(old, new)}
    assert set(edits) == {"item-applies", "grade-quota-count", "grade-rounding", "veto-changed"}
    assert edits["item-applies"].new == "全部适用"
    assert "不扣分" in edits["item-applies"].old
    assert (edits["grade-quota-count"].old, edits["grade-quota-count"].new) == ("不限", "3")
    assert edits["grade-rounding"].text == "等次“优秀”名额取整由去尾法改为四舍五入"
    assert edits["veto-changed"].new.endswith("取消考核资格")


def test_a_section_moved_names_both_parents_by_title() -> None:
    """（一）三会一课 moved from 一、组织建设 to 二、基础工作: the parents by their titles."""
    old = street_h2()
    new = attrs.evolve(old, sections=tuple(
        attrs.evolve(s, parent="basics") if s.id == "meetings" else s for s in old.sections))
    edit, = diff_rubrics(old, new)
    assert edit.text == "板块“（一）三会一课”上级板块由「一、组织建设」改为「二、基础工作」"


@st.composite
def single_edits(draw: st.DrawFn) -> tuple[Rubric, Rubric, str]:
    """A schema 2 rubric and the same rubric with one setting of one kind changed, and the
    edit code that change must give."""
    rubric = draw(rubrics_2())
    kinds = ["section-weight", "item-applies", "grade-quota-count", "grade-rounding",
             "grade-min-count", "veto-changed", "clause-changed"]
    kind = draw(st.sampled_from(kinds))
    if kind == "section-weight":
        top = next(s for s in rubric.sections if s.parent is None)
        new = attrs.evolve(rubric, sections=tuple(
            attrs.evolve(s, weight=s.weight + 1) if s is top else s for s in rubric.sections))
    elif kind == "item-applies":
        item = draw(st.sampled_from(rubric.indicators))
        # an alternative must keep its applies_if; any other item changes its otherwise
        assume(item.applies_if is not None and item.group is None)
        changed = attrs.evolve(item, otherwise="zero" if item.otherwise != "zero" else "full")
        new = attrs.evolve(rubric, indicators=tuple(
            changed if i is item else i for i in rubric.indicators))
    elif kind.startswith("grade-"):
        assume(rubric.grades)
        grade = rubric.grades[0]
        changed = {
            "grade-quota-count": attrs.evolve(grade, max_count=(grade.max_count or 0) + 1),
            "grade-rounding": attrs.evolve(grade, quota_rounding="up" if grade.quota_rounding
                                           != "up" else "down"),
            "grade-min-count": attrs.evolve(grade, min_count=(grade.min_count or 0) + 1),
        }[kind]
        new = attrs.evolve(rubric, grades=(changed, *rubric.grades[1:]))
    elif kind == "veto-changed":
        assume(rubric.vetoes)
        veto = rubric.vetoes[0]
        changed = (attrs.evolve(veto, action="zero", grade="", label="")
                   if veto.action != "zero" else
                   attrs.evolve(veto, action="exclude", label="取消资格"))
        new = attrs.evolve(rubric, vetoes=(changed, *rubric.vetoes[1:]))
    else:
        items = [item for item in rubric.indicators if item.clauses]
        assume(items)
        item = draw(st.sampled_from(items))
        clause = item.clauses[0]
        changed_clause = attrs.evolve(clause, cap=(clause.cap or 1.0) + 1)
        new = attrs.evolve(rubric, indicators=tuple(
            attrs.evolve(i, clauses=(changed_clause, *i.clauses[1:])) if i is item else i
            for i in rubric.indicators))
    return rubric, new, kind


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single_edits())
def test_every_schema_2_edit_is_traced_once(edit: tuple[Rubric, Rubric, str]) -> None:
    """Section weights, applies_if, quota counts and rounding, lower quotas, veto actions and
    clause caps: one change is exactly one edit of its kind, with its old and new text."""
    old, new, kind = edit
    edits = diff_rubrics(old, new)
    assert [e.code for e in edits] == [kind]
    assert edits[0].old != edits[0].new
    assert edits[0].text


BUNDLED = Path(__file__).parent.parent / "rubrics"


def chinese_edits() -> dict[tuple[str, str], str]:
    """The edits from the bundled 上半年 rubric to the star rubric, by code and target."""
    old = load_rubric(BUNDLED / "street-2025-h1.toml")
    new = load_rubric(BUNDLED / "stars-2025.toml")
    return {(edit.code, edit.target): edit.text for edit in diff_rubrics(old, new)}


def test_chinese_settings_and_sections_are_stated_in_words() -> None:
    """A Chinese rubric's setting edits name the setting and its values as the 细则 says
    them, and an indicator moved to another section names both sections by their titles."""
    edits = chinese_edits()
    assert edits[("setting", "raters")] == "多人评分方式由平均分改为去掉最高最低分后平均"
    assert edits[("setting", "bonus_cap")] == "加分上限由5改为4"
    assert edits[("item-section", "volunteer")] == (
        "“党员志愿服务”所属板块由「基础工作」改为「服务群众」")


def test_chinese_rules_are_stated_as_the_rubric_states_them() -> None:
    """A Chinese rubric's rule edits name the field by its label and state the rule in
    words (steps as "达到1得3分、…"; a count by its unit), never as TOML or ids."""
    edits = chinese_edits()
    assert edits[("item-rule", "reserve")] == (
        "“后备干部”计分办法由「后备干部人数达到1得3分、达到2得5分、达到3得8分；"
        "低于1不得分」改为「后备干部人数不少于3的，得6分，否则不得分」")
    assert edits[("item-parameters", "audit")] == (
        "“三审制度落实”计分标准由「违反三审制度笔数每笔扣5分，扣完为止」"
        "改为「违反三审制度笔数每笔扣3分，扣完为止」")
    for text in edits.values():
        assert "steps" not in text and "per =" not in text and "reserve_cadres" not in text


def test_chinese_edits_name_items_sections_and_vetoes_by_title_never_by_id() -> None:
    """A clerk reads the edits: the half-year rubric against the star rating, and the
    second half's rubric against its star variant, mention no item, section or veto id."""
    import re

    for old_name, new_name in (("street-2025-h1.toml", "stars-2025.toml"),
                               ("street-2025-h2.toml", "stars-2025-h2.toml")):
        old, new = load_rubric(BUNDLED / old_name), load_rubric(BUNDLED / new_name)
        ids = {thing.id for rubric in (old, new)
               for thing in (*rubric.items, *rubric.sections, *rubric.vetoes)}
        texts = [edit.text for edit in diff_rubrics(old, new)]
        assert texts
        for text in texts:
            assert not set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text)) & ids, text


def test_a_clauses_applies_if_added_changed_or_removed_is_an_edit_in_words() -> None:
    """"一肩挑的社区……扣3分": a clause's applies_if added is one edit of that clause, stated
    as the form states it; removed, the reverse; a clause added with it says so."""
    old = street_h2()
    deputy = next(i for i in old.indicators if i.id == "deputy")
    assert deputy.applies_if is not None
    item = next(i for i in old.indicators if i.id == "three_meetings")
    clauses = list(item.clauses)
    clauses[4] = attrs.evolve(clauses[4], applies_if=deputy.applies_if)
    new = with_clauses(old, "three_meetings", tuple(clauses))
    added = diff_rubrics(old, new)
    assert [(e.code, e.target) for e in added] == [("clause-changed", "three_meetings#5")]
    assert added[0].text == "“三会一课”第5条 全部适用 → 仅适用于书记主任一肩挑的单位"
    removed = diff_rubrics(new, old)
    assert [(e.old, e.new) for e in removed] == [(added[0].new, added[0].old)]
    fewer = with_clauses(old, "three_meetings", item.clauses[:-1])
    [whole] = diff_rubrics(fewer, new)
    assert whole.text == ("“三会一课”新增第5条：每月开展主题党日为否的，扣3分、"
                          "仅适用于书记主任一肩挑的单位")

"""Rubric edits in words: every difference between two rubrics, matched by id."""

from __future__ import annotations

from pathlib import Path

import attrs
from hypothesis import given, settings
from strategies import rubrics

from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Grade, Item, Rubric, Veto
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
    assert summary(old, new_per) == [("item-parameters", "study", "study_absences, per = 2",
             "study_absences, per = 3")]
    assert summary(old, new_rule) == [("item-rule", "volunteer", "count (service_events, per = 2)",
             "deduct (service_events, per = 2)")]


def test_grade_bands_and_quotas_moved_are_reported() -> None:
    """A grade's min and quota changes, an added grade and a removed one each give an edit."""
    old = en_basic()
    grades = (Grade("excellent", 92.0, max_share=0.3), Grade("good", 75.0),
              Grade("fair", 65.0), Grade("fail", 0.0))
    new = attrs.evolve(old, grades=grades)
    assert summary(old, new) == [
        ("grade-min", "excellent", "90", "92"),
        ("grade-quota", "excellent", "0.25", "0.3"),
        ("grade-added", "fair", "", "65"),
        ("grade-removed", "pass", "60", ""),
    ]


def test_vetoes_and_settings_are_reported() -> None:
    """A veto's new gate, an added veto and a new bonus cap each give an edit."""
    old = en_basic()
    gate = Veto("violation", "Serious violation", "serious_violation", "==", True, "pass")
    extra = Veto("low", "Few meetings", "meetings_held", "<", 2.0, "pass")
    new = attrs.evolve(old, vetoes=(gate, extra), bonus_cap=5.0)
    assert summary(old, new) == [
        ("setting", "bonus_cap", "3", "5"),
        ("veto-changed", "violation", "serious_violation == true, grade at best fail",
         "serious_violation == true, grade at best pass"),
        ("veto-added", "low", "", "meetings_held < 2, grade at best pass"),
    ]


def test_words_follow_the_new_rubrics_language() -> None:
    """A Chinese rubric's edits are told in Chinese."""
    old = attrs.evolve(en_basic(), lang="zh")
    new = replace_item(old, "meetings", max=25.0)
    expected = ["“Meetings held as required”（meetings）满分由 20 改为 25"]
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

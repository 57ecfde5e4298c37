"""Loading and checking rubrics: the bundled ones, encodings, and every rule of the format.

Invalid rubrics live in tests/data/rubrics/invalid/, one mistake each; the
table INVALID below says which issues (code, line, key path) each must give.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import rubrics

from inspect_score.errors import Issue, RubricError, errors_only
from inspect_score.rubric.loader import load_rubric, validate_rubric_file
from inspect_score.rubric.model import Condition, Item, Rubric
from inspect_score.rubric.toml_lines import KeyLocator, render_key

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "rubrics" / "street-2025-h1.toml"
STARS = ROOT / "rubrics" / "stars-2025.toml"
DATA = Path(__file__).resolve().parent / "data" / "rubrics"
EN_BASIC = DATA / "en-basic.toml"
SCHEMA2_BASIC = DATA / "schema2-basic.toml"
INVALID_DIR = DATA / "invalid"

# name -> every issue the file gives, as (code, line, key path)
INVALID: dict[str, list[tuple[str, int | None, str | None]]] = {
    "schema-missing": [("schema-missing", 1, "schema")],
    "schema-unsupported": [("schema-unsupported", 2, "schema")],
    "unknown-key": [
        ("missing-key", 51, "indicator[2].title"),
        ("unknown-key", 54, "indicator[2].titel"),
    ],
    "unknown-top-key": [("unknown-key", 89, "penalties")],
    "key-not-for-rule": [("key-not-for-rule", 50, "indicator[1].per")],
    "share-with-field": [("key-not-for-rule", 77, "indicator[4].field")],
    "choices-on-int": [("key-not-for-type", 19, "field[2].choices")],
    "bounds-on-bool": [("key-not-for-type", 28, "field[4].min")],
    "missing-rule": [("missing-key", 51, "indicator[2].rule")],
    "missing-title": [("missing-key", 59, "section[2].title")],
    "missing-rubric-table": [("missing-key", 1, "rubric")],
    "missing-grades": [("missing-key", 1, "grade")],
    "wrong-type-max": [("wrong-type", 93, "penalty[1].max")],
    "wrong-type-nan": [("wrong-type", 93, "penalty[1].max")],
    "wrong-type-precision": [("wrong-type", 9, "rubric.precision")],
    "wrong-type-veto": [("wrong-type", 3, "veto")],
    "empty-title": [("empty-value", 76, "indicator[4].title")],
    "invalid-rubric-id": [("invalid-id", 5, "rubric.id")],
    "invalid-field-id": [("invalid-id", 11, "field[1].id")],
    "duplicate-field-id": [("duplicate-id", 17, "field[2].id")],
    "duplicate-section-id": [("duplicate-id", 60, "section[2].id")],
    "duplicate-item-id": [("duplicate-id", 98, "veto[1].id")],
    "duplicate-label": [("duplicate-label", 32, "field[5].label")],
    "reserved-section-id": [("reserved-id", 60, "section[2].id")],
    "reserved-field-id": [("reserved-id", 34, "field[6].id")],
    "unknown-lang": [("unknown-option", 8, "rubric.lang")],
    "unknown-field-type": [("unknown-option", 18, "field[2].type")],
    "unknown-raters": [("unknown-option", 8, "rubric.raters")],
    "unknown-missing": [("unknown-option", 36, "field[6].missing")],
    "unknown-rule": [("unknown-rule", 48, "indicator[1].rule")],
    "undeclared-field": [("undeclared-field", 55, "indicator[2].field")],
    "undeclared-share-field": [("undeclared-field", 77, "indicator[4].fields")],
    "scale-on-choice": [("field-type-mismatch", 46, "indicator[1].field")],
    "check-on-text": [("field-type-mismatch", 55, "indicator[2].field")],
    "share-on-int": [("field-type-mismatch", 77, "indicator[4].fields")],
    "target-field-on-choice": [("field-type-mismatch", 49, "indicator[1].target_field")],
    "veto-on-text": [("field-type-mismatch", 100, "veto[1].field")],
    "op-on-choice": [("invalid-op", 58, "indicator[2].op")],
    "unknown-op": [("invalid-op", 101, "veto[1].op")],
    "check-missing-op": [("missing-key", 51, "indicator[2].op")],
    "value-not-a-choice": [("invalid-value", 59, "indicator[2].value")],
    "value-on-bool": [("invalid-value", 58, "indicator[2].value")],
    "value-on-int": [("invalid-value", 102, "veto[1].value")],
    "unknown-section": [("unknown-section", 53, "indicator[2].section")],
    "empty-section": [("empty-section", 60, "section[2].id")],
    "section-max-mismatch": [("section-max-mismatch", 40, "section[1].max")],
    "total-mismatch": [("total-mismatch", 7, "rubric.total")],
    "non-positive-max": [("non-positive-max", 78, "indicator[4].max")],
    "steps-not-ascending": [("invalid-steps", 87, "bonus[1].steps")],
    "steps-points-above-max": [("invalid-steps", 87, "bonus[1].steps")],
    "steps-empty": [("invalid-steps", 87, "bonus[1].steps")],
    "steps-multiline": [("invalid-steps", 87, "bonus[1].steps")],
    "points-missing-choice": [("invalid-points", 71, "indicator[3].points")],
    "points-unknown-choice": [("invalid-points", 71, "indicator[3].points.lost")],
    "points-above-max": [("invalid-points", 71, "indicator[3].points.complete")],
    "points-subtable": [("invalid-points", 74, "indicator[3].points.partial")],
    "share-empty": [("invalid-share-fields", 77, "indicator[4].fields")],
    "share-repeated": [("invalid-share-fields", 77, "indicator[4].fields")],
    "scale-both-targets": [("scale-target", 50, "indicator[1].target")],
    "scale-no-target": [("scale-target", 42, "indicator[1]")],
    "non-positive-per": [("non-positive-per", 95, "penalty[1].per")],
    "choices-empty": [("invalid-choices", 23, "field[3].choices")],
    "choices-repeated": [("invalid-choices", 23, "field[3].choices")],
    "choices-missing": [("missing-key", 20, "field[3].choices")],
    "invalid-bounds": [("invalid-bounds", 13, "field[1].min")],
    "duplicate-grade": [("duplicate-grade", 111, "grade[2].name")],
    "grade-order": [("grade-order", 112, "grade[2].min")],
    "last-grade-min": [("last-grade-min", 112, "grade[2].min")],
    "last-grade-quota": [("last-grade-quota", 113, "grade[2].max_share")],
    "invalid-max-share": [("invalid-max-share", 108, "grade[1].max_share")],
    "unknown-grade": [("unknown-grade", 103, "veto[1].grade")],
    "missing-bonus-cap": [("missing-bonus-cap", 4, "rubric.bonus_cap")],
    "invalid-bonus-cap": [("invalid-bonus-cap", 8, "rubric.bonus_cap")],
    "invalid-trim": [("invalid-trim", 10, "rubric.trim")],
    "invalid-precision": [("invalid-precision", 9, "rubric.precision")],
    "toml-syntax": [("toml-syntax", 76, "indicator[4].title")],
    # schema 2 (each breaks one rule of tests/data/rubrics/schema2-basic.toml)
    "s2-key-under-schema-1": [("schema-2-key", 49, "indicator[1].headline")],
    "s2-rule-under-schema-1": [("schema-2-key", 57, "indicator[2].rule")],
    "s2-applies-if-undeclared": [("undeclared-field", 149, "indicator[3].applies_if.field")],
    "s2-below-on-bool": [("field-type-mismatch", 123, "indicator[1].clause[3].field")],
    "s2-cap-not-positive": [("non-positive-value", 119, "indicator[1].clause[2].cap")],
    "s2-choice-clause-zero": [("zero-blank-earns", 135, "indicator[1].clause[5].field")],
    "s2-clause-applies-if-is-on-number": [
        ("field-type-mismatch", 113, "indicator[1].clause[1].applies_if.field")],
    "s2-clause-applies-if-undeclared": [
        ("undeclared-field", 113, "indicator[1].clause[1].applies_if.field")],
    "s2-clause-no-shape": [("clause-shape", 109, "indicator[1].clause[1]")],
    "s2-clause-two-shapes": [("clause-shape", 109, "indicator[1].clause[1]")],
    "s2-direct-lost-zero": [("zero-blank-earns", 182, "indicator[6].field")],
    "s2-grade-on-exclude": [("key-not-for-action", 208, "veto[2].grade")],
    "s2-group-in-two-sections": [
        ("section-max-mismatch", 87, "section[1].max"),
        ("group-section", 166, "indicator[5].section"),
    ],
    "s2-group-max-mismatch": [("group-max-mismatch", 168, "indicator[5].max")],
    "s2-group-without-applies-if": [("group-member", 171, "indicator[5].group")],
    "s2-is-on-number": [("field-type-mismatch", 117, "indicator[1].clause[2].field")],
    "s2-label-on-cap": [("key-not-for-action", 200, "veto[1].label")],
    "s2-max-count-zero": [("invalid-max-count", 215, "grade[1].max_count")],
    "s2-min-share-first-grade": [("first-grade-min-quota", 217, "grade[1].min_share")],
    "s2-parent-cycle": [("section-parent", 92, "section[2].parent")],
    "s2-parent-forward": [("section-parent", 92, "section[2].parent")],
    "s2-reference-used": [("reference-field-used", 204, "veto[2].field")],
    "s2-section-max-mismatch": [("section-max-mismatch", 93, "section[2].max")],
    "s2-too-deep": [("section-depth", 104, "section[4].parent")],
    "s2-unknown-action": [("unknown-option", 207, "veto[2].action")],
    "s2-unknown-otherwise": [("unknown-option", 150, "indicator[3].otherwise")],
    "s2-unknown-placeholder": [("invalid-placeholder", 126, "indicator[1].clause[3].problem")],
    "s2-weight-on-child": [("weight-on-child", 94, "section[2].weight")],
    "s2-weights-mismatch": [("total-mismatch", 7, "rubric.total")],
}


def located(issues: list[Issue]) -> list[tuple[str, int | None, str | None]]:
    return [(issue.code, issue.row, issue.key) for issue in issues]


def item(rubric: Rubric, item_id: str) -> Item:
    return next(entry for entry in rubric.items if entry.id == item_id)


# -- the bundled rubrics ------------------------------------------------------


def test_street_rubric_loads_without_any_issue() -> None:
    """The half-year rubric the project ships is clean: no error, no warning."""
    assert validate_rubric_file(STREET) == []


def test_stars_rubric_loads_without_any_issue() -> None:
    """The star-rating rubric the project ships is clean: no error, no warning."""
    assert validate_rubric_file(STARS) == []


def test_street_rubric_settings_and_sections() -> None:
    """The model holds the [rubric] settings and sections the file states."""
    rubric = load_rubric(STREET)
    settings = (
        rubric.id,
        rubric.title,
        rubric.version,
        rubric.lang,
        rubric.total,
        rubric.bonus_cap,
        rubric.missing,
        rubric.raters,
        rubric.precision,
    )
    expected = (
        "street-2025-h1",
        "社区党建工作半年检查考评细则",
        "2025-08",
        "zh",
        100.0,
        5.0,
        "error",
        "mean",
        2,
    )
    assert expected == settings
    assert [(section.id, section.title, section.max) for section in rubric.sections] == [
        ("org", "组织建设", 35.0),
        ("basics", "基础工作", 35.0),
        ("finance", "财务管理", 30.0),
    ]
    by_section = {
        section.id: [entry.id for entry in rubric.indicators if entry.section == section.id]
        for section in rubric.sections
    }
    expected_members = {
        "org": ["meetings", "reserve", "activists", "dues"],
        "basics": ["files", "ledgers", "study", "volunteer"],
        "finance": ["audit", "publish", "satisfaction"],
    }
    assert expected_members == by_section


def test_street_rubric_rules() -> None:
    """Each indicator carries its rule with the parameters the file gives, as floats."""
    rubric = load_rubric(STREET)
    meetings = item(rubric, "meetings")
    assert (
        meetings.rule,
        meetings.field,
        meetings.target_field,
        meetings.target,
        meetings.max,
    ) == ("scale", "meetings_held", "meetings_required", None, 15.0)
    assert item(rubric, "reserve").steps == ((1.0, 3.0), (2.0, 5.0), (3.0, 8.0))
    activists = item(rubric, "activists")
    assert (activists.rule, activists.op, activists.value) == ("check", ">=", 1.0)
    dues = item(rubric, "dues")
    assert (dues.rule, dues.field, dues.op, dues.value) == ("check", "dues_on_time", "==", True)
    assert item(rubric, "files").points == (("齐全", 10.0), ("基本齐全", 6.0), ("不齐全", 0.0))
    assert item(rubric, "ledgers").fields == ("roster_ok", "minutes_ok", "ledger_ok", "photos_ok")
    assert (item(rubric, "study").rule, item(rubric, "study").per) == ("deduct", 0.5)
    assert (
        item(rubric, "volunteer").rule,
        item(rubric, "volunteer").per,
        item(rubric, "volunteer").max,
    ) == ("count", 1.0, 7.0)
    assert (item(rubric, "audit").rule, item(rubric, "audit").per) == ("deduct", 5.0)
    assert item(rubric, "publish").steps == ((1.0, 4.0), (2.0, 8.0))
    assert item(rubric, "satisfaction").target == 100.0
    assert all(entry.note for entry in rubric.indicators)
    assert all(isinstance(entry.max, float) for entry in rubric.items)


def test_street_rubric_bonus_penalty_veto_grades() -> None:
    """Bonuses, the penalty, both vetoes and the four grades are read as written."""
    rubric = load_rubric(STREET)
    assert [(entry.id, entry.rule, entry.max) for entry in rubric.bonuses] == [
        ("innovation", "steps", 3.0),
        ("media", "count", 3.0),
    ]
    assert [
        (entry.id, entry.field, entry.rule, entry.per, entry.max) for entry in rubric.penalties
    ] == [("cases", "discipline_cases", "count", 5.0, 10.0)]
    assert [(veto.id, veto.field, veto.op, veto.value, veto.grade) for veto in rubric.vetoes] == [
        ("discipline", "serious_violation", "==", True, "不合格"),
        ("low_satisfaction", "satisfaction", "<", 60.0, "良好"),
    ]
    assert [(grade.name, grade.min, grade.max_share) for grade in rubric.grades] == [
        ("优秀", 90.0, 0.2),
        ("良好", 80.0, None),
        ("合格", 60.0, None),
        ("不合格", 0.0, None),
    ]
    assert [entry.kind for entry in rubric.bonuses + rubric.penalties] == [
        "bonus",
        "bonus",
        "penalty",
    ]


def test_street_rubric_fields_follow_the_shared_table() -> None:
    """Fields have the ids, types, bounds, labels and policies agreed for the samples."""
    rubric = load_rubric(STREET)
    fields = {field.id: field for field in rubric.fields}
    assert len(fields) == 20
    assert (
        fields["meetings_held"].type,
        fields["meetings_held"].min,
        fields["meetings_held"].max,
        fields["meetings_held"].label,
    ) == ("int", 0.0, 200.0, "三会一课召开次数")
    assert fields["files_status"].choices == ("齐全", "基本齐全", "不齐全")
    assert rubric.missing_policy("satisfaction") == "na"
    assert rubric.missing_policy("meetings_held") == "error"
    zero = ["awards", "media_reports", "discipline_cases", "serious_violation", "remarks"]
    assert zero == [field.id for field in rubric.fields if field.missing == "zero"]
    assert fields["remarks"].type == "text"


def test_stars_rubric_differs_in_rules_but_shares_the_fields() -> None:
    """The star rubric reads the same checklist columns, with its own raters, grades and veto."""
    street, stars = load_rubric(STREET), load_rubric(STARS)
    assert [attrs.evolve(field, line=0) for field in street.fields] == [
        attrs.evolve(field, line=0) for field in stars.fields
    ]
    assert (stars.raters, stars.trim) == ("trimmed_mean", 1)
    assert [(g.name, g.min, g.max_share) for g in stars.grades] == [
        ("五星", 90.0, 0.15),
        ("四星", 80.0, None),
        ("三星", 70.0, None),
        ("二星", 60.0, None),
        ("一星", 0.0, None),
    ]
    discipline = next(veto for veto in stars.vetoes if veto.id == "discipline")
    assert (discipline.field, discipline.op, discipline.value, discipline.grade) == (
        "serious_violation",
        "==",
        True,
        "一星",
    )
    assert item(stars, "study").steps == ((0.0, 10.0), (1.0, 7.0), (2.0, 5.0), (3.0, 0.0))
    used = {name for entry in stars.items for name in entry.input_fields}
    used |= {veto.field for veto in stars.vetoes}
    declared = {field.id for field in stars.fields if field.type != "text"}
    assert declared == used


def test_source_and_sha256_describe_the_file_read() -> None:
    """Rubric.source is the path as given, sha256 the hex digest of the file's bytes."""
    relative = Path("rubrics") / "street-2025-h1.toml"
    rubric = load_rubric(STREET)
    assert (str(STREET), hashlib.sha256(STREET.read_bytes()).hexdigest()) == (
        rubric.source,
        rubric.sha256,
    )
    assert str(relative) == load_rubric(ROOT / relative).source.removeprefix(str(ROOT) + "/")


def test_lines_are_those_of_the_tables_in_the_file() -> None:
    """Each model object's line is the line of its table header."""
    rubric = load_rubric(STREET)
    lines = STREET.read_text(encoding="utf-8").split("\n")
    assert lines[rubric.indicators[0].line - 1] == "[[indicator]]"
    assert lines[rubric.indicators[0].line] == 'id = "meetings"'
    assert lines[rubric.grades[-1].line] == 'name = "不合格"'
    assert lines[rubric.fields[4].line] == 'id = "dues_on_time"'
    assert lines[rubric.vetoes[1].line] == 'id = "low_satisfaction"'
    assert lines[rubric.sections[2].line] == 'id = "finance"'


# -- en-basic, the small English rubric for other tests -----------------------


def test_en_basic_uses_every_rule_bonus_penalty_veto_and_quota() -> None:
    """en-basic loads clean and covers all seven rules, bonus, penalty, veto and a quota."""
    assert validate_rubric_file(EN_BASIC) == []
    rubric = load_rubric(EN_BASIC)
    assert rubric.lang == "en"
    assert {"check", "scale", "deduct", "steps", "choice", "share", "count"} == {
        entry.rule for entry in rubric.items
    }
    assert (len(rubric.bonuses), len(rubric.penalties), len(rubric.vetoes)) == (1, 1, 1)
    assert [grade.max_share for grade in rubric.grades if grade.max_share] == [0.25]


# -- encodings ------------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """A rubric saved by Notepad with a UTF-8 BOM loads like the same file without it."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + STREET.read_bytes())
    rubric = load_rubric(path)
    assert attrs.evolve(load_rubric(STREET), source=str(path), sha256=rubric.sha256) == rubric
    assert hashlib.sha256(path.read_bytes()).hexdigest() == rubric.sha256


def test_a_gbk_rubric_gives_the_encoding_issue(tmp_path: Path) -> None:
    """A rubric saved as GBK is refused with one issue saying to save it as UTF-8."""
    path = tmp_path / "gbk.toml"
    path.write_bytes(STREET.read_text(encoding="utf-8").encode("gbk"))
    issues = validate_rubric_file(path)
    assert located(issues) == [("rubric-encoding", 1, None)]
    assert "UTF-8" in issues[0].message
    with pytest.raises(RubricError) as raised:
        load_rubric(path)
    assert issues == list(raised.value.issues)


def test_the_encoding_issue_names_the_first_bad_line(tmp_path: Path) -> None:
    """The line of a GBK rubric's first non-UTF-8 byte is the issue's line."""
    path = tmp_path / "gbk.toml"
    path.write_bytes('schema = 1\n\n[rubric]\ntitle = "考评细则"\n'.encode("gbk"))
    assert located(validate_rubric_file(path)) == [("rubric-encoding", 4, None)]


def test_a_utf16_rubric_is_refused(tmp_path: Path) -> None:
    """Notepad's "Unicode" (UTF-16) is named as such and refused."""
    path = tmp_path / "utf16.toml"
    path.write_bytes(EN_BASIC.read_text(encoding="utf-8").encode("utf-16"))
    issues = validate_rubric_file(path)
    assert located(issues) == [("rubric-encoding", 1, None)]
    assert "UTF-16" in issues[0].message


def test_a_missing_file_is_an_issue_not_a_traceback(tmp_path: Path) -> None:
    """validate_rubric_file reports an unreadable file; load_rubric raises RubricError."""
    path = tmp_path / "absent.toml"
    assert located(validate_rubric_file(path)) == [("rubric-unreadable", None, None)]
    with pytest.raises(RubricError):
        load_rubric(path)


# -- invalid rubrics --------------------------------------------------------------


def test_every_invalid_rubric_has_its_expectation() -> None:
    """The corpus and the table of expectations name the same files."""
    assert sorted(INVALID) == sorted(path.stem for path in INVALID_DIR.glob("*.toml"))


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_rubric_gives_its_issues(name: str) -> None:
    """Each invalid rubric gives exactly its issues, each at the right line and key path."""
    path = INVALID_DIR / f"{name}.toml"
    issues = validate_rubric_file(path)
    assert INVALID[name] == located(errors_only(issues))
    assert all(issue.path == str(path) for issue in issues)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_load_rubric_raises_with_the_same_issues(name: str) -> None:
    """load_rubric refuses every invalid rubric, carrying every issue validation found."""
    path = INVALID_DIR / f"{name}.toml"
    with pytest.raises(RubricError) as raised:
        load_rubric(path)
    assert validate_rubric_file(path) == list(raised.value.issues)


def test_issue_text_reads_path_line_key_message() -> None:
    """str(issue) is PATH:LINE: key: message, and the message says found and expected."""
    path = INVALID_DIR / "unknown-rule.toml"
    issue = validate_rubric_file(path)[0]
    expected = (
        f"{path}:48: indicator[1].rule: unknown rule 'scal'; expected one of check, "
        "scale, deduct, steps, choice, share, count"
    )
    assert expected == str(issue)


def test_section_mismatch_message_names_both_sums() -> None:
    """A section whose indicators do not add up says both numbers."""
    issue = validate_rubric_file(INVALID_DIR / "section-max-mismatch.toml")[0]
    assert issue.message == "section 'org' max is 25 but its indicators add up to 20"


def test_syntax_error_keeps_tomllib_line_apart() -> None:
    """A TOML syntax error gives tomllib's reason in our words, with its line as the
    issue's row, the key of that line as its key path and the column in the message."""
    issue = validate_rubric_file(INVALID_DIR / "toml-syntax.toml")[0]
    assert (issue.row, issue.key, issue.message) == (
        76, "indicator[4].title",
        "not valid TOML: a string is not closed on its line: its closing quote is missing "
        "(column 17)")
    assert issue.render("zh") == (
        f"{INVALID_DIR / 'toml-syntax.toml'}:76: indicator[4].title: TOML 语法错误："
        "字符串在本行没有结束：缺少结尾的引号（第17列）")


def test_several_problems_are_reported_together() -> None:
    """A rubric with many mistakes gives all of them in one report, in file order."""
    issues = validate_rubric_file(DATA / "several-problems.toml")
    expected = [
        ("unknown-option", 7, "rubric.lang"),
        ("invalid-id", 11, "field[1].id"),
        ("unknown-rule", 28, "indicator[1].rule"),
        ("non-positive-per", 37, "indicator[2].per"),
        ("unknown-grade", 46, "veto[1].grade"),
        ("last-grade-min", 54, "grade[2].min"),
    ]
    assert expected == located(issues)


def test_warnings_do_not_stop_loading() -> None:
    """Doubtful but valid choices are warnings: the rubric still loads."""
    path = DATA / "warnings.toml"
    issues = validate_rubric_file(path)
    expected = [
        ("unused-bonus-cap", 8, "rubric.bonus_cap"),
        ("unused-trim", 9, "rubric.trim"),
        ("unused-field", 20, "field[3].id"),
        ("veto-no-effect", 43, "veto[1].grade"),
        ("unreachable-grade", 47, "grade[1].min"),
    ]
    assert expected == located(issues)
    assert all(issue.severity == "warning" for issue in issues)
    assert load_rubric(path).id == "w-test"


# -- conversions ------------------------------------------------------------------


def en_basic_with(tmp_path: Path, old: str, new: str) -> Path:
    text = EN_BASIC.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_choice_points_follow_the_fields_choice_order(tmp_path: Path) -> None:
    """Item.points lists (choice, points) in the field's order, whatever order the file uses."""
    path = en_basic_with(
        tmp_path,
        '{ "complete" = 20, "partial" = 12, "missing" = 0 }',
        '{ "missing" = 0, "complete" = 20, "partial" = 12 }',
    )
    assert item(load_rubric(path), "files").points == (
        ("complete", 20.0),
        ("partial", 12.0),
        ("missing", 0.0),
    )


def test_a_veto_on_a_bool_field_defaults_to_true(tmp_path: Path) -> None:
    """Without op and value, a veto on a bool field holds when the field is true."""
    path = en_basic_with(tmp_path, 'op = "=="\nvalue = true\ngrade = "fail"', 'grade = "fail"')
    veto = load_rubric(path).vetoes[0]
    assert (veto.op, veto.value) == ("==", True)


def test_floats_are_kept_and_tolerance_allows_float_sums(tmp_path: Path) -> None:
    """Float maxes that add up only within floating-point error are accepted."""
    text = EN_BASIC.read_text(encoding="utf-8")
    text = text.replace('max = 20\nrule = "scale"', 'max = 22.01\nrule = "scale"')
    text = text.replace('max = 10\nrule = "check"', 'max = 7.99\nrule = "check"')
    path = tmp_path / "floats.toml"
    path.write_text(text, encoding="utf-8")
    assert sum([22.01, 10.0, 7.99]) != 40  # the float sum is off by one ulp
    rubric = load_rubric(path)
    assert (item(rubric, "meetings").max, item(rubric, "dues").max) == (22.01, 7.99)


# -- the line locator ---------------------------------------------------------------

bare_keys = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
quoted_keys = st.sampled_from(["齐全", "基本 齐全", "a.b", "x=y", "#hash", "[t]", 'say "hi"'])
keys = st.one_of(bare_keys, quoted_keys)
tricky_text = st.sampled_from(
    ["plain", "[fake]", "[[fake]]", "k = 1", "# not a comment", 'a \\" quote', "括号]{", "'single'"]
)


@st.composite
def toml_values(draw: st.DrawFn) -> str:
    """A value as TOML text, maybe spanning several lines."""
    kind = draw(st.sampled_from(["int", "string", "literal", "ml-string", "ml-array", "inline"]))
    text = draw(tricky_text)
    if kind == "int":
        return str(draw(st.integers(-5, 500)))
    if kind == "string":
        return json.dumps(text, ensure_ascii=False)
    if kind == "literal":
        return "'" + text.replace("'", "") + "'"
    if kind == "ml-string":
        return (
            '"""\n' + text.replace('\\"', "") + "\n" + draw(tricky_text).replace('\\"', "") + '"""'
        )
    if kind == "ml-array":
        return "[\n  [1, 2],\n  " + json.dumps(text, ensure_ascii=False) + ",\n  [3, 4]\n]"
    return "{ " + json.dumps(text, ensure_ascii=False) + " = 1, b = [1, 2] }"


def toml_key(key: str) -> str:
    return (
        key
        if key.isascii() and key.replace("_", "").isalnum()
        else json.dumps(key, ensure_ascii=False)
    )


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[tuple[str | int, ...], int]]:
    """A TOML text of tables and arrays of tables, with the line each key was written on."""
    lines: list[str] = []
    expected: dict[tuple[str | int, ...], int] = {}
    counts: dict[str, int] = {}
    used_tables: set[str] = set()

    def write_keys(prefix: tuple[str | int, ...]) -> None:
        for key in draw(st.lists(keys, min_size=1, max_size=4, unique=True)):
            if draw(st.booleans()):
                lines.append(f"# {draw(tricky_text)}")
            expected[(*prefix, key)] = len(lines) + 1
            indent = draw(st.sampled_from(["", "  "]))
            lines.append(f"{indent}{toml_key(key)} = {draw(toml_values())}")
            lines.extend(lines.pop().split("\n"))

    write_keys(())
    for _ in range(draw(st.integers(0, 5))):
        name = draw(st.sampled_from(["rubric", "indicator", "grade", "field", "meta"]))
        if name in ("rubric", "meta"):
            if name in used_tables:
                continue
            used_tables.add(name)
            lines.append(f"[{name}]")
            write_keys((name,))
        else:
            counts[name] = counts.get(name, 0) + 1
            lines.append("")
            lines.append(f"[[{name}]]")
            write_keys((name, counts[name]))
    return "\n".join(lines) + "\n", expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_locator_finds_the_line_of_every_key(document: tuple[str, dict[Any, int]]) -> None:
    """For generated TOML, every key is found on the line it was written on."""
    text, expected = document
    tomllib.loads(text)  # the generated text is valid TOML
    locator = KeyLocator(text)
    assert expected == {path: locator.line_of(path) for path in expected}


def test_locator_falls_back_to_the_table_header() -> None:
    """An absent key is located at its table's header; an absent table at nothing."""
    text = 'schema = 1\n\n[[indicator]]\nid = "a"\n\n[[indicator]]\nid = "b"\n'
    locator = KeyLocator(text)
    assert (
        locator.line_of(("indicator", 2, "rule")),
        locator.line_of(("indicator", 2, "id")),
        locator.line_of(("grade", 1, "min")),
    ) == (6, 7, None)


def test_locator_follows_sub_tables_of_array_tables() -> None:
    """[indicator.points] belongs to the latest [[indicator]]; dotted keys are found."""
    text = '[[indicator]]\nid = "a"\n[[indicator]]\n[indicator.points]\n"齐全" = 1\na.b = 2\n'
    locator = KeyLocator(text)
    assert (
        locator.line_of(("indicator", 2, "points", "齐全")),
        locator.line_of(("indicator", 2, "points", "a", "b")),
        locator.line_of(("indicator", 2, "points")),
    ) == (5, 6, 4)


def test_render_key_quotes_what_is_not_bare() -> None:
    """Key paths read as TOML would write them: indices in brackets, odd keys quoted."""
    assert render_key(("indicator", 3, "points", "a.b")) == 'indicator[3].points."a.b"'
    assert render_key(("indicator", 3, "points", "齐全")) == "indicator[3].points.齐全"


# -- round trip with the shared rubric strategy ------------------------------------


def test_bundled_rubrics_copied_elsewhere_load_the_same(tmp_path: Path) -> None:
    """A rubric's meaning does not depend on where it is read from."""
    copy = tmp_path / "copy.toml"
    shutil.copy(STARS, copy)
    original, copied = load_rubric(STARS), load_rubric(copy)
    assert attrs.evolve(original, source=str(copy)) == copied


def toml_value(value: object) -> str:
    """A model value as TOML: JSON strings and numbers are valid TOML too."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_value(entry) for entry in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def dump_rubric(rubric: Rubric) -> str:
    """Write a model as a rubric file, every key spelled out, for a round trip."""
    settings_keys = (
        "id",
        "title",
        "lang",
        "total",
        "bonus_cap",
        "missing",
        "raters",
        "trim",
        "precision",
    )
    lines = ["schema = 1", "", "[rubric]"]
    lines += [f"{key} = {toml_value(getattr(rubric, key))}" for key in settings_keys]

    def table(name: str, values: dict[str, object]) -> None:
        lines.extend(["", f"[[{name}]]"])
        for key, value in values.items():
            if (
                isinstance(value, tuple)
                and value
                and isinstance(value[0], tuple)
                and isinstance(value[0][0], str)
            ):
                pairs = ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {v!r}" for k, v in value)
                lines.append(f"{key} = {{ {pairs} }}")
            elif value is not None and value != ():
                lines.append(f"{key} = {toml_value(value)}")

    for field in rubric.fields:
        table(
            "field",
            {
                "id": field.id,
                "label": field.label,
                "type": field.type,
                "min": field.min,
                "max": field.max,
                "help": field.help,
                "choices": field.choices,
                "missing": field.missing,
            },
        )
    for section in rubric.sections:
        table("section", {"id": section.id, "title": section.title, "max": section.max})
    parameters = {
        "check": ("field", "op", "value"),
        "scale": ("field", "target", "target_field"),
        "deduct": ("field", "per"),
        "count": ("field", "per"),
        "steps": ("field", "steps"),
        "choice": ("field", "points"),
        "share": ("fields",),
    }
    for entry in rubric.items:
        values: dict[str, object] = {
            "id": entry.id,
            "section": entry.section,
            "title": entry.title,
            "max": entry.max,
            "rule": entry.rule,
        }
        values.update({key: getattr(entry, key) for key in parameters[entry.rule]})
        table(entry.kind, values)
    for veto in rubric.vetoes:
        table(
            "veto",
            {
                "id": veto.id,
                "title": veto.title,
                "field": veto.field,
                "op": veto.op,
                "value": veto.value,
                "grade": veto.grade,
            },
        )
    for grade in rubric.grades:
        table("grade", {"name": grade.name, "min": grade.min, "max_share": grade.max_share})
    return "\n".join(lines) + "\n"


def without_positions(rubric: Rubric) -> Rubric:
    """The rubric's meaning alone: no lines, no source, no digest."""
    return attrs.evolve(
        rubric,
        source="",
        sha256="",
        fields=tuple(attrs.evolve(field, line=0) for field in rubric.fields),
        sections=tuple(attrs.evolve(section, line=0) for section in rubric.sections),
        indicators=tuple(attrs.evolve(entry, line=0) for entry in rubric.indicators),
        bonuses=tuple(attrs.evolve(entry, line=0) for entry in rubric.bonuses),
        penalties=tuple(attrs.evolve(entry, line=0) for entry in rubric.penalties),
        vetoes=tuple(attrs.evolve(veto, line=0) for veto in rubric.vetoes),
        grades=tuple(attrs.evolve(grade, line=0) for grade in rubric.grades),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rubrics())
def test_any_valid_rubric_written_as_toml_loads_back_equal(tmp_path: Path, drawn: Rubric) -> None:
    """Every rubric the shared strategy draws, written as TOML, loads back as the same model."""
    path = tmp_path / "drawn.toml"
    path.write_text(dump_rubric(drawn), encoding="utf-8")
    assert errors_only(validate_rubric_file(path)) == []
    assert without_positions(drawn) == without_positions(load_rubric(path))


# -- never a traceback --------------------------------------------------------------

bad_values = st.sampled_from(
    ["-1", "0", '"x"', "true", "[]", "[[1, 2]]", "{}", "nan", "2025-01-01", '["a", "a"]']
)
stray_lines = st.sampled_from(["[[indicator]]", "[[field]]", "[[grade]]", "[[veto]]", "x = 1"])


@st.composite
def damaged_rubrics(draw: st.DrawFn) -> str:
    """A bundled rubric with a few lines deleted, values replaced or tables inserted."""
    lines = draw(st.sampled_from([STREET, STARS, EN_BASIC])).read_text(encoding="utf-8")
    lines_list = lines.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines_list) - 1))
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        if action == "delete":
            del lines_list[index]
        elif action == "replace" and "=" in lines_list[index]:
            key = lines_list[index].split("=")[0]
            lines_list[index] = f"{key}= {draw(bad_values)}"
        else:
            lines_list.insert(index, draw(stray_lines))
    return "\n".join(lines_list)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(damaged_rubrics())
def test_a_damaged_rubric_gives_issues_never_a_traceback(tmp_path: Path, text: str) -> None:
    """Whatever is broken, validation returns issues and load_rubric raises only RubricError."""
    path = tmp_path / "damaged.toml"
    path.write_text(text, encoding="utf-8")
    issues = validate_rubric_file(path)
    assert all(issue.row is not None and issue.row >= 1 for issue in issues)
    if errors_only(issues):
        with pytest.raises(RubricError):
            load_rubric(path)
    else:
        assert load_rubric(path).id


def test_windows_line_endings_keep_the_same_lines(tmp_path: Path) -> None:
    """A rubric saved with CRLF line endings gives the same issues at the same lines."""
    source = INVALID_DIR / "key-not-for-rule.toml"
    path = tmp_path / "crlf.toml"
    path.write_bytes(source.read_bytes().replace(b"\n", b"\r\n"))
    assert located(validate_rubric_file(source)) == located(validate_rubric_file(path))


# -- schema 2 -----------------------------------------------------------------


def test_schema2_rubric_loads_every_schema2_key() -> None:
    """A schema 2 rubric with clauses, applies_if, groups, direct entry, nested and
    weighted sections, an uncapped bonus, quotas and veto actions loads cleanly,
    each key landing on the model."""
    rubric = load_rubric(SCHEMA2_BASIC)
    assert validate_rubric_file(SCHEMA2_BASIC) == []
    metadata = (rubric.schema, rubric.subject, rubric.issuer, rubric.recipients,
                rubric.problem_min_lost)
    assert metadata == (2, "社区党建工作", "某某街道党工委", "各社区党组织", 0.5)
    assert not rubric.bonus_capped
    dues = item(rubric, "dues")
    assert [c.shape for c in dues.clauses] == ["fault", "count", "shortfall", "list"]
    first = dues.clauses[0]
    assert (first.problem, first.rectify) == ("党费未按时足额交纳", "按时足额收缴党费")
    assert (dues.clauses[1].cap, dues.clauses[2].below) == (5.0, 2.0)
    assert dues.headline == "党费收缴不规范"
    service = item(rubric, "service")
    assert service.applies_if is not None
    alternative = (service.group, service.otherwise, service.applies_if.values)
    assert alternative == ("kind", "na", ("非教学",))
    assert item(rubric, "impression_item").entry == "lost"
    sections = [(s.id, s.parent, s.weight) for s in rubric.sections]
    assert sections == [("org", None, 1.0), ("team", "org", 1.0), ("work", None, 0.5)]
    vetoes = [(v.action, v.grade, v.label) for v in rubric.vetoes]
    assert vetoes == [("cap", "合格", ""), ("exclude", "", "取消考核资格")]
    best = rubric.grades[0]
    assert (best.max_count, best.quota_rounding, rubric.grades[-1].min_count) == (3, "nearest", 1)
    assert rubric.field("members").reference


def test_schema2_exclude_label_defaults_by_language(tmp_path: Path) -> None:
    """An exclude veto without label shows 取消资格 (zh)."""
    text = SCHEMA2_BASIC.read_text(encoding="utf-8").replace('label = "取消考核资格"\n', "")
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    assert load_rubric(path).vetoes[1].label == "取消资格"


def test_schema2_rubric_without_grades_loads(tmp_path: Path) -> None:
    """Schema 2 grades are optional: a score-only rubric loads, with zero/exclude vetoes."""
    text = SCHEMA2_BASIC.read_text(encoding="utf-8")
    text = text[: text.index("[[grade]]")]
    text = text.replace('value = false\ngrade = "合格"\n', 'value = false\naction = "zero"\n')
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    rubric = load_rubric(path)
    assert (rubric.grades, rubric.vetoes[0].action) == ((), "zero")


def test_schema1_rubric_without_grades_is_still_refused(tmp_path: Path) -> None:
    """Under schema 1 grades stay required."""
    issues = validate_rubric_file(INVALID_DIR / "missing-grades.toml")
    assert located(errors_only(issues)) == [("missing-key", 1, "grade")]


def loaded_with(tmp_path: Path, source: Path, edits: list[tuple[str, str]]) -> Rubric:
    """The rubric at ``source`` with each (written, instead) edit made once, loaded."""
    text = source.read_text(encoding="utf-8")
    for written, instead in edits:
        assert written in text
        text = text.replace(written, instead, 1)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return attrs.evolve(load_rubric(path), sha256="", source="")


@pytest.mark.parametrize(("yes", "no"), [
    ('"是"', '"否"'), ('"yes"', '"no"'), ('"YES"', '" No "'), ('"true"', '"False"'),
])
def test_a_bool_condition_takes_the_words_checklists_take(
        tmp_path: Path, yes: str, no: str) -> None:
    """`is = "否"` for a bool field (a clause, applies_if), and `value = "是"` in a veto or a
    check, are `false` and `true` written as a clerk says them: 是/否, yes/no or
    true/false as text, in any case. The rubric is the one written with true and false."""
    plain = loaded_with(tmp_path, SCHEMA2_BASIC, [])
    worded = loaded_with(tmp_path, SCHEMA2_BASIC, [
        ('field = "dues_on_time"\nis = false', f'field = "dues_on_time"\nis = {no}'),
        ('field = "dual_role", is = true', f'field = "dual_role", is = {yes}'),
        ('field = "minutes"\nvalue = false', f'field = "minutes"\nvalue = {no}'),
    ])
    assert worded == plain
    english = loaded_with(tmp_path, EN_BASIC, [
        ('field = "serious_violation"\nop = "=="\nvalue = true',
         f'field = "serious_violation"\nop = "=="\nvalue = {yes}')])
    assert english == loaded_with(tmp_path, EN_BASIC, [])


@pytest.mark.parametrize("written", ['"对"', '"1"', "1", '["是"]'])
def test_a_bool_condition_names_what_it_accepts(tmp_path: Path, written: str) -> None:
    """Anything else for a bool field is an error at its key that names every spelling
    accepted."""
    text = SCHEMA2_BASIC.read_text(encoding="utf-8").replace(
        'field = "dues_on_time"\nis = false', f'field = "dues_on_time"\nis = {written}', 1)
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    [issue] = errors_only(validate_rubric_file(path))
    assert (issue.code, issue.key) == ("invalid-value", "indicator[1].clause[1].is")
    assert issue.render("zh").endswith(
        '应为 true 或 false（也可写 "是"/"否"、"yes"/"no"、"true"/"false"）')


def test_a_clause_may_apply_only_to_some_branches(tmp_path: Path) -> None:
    """`applies_if` on a clause is read as on an item: `is` (in the words checklists
    take) or `op` + `value`; the clause keeps its own shape and fields."""
    rubric = loaded_with(tmp_path, SCHEMA2_BASIC, [
        ('points = 10\nproblem = "党费未按时足额交纳"',
         'points = 10\napplies_if = { field = "dual_role", is = "是" }\n'
         'problem = "党费未按时足额交纳"'),
        ('below = 2\nper = 5', 'below = 2\nper = 5\napplies_if = { field = "arrears", op = ">", '
         'value = 0 }'),
    ])
    first, second, third, _ = item(rubric, "dues").clauses
    assert first.applies_if == Condition(field="dual_role", op="==", values=(True,))
    assert second.applies_if is None
    assert third.applies_if == Condition(field="arrears", op=">", values=(0.0,))
    assert (first.input_fields, third.input_fields) == (("dues_on_time",), ("meetings",))


@pytest.mark.parametrize(("written", "expected"), [
    ('applies_if = { field = "members", op = ">", value = 100 }',
     ("reference-field-used", "indicator[1].clause[1].applies_if.field")),
    ('applies_if = { field = "unit_type", is = "中学" }',
     ("invalid-value", "indicator[1].clause[1].applies_if.is")),
    ('applies_if = "dual_role"', ("wrong-type", "indicator[1].clause[1].applies_if")),
    ('applies_if = { field = "dual_role", is = true }\notherwise = "na"',
     ("unknown-key", "indicator[1].clause[1].otherwise")),
])
def test_a_clauses_applies_if_is_checked_as_an_items(
        tmp_path: Path, written: str, expected: tuple[str, str]) -> None:
    """The same checks, codes and key paths as an item's `applies_if`; `otherwise` stays
    an item's key (a clause that does not apply costs nothing)."""
    text = SCHEMA2_BASIC.read_text(encoding="utf-8").replace(
        'points = 10\nproblem = "党费未按时足额交纳"',
        f'points = 10\n{written}\nproblem = "党费未按时足额交纳"', 1)
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    issues = errors_only(validate_rubric_file(path))
    assert [(issue.code, issue.key) for issue in issues] == [expected]
    name = expected[1].rsplit(".", 1)[1] if "otherwise" in expected[1] else "applies_if"
    assert issues[0].row == text[:text.index(f"\n{name} =")].count("\n") + 2

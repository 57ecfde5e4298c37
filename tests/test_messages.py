"""Messages in the reader's language: the catalogs, and how a message is rendered.

Every message of the package is a ``msg("...")``/``tr("...")`` whose English text
is the catalog's id; ``locale/zh/LC_MESSAGES/inspect_score.po`` gives each its
Chinese wording and the compiled ``.mo`` beside it is what runs.
"""

from __future__ import annotations

import functools
import gettext
import importlib.util
import pickle
import re
import string
import sys
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import tomllib
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from inspect_score.errors import InspectError, Issue, RubricError
from inspect_score.messages import (
    Message,
    listing,
    msg,
    parse_language,
    system_language,
    tr,
    use_language,
)

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "src" / "inspect_score"
PO = PACKAGE / "locale" / "zh" / "LC_MESSAGES" / "inspect_score.po"
MO = PO.with_suffix(".mo")


def _catalog_tool() -> ModuleType:
    """scripts/update_messages.py: what extracts the messages from the source."""
    spec = importlib.util.spec_from_file_location("update_messages",
                                                  ROOT / "scripts" / "update_messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["update_messages"] = module
    spec.loader.exec_module(module)
    return module


tool = _catalog_tool()


@functools.cache
def uses() -> tuple[Any, ...]:
    """Every message of the package (read once: the source is walked by AST)."""
    return tuple(tool.uses())


def zh_entries() -> dict[str, str]:
    with PO.open("rb") as file:
        catalog = read_po(file, locale="zh")
    return {message.id: message.string for message in catalog
            if message.id and not message.fuzzy}


def fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name}


# -- the catalogs --------------------------------------------------------------------------


def test_every_message_of_the_source_has_a_chinese_wording() -> None:
    """Each msg()/tr()/N_() template in the package has a non-empty, non-fuzzy
    translation in the zh catalog (run scripts/update_messages.py, then fill it in)."""
    entries = zh_entries()
    untranslated = sorted({use.template for use in uses() if not entries.get(use.template)})
    assert untranslated == []


def test_the_catalog_holds_no_entry_the_source_no_longer_uses() -> None:
    """A message reworded in the source leaves no stale entry behind."""
    used = {use.template for use in uses()}
    assert sorted(set(zh_entries()) - used) == []


def test_every_issue_code_raised_has_an_english_and_a_chinese_text() -> None:
    """Each code the package raises (found by scanning the source) is raised with a
    catalog message somewhere: its English is the message id, its Chinese the
    catalog's entry marked with the code. The codes whose message is handed on from
    a library check (its own catalog message) are listed here, so that a new one is
    looked at."""
    handed_on = {"bad-option", "branches-differ", "deadline-options", "template-invalid-toml"}
    entries = zh_entries()
    with_text = {use.code for use in uses() if entries.get(use.template)}
    raised = set(tool.raised_codes())
    assert sorted(raised - with_text - handed_on) == []
    assert handed_on <= raised


def test_no_issue_is_raised_with_text_written_in_place() -> None:
    """Issue(...), the rubric reader's error()/warn() and (code, message) pairs take a
    catalog message, never a literal or an f-string a Chinese reader would get in
    English."""
    assert tool.plain_text_messages() == []


def test_the_plain_text_check_finds_text_written_in_place(tmp_path: Path) -> None:
    """The check above can fail: it finds an f-string message and a (code, text) pair."""
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "m.py").write_text(
        'Issue("bad-thing", f"{x} is bad", path)\n'
        'pair = ("odd-cell", "the cell is odd")\n'
        'fine = Issue("good-thing", msg("{x} is bad", x=x), path)\n', encoding="utf-8")
    assert tool.plain_text_messages(package) == ["src/pkg/m.py:1: bad-thing",
                                                 "src/pkg/m.py:2: odd-cell"]


def test_each_translation_fills_the_same_placeholders_as_its_english() -> None:
    """A translation may reorder the values but never drop, add or rename one."""
    wrong = {english: chinese for english, chinese in zh_entries().items()
             if fields(english) != fields(chinese)}
    assert wrong == {}


#: Chinese beside an ASCII colon: "用于 为民办实事: …" where "用于“为民办实事”：…" is meant.
_ASCII_COLON_IN_CHINESE = re.compile(r"[\u4e00-\u9fff“”「」（）]\s*:|:\s*[\u4e00-\u9fff“「（]")
#: A location before the message, as an issue's line writes it ("rubric.toml: 检查通过").
_LOCATION = re.compile(r"^\{path\}: ")


def test_chinese_wording_uses_full_width_colons() -> None:
    """No Chinese translation writes an ASCII colon in its Chinese text (a location before
    it, "{path}: ", is an issue line's, as PATH:ROW:COLUMN: is)."""
    wrong = {english: chinese for english, chinese in zh_entries().items()
             if _ASCII_COLON_IN_CHINESE.search(_LOCATION.sub("", chinese))}
    assert wrong == {}


def test_a_header_is_shown_in_chinese_quotation_marks_never_as_python_writes_it() -> None:
    """A checklist's headers (and the row label of a totals row) are quoted 「三会一课次数」 in
    Chinese, as the clerk typed them: never '三会一课次数' with Python's quotes, and never
    the rubric's field id beside them."""
    quoted = re.compile(r"\{(header|headers|expected|label)!r\}|\{id!r\}")
    wrong = {english: chinese for english, chinese in zh_entries().items()
             if quoted.search(chinese)}
    assert wrong == {}


def test_the_compiled_catalog_is_the_po_file() -> None:
    """The .mo that runs says exactly what the .po says (compile with
    scripts/update_messages.py after editing the .po)."""
    with MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    runs = {english: compiled.gettext(english) for english in zh_entries()}
    assert runs == zh_entries()


def test_the_compiled_catalogs_are_package_data() -> None:
    """pyproject.toml ships every compiled catalog in the wheel (and a non-editable
    install), as it ships the bulletin templates."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["inspect_score"]
    compiled = [path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.mo")]
    assert compiled
    assert [path for path in compiled if not any(fnmatch(path, p) for p in patterns)] == []


# -- rendering -----------------------------------------------------------------------------


def test_a_message_reads_as_its_english_text() -> None:
    """A Message is a str: library callers read issue.message in English as before."""
    message = msg("'{shown}' is out of range; expected {expected}", shown="12次",
                  expected=msg("an int from {low} to {high}", low="0", high="10"))
    assert message == "'12次' is out of range; expected an int from 0 to 10"
    assert isinstance(message, str)


def test_a_message_renders_in_chinese_with_its_parts() -> None:
    """Nested messages and listed values are rendered in the same language."""
    message = msg("'{shown}' is not one of the choices; expected {expected}", shown="良",
                  expected=msg("one of {choices}", choices=listing(["完整", "基本完整", "缺失"])))
    assert message.render("zh") == "「良」不是可选项，应填完整、基本完整、缺失之一"
    assert message.render("en") == (
        "'良' is not one of the choices; expected one of 完整, 基本完整, 缺失")


def test_tr_renders_in_the_language_of_the_run() -> None:
    """tr() says a text now, in the language chosen for the block."""
    with use_language("zh"):
        assert tr("{count} errors; nothing was written.", count=3) == "共3处错误，未写出任何文件。"
    with use_language("en"):
        assert tr("{count} errors; nothing was written.", count=3) == (
            "3 errors; nothing was written.")


def test_an_issue_keeps_its_location_and_code_in_every_language() -> None:
    """PATH:ROW:COLUMN stays as it is; the message and the warning mark are translated."""
    issue = Issue("unknown-column", msg("column {header!r} (column {number}) is not a field "
                                        "of the rubric; ignored", header="备注", number=7),
                  "a.csv", row=1, column="备注", severity="warning")
    assert issue.render("en") == (
        "a.csv:1:备注: warning: column '备注' (column 7) is not a field of the rubric; ignored")
    assert issue.render("zh") == "a.csv:1:备注: 警告：第7列「备注」不是考评细则中的字段，已忽略"
    with use_language("zh"):
        assert str(InspectError([issue])) == issue.render("zh")


def test_plain_text_in_an_issue_is_shown_as_it_is() -> None:
    """Text that is not a catalog message (a caller's own) passes through untouched."""
    issue = Issue("own-check", "数值有误", "a.csv", row=3)
    assert issue.render("zh") == issue.render("en") == "a.csv:3: 数值有误"


@given(st.text(max_size=20), st.integers())
def test_a_message_survives_pickling(shown: str, number: int) -> None:
    """Issues cross process boundaries (multiprocessing) with their template and values."""
    message = msg("'{shown}' is out of range; expected {expected}", shown=shown,
                  expected=number)
    copy = pickle.loads(pickle.dumps(message))
    assert (copy, copy.render("zh")) == (message, message.render("zh"))


@pytest.mark.parametrize("tag, lang", [
    ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("zh_TW", "zh"), ("Chinese (Simplified)_China", "zh"),
    ("en_US.UTF-8", "en"), ("C", "en"), ("C.UTF-8", "en"), ("POSIX", "en"),
    ("de_DE", None), ("", None), (None, None),
])
def test_language_tags_as_systems_write_them(tag: str | None, lang: str | None) -> None:
    """zh and en are recognised from the ways locales are spelled; others are neither."""
    assert parse_language(tag) == lang


def test_the_system_language_follows_the_locale_variables(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """As gettext reads them: LANGUAGE, LC_ALL, LC_MESSAGES, LANG, the first set wins;
    an unknown language falls back to English."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert system_language() == "zh"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert system_language() == "en"
    monkeypatch.setenv("LANGUAGE", "fr:zh")
    assert system_language() == "en"


def test_every_message_renders_in_both_languages() -> None:
    """Every template of the source formats in English and in Chinese once its
    placeholders are filled (no stray brace, no format spec a value cannot take)."""
    for use in uses():
        values = {name: 1 for name in fields(use.template)}
        message = Message(use.template, values)
        assert message.render("zh") and message.render("en")


def test_the_catalog_reads_code_by_code() -> None:
    """Each entry raised with a code names it in the .po (``#. code: ...``), so a
    translator sees which problem a text describes."""
    with PO.open("rb") as file:
        catalog = read_po(file, locale="zh")
    entry = catalog.get("'{shown}' is not a whole number; expected {expected}")
    assert entry is not None and "code: bad-int" in entry.auto_comments


def test_an_error_keeps_its_issues_across_processes() -> None:
    """An InspectError pickles with its issues (code, location, message and values),
    and reads the same afterwards in either language."""
    issue = Issue("invalid-trim", msg("trim is {trim}; expected 0 or more", trim=-1),
                  "r.toml", row=9, key="rubric.trim")
    error = RubricError([issue])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.issues == error.issues
    with use_language("zh"):
        assert str(copy) == "r.toml:9: rubric.trim: trim 为-1，应不小于0"

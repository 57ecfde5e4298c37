"""click's own usage errors, through the real command: in Chinese when the run's
language is zh (--lang, INSPECT_SCORE_LANG or the system's locale, as decided
before any rubric is read), in English under --lang en; exit status 2 either way."""

from __future__ import annotations

import gettext
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspect_score.cli.main import main
from inspect_score.cli.support import usage_language
from inspect_score.messages import click_language

ROOT = Path(__file__).parent.parent
RUBRIC = str(ROOT / "rubrics" / "street-2025-h1.toml")
SAMPLE = str(ROOT / "samples" / "街道社区2025上半年.csv")

#: The four usage errors: the arguments, what a Chinese and an English reader see.
CASES = {
    "missing path": (["run", "nowhere.toml", "list.csv"],
                     "错误：'RUBRIC'的取值不对：文件'nowhere.toml'不存在。", "用法：",
                     "Error: Invalid value for 'RUBRIC': ", "does not exist."),
    "unknown option": (["run", "--foo"],
                       "错误：没有'--foo'这个选项。", "是否要用",
                       "Error: No such option '--foo'.", "Did you mean"),
    "missing argument": (["run"],
                         "错误：缺少参数 'RUBRIC'", "用法： inspect-score run",
                         "Error: Missing argument 'RUBRIC'", "Usage: inspect-score run"),
    "bad IntRange value": (["bulletin", "--best=-1", RUBRIC, SAMPLE],
                           "错误：'--best'的取值不对：-1不在x>=0的范围内。", "查看帮助",
                           "Error: Invalid value for '--best': -1 is not in the range x>=0.",
                           "for help"),
}


def invoke(args: list[str], env: dict[str, str | None]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False,
                                prog_name="inspect-score")
    return result.exit_code, result.stderr


@pytest.mark.parametrize("case", CASES)
def test_a_usage_error_is_in_chinese_for_a_zh_run(case: str) -> None:
    """With --lang zh a usage error reads in Chinese, English nowhere in its wording."""
    args, zh_error, zh_more, en_error, _ = CASES[case]
    status, err = invoke(["--lang", "zh", *args], {"INSPECT_SCORE_LANG": "en"})
    assert status == 2
    assert zh_error in err and zh_more in err
    assert "Error" not in err and "Usage" not in err and en_error not in err


@pytest.mark.parametrize("case", CASES)
def test_a_usage_error_is_in_english_under_lang_en(case: str) -> None:
    """With --lang en (typed after the command) a usage error reads in English even
    on a Chinese system with INSPECT_SCORE_LANG=zh."""
    args, zh_error, _, en_error, en_more = CASES[case]
    command, *rest = args
    status, err = invoke([command, "--lang", "en", *rest],
                         {"INSPECT_SCORE_LANG": "zh", "LANGUAGE": "zh_CN"})
    assert status == 2
    assert en_error in err and en_more in err
    assert zh_error not in err and "错误" not in err


def test_the_system_locale_decides_without_lang() -> None:
    """No --lang and no INSPECT_SCORE_LANG: a Chinese system gets Chinese usage errors."""
    status, err = invoke(["run"], {"INSPECT_SCORE_LANG": None, "LANGUAGE": None,
                                   "LC_ALL": None, "LC_MESSAGES": None,
                                   "LANG": "zh_CN.UTF-8"})
    assert status == 2
    assert "错误：缺少参数 'RUBRIC'" in err


@pytest.mark.parametrize("args, expected", [
    (["run", "--lang", "zh", "x.toml"], "zh"),
    (["--lang=en", "run", "--lang", "zh"], "zh"),
    (["--lang", "zh", "run", "--lang=en"], "en"),
    (["run", "--", "--lang", "zh"], "en"),
])
def test_the_last_lang_typed_before_dash_dash_decides(
        args: list[str], expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """--lang as typed decides the language of usage errors, the last one winning;
    what follows "--" is an argument, not an option."""
    monkeypatch.setenv("INSPECT_SCORE_LANG", "en")
    assert usage_language(args) == expected


def test_the_language_is_given_back_after_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process's $LANGUAGE and gettext's default domain read as before once the
    command line is done: a caller running commands in-process sees nothing changed."""
    monkeypatch.setenv("LANGUAGE", "fr")
    with click_language("zh"):
        assert gettext.gettext("Missing argument") == "缺少参数"
    assert os.environ["LANGUAGE"] == "fr"
    assert gettext.gettext("Missing argument") == "Missing argument"
    monkeypatch.delenv("LANGUAGE")
    with click_language("en"):
        assert gettext.gettext("Missing argument") == "Missing argument"
    assert "LANGUAGE" not in os.environ


CLICK_PO = (ROOT / "src" / "inspect_score" / "locale" / "zh" / "LC_MESSAGES" / "messages.po")


def click_entries() -> dict[str, str]:
    """Each translated message of click's catalog: its English (the plural form where
    there is one: Chinese has one form for every count) and its Chinese."""
    from babel.messages.pofile import read_po

    with CLICK_PO.open("rb") as file:
        catalog = read_po(file)
    entries = {}
    for message in catalog:
        if not message.id or not message.string:
            continue
        english = message.id[-1] if isinstance(message.id, tuple) else message.id
        chinese = message.string[0] if isinstance(message.string, tuple) else message.string
        if chinese:
            entries[english] = chinese
    return entries


def test_each_chinese_message_of_click_fills_the_same_fields() -> None:
    """click fills each message with str.format: a Chinese text naming a field its
    English does not name would fail the run, so each names only the English's fields
    (a usage error's, all of them)."""
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    entries = click_entries()
    assert "Missing argument" in entries
    assert {english: chinese for english, chinese in entries.items()
            if not fields(chinese) <= fields(english)} == {}


def test_the_compiled_click_catalog_is_the_po_file() -> None:
    """The messages.mo that runs says what messages.po says (compile with
    scripts/update_click_messages.py after editing the .po)."""
    from babel.messages.pofile import read_po

    with CLICK_PO.open("rb") as file:
        catalog = read_po(file)
    with CLICK_PO.with_suffix(".mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or not any(strings):
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(*message.id, 2) == message.string[0]
        else:
            assert compiled.gettext(message.id) == message.string

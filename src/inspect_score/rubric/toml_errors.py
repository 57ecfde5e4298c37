"""TOML syntax errors in the reader's language, with the usual fix where there is one.

tomli (tomllib) says what is wrong in English, from a small fixed set of
messages (``TOMLDecodeError.msg``), and where (``lineno``, ``colno``). Each of
its messages has a catalog message here, so a Chinese report does not break
into English halfway through a line; the line stays the issue's row and the
column is said in the message. The mistakes people make most (a percent sign
after a number, ``weight = 20%``; Chinese quotes; a full-width ``＝``) get the
line as it should be written.

A message tomli adds in a later version and this table does not know is
shown as tomli says it (``tests/test_toml_errors.py`` lists tomli's messages
from its source, so an upgrade that adds one fails there first).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import attrs

# tomli is tomllib's source, shipped compiled (see loader.py)
import tomli as tomllib

from inspect_score.messages import N_, Message, msg
from inspect_score.rubric.toml_lines import KeyLocator, render_key


@attrs.frozen
class SyntaxProblem:
    """What a TOML syntax error says: the message, its line, the key on that line."""

    message: Message
    #: the line tomli names (1-based), None where it names none
    row: int | None
    #: the key path of the line (``section[2].weight``), None where none is found
    key: str | None


def _key(text: str) -> str:
    """tomli's ``('indicator', 'clause')`` as a key path: ``indicator.clause``."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(value, tuple) and all(isinstance(part, str) for part in value):
        return render_key(value)
    return str(value)


def _literal(text: str) -> str:
    """tomli's ``'a'`` (a Python repr) as the text it stands for."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def _char(text: str) -> str:
    """tomli's ``'\\x07'`` as a reader sees a character: U+0007 for one unseen."""
    value = _literal(text)
    if len(value) != 1 or (value.isprintable() and not value.isspace()):
        return value
    return f"U+{ord(value):04X}"


#: tomli's messages (as patterns over ``TOMLDecodeError.msg``), each with ours;
#: a named group is a value of ours, made readable by the function beside it.
_PROBLEMS: tuple[tuple[re.Pattern[str], str, dict[str, Callable[[str], str]]], ...] = (
    (re.compile(r"Invalid statement"),
     N_("the line is not a key = value, a [table] or an [[array]] header"), {}),
    (re.compile(r"Expected newline or end of document after a statement"),
     N_("something follows the value on its line; write one key = value a line"), {}),
    (re.compile(r"Expected (?P<expected>\"'''\"|'\"\"\"')"),
     N_("a multi-line string is not closed: {expected} is missing"), {"expected": _literal}),
    (re.compile(r"Found invalid character (?P<char>.+)"),
     N_("the character {char} is not allowed here"), {"char": _char}),
    (re.compile(r"Cannot declare (?P<key>.+) twice"),
     N_("the table [{key}] is declared twice"), {"key": _key}),
    (re.compile(r"Cannot overwrite a value"),
     N_("a value is given twice: the key is already set in its table"), {}),
    (re.compile(r"Expected '\]' at the end of a table declaration"),
     N_("the table header is not closed with ]"), {}),
    (re.compile(r"Expected '\]\]' at the end of an array declaration"),
     N_("the array header is not closed with ]]"), {}),
    (re.compile(r"Cannot mutate immutable namespace (?P<key>.+)"),
     N_("{key} is written whole as an inline table or array; nothing can be added to it "
        "later"), {"key": _key}),
    (re.compile(r"Cannot redefine namespace (?P<key>.+)"),
     N_("{key} is a table declared by a header; a dotted key cannot define it again"),
     {"key": _key}),
    (re.compile(r"Expected '=' after a key in a key/value pair"),
     N_("an = is expected after the key"), {}),
    (re.compile(r"Invalid initial character for a key part"),
     N_("a key cannot start with this character (a key without quotes is letters, digits, "
        "_ and -; any other goes in double quotes)"), {}),
    (re.compile(r"Unclosed array"),
     N_("an array is not closed: a ] is missing, or a comma between its values"), {}),
    (re.compile(r"Duplicate inline table key (?P<key>.+)"),
     N_("the key {key} is given twice in one inline table"), {"key": _literal}),
    (re.compile(r"Unclosed inline table"),
     N_("an inline table is not closed: a }} is missing, or a comma between its pairs (an "
        "inline table is written on one line)"), {}),
    (re.compile(r"Unescaped '\\' in a string"),
     N_("a \\ in a string is written \\\\ (or put the text in 'single quotes')"), {}),
    (re.compile(r"Invalid hex value"),
     N_("a \\u or \\U escape is not followed by its hexadecimal digits"), {}),
    (re.compile(r"Escaped character is not a Unicode scalar value"),
     N_("an escape names no Unicode character"), {}),
    (re.compile(r"Unterminated string"),
     N_("a string is not closed: its closing quote is missing"), {}),
    (re.compile(r"Illegal character '\\n'"),
     N_("a string is not closed on its line: its closing quote is missing"), {}),
    (re.compile(r"Illegal character (?P<char>.+)"),
     N_("the character {char} is not allowed in a string"), {"char": _char}),
    (re.compile(r"Invalid date or datetime"),
     N_("not a valid date or time"), {}),
    (re.compile(r"Invalid value"),
     N_("not a value: text goes in double quotes, a number is written without a unit, yes "
        "or no as true or false"), {}),
)


def problem_text(tomli_message: str) -> Message | str:
    """tomli's message in our words (as tomli says it, plain, where it is not known)."""
    for pattern, template, readable in _PROBLEMS:
        found = pattern.fullmatch(tomli_message)
        if found:
            values = {name: readable[name](text) for name, text in found.groupdict().items()}
            return msg(template, **values)
    return tomli_message


#: Keys whose value is a fraction of 1: a percentage there is written /100.
FRACTION_KEYS = frozenset({"weight", "max_share", "min_share"})
#: ``key = 20%``, ``key = 占20%``: a number with a percent sign, maybe words before it
_PERCENT = re.compile(r"\s*(?P<key>[A-Za-z0-9_-]+)\s*=\s*[^\d\s\"'#=]*\s*"
                      r"(?P<number>[+-]?\d+(?:\.\d+)?)\s*[%％]")
#: ``key = “text”``: text in Chinese (curly) quotes
_CURLY = re.compile(r"\s*(?P<key>[A-Za-z0-9_-]+)\s*=\s*[“‘「『](?P<text>[^\"”’」』]*)[”’」』]"
                    r"\s*(?:#.*)?")
#: ``key = 党建工作``: Chinese text without quotes
_UNQUOTED = re.compile(r"\s*(?P<key>[A-Za-z0-9_-]+)\s*=\s*"
                       r"(?P<text>[^\"'#\[{]*[\u3400-\u9fff][^\"'#]*?)\s*(?:#.*)?")


def _hint(line: str, char: str) -> Message | None:
    """The usual fix of a broken line, written out; None where none is known."""
    percent = _PERCENT.match(line)
    if percent:
        key, number = percent.group("key", "number")
        if key in FRACTION_KEYS:
            number = _fraction(number)
        return msg("a number cannot carry a percent sign: write {pair}", pair=f"{key} = {number}")
    curly = _CURLY.fullmatch(line)
    if curly:
        pair = '{} = "{}"'.format(*curly.group("key", "text"))
        return msg("text goes in straight double quotes: write {pair}", pair=pair)
    if char in ("＝", "：", ":"):
        return msg("write the equals sign =, not {char}", char=char)
    unquoted = _UNQUOTED.fullmatch(line)
    if unquoted:
        pair = '{} = "{}"'.format(*unquoted.group("key", "text"))
        return msg("text goes in double quotes: write {pair}", pair=pair)
    return None


def _fraction(number: str) -> str:
    """``20`` (percent) as the fraction ``0.2``, written as short as it reads."""
    from decimal import Decimal

    text = format(Decimal(number) / 100, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def describe_syntax_error(error: tomllib.TOMLDecodeError) -> SyntaxProblem:
    """What the TOML syntax error says, in the reader's language: at its line, with
    its column (or at the end of the file), the key of that line and the usual fix."""
    document, position = error.doc, error.pos
    problem = problem_text(error.msg)
    if position >= len(document):
        return SyntaxProblem(msg("not valid TOML: {problem} at the end of the file",
                                 problem=problem), error.lineno, None)
    start = document.rfind("\n", 0, position) + 1
    end = document.find("\n", position)
    end = len(document) if end < 0 else end
    line = document[start:end].rstrip("\r")
    hint = _hint(line, document[position])
    if hint is None:
        message = msg("not valid TOML: {problem} (column {column})", problem=problem,
                      column=error.colno)
    else:
        message = msg("not valid TOML: {problem} (column {column}); {hint}", problem=problem,
                      column=error.colno, hint=hint)
    return SyntaxProblem(message, error.lineno, _key_of_line(document[:end], error.lineno))


def _key_of_line(text: str, line: int) -> str | None:
    """The key path of ``line`` of the text up to it (the longest, for a dotted key)."""
    paths = [path for path, number in KeyLocator(text).paths().items() if number == line]
    return render_key(max(paths, key=len)) if paths else None

"""Text from the inputs, made safe for each medium the tool writes to.

Branch names, ids, raters' notes and a rubric's titles are typed by people and
pass through to every output. Each medium has one function here, and every
writer of that medium calls it:

- CSV (:func:`csv_text`): a cell a spreadsheet would take for a formula
  (``=1+1``, ``+SUM(1)``, ``@A1``, ``-2``, a leading tab or carriage return)
  gets a leading ``'``, as the spec says;
- Markdown (:func:`markdown_text`): one line of literal text, whatever it holds
  (no headings, links, HTML, table cells broken by ``|`` or a bare CR);
- the terminal (:func:`terminal_text`): control characters (escape sequences,
  bells, backspaces, bidirectional overrides) shown as ``\\x1b``-style escapes,
  never sent raw;
- xlsx and docx (:func:`xml_text`, :func:`paragraph_text`): the characters XML
  1.0 cannot hold, which Excel and Word refuse to open, removed (and, in a
  Word paragraph, a line break inside a name made a space);
- Excel sheet names (:func:`sheet_names`): at most 31 characters, none of
  ``[]:*?/\\``, unique without regard to case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A cell beginning with one of these is a formula (or starts one) to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# C0 controls, DEL and C1 controls; then the bidirectional embeddings, overrides
# and isolates, which reorder what follows them on a terminal ("Trojan source").
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
_LINE_BREAKS = (0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)


def _shown(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TERMINAL = {code: _shown(code) for code in (*_CONTROLS, *_BIDI, 0x2028, 0x2029)}
_TERMINAL_LINES = {code: shown for code, shown in _TERMINAL.items() if code != 0x0A}


def terminal_text(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), never sent raw.

    ``lines``: keep line feeds (a text of several lines, not one cell's value).
    """
    return text.translate(_TERMINAL_LINES if lines else _TERMINAL)


def csv_text(text: str) -> str:
    """A text cell for a CSV file: ``'`` before what a spreadsheet takes for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_MARKDOWN_DROPPED = {code: None for code in (*_CONTROLS, *_BIDI) if code not in _LINE_BREAKS}
_MARKDOWN_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
#: Characters that can start markup anywhere in a line: backslash escapes make them literal.
_MARKDOWN_MARKS = re.compile(r"([\\`*_\[\]{}#|~!$])")
#: What starts a block only at the start of a line: a list item, a setext underline.
#: (A mark followed by a space, by the end, or by its like: "35.00" and "-3" stay as they are.)
_MARKDOWN_LINE_START = re.compile(r"^(\s*\d*)([-+=](?=\s|$|[-+=])|(?<=\d)[.)](?=\s|$))")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown on one line: line breaks become spaces, controls and
    spaces at either end go, HTML is entity-escaped, and every mark that could start
    markup is backslash-escaped."""
    # leading spaces would make an indented code block; trailing ones a hard break
    text = _MARKDOWN_LINE_BREAK.sub(" ", text).translate(_MARKDOWN_DROPPED).strip(" \t")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_MARKS.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(r"\1\\\2", text)


# XML 1.0 allows tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD and the astral planes.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters an xlsx or docx file cannot hold."""
    return _NOT_XML.sub("", text)


def paragraph_text(text: str) -> str:
    """``text`` for a line of a Word document: what XML refuses left out, and line
    breaks (which Word would show as breaks inside a name) made spaces."""
    return xml_text(_MARKDOWN_LINE_BREAK.sub(" ", text))


#: Excel's limit on a sheet name's length, and the characters it refuses in one.
SHEET_NAME_MAX = 31
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


def sheet_names(wanted: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """A valid, unique Excel sheet name for each wanted one, in order.

    Refused characters become ``_``; a name is cut to 31 characters, may not
    begin or end with ``'`` nor be "History" (Excel keeps it); names equal
    without regard to case (as Excel compares them) get ``(2)``, ``(3)``…
    """
    used = {name.casefold() for name in taken}
    names: list[str] = []
    for name in wanted:
        clean = _NOT_IN_SHEET_NAME.sub("_", name).strip("'").strip() or "_"
        if clean.casefold() == "history":
            clean = f"{clean}_"
        clean = clean[:SHEET_NAME_MAX]
        candidate, number = clean, 1
        while candidate.casefold() in used:
            number += 1
            suffix = f"({number})"
            candidate = clean[: SHEET_NAME_MAX - len(suffix)] + suffix
        used.add(candidate.casefold())
        names.append(candidate)
    return names

"""Reading the cells of an .xlsx worksheet by their type, sparsely.

A branch's workbook says more than its values: 93% typed in Excel is the
number 0.93 with a ``0%`` format, ``#N/A`` is an error cell, ``=B2*2`` saved
by a program that does not calculate has no value at all, and a hidden sheet
may come first. calamine's Python binding gives none of that (an error cell
and an uncalculated formula both come back as blank, a percentage as 0.93),
and it builds the sheet as a dense grid from A1 to the last cell, so one
stray cell at XFD1048576 asks for 17 billion cells. This module reads cells
by what their type and number format say:

- a number with a percent format becomes the percentage as shown, as text
  (``"93%"``), which the number parser reads as 93;
- a number with a date format becomes a :class:`datetime.date` or
  :class:`datetime.datetime` (a number field refuses it, a text field shows it);
- an error cell becomes :class:`~inspect_score.checklists.cells.CellError`, a
  formula without a saved result :class:`~inspect_score.checklists.cells.Uncomputed`.

Most sheets are read by calamine all the same, which is twice as fast as any
pass of Python over every cell: :meth:`Workbook.corrections` finds, by
searching the XML in C, only the cells calamine misreads, and the reader puts
them right. A sheet whose cells calamine would spread over a grid far larger
than they are (a stray cell far away) is read cell by cell
(:meth:`Workbook.cells`). .xls, .xlsb and .ods files are read by calamine alone
(see ``readers``).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import IO
from xml.etree import ElementTree

import attrs

from inspect_score.checklists.cells import CellError, Uncomputed

#: Built-in number formats (ECMA-376 18.8.30) that show a percentage.
_PERCENT_IDS = frozenset({9, 10})
#: Built-in formats that show a date or time, with the East Asian ones
#: (27-36, 50-58) that Chinese Excel and WPS use for 2025年8月1日.
_DATE_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
#: Parts of a format code that are shown as written, never read as format
#: letters: quoted text, escaped characters, [colours] and [$-locale] tags.
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_LETTERS = re.compile(r"[dmyhs]|e(?![+-])|aaa", re.IGNORECASE)
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
#: Excel's day 0 is 1899-12-30 once its 1900-02-29 (a day that never was) is
#: counted; the 1904 system (old Mac files) starts at 1904-01-01.
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)

Value = str | float | bool | dt.date | dt.datetime | dt.time | CellError | Uncomputed


@attrs.frozen
class SheetInfo:
    """One sheet of a workbook: its name, whether Excel shows it, its XML part."""

    name: str
    visible: bool
    part: str


@attrs.frozen
class SparseCells:
    """The non-empty cells of one sheet: 1-based rows and columns, with values."""

    rows: tuple[int, ...]
    columns: tuple[int, ...]
    values: tuple[Value, ...]


class XlsxError(Exception):
    """The file is not a workbook this reader can read (a reason for the user)."""


#: What reading a damaged, truncated or encrypted file may raise, from the zip
#: (bad CRC, cut short, an unknown compression or a password), the XML or a value.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, NotImplementedError,
            RuntimeError, ElementTree.ParseError, ValueError, IndexError, ArithmeticError)


def _local(tag: str) -> str:
    """A tag without its namespace: transitional and strict OOXML both read."""
    return tag.rsplit("}", 1)[-1]


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    """An attribute by local name (r:id is namespaced, the others are not)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def column_number(letters: str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """1 -> ``A``, 16384 -> ``XFD``: how a message names a column of a sheet."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Workbook:
    """An open .xlsx or .xlsm file: its sheets, shared strings and number formats."""

    def __init__(self, path: str) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except _DAMAGED as error:
            raise XlsxError(f"not an .xlsx workbook: {error}") from None
        self._strings: list[str] | None = None
        self._styles: list[str] | None = None
        try:
            self.sheets, self._date1904 = self._read_workbook()
        except _DAMAGED as error:
            self._zip.close()
            raise XlsxError(f"the workbook's parts are damaged: {error}") from None

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _open(self, part: str) -> IO[bytes]:
        return self._zip.open(part)

    def _has(self, part: str) -> bool:
        try:
            self._zip.getinfo(part)
        except KeyError:
            return False
        return True

    def _read_workbook(self) -> tuple[list[SheetInfo], bool]:
        targets: dict[str, str] = {}
        rels = "xl/_rels/workbook.xml.rels"
        if self._has(rels):
            for element in ElementTree.parse(self._open(rels)).getroot():
                target = element.get("Target", "")
                part = (target.lstrip("/") if target.startswith("/")
                        else posixpath.normpath(posixpath.join("xl", target)))
                targets[element.get("Id", "")] = part
        root = ElementTree.parse(self._open("xl/workbook.xml")).getroot()
        date1904 = False
        sheets = []
        for element in root.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                date1904 = element.get("date1904", "0") in ("1", "true")
            elif name == "sheet":
                part = targets.get(_attribute(element, "id") or "", "")
                state = element.get("state", "visible")
                sheets.append(SheetInfo(element.get("name", ""), state == "visible", part))
        return sheets, date1904

    # -- shared parts, read on first use ---------------------------------------

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if self._has("xl/sharedStrings.xml"):
                for _, element in ElementTree.iterparse(self._open("xl/sharedStrings.xml")):
                    if _local(element.tag) == "si":
                        self._strings.append(_rich_text(element))
                        element.clear()
        return self._strings

    def _number_formats(self) -> list[str]:
        """The kind of each cell style (the ``s`` of a cell): percent, date or ""."""
        if self._styles is None:
            self._styles = []
            if self._has("xl/styles.xml"):
                root = ElementTree.parse(self._open("xl/styles.xml")).getroot()
                codes: dict[int, str] = {}
                for element in root.iter():
                    if _local(element.tag) == "numFmt":
                        codes[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
                for element in root.iter():
                    if _local(element.tag) == "cellXfs":
                        self._styles = [
                            _format_kind(int(xf.get("numFmtId", "0")), codes) for xf in element
                        ]
        return self._styles

    # -- one sheet ----------------------------------------------------------------

    def cells(self, sheet: SheetInfo) -> SparseCells:
        """Every cell of ``sheet`` that holds a value, error or formula, in sheet order."""
        rows: list[int] = []
        columns: list[int] = []
        values: list[Value] = []
        try:
            with self._open(sheet.part) as source:
                for row, column, value in self._stream(source):
                    rows.append(row)
                    columns.append(column)
                    values.append(value)
        except _DAMAGED as error:
            raise XlsxError(f"the sheet {sheet.name!r} is damaged: {error}") from None
        return SparseCells(tuple(rows), tuple(columns), tuple(values))

    def corrections(self, sheet: SheetInfo) -> SparseCells | None:
        """The cells calamine reads wrong, with their right values; None where the sheet
        must be read cell by cell (:meth:`cells`) instead.

        calamine reads values about twice as fast as any pass of Python over every
        cell, so a sheet is only searched, in C, for what calamine gets wrong: error
        cells (``t="e"``), formulas (``<f``) and cells whose style is a percent or
        date format. Each hit is read as :meth:`cells` would read it, and kept
        where it is an error, a formula without a result, a percentage or a date.

        None when calamine's dense grid would be far larger than the cells (a
        stray cell far away), or the XML is written in a way the search does not
        follow (cells without a reference, prefixed tags).
        """
        try:
            with self._open(sheet.part) as source:
                data = source.read()
            return self._corrections(data)
        except _DAMAGED as error:
            raise XlsxError(f"the sheet {sheet.name!r} is damaged: {error}") from None

    def _corrections(self, data: bytes) -> SparseCells | None:
        cells = data.count(b"<c ") + data.count(b"<c>")
        if data.count(b'<c r="') != cells or b":c " in data or b"<c\t" in data:
            return None
        if _dense_size(data) > 4 * cells + 1_000_000:
            return None
        styles = self._number_formats()
        needles = [b' t="e"', b"<f>", b"<f ", b"<f/>"]
        needles += [b' s="%d"' % index for index, kind in enumerate(styles) if kind]
        found: dict[int, tuple[int, int, Value]] = {}
        for position in sorted(_occurrences(data, needles)):
            start = data.rfind(b"<c ", 0, position)
            if start < 0 or start in found:
                continue
            close = data.find(b">", start)
            if data.startswith(b"<f", position):
                if _saved_result(data, start, close, position, styles):
                    continue  # calamine reads a formula's saved result right
            elif close < position:
                continue  # an attribute of another element (a <row s="...">)
            end = close + 1 if data[close - 1:close] == b"/" else data.find(b"</c>", start) + 4
            try:
                element = ElementTree.fromstring(data[start:end])
            except ElementTree.ParseError:
                return None  # written in a way the search does not follow: read it all
            value = self._value(element)
            reference = _CELL_REF.fullmatch(element.get("r", ""))
            style = int(element.get("s", "0"))
            # a number in a percent or date style is read by our rules (calamine
            # shows -1 formatted as a time as 00:00), errors and formulas without
            # results as what they are; other cells keep calamine's value
            styled = element.get("t", "n") == "n" and style < len(styles) and bool(styles[style])
            if reference and value is not None and (
                    styled or isinstance(value, CellError | Uncomputed)):
                row, column = int(reference.group(2)), column_number(reference.group(1))
                found[start] = (row, column, value)
        rows, columns, values = zip(*found.values(), strict=True) if found else ((), (), ())
        return SparseCells(tuple(rows), tuple(columns), tuple(values))

    def _stream(self, source: IO[bytes]) -> Iterator[tuple[int, int, Value]]:
        """(row, column, value) of each cell that holds something.

        The XML is read as a stream and each row dropped once read, so memory
        follows the cells kept, not the size of the sheet.
        """
        row_number = 0
        column = 0
        parent: ElementTree.Element | None = None
        for event, element in ElementTree.iterparse(source, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "sheetData":
                    parent = element
                elif name == "row":
                    given = element.get("r")
                    row_number = int(given) if given else row_number + 1
                    column = 0
                continue
            if name == "c":
                reference = element.get("r")
                found = _CELL_REF.fullmatch(reference) if reference else None
                column = column_number(found.group(1)) if found else column + 1
                if found:
                    row_number = int(found.group(2))
                value = self._value(element)
                if value is not None:
                    yield row_number, column, value
            elif name == "row" and parent is not None:
                parent.remove(element)

    def _value(self, cell: ElementTree.Element) -> Value | None:
        kind = cell.get("t", "n")
        raw: str | None = None
        formula: str | None = None
        inline: ElementTree.Element | None = None
        has_value = False
        for child in cell:
            name = _local(child.tag)
            if name == "v":
                raw = child.text
                has_value = True
            elif name == "f":
                formula = child.text or ""
            elif name == "is":
                inline = child
        if kind == "inlineStr":
            return _rich_text(inline) if inline is not None else None
        if kind == "str" and has_value:
            return raw or ""  # a formula whose saved result is the empty text
        if raw is None or raw == "":
            # A formula whose result was never saved: not a blank cell.
            return Uncomputed(formula) if formula is not None else None
        if kind == "s":
            return self._shared_strings()[int(raw)]
        if kind in ("str", "inlineStr"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return CellError(raw.strip())
        if kind == "d":
            return _iso_date(raw)
        number = float(raw)
        style = int(cell.get("s", "0"))
        styles = self._number_formats()
        shown = styles[style] if style < len(styles) else ""
        if shown == "percent":
            return percent_text(raw)
        if shown == "date":
            return self._date(number)
        return number

    def _date(self, serial: float) -> dt.date | dt.datetime | dt.time | float:
        if not 0 <= serial < 2_958_466:  # past 9999-12-31: not a date Excel shows
            return serial
        if serial < 1:
            moment = _EPOCH_1900 + dt.timedelta(days=serial)
            return moment.time()
        epoch = _EPOCH_1904 if self._date1904 else _EPOCH_1900
        if not self._date1904 and serial < 61:
            serial += 1  # before Excel's 1900-02-29
        moment = epoch + dt.timedelta(days=serial)
        moment = moment.replace(microsecond=0) if moment.microsecond < 500_000 else moment
        return moment.date() if serial == int(serial) else moment


_STYLE = re.compile(rb'\ss="(\d+)"')
_SAVED_VALUE = re.compile(rb"<v>[^<]")


def _saved_result(data: bytes, start: int, close: int, formula: int,
                  styles: list[str]) -> bool:
    """Whether the cell at ``start`` is a formula with a saved result that calamine
    reads right: not an error, not in a percent or date style. Checked on the bytes,
    so a sheet of a hundred thousand formulas is not parsed cell by cell."""
    tag = data[start:close]
    if b' t="e"' in tag:
        return False
    style = _STYLE.search(tag)
    if style and int(style.group(1)) < len(styles) and styles[int(style.group(1))]:
        return False
    end = data.find(b"</c>", formula)
    return end >= 0 and _SAVED_VALUE.search(data, formula, end) is not None


def _occurrences(data: bytes, needles: list[bytes]) -> Iterator[int]:
    """Where each needle occurs: bytes.find runs at memchr speed, where one regex of
    alternatives would try every position of a sheet of a hundred megabytes."""
    for needle in needles:
        position = data.find(needle)
        while position >= 0:
            yield position
            position = data.find(needle, position + 1)


_FILLED_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*[^/]>')


def _dense_size(data: bytes) -> int:
    """How many cells a dense grid of the sheet's cells that hold something would have.

    Cells come in row order, so the last cell not written empty (``<c .../>``, a
    formatted blank) has the last row; the widest column is looked for among
    two- and three-letter references only (A to Z is at most 26).
    """
    last_row = 0
    end = len(data)
    while True:
        start = data.rfind(b'<c r="', 0, end)
        if start < 0:
            break
        found = _FILLED_CELL.match(data, start)
        if found:
            last_row = int(found.group(2))
            break
        end = start
    width = 26
    for letters in (3, 2):
        wide = re.findall(rb'<c r="([A-Z]{%d})\d+"[^>]*[^/]>' % letters, data)
        if wide:
            width = max(column_number(ref.decode()) for ref in set(wide))
            break
    return last_row * width


def _rich_text(element: ElementTree.Element) -> str:
    """The text of a shared or inline string: its runs, without phonetic guides."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(part.text or "" for part in child if _local(part.tag) == "t")
    return "".join(parts)


def _format_kind(number_format: int, codes: dict[int, str]) -> str:
    """"percent", "date" or "" for a number format id and the workbook's own codes."""
    if number_format in _PERCENT_IDS:
        return "percent"
    if number_format in _DATE_IDS:
        return "date"
    code = codes.get(number_format)
    if code is None:
        return ""
    # A format has up to four sections (positive;negative;zero;text): the first decides.
    shown = _LITERALS.sub("", code.split(";", 1)[0])
    if "%" in shown:
        return "percent"
    if shown.lower() != "general" and _DATE_LETTERS.search(shown):
        return "date"
    return ""


def percent_text(raw: str) -> str:
    """A cell's stored fraction as the percentage it shows, exactly: "0.935" -> "93.5%".

    Excel keeps 15 significant digits (other writers store 0.07 as
    0.07000000000000001), so the fraction is taken to 15 digits first; Decimal
    then shifts the point in those digits, where float arithmetic would make
    0.07 into 7.000000000000001.
    """
    shifted = Decimal(format(float(raw), ".15g")).scaleb(2).normalize()
    text = format(shifted, "f")
    return f"{text}%"


def _iso_date(raw: str) -> dt.date | dt.datetime | str:
    """A t="d" cell (ISO 8601 text, written by some programs other than Excel)."""
    try:
        moment = dt.datetime.fromisoformat(raw.strip().rstrip("Z"))
    except ValueError:
        return raw
    return moment.date() if moment.time() == dt.time() else moment

"""Find the line of a key in a TOML text.

``tomllib`` returns plain dicts without positions, but a rubric author needs
``PATH:LINE`` to find a mistake. This module scans the text once, the way a
person reads it: ``[table]`` and ``[[array]]`` headers (counting the tables of
each array from 1) and ``key = value`` lines (bare, quoted and dotted keys),
while stepping over multi-line strings and arrays so that their contents are
never taken for headers or keys. It does not validate anything: the text has
already been parsed by ``tomllib``, so it is known to be well-formed TOML.

Key paths are tuples such as ``("indicator", 3, "rule")``, rendered as
``indicator[3].rule``; an int is the 1-based index of a table in the array
named just before it.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: ``key = value`` with a bare key and a value that cannot run past the line (a
#: number, boolean or date, or a basic string without escapes), an optional
#: comment after it: matched in C, so the scanner's slow path is only taken
#: for headers, quoted or dotted keys, arrays, tables and multi-line strings.
_SIMPLE_PAIR = re.compile(
    r"""[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:"[^"\\]*"|[^\s"'\[\]{}#=]+)[ \t]*(?:\#.*)?\r?$"""
)
# Escapes a quoted key may hold (TOML basic strings); anything else is kept as written.
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\",
            "e": "\x1b"}


def render_key(path: KeyPath) -> str:
    """``("indicator", 3, "rule")`` -> ``indicator[3].rule``.

    A segment that is not a bare key (a dot, a space, a quote) is quoted, so
    the rendering reads back as the same path.
    """
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
            continue
        plain = segment and not re.search(r"[.\s\"'\[\]=#]", segment)
        shown = segment if plain else '"' + segment.replace('"', '\\"') + '"'
        text += f".{shown}" if text else shown
    return text


class KeyLocator:
    """Lines of every header and key in one TOML text (1-based)."""

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        # How many tables each array of tables has had so far, by resolved path.
        self._counts: dict[KeyPath, int] = {}
        self._scan(text)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, else of its nearest enclosing key or header.

        An absent key falls back to its table's header (``[[indicator]]``); a
        path the text does not hold at all gives None.
        """
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None

    def paths(self) -> dict[KeyPath, int]:
        """Every path found, with its line (a copy)."""
        return dict(self._lines)

    # -- scanning -----------------------------------------------------------

    def _scan(self, text: str) -> None:
        table: KeyPath = ()
        value = _ValueScanner()
        # Split on "\n" only: TOML has no other line break, and CRLF leaves a
        # harmless "\r" that stripping removes.
        for number, line in enumerate(text.split("\n"), start=1):
            if value.open:
                # Still inside a multi-line array, inline table or string.
                value.feed(line)
                continue
            simple = _SIMPLE_PAIR.match(line)
            if simple:
                # Most lines of a rubric: one bare key, one value that ends on the line.
                self._lines.setdefault((*table, simple.group(1)), number)
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("[["):
                header = _parse_key(stripped, 2)
                if header is not None:
                    table = self._open_array_table(header[0], number)
                continue
            if stripped.startswith("["):
                header = _parse_key(stripped, 1)
                if header is not None:
                    table = self._resolve(header[0])
                    self._lines.setdefault(table, number)
                continue
            parsed = _parse_key(stripped, 0)
            if parsed is None:
                continue
            segments, end = parsed
            for length in range(1, len(segments) + 1):
                self._lines.setdefault(table + segments[:length], number)
            rest = stripped[end:].lstrip()
            if rest.startswith("="):
                value.feed(rest[1:])

    def _resolve(self, segments: tuple[str, ...]) -> KeyPath:
        """A header's dotted name as a path, indexing arrays of tables.

        ``[indicator.points]`` after the third ``[[indicator]]`` belongs to
        that third table: ``("indicator", 3, "points")``.
        """
        path: KeyPath = ()
        for segment in segments:
            path += (segment,)
            count = self._counts.get(path)
            if count is not None:
                path += (count,)
        return path

    def _open_array_table(self, segments: tuple[str, ...], number: int) -> KeyPath:
        parent = self._resolve(segments[:-1])
        array = (*parent, segments[-1])
        count = self._counts.get(array, 0) + 1
        self._counts[array] = count
        self._lines.setdefault(array, number)
        table = (*array, count)
        self._lines[table] = number
        return table


def _parse_key(text: str, start: int) -> tuple[tuple[str, ...], int] | None:
    """Parse a dotted key at ``text[start:]``: its segments and where it ends.

    For a header (``start`` 1 or 2) the closing brackets must follow; None
    when the text is not a key.
    """
    segments: list[str] = []
    pos = start
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            return None
        char = text[pos]
        if char == '"':
            parsed = _basic_string(text, pos + 1)
            if parsed is None:
                return None
            segment, pos = parsed
        elif char == "'":
            close = text.find("'", pos + 1)
            if close < 0:
                return None
            segment, pos = text[pos + 1 : close], close + 1
        else:
            match = _BARE_KEY.match(text, pos)
            if match is None:
                return None
            segment, pos = match.group(), match.end()
        segments.append(segment)
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        break
    if start:
        closing = "]" * start
        if not text.startswith(closing, pos):
            return None
        pos += start
    return tuple(segments), pos


def _basic_string(text: str, pos: int) -> tuple[str, int] | None:
    """A double-quoted string's content from just after its opening quote."""
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char == "\\" and pos + 1 < len(text):
            code = text[pos + 1]
            width = {"u": 4, "U": 8}.get(code)
            if width is not None:
                digits = text[pos + 2 : pos + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    return None
                pos += 2 + width
                continue
            out.append(_ESCAPES.get(code, code))
            pos += 2
            continue
        out.append(char)
        pos += 1
    return None


class _ValueScanner:
    """Follows a value across lines: open brackets and multi-line strings.

    Only what decides where a value ends matters here: strings (whose
    brackets and ``#`` do not count), comments, and bracket depth.
    """

    def __init__(self) -> None:
        self.depth = 0
        #: the closing delimiter of an open multi-line string, or ""
        self.string = ""

    @property
    def open(self) -> bool:
        return self.depth > 0 or bool(self.string)

    def feed(self, line: str) -> None:
        pos = 0
        while pos < len(line):
            if self.string:
                close = self._find_close(line, pos)
                if close < 0:
                    return
                pos = close + 3
                self.string = ""
                continue
            char = line[pos]
            if char == "#":
                return
            if line.startswith('"""', pos) or line.startswith("'''", pos):
                self.string = line[pos : pos + 3]
                pos += 3
            elif char == '"':
                parsed = _basic_string(line, pos + 1)
                pos = parsed[1] if parsed else len(line)
            elif char == "'":
                close = line.find("'", pos + 1)
                pos = close + 1 if close >= 0 else len(line)
            else:
                if char in "[{":
                    self.depth += 1
                elif char in "]}":
                    self.depth = max(0, self.depth - 1)
                pos += 1

    def _find_close(self, line: str, pos: int) -> int:
        """Where the open multi-line string closes on this line, or -1."""
        while True:
            close = line.find(self.string, pos)
            if close < 0:
                return -1
            if self.string == '"""':
                # A quote escaped by an odd number of backslashes does not close.
                backslashes = len(line[:close]) - len(line[:close].rstrip("\\"))
                if backslashes % 2:
                    pos = close + 1
                    continue
            # Up to two quotes may stand right before the closing three ("""a"""""):
            # the string closes at the last three of the run.
            run = len(line[close:]) - len(line[close:].lstrip(self.string[0]))
            close += min(run - 3, 2)
            return close

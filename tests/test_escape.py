"""Text from the inputs never reaches an output as a formula, markup or control sequence.

One escaping function per medium (:mod:`inspect_score.outputs.escape`), each
checked on its own with hypothesis and through the real writers that use it:
CSV files, xlsx workbooks, the .docx and Markdown bulletin, the terminal.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.console import Console
from sample_run import sample_checklists, sample_rubric

from inspect_score.cli.support import report
from inspect_score.errors import Issue
from inspect_score.followup.bulletin import build_bulletin, markdown_text, write_docx
from inspect_score.outputs.escape import (
    FORMULA_STARTS,
    SHEET_NAME_MAX,
    csv_text,
    sheet_names,
    terminal_text,
    xml_text,
)
from inspect_score.outputs.escape import markdown_text as markdown_escape
from inspect_score.outputs.terminal import print_ranking
from inspect_score.outputs.workbook import write_workbook
from inspect_score.outputs.write_csv import write_table
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results
from inspect_score.selfcheck.template import write_form_csv

#: Text as people paste it: any character, with the troublesome ones made likely.
NASTY = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "#", "<", ">", "[",
                         "]", "(", ")", "|", "*", "_", "`", "\\", "&", "!", "~", "1.", "\x1b",
                         "\x1b[31m", "\x07", "\x00", "\x85", "\u2028", "\u202e", "\ufffe",
                         "javascript:", "<script>", "    ", "社区"])
TEXTS = st.lists(st.one_of(NASTY, st.text(max_size=5)), max_size=8).map("".join)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FEW = settings(max_examples=25, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])
#: For the writers that take a second a file (a workbook, a .docx).
FEWER = settings(FEW, max_examples=8)


def results_named(names: list[str]) -> Results:
    """The sample run scored for real, its three branches named ``names``."""
    checklists = sample_checklists()
    frame = checklists.frame.copy()
    frame["branch_name"] = names
    return evaluate(sample_rubric(), type(checklists)(frame=frame, sources=checklists.sources))


# --- CSV -------------------------------------------------------------------------------


@given(TEXTS)
def test_csv_text_never_starts_a_formula(text: str) -> None:
    """A CSV text cell never begins as a formula would, and is the text once its ' is read off."""
    cell = csv_text(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell == text or cell == "'" + text


@FEW
@given(st.lists(TEXTS, min_size=1, max_size=5))
def test_no_csv_output_cell_is_a_formula(tmp_path: Path, texts: list[str]) -> None:
    """The CSV outputs' writer: every text cell reads back guarded, never as a formula."""
    path = tmp_path / "t.csv"
    write_table(pd.DataFrame({"name": texts}), path, precision=2)
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert [row[0] if row else "" for row in rows[1:]] == [csv_text(text) for text in texts]


@FEW
@given(st.lists(st.tuples(TEXTS, TEXTS), min_size=1, max_size=4))
def test_a_csv_form_pre_filled_from_a_branch_list_holds_no_formula(
    tmp_path: Path, branches: list[tuple[str, str]]
) -> None:
    """`template --csv --branches`: ids and names such as =1+1, +SUM(1), @A1 are guarded."""
    path = tmp_path / "form.csv"
    write_form_csv(sample_rubric(), path, branches)
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))[1:]
    assert [(row[0], row[1]) for row in rows] == [
        (csv_text(branch_id), csv_text(name)) for branch_id, name in branches]


def test_the_issue_s_formulas_are_guarded_in_a_csv_form(tmp_path: Path) -> None:
    """The three cells the issue found unguarded."""
    path = tmp_path / "form.csv"
    write_form_csv(sample_rubric(), path, [("=1+1", "+SUM(1)"), ("@A1", "-2")])
    lines = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [line.split(",")[:2] for line in lines] == [["'=1+1", "'+SUM(1)"], ["'@A1", "'-2"]]


# --- Markdown --------------------------------------------------------------------------


def _plain(text: str) -> str:
    """What a reader should see: line breaks as spaces, no control characters, trimmed."""
    text = re.sub("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]", " ", text)
    text = re.sub("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", "", text)
    return text.strip(" \t")


def _inline_texts(markdown: str, parser: MarkdownIt) -> list[tuple[str, list[str]]]:
    tokens = parser.parse(markdown)
    return [(token.content, [child.type for child in token.children or []])
            for token in tokens if token.type == "inline"]


@given(TEXTS)
def test_markdown_text_is_one_paragraph_of_literal_text(text: str) -> None:
    """Whatever the text holds, it renders as one paragraph of plain text (no heading,
    list, code, link, HTML or emphasis), reading as the text itself."""
    parser = MarkdownIt("commonmark")
    escaped = markdown_escape(text)
    blocks = [token.type for token in parser.parse(escaped) if token.nesting == 1]
    if not _plain(text):
        assert blocks == []
        return
    assert blocks == ["paragraph_open"]
    rendered = parser.render(escaped)
    inner = rendered.removeprefix("<p>").removesuffix("</p>\n")
    assert "<" not in inner.replace("&lt;", "").replace("&gt;", "")
    assert all(kind == "text" for _, kinds in _inline_texts(escaped, parser) for kind in kinds)


@given(TEXTS)
def test_a_markdown_table_cell_stays_one_cell(text: str) -> None:
    """In a table row, an escaped text is exactly one cell of plain text."""
    parser = MarkdownIt("commonmark").enable("table")
    table = f"| a | b |\n|---|---|\n| {markdown_escape(text)} | x |\n"
    tokens = parser.parse(table)
    cells = [token for token in tokens if token.type == "td_open"]
    assert len(cells) == 2
    inline = [token for token in tokens if token.type == "inline"]
    assert all(child.type == "text" for token in inline for child in token.children or [])


@settings(max_examples=25, deadline=None)
@given(st.lists(TEXTS.filter(lambda text: _plain(text) != ""), min_size=3, max_size=3))
def test_the_markdown_bulletin_keeps_names_literal(names: list[str]) -> None:
    """Branch names in the Markdown bulletin make no heading, link, HTML or broken row:
    the only headings are the bulletin's own."""
    results = results_named(names)
    bulletin = build_bulletin(results)
    escaped = markdown_text(bulletin)
    parser = MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(escaped)
    headings = [token for token in tokens if token.type == "heading_open"]
    own = [block for block in bulletin.blocks
           if block.kind in ("title", "heading", "subheading", "appendix_title")]
    assert len(headings) == len(own)
    assert not [token for token in tokens if token.type in ("html_block", "code_block")]
    for token in tokens:
        assert all(child.type not in ("link_open", "html_inline", "image", "code_inline")
                   for child in token.children or [])


def test_the_issue_s_markdown_names_are_escaped() -> None:
    """A newline and `# …`, <script>, a javascript: link, a bare CR: all literal."""
    names = ["东湖\n# 假标题", "<script>alert(1)</script>", "[点此](javascript:alert(1))\r|x|"]
    escaped = markdown_text(build_bulletin(results_named(names)))
    assert "<script>" not in escaped and "\r" not in escaped
    assert "\n# 假标题" not in escaped
    assert "](javascript:" not in escaped.replace("\\](javascript:", "")


# --- xlsx and docx ---------------------------------------------------------------------


def _excel_unescaped(text: str) -> str:
    """A cell as Excel shows it: xlsxwriter writes a CR as _x000D_, which Excel decodes."""
    return re.sub("_x([0-9A-F]{4})_", lambda match: chr(int(match[1], 16)), text)


@FEWER
@given(st.lists(TEXTS, min_size=3, max_size=3))
def test_workbook_cells_are_text_excel_can_open(tmp_path: Path, names: list[str]) -> None:
    """Names reach the workbook as text cells without the characters Excel refuses, and
    never as formulas."""
    path = tmp_path / "r.xlsx"
    write_workbook(results_named(names), path, inputs=["in.csv"])
    with zipfile.ZipFile(path) as book:
        sheets = [book.read(name).decode() for name in book.namelist()
                  if name.startswith("xl/worksheets/")]
    assert not any("<f>" in sheet or "<f " in sheet for sheet in sheets)
    values = {_excel_unescaped(cell) for sheet in openpyxl.load_workbook(path).worksheets
              for row in sheet.iter_rows(values_only=True) for cell in row
              if isinstance(cell, str)}
    assert not any(NOT_XML.search(value) for value in values)
    # XML reads a bare CR back as a line feed
    def lines(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n")

    shown = {lines(xml_text(name)) for name in names}
    assert {name for name in shown if name.strip()} <= {lines(value) for value in values}


@FEWER
@given(st.lists(TEXTS, min_size=3, max_size=3))
def test_the_docx_bulletin_opens_whatever_the_names(tmp_path: Path, names: list[str]) -> None:
    """Control characters in names do not stop the .docx (Word refuses them): they are
    left out, and the document opens."""
    path = tmp_path / "b.docx"
    write_docx(build_bulletin(results_named(names)), path)
    document = docx.Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert not any(NOT_XML.search(text) for text in texts)


# --- the terminal ----------------------------------------------------------------------


@given(TEXTS)
def test_terminal_text_holds_no_control_character(text: str) -> None:
    """No control character survives; each is shown as an escape that names it."""
    shown = terminal_text(text)
    assert not CONTROL.search(shown)
    assert "\n" not in shown
    if "\x1b" in text:
        assert "\\x1b" in shown


@settings(max_examples=25, deadline=None)
@given(st.lists(TEXTS, min_size=3, max_size=3))
def test_the_ranking_on_the_terminal_holds_no_control_sequence(names: list[str]) -> None:
    """The ranking table prints names without escape sequences, bells or overrides."""
    screen = io.StringIO()
    print_ranking(results_named(names), Console(file=screen, width=200, color_system=None))
    assert not CONTROL.search(screen.getvalue().replace("\n", ""))


def test_error_messages_show_control_characters_as_escapes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A cell's text inside an error message reaches stderr escaped, on one line."""
    report([Issue("bad", "expected a number, found '\x1b[2J\x1b]0;pwned\x07x\ny'", "a.csv",
                  row=2, column="n")])
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "\x1b" not in err and "\\x1b[2J" in err


# --- sheet names -----------------------------------------------------------------------


@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_sheet_names_are_valid_and_unique(wanted: list[str]) -> None:
    """Any ids give sheet names Excel accepts: 1-31 characters, none of []:*?/\\, not
    starting or ending with ', not History, unique without regard to case."""
    names = sheet_names(wanted)
    assert len(names) == len(wanted)
    assert len({name.casefold() for name in names}) == len(names)
    for name in names:
        assert 1 <= len(name) <= SHEET_NAME_MAX
        assert not re.search(r"[\[\]:*?/\\]", name)
        assert not name.startswith("'") and not name.endswith("'")
        assert name.casefold() != "history"

"""Odd command lines and odd inputs: the exit status is 0, 1 or 2 and no traceback shows.

Hypothesis drives the real command group (through click's CliRunner) with
arguments drawn from the options every command knows, values that broke it
before (``--days 999999999``, format specs, control sequences, long names)
and checklists and JSON files of arbitrary bytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import CHECKLIST, RUBRIC

from inspect_score.cli.main import main

COMMANDS = ["run", "check", "validate", "explain", "template", "bulletin", "trend",
            "calibrate", "compare"]
WORDS = ["--days", "999999999", "-1", "0", "--top", "--force", "-o", "--output", "--csv",
         "--json", "--deadline", "2025-02-30", "2025-06-30", "--inspected-on", "--branch",
         "B1", "--all", "--template", "--period", "{total:.5f}", "--best", "--sheet",
         "--encoding", "gbk", "nope", "--rectify", "--self-check", "-q", "--self",
         "--inspection", "--rubric", "x" * 300, "", "-", "--", "=1+1", "\x1b[2J", "out.xlsx",
         "out.md", "out.docx", "out.csv", "out.json", "sub/out.xlsx", "list.csv/x.xlsx",
         "list.csv", "rubric.toml", "odd.csv", "odd.json", "odd.xlsx", "odd.toml", "."]
ARGS = st.lists(st.one_of(st.sampled_from(WORDS),
                          st.text(st.characters(blacklist_characters="\x00"), max_size=8)),
                max_size=8)


RUBRICS = st.sampled_from(["rubric.toml", "odd.toml"])
INPUTS = st.lists(st.sampled_from(["list.csv", "odd.csv", "odd.xlsx", "odd.json", "odd.toml"]),
                  min_size=1, max_size=2)
#: Options with a value, as each command takes them, the value odd or not.
OPTIONS = st.lists(st.tuples(
    st.sampled_from(["-o", "--csv", "--json", "--days", "--deadline", "--inspected-on",
                     "--branch", "--top", "--template", "--period", "--best", "--sheet",
                     "--encoding", "--self", "--inspection", "--rubric"]),
    st.one_of(st.sampled_from(WORDS), st.text(st.characters(blacklist_characters="\x00"),
                                              max_size=8))).map(list), max_size=4).map(
    lambda pairs: [word for pair in pairs for word in pair])
FLAGS = st.lists(st.sampled_from(["--force", "--all", "-q", "--rectify", "--self-check",
                                  "--strict"]), max_size=2)


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A command with positionals it expects (mostly), then options: the odd cases run
    deep instead of stopping at a missing argument."""
    command = draw(st.sampled_from(COMMANDS))
    if draw(st.booleans()):
        return command, draw(ARGS)
    positionals = {"check": [draw(RUBRICS)], "template": [draw(RUBRICS)],
                   "trend": draw(INPUTS), "calibrate": [draw(RUBRICS)],
                   "compare": [draw(RUBRICS), draw(RUBRICS), *draw(INPUTS)]}.get(
        command, [draw(RUBRICS), *draw(INPUTS)])
    return command, [*positionals, *draw(OPTIONS), *draw(FLAGS)]


@settings(max_examples=80, deadline=None)
@given(line=command_lines(), csv_bytes=st.binary(max_size=200),
       json_text=st.text(max_size=60), toml_text=st.text(max_size=60))
def test_no_command_line_gives_a_traceback(line: tuple[str, list[str]], csv_bytes: bytes,
                                            json_text: str, toml_text: str) -> None:
    """Whatever the arguments and the inputs' bytes, the command ends with 0, 1 or 2 and
    says what is wrong in its own words."""
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
        folder = Path(scratch)
        (folder / "rubric.toml").write_text(RUBRIC, encoding="utf-8")
        (folder / "list.csv").write_text(CHECKLIST, encoding="utf-8")
        (folder / "odd.csv").write_bytes(b"branch_id,branch_name,Meetings held,dues\n"
                                         + csv_bytes)
        (folder / "odd.xlsx").write_bytes(csv_bytes)
        (folder / "odd.json").write_text(json_text, encoding="utf-8")
        (folder / "odd.toml").write_text(toml_text, encoding="utf-8")
        command, args = line
        result = CliRunner().invoke(main, [command, *args])
        shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
        assert result.exit_code in (0, 1, 2), (result.exception, shown)
        assert result.exception is None or isinstance(result.exception, SystemExit), shown
        assert "Traceback" not in shown
        assert os.getcwd() == scratch

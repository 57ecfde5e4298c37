"""The JSON output: the same tables as the CSVs, as numbers and text, plus rubric and tool."""

from __future__ import annotations

import json
import math
from pathlib import Path

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_run import sample_results
from test_write_csv import findings_frames

from inspect_score.outputs.write_csv import output_tables
from inspect_score.outputs.write_json import read_json_results, read_json_rubric, write_json


def _cells(frame: pd.DataFrame) -> list[list[object]]:
    """Rows as lists, NaN and None both as None, so that tables compare with ==."""
    return [
        [None if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell))
         else cell
         for cell in row]
        for row in frame.itertuples(index=False)
    ]


def test_json_reads_back_equal_to_what_was_scored(tmp_path: Path) -> None:
    """Every table reads back with the same columns and values as the CSV tables hold."""
    results = sample_results()
    path = tmp_path / "results.json"
    write_json(results, path, tool_version="0.1.0")
    back = read_json_results(path)
    for name, table in output_tables(results).items():
        assert list(table.columns) == list(back[name].columns)
        assert _cells(table) == _cells(back[name])


def test_json_rubric_tool_and_raw_text(tmp_path: Path) -> None:
    """rubric and tool are described; numbers are JSON numbers, NaN null, text unguarded."""
    path = tmp_path / "results.json"
    write_json(sample_results(), path, tool_version="0.1.0")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(document) == ["ranking", "points", "findings", "summary", "rubric", "tool"]
    assert document["rubric"] == {
        "id": "street-test", "title": "社区党建工作检查考评细则", "version": "2025-08",
        "sha256": "ab" * 32, "lang": "zh", "grades": ["优秀", "良好", "合格", "不合格"]}
    assert read_json_rubric(path) == document["rubric"]  # read from the end of the file
    assert document["tool"] == {"name": "inspect-score", "version": "0.1.0"}
    second = document["ranking"][1]
    actual = [second["branch_name"], second["total"], second["rank"]]
    assert actual == ["=HYPERLINK(\"http://x\")", 97.0, 2]
    assert None is document["points"][2]["satisfaction"]
    assert "幸福里社区" in path.read_text(encoding="utf-8")  # ensure_ascii=False


def test_json_is_deterministic(tmp_path: Path) -> None:
    """The same results give the same bytes."""
    write_json(sample_results(), tmp_path / "a.json", tool_version="1")
    write_json(sample_results(), tmp_path / "b.json", tool_version="1")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


@settings(max_examples=60, deadline=None)
@given(findings_frames())
def test_random_findings_round_trip(tmp_path_factory: object, findings: pd.DataFrame) -> None:
    """Any findings table reads back equal from JSON, text exactly as it was."""
    path = Path(str(tmp_path_factory.mktemp("json"))) / "r.json"  # type: ignore[attr-defined]
    write_json(attrs.evolve(sample_results(), findings=findings), path, tool_version="1")
    back = read_json_results(path)["findings"]
    assert list(findings.columns) == list(back.columns)
    assert _cells(findings) == _cells(back)


def test_records_are_streamed_a_block_at_a_time_with_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON file is written a block of rows at a time (its memory stays that of a
    block): blocks of two rows give the very bytes of one block, and of dumping the whole
    document at once."""
    from inspect_score.outputs import write_json as module

    results = sample_results()
    whole = tmp_path / "whole.json"
    write_json(results, whole, tool_version="1")
    monkeypatch.setattr(module, "_ROWS_PER_BLOCK", 2)
    blocks = tmp_path / "blocks.json"
    write_json(results, blocks, tool_version="1")
    assert blocks.read_bytes() == whole.read_bytes()
    document = json.loads(whole.read_text(encoding="utf-8"))
    assert list(document) == ["ranking", "points", "findings", "summary", "rubric", "tool"]
    assert whole.read_text(encoding="utf-8") == json.dumps(
        document, ensure_ascii=False, separators=(",", ":")) + "\n"


@given(st.lists(st.one_of(st.floats(allow_infinity=False), st.sampled_from([-0.0, 0.0])),
                min_size=1, max_size=20),
       st.lists(st.one_of(st.none(), st.text(max_size=6)), min_size=20, max_size=20))
def test_rows_are_encoded_as_json_dumps_encodes_their_records(
    numbers: list[float], texts: list[str | None]
) -> None:
    """A column at a time, once per distinct value, the rows come out byte for byte as
    json.dumps writes the records: -0.0 beside 0.0, NaN as null, any text, any key."""
    from inspect_score.outputs.write_json import _json_rows

    frame = pd.DataFrame({"n": numbers, "t%s\"键": texts[: len(numbers)],
                          "i": range(len(numbers))})
    records = [{"n": None if math.isnan(n) else n, "t%s\"键": t, "i": i}
               for n, t, i in zip(numbers, texts, range(len(numbers)), strict=False)]
    expected = json.dumps(records, ensure_ascii=False, separators=(",", ":"))[1:-1]
    assert _json_rows(frame) == expected

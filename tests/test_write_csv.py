"""The CSV outputs: exact columns, BOM, fixed decimals, formula guard, order."""

from __future__ import annotations

import io
import math
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_run import sample_results

from inspect_score.outputs.write_csv import FORMULA_STARTS, write_csv, write_table
from inspect_score.scoring.findings import FINDING_COLUMNS

BOM = b"\xef\xbb\xbf"


def _read(path: Path) -> pd.DataFrame:
    """A CSV output as text cells, exactly as written (no NaN guessing)."""
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_writes_the_four_files_with_a_byte_order_mark(tmp_path: Path) -> None:
    """write_csv writes ranking, points, findings and summary, each starting with a BOM."""
    written = write_csv(sample_results(), tmp_path)
    names = ["ranking.csv", "points.csv", "findings.csv", "summary.csv"]
    assert [tmp_path / name for name in names] == written
    assert [path.read_bytes().startswith(BOM) for path in written] == [True] * 4


def test_ranking_csv_exactly(tmp_path: Path) -> None:
    """ranking.csv: the spec's columns then sections, best first, fixed decimals, guarded
    text; numbers bare, text quoted (RFC 4180), an empty cell bare."""
    write_csv(sample_results(), tmp_path)
    expected = (
        "rank,branch_id,branch_name,total,base,bonus,penalty,grade,vetoed,org,basics,finance\n"
        '1,"SQ01","幸福里社区",100.85,98.85,2.00,0.00,"优秀",,35.00,35.00,28.85\n'
        '2,"SQ10","\'=HYPERLINK(""http://x"")",97.00,97.00,0.00,0.00,"不合格","discipline",'
        "32.00,35.00,30.00\n"
        '3,"SQ02","东湖社区",36.56,41.56,0.00,5.00,"不合格",,13.00,16.00,3.00\n'
    )
    assert expected == (tmp_path / "ranking.csv").read_bytes().decode("utf-8-sig")


def test_points_csv_in_ranking_order_with_blank_where_not_applicable(tmp_path: Path) -> None:
    """points.csv: branch_id then every item id in rubric order; n/a is an empty cell."""
    write_csv(sample_results(), tmp_path)
    points = _read(tmp_path / "points.csv")
    assert list(points.columns) == [
        "branch_id", "meetings", "reserve", "activists", "dues", "files", "ledgers", "audit",
        "volunteer", "satisfaction", "innovation", "cases"]
    assert points["branch_id"].tolist() == ["SQ01", "SQ10", "SQ02"]
    assert points["satisfaction"].tolist() == ["21.85", "23.00", ""]
    assert points["cases"].tolist() == ["0.00", "0.00", "5.00"]


def test_findings_csv_veto_rows_have_empty_numbers(tmp_path: Path) -> None:
    """findings.csv: the spec's columns; a veto's points, max and lost are empty."""
    write_csv(sample_results(), tmp_path)
    findings = _read(tmp_path / "findings.csv")
    assert list(FINDING_COLUMNS) == list(findings.columns)
    veto = findings[findings["kind"] == "veto"].iloc[0]
    assert [
        veto["branch_id"], veto["item_id"], veto["value"], veto["points"], veto["max"],
        veto["lost"]] == ["SQ10", "discipline", "是", "", "", ""]
    assert findings["branch_id"].tolist()[:3] == ["SQ01", "SQ10", "SQ10"]
    assert findings.loc[0, "lost"] == "1.15"


def test_summary_csv(tmp_path: Path) -> None:
    """summary.csv: one row per item; counts as integers, points with fixed decimals."""
    write_csv(sample_results(), tmp_path)
    summary = _read(tmp_path / "summary.csv")
    assert list(summary.columns) == [
        "item_id", "title", "max", "mean_points", "full_marks", "zero_points", "branches"]
    satisfaction = summary.set_index("item_id").loc["satisfaction"].tolist()
    assert satisfaction == ["群众满意度", "23.00", "22.43", "1", "0", "2"]


def test_several_vetoes_joined_by_semicolons(tmp_path: Path) -> None:
    """A branch with two vetoes lists both ids, separated by ";"."""
    results = sample_results()
    ranking = results.ranking.assign(vetoed=["", "discipline;low_satisfaction", ""])
    write_csv(attrs.evolve(results, ranking=ranking), tmp_path)
    assert _read(tmp_path / "ranking.csv").loc[1, "vetoed"] == "discipline;low_satisfaction"


def test_precision_follows_the_rubric(tmp_path: Path) -> None:
    """With precision 1, numbers have one decimal, rounded half away from zero."""
    results = sample_results()
    rubric = attrs.evolve(results.rubric, precision=1)
    ranking = results.ranking.assign(total=[100.85, 97.0, 36.56])
    write_csv(attrs.evolve(results, rubric=rubric, ranking=ranking), tmp_path)
    assert _read(tmp_path / "ranking.csv")["total"].tolist() == ["100.9", "97.0", "36.6"]


texts = st.text(
    alphabet=st.sampled_from([*"ab社区,\"'\n\r\t=+-@ ;党"]), max_size=12
)
numbers = st.one_of(st.none(), st.integers(-100_000, 100_000).map(lambda cents: cents / 100))


@st.composite
def findings_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 6))
    frame = {name: draw(st.lists(texts, min_size=rows, max_size=rows))
             for name in ("branch_id", "kind", "item_id", "value")}
    for name in ("points", "max", "lost"):
        cells = draw(st.lists(numbers, min_size=rows, max_size=rows))
        frame[name] = [np.nan if cell is None else cell for cell in cells]
    frame["note"] = draw(st.lists(texts, min_size=rows, max_size=rows))
    frame["clause"] = draw(st.lists(st.one_of(st.none(), st.integers(1, 30)),
                                    min_size=rows, max_size=rows))
    frame["problem"] = draw(st.lists(texts, min_size=rows, max_size=rows))
    return pd.DataFrame(frame).astype(
        {"points": float, "max": float, "lost": float, "branch_id": str, "kind": str,
         "item_id": str, "value": str, "note": str, "clause": "Int32", "problem": str})


@settings(max_examples=60, deadline=None)
@given(findings_frames())
def test_random_findings_read_back_equal(tmp_path_factory: object, findings: pd.DataFrame) -> None:
    """Any findings table reads back cell for cell: text as written (guarded with ' where it
    looks like a formula), numbers with two decimals, NaN as an empty cell."""
    directory = Path(str(tmp_path_factory.mktemp("csv")))  # type: ignore[attr-defined]
    write_csv(attrs.evolve(sample_results(), findings=findings), directory, names=("findings",))
    raw = (directory / "findings.csv").read_bytes().decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)

    def shown(text: str) -> str:
        return "'" + text if text.startswith(FORMULA_STARTS) else text

    expected = {
        name: [shown(text) for text in findings[name]]
        if not pd.api.types.is_float_dtype(findings[name].dtype)
        else ["" if np.isnan(number) else f"{number:.2f}" for number in findings[name]]
        for name in FINDING_COLUMNS if name != "clause"
    }
    # the clause number: a whole number, empty for an item without clauses
    expected["clause"] = ["" if pd.isna(n) else str(n) for n in findings["clause"]]
    assert expected == {name: back[name].tolist() for name in FINDING_COLUMNS}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e9, 1e9, allow_nan=False),
                       st.integers(-10**6, 10**6).map(lambda n: n / 1000),
                       st.just(math.nan)), min_size=1, max_size=20),
    st.integers(0, 4),
)
def test_numbers_are_written_as_decimal_rounding_would(values: list[float], precision: int) -> None:
    """Every number is written with exactly ``precision`` decimals, rounded half away from
    zero from its shortest decimal form (2.675 gives 2.68); NaN is an empty cell."""
    quantum = Decimal(1).scaleb(-precision)
    expected = [
        "" if math.isnan(value)
        else format(Decimal(repr(value)).quantize(quantum, ROUND_HALF_UP) + 0, "f")
        for value in values
    ]
    lines = csv_text(pd.DataFrame({"x": values}), precision).splitlines()[1:]
    assert expected == lines


def csv_text(frame: pd.DataFrame, precision: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        write_table(frame, path, precision)
        return path.read_bytes().decode("utf-8-sig")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(texts, numbers), min_size=0, max_size=40),
    st.integers(1, 7),
    st.integers(1, 4),
    st.randoms(use_true_random=False),
)
def test_blocks_on_several_workers_write_the_same_file_in_any_order_asked(
    rows: list[tuple[str, float | None]], block: int, workers: int, shuffle: object
) -> None:
    """However the rows are cut into blocks and however many workers format them, the
    file is the one a single worker writes; ``order`` writes the rows in that order."""
    import inspect_score.outputs.write_csv as module

    frame = pd.DataFrame({
        "name": pd.array([text for text, _ in rows], dtype="str"),
        "points": [np.nan if number is None else number for _, number in rows],
    })
    order = np.arange(len(rows))
    shuffle.shuffle(order)  # type: ignore[attr-defined]
    expected = csv_text(frame.iloc[order].reset_index(drop=True), 2)
    saved = module._ROWS_PER_BLOCK
    module._ROWS_PER_BLOCK = block
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "x.csv"
            write_table(frame, path, 2, order, workers=workers)
            assert expected == path.read_bytes().decode("utf-8-sig")
    finally:
        module._ROWS_PER_BLOCK = saved

"""Outputs are checked before any work, written beside their targets, renamed at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspect_score.errors import OutputError
from inspect_score.outputs.staging import check_targets, staged, temporary_beside


def test_an_existing_output_needs_force(tmp_path: Path) -> None:
    """An output that exists is refused without --force and accepted with it."""
    target = tmp_path / "results.xlsx"
    target.write_bytes(b"old")
    codes = [issue.code for issue in check_targets([target], [], force=False)]
    assert codes == ["output-exists"]
    assert check_targets([target], [], force=True) == []


def test_an_input_is_never_an_output(tmp_path: Path) -> None:
    """An output that is an input, or a file in an input folder, is refused even with --force."""
    folder = tmp_path / "checklists"
    folder.mkdir()
    inside = folder / "a.csv"
    inside.write_text("x")
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("x")
    issues = check_targets([rubric, inside], [rubric, folder], force=True)
    assert [(issue.code, issue.path) for issue in issues] == [
        ("output-is-input", str(rubric)),
        ("output-is-input", str(inside)),
    ]


def test_the_same_output_twice_is_refused(tmp_path: Path) -> None:
    """Two outputs of one run may not name the same file."""
    target = tmp_path / "out.json"
    codes = [issue.code for issue in check_targets([target, target], [], force=False)]
    assert codes == ["output-twice"]


def test_a_folder_is_not_an_output_file(tmp_path: Path) -> None:
    """A target that is a folder is refused."""
    assert [i.code for i in check_targets([tmp_path], [], force=True)] == ["output-is-folder"]


def test_all_outputs_appear_together(tmp_path: Path) -> None:
    """Targets appear only once the body is done, and no temporary file is left."""
    first, second = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    temporaries = {first: temporary_beside(first), second: temporary_beside(second)}
    with staged(temporaries):
        for temporary in temporaries.values():
            temporary.write_text("new")
        assert not first.exists() and not second.exists()
    assert first.read_text() == "new" and second.read_text() == "new"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.txt", "b.txt"]


def test_a_failed_run_leaves_everything_as_it_was(tmp_path: Path) -> None:
    """When writing fails, old targets keep their content and new folders are removed."""
    old = tmp_path / "old.txt"
    old.write_text("old")
    new = tmp_path / "made" / "deeper" / "new.txt"
    temporaries = {old: temporary_beside(old), new: temporary_beside(new)}
    with pytest.raises(RuntimeError), staged(temporaries):
        for temporary in temporaries.values():
            temporary.write_text("half")
        raise RuntimeError("writer failed")
    assert old.read_text() == "old"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["old.txt"]


def test_a_locked_target_is_reported_before_anything_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target held open by Excel stops the run with a hint, before any target is replaced."""
    free, locked = tmp_path / "a.csv", tmp_path / "b.xlsx"
    free.write_text("old")
    locked.write_text("old")

    def open_as_excel_would_allow(path: object, *args: object, **kwargs: object) -> object:
        # Windows refuses to open a workbook for writing while Excel holds it.
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("inspect_score.outputs.staging.open", open_as_excel_would_allow,
                        raising=False)
    temporaries = {free: temporary_beside(free), locked: temporary_beside(locked)}
    with pytest.raises(OutputError) as raised, staged(temporaries):
        for temporary in temporaries.values():
            temporary.write_text("new")
    assert [(issue.code, issue.path) for issue in raised.value.issues] == [
        ("output-locked", str(locked))
    ]
    assert "close it" in raised.value.issues[0].message
    assert free.read_text() == "old" and locked.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.xlsx"]


def test_a_folder_made_only_for_temporary_files_is_removed(tmp_path: Path) -> None:
    """A private folder holding temporaries goes once they are renamed; the targets' stays."""
    target = tmp_path / "out" / "ranking.csv"
    temporary = tmp_path / "out" / ".private.tmp" / "ranking.csv"
    with staged({target: temporary}):
        temporary.write_text("new")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "out",
        "out/ranking.csv",
    ]

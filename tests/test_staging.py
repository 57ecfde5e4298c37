"""Outputs are checked before any work, written beside their targets, renamed at the end."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspect_score.errors import OutputConflict, OutputError
from inspect_score.outputs import staging
from inspect_score.outputs.staging import (
    NAME_MAX,
    check_targets,
    plan_outputs,
    staged,
    temporary_beside,
)


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


# --- targets that cannot be written, found before any work -----------------------------


def test_a_name_of_up_to_255_bytes_is_written_and_its_temporary_stays_short(
    tmp_path: Path,
) -> None:
    """A target name may use all 255 bytes a file system allows: the temporary name beside
    it is short whatever the target's; one byte more is refused before any work."""
    longest = tmp_path / ("书" * 84 + "abc")  # 84 * 3 + 3 = 255 bytes
    assert len(os.fsencode(longest.name)) == NAME_MAX
    assert len(temporary_beside(longest).name) < 40
    assert check_targets([longest], [], force=False) == []
    with staged({longest: temporary_beside(longest)}):
        temporary_beside(longest).write_text("new")
    assert longest.read_text() == "new"
    too_long = tmp_path / ("书" * 85 + "a")
    assert [i.code for i in check_targets([too_long], [], force=False)] == [
        "output-name-too-long"]


def test_a_file_where_a_folder_is_needed_is_refused(tmp_path: Path) -> None:
    """`-o somefile/out.xlsx`: the target's folder is a file; refused, naming that file."""
    (tmp_path / "somefile").write_text("x")
    issues = check_targets([tmp_path / "somefile" / "deeper" / "out.xlsx"], [], force=True)
    assert [i.code for i in issues] == ["output-folder-is-file"]
    assert str(tmp_path / "somefile") in issues[0].message


def test_a_read_only_folder_is_refused_before_any_work(read_only_folder: Path) -> None:
    """A target in a folder that cannot be written (or in a folder to be made inside one)
    is a usage problem found before any work."""
    issues = check_targets([read_only_folder / "out.xlsx", read_only_folder / "new" / "a.csv"],
                           [], force=False)
    assert [i.code for i in issues] == ["output-not-writable", "output-not-writable"]


# --- failures while writing and replacing ----------------------------------------------


def test_a_full_disk_while_writing_leaves_every_target_as_it_was(tmp_path: Path) -> None:
    """An OSError from a writer (ENOSPC) becomes one output-write-failed issue naming the
    target being written; the old targets keep their content and no temporary is left."""
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("old")
    temporaries = {old: temporary_beside(old), new: temporary_beside(new)}
    with pytest.raises(OutputError) as raised, staged(temporaries):
        temporaries[old].write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device", str(temporaries[new]))
    assert [(i.code, i.path) for i in raised.value.issues] == [
        ("output-write-failed", str(new))]
    assert "disk is full" in raised.value.issues[0].message
    assert old.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]


def test_a_real_full_disk_is_one_error_and_leaves_nothing(small_disk: Path) -> None:
    """On a file system that fills up while writing, the writer's error is reported as
    one issue and nothing is left on it."""
    target = small_disk / "big.bin"
    with pytest.raises(OutputError) as raised, staged({target: temporary_beside(target)}):
        temporary_beside(target).write_bytes(b"x" * (1 << 20))
    assert [i.code for i in raised.value.issues] == ["output-write-failed"]
    assert list(small_disk.iterdir()) == []


def test_a_rename_failing_midway_puts_back_what_was_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the second rename fails, the first target gets its previous version back, the
    error says so, and no temporary or kept-aside copy is left."""
    first, second, third = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    first.write_text("old a")
    second.write_text("old b")
    real_replace = os.replace

    def replace(source: object, target: object) -> None:
        if Path(str(target)) == second and Path(str(source)).suffix == ".tmp":
            raise OSError(errno.EIO, "Input/output error", str(target))
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(staging.os, "replace", replace)
    temporaries = {path: temporary_beside(path) for path in (first, second, third)}
    with pytest.raises(OutputError) as raised, staged(temporaries):
        for temporary in temporaries.values():
            temporary.write_text("new")
    assert [(i.code, i.path) for i in raised.value.issues] == [
        ("output-write-failed", str(second))]
    assert "put back" in raised.value.issues[0].message
    assert (first.read_text(), second.read_text()) == ("old a", "old b")
    assert not third.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_what_cannot_be_put_back_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If putting a previous version back fails too, the run says which target now holds
    this run's output rather than claiming that nothing changed."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("old a")
    real_replace = os.replace

    def replace(source: object, target: object) -> None:
        if Path(str(target)) == second or Path(str(source)).suffix == ".bak":
            raise OSError(errno.EIO, "Input/output error", str(target))
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(staging.os, "replace", replace)
    temporaries = {path: temporary_beside(path) for path in (first, second)}
    with pytest.raises(OutputError) as raised, staged(temporaries):
        for temporary in temporaries.values():
            temporary.write_text("new")
    assert [(i.code, i.path) for i in raised.value.issues] == [
        ("output-write-failed", str(second)), ("output-not-restored", str(first))]
    assert "previous version is kept as" in raised.value.issues[1].message


# --- other runs, dead runs -------------------------------------------------------------


def test_a_target_another_run_wrote_meanwhile_is_refused(tmp_path: Path) -> None:
    """Without --force, a target that did not exist when the run checked it but does
    when it is about to be renamed is refused (OutputConflict, exit 2), left as the other
    run wrote it, and no other target is written either."""
    mine, theirs = tmp_path / "a.csv", tmp_path / "b.csv"
    plan = plan_outputs([mine, theirs], [], force=False)
    assert plan.issues == ()
    temporaries = {path: temporary_beside(path) for path in (mine, theirs)}
    with pytest.raises(OutputConflict) as raised, staged(temporaries, plan):
        for temporary in temporaries.values():
            temporary.write_text("mine")
        theirs.write_text("theirs")
    assert [(i.code, i.path) for i in raised.value.issues] == [("output-changed", str(theirs))]
    assert theirs.read_text() == "theirs" and not mine.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]


def test_with_force_a_changed_target_is_overwritten(tmp_path: Path) -> None:
    """--force overwrites whatever is there at the end."""
    target = tmp_path / "a.csv"
    plan = plan_outputs([target], [], force=True)
    with staged({target: temporary_beside(target)}, plan):
        temporary_beside(target).write_text("mine")
        target.write_text("theirs")
    assert target.read_text() == "mine"


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporaries_of_dead_runs_are_removed_by_a_later_run(tmp_path: Path) -> None:
    """Temporary files and folders a killed run left beside the targets (this version's
    names, and .NAME.PID.tmp of earlier ones) are removed; a live run's are kept."""
    dead = _dead_pid()
    (tmp_path / f".inspect-score.{dead}.tmp").mkdir()
    (tmp_path / f".inspect-score.{dead}.tmp" / "ranking.csv").write_text("half")
    (tmp_path / f".inspect-score.{dead}.0a1b2c3d.tmp").write_text("half")
    (tmp_path / f".inspect-score.{dead}.1.bak").write_text("old")
    (tmp_path / f".out.xlsx.{dead}.tmp").write_text("half")
    alive = tmp_path / f".inspect-score.{os.getppid()}.tmp"
    alive.write_text("someone's")
    unrelated = tmp_path / ".notes.txt"
    unrelated.write_text("mine")
    target = tmp_path / "out.xlsx"
    with staged({target: temporary_beside(target)}):
        temporary_beside(target).write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, unrelated.name, "out.xlsx"])


def test_a_device_or_pipe_is_not_an_output(tmp_path: Path) -> None:
    """An existing target that is not a regular file (a device, a FIFO) is refused even
    with --force: renaming a file over /dev/null is never what was meant."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert [i.code for i in check_targets([fifo, Path(os.devnull)], [], force=True)] == [
        "output-not-a-file", "output-not-a-file"]

"""Writing outputs so that a failed run leaves nothing behind.

Every output is first written to a temporary file beside its target; only
when all of them are complete are they renamed into place. Before anything is
written, the targets are checked: an existing file needs ``force``, an input is
never a target, ``force`` or not, and every target's folder must be one this
run can write in.

Replacing the targets is itself all or nothing: the previous version of each
target is kept aside (a hard link, else a copy) until every rename is done, and
put back if one fails. Signals are held off while the renames run, and a
target that another run created since this one checked it is refused rather
than overwritten. Temporary names are short (a target name may use the whole
255 bytes a file system allows) and carry the process id, so that a later run
removes what a killed one left.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import signal
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from inspect_score.errors import Issue, OutputConflict, OutputError
from inspect_score.messages import msg

#: The longest file name (in bytes of the file system's encoding) most file systems allow.
NAME_MAX = 255
#: Every temporary file, folder and kept-aside previous version this tool makes
#: is named ``.inspect-score.PID[.HASH].tmp`` or ``….bak``, so that a later run
#: can tell those of a process that no longer runs.
_PREFIX = ".inspect-score."
_OURS = re.compile(r"^\.inspect-score\.(\d+)(?:\.[0-9a-f]+)?\.(?:tmp|bak)$")
#: What earlier versions named their temporary files: ``.NAME.PID.tmp``.
_EARLIER = re.compile(r"^\..+\.(\d+)\.tmp$")


@attrs.frozen
class Stamp:
    """What a target was when the run checked it (None: it did not exist)."""

    device: int
    inode: int
    size: int
    modified_ns: int


def _stamp(path: Path) -> Stamp | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return Stamp(status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


@attrs.frozen
class OutputPlan:
    """The targets of a run as they were checked, before any work."""

    issues: tuple[Issue, ...]
    stamps: Mapping[Path, Stamp | None]
    force: bool


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _inside(target: Path, folder: Path) -> bool:
    """Whether ``target`` is in ``folder`` or one of its subfolders."""
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _input_files(inputs: Sequence[Path]) -> list[Path]:
    """Inputs and, for folders, the files inside them: none may be overwritten."""
    files: list[Path] = []
    for path in inputs:
        files.append(path)
        with contextlib.suppress(OSError):
            if path.is_dir():
                files.extend(child for child in path.iterdir() if child.is_file())
    return files


def _nearest_existing(folder: Path) -> Path:
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    return folder


def _place_issue(target: Path) -> Issue | None:
    """Why the target cannot be written where it is named (None: it can)."""
    if len(os.fsencode(target.name)) > NAME_MAX:
        return Issue("output-name-too-long",
                     msg("the file name is {length} bytes long; file systems allow at "
                         "most {limit}",
                         length=len(os.fsencode(target.name)), limit=NAME_MAX), str(target))
    folder = target.parent
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        return Issue("output-folder-is-file",
                     msg("cannot be written: {existing} is a file, not a folder",
                         existing=existing), str(target))
    if not os.access(existing, os.W_OK | os.X_OK):
        return Issue("output-not-writable",
                     msg("cannot be written: the folder {existing} is not writable (read-only, "
                         "or no permission)",
                         existing=existing), str(target))
    return None


def plan_outputs(targets: Sequence[Path], inputs: Sequence[Path], *, force: bool) -> OutputPlan:
    """Check the outputs of a run before any work is done, and note what each was.

    The issues are usage problems (exit 2); the stamps let :func:`staged` see
    a target that another run wrote meanwhile.
    """
    issues: list[Issue] = []
    protected = _input_files(inputs)
    folders = [path for path in inputs if path.is_dir()]
    seen: list[Path] = []
    for target in targets:
        folder = next((folder for folder in folders if _inside(target, folder)), None)
        place = _place_issue(target)
        if place is not None:
            issues.append(place)
        elif any(_same_file(target, source) for source in protected):
            issues.append(
                Issue(
                    "output-is-input",
                    msg("is an input of this run; it is never overwritten"),
                    str(target),
                )
            )
        elif folder is not None:
            # the next run over the folder would find it among the checklists
            issues.append(
                Issue(
                    "output-in-input-folder",
                    msg("is inside the input folder {folder!r}; write the outputs elsewhere, "
                        "so that the folder holds only checklists", folder=str(folder)),
                    str(target),
                )
            )
        elif any(_same_file(target, other) for other in seen):
            issues.append(
                Issue("output-twice", msg("is named for two outputs of this run"), str(target))
            )
        elif target.is_dir():
            issues.append(
                Issue("output-is-folder", msg("is a folder; expected a file name"), str(target))
            )
        elif target.exists() and not target.is_file():
            # replacing /dev/null or a pipe with a file is never what was meant
            issues.append(Issue("output-not-a-file",
                                msg("is a device, pipe or socket, not a file; name a file"),
                                str(target)))
        elif target.exists() and not force:
            issues.append(
                Issue("output-exists", msg("exists already; pass --force to overwrite it"),
                      str(target))
            )
        seen.append(target)
    return OutputPlan(tuple(issues), {target: _stamp(target) for target in targets}, force)


def check_targets(targets: Sequence[Path], inputs: Sequence[Path], *, force: bool) -> list[Issue]:
    """Usage problems with the outputs of a run, found before any work is done."""
    return list(plan_outputs(targets, inputs, force=force).issues)


def temporary_name(key: str = "") -> str:
    """A short temporary name for this process (``key`` tells several apart)."""
    digest = hashlib.blake2s(key.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"{_PREFIX}{os.getpid()}.{digest}.tmp" if key else f"{_PREFIX}{os.getpid()}.tmp"


def temporary_beside(target: Path) -> Path:
    """A temporary name beside the target, so that the final rename stays on one
    file system and is atomic. Short whatever the target's name."""
    return target.with_name(temporary_name(target.name))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs; when in doubt, yes (its files are then left alone)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or not a pid: leave its files alone
    return True


def _alive_on_windows(pid: int) -> bool:
    # os.kill(pid, 0) on Windows would end the process: ask for its exit code instead.
    if sys.platform != "win32":  # for the type checker: windll exists on Windows only
        return True
    import ctypes

    kernel = ctypes.windll.kernel32
    handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel.GetLastError() == 5)  # access denied: it runs, as another user
    try:
        code = ctypes.c_ulong()
        if not kernel.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel.CloseHandle(handle)


def remove_stale(folder: Path, names: Iterable[str] = ()) -> list[Path]:
    """Remove the temporaries that runs no longer running left in ``folder``.

    Ours are ``.inspect-score.PID…``; ``names`` are targets whose temporaries of
    earlier versions (``.NAME.PID.tmp``) are looked for too. Returns what was removed.
    """
    removed: list[Path] = []
    earlier = {f".{name}." for name in names}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _OURS.match(entry.name)
        if match is None and any(entry.name.startswith(start) for start in earlier):
            match = _EARLIER.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def _locked(target: Path, error: OSError) -> OutputError:
    return OutputError(
        [
            Issue(
                "output-locked",
                msg("cannot be written ({reason}); if it is open in Excel or WPS, close it and "
                    "run again",
                    reason=error.strerror or error),
                str(target),
            )
        ]
    )


def _ensure_writable(target: Path) -> None:
    """Fail before the first rename if any target is held open by another program.

    Excel and WPS lock the workbooks they have open; finding that out while
    renaming would leave some outputs replaced and others not.
    """
    if not target.exists():
        return
    try:
        with open(target, "r+b"):
            pass
    except PermissionError as error:
        raise _locked(target, error) from error


def _changed(plan: OutputPlan | None, target: Path) -> bool:
    """True where another run created or changed the target since this one checked it."""
    if plan is None or plan.force or target not in plan.stamps:
        return False
    return _stamp(target) != plan.stamps[target]


def _os_error(error: BaseException) -> OSError | None:
    """The file-system error behind an exception (writers wrap it in their own)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _describe(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return msg("the disk is full")
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return msg("the folder is read-only or not writable")
    if error.errno == errno.EDQUOT:
        return msg("the disk quota is used up")
    return error.strerror or type(error).__name__


def _write_failed(error: OSError, temporaries: Mapping[Path, Path]) -> OutputError:
    """The error as one issue naming the target whose temporary failed."""
    where = next(iter(temporaries), Path("."))
    failed = error.filename
    for target, temporary in temporaries.items():
        if failed is not None and (str(temporary) == str(failed)
                                   or str(temporary.parent) == str(failed)):
            where = target
            break
    return OutputError([Issue("output-write-failed",
                              msg("cannot be written: {error}; no output was changed",
                                  error=_describe(error)), str(where))])


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold off SIGINT, SIGTERM and SIGHUP while the targets are replaced: they
    arrive once every target is either replaced or put back."""
    held = {signal.SIGINT, signal.SIGTERM}
    if hasattr(signal, "SIGHUP"):
        held.add(signal.SIGHUP)
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no masks to hold them with
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _keep_aside(target: Path, index: int) -> Path | None:
    """A second name for the target's current version (None: there is none)."""
    if not target.exists():
        return None
    backup = target.with_name(f"{_PREFIX}{os.getpid()}.{index:x}.bak")
    with contextlib.suppress(FileNotFoundError):
        backup.unlink()
    try:
        os.link(target, backup)
    except OSError:  # a file system without hard links (FAT on a USB stick)
        shutil.copy2(target, backup)
    return backup


def _put_in_place(temporary: Path, target: Path, exclusive: bool) -> None:
    """Rename; ``exclusive``: fail if the target appeared meanwhile, in one step."""
    if exclusive:
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise
        except OSError:
            pass  # no hard links here: the check just made has to do
        else:
            temporary.unlink()
            return
    os.replace(temporary, target)


def _conflict(targets: Sequence[Path]) -> OutputConflict:
    return OutputConflict([Issue("output-changed",
                                 msg("was written by another program since this run began; it is "
                                     "left as it is (pass --force to overwrite it)"),
                                 str(target)) for target in targets])


def _replace_all(temporaries: Mapping[Path, Path], plan: OutputPlan | None) -> None:
    """Rename every temporary onto its target, or put every target back as it was."""
    changed = [target for target in temporaries if _changed(plan, target)]
    if changed:
        raise _conflict(changed)
    done: list[tuple[Path, Path | None]] = []
    backups: list[Path] = []
    current = next(iter(temporaries), Path("."))
    try:
        for index, (target, temporary) in enumerate(temporaries.items()):
            current = target
            backup = _keep_aside(target, index)
            if backup is not None:
                backups.append(backup)
            exclusive = plan is not None and not plan.force
            try:
                _put_in_place(temporary, target, exclusive)
            except FileExistsError as error:
                raise _conflict([target]) from error
            except PermissionError as error:
                raise _locked(target, error) from error
            done.append((target, backup))
    except BaseException as error:
        lost = _put_back(done)
        if isinstance(error, OSError):
            failed = Issue("output-write-failed",
                           msg("cannot be replaced: {reason}; the outputs replaced before it "
                               "were put back", reason=_describe(error)) if not lost else
                           msg("cannot be replaced: {reason}; see below",
                               reason=_describe(error)),
                           str(current))
            raise OutputError([failed, *lost]) from error
        if lost:
            earlier = error.issues if isinstance(error, OutputError) else ()
            raise OutputError([*earlier, *lost]) from error
        raise
    finally:
        for backup in backups:
            with contextlib.suppress(OSError):
                backup.unlink()


def _put_back(done: list[tuple[Path, Path | None]]) -> list[Issue]:
    """Undo the renames made so far; the issues say what could not be undone."""
    lost: list[Issue] = []
    for target, backup in reversed(done):
        try:
            if backup is None:
                target.unlink()
            else:
                os.replace(backup, target)
        except OSError as error:
            reason = error.strerror or error
            lost.append(Issue("output-not-restored", msg(
                "was replaced by this run's output and could not be put back ({reason}); its "
                "previous version is kept as {backup}", reason=reason, backup=backup) if backup
                else msg("was replaced by this run's output and could not be put back ({reason})",
                         reason=reason), str(target)))
    return lost


@contextlib.contextmanager
def staged(temporaries: Mapping[Path, Path], plan: OutputPlan | None = None) -> Iterator[None]:
    """Let the body write each target's temporary file; rename them all into place at the end.

    ``temporaries`` maps each target to the temporary path the body writes
    (see :func:`temporary_beside`). Folders the targets need are made first,
    and temporaries that dead runs left beside the targets are removed. If the
    body raises, or any target turns out to be locked or changed since
    ``plan`` was made (another run wrote it), every temporary file and every
    folder made here is removed, and the targets are left as they were. A
    file-system error (a full disk) becomes an :class:`OutputError`.
    """
    for folder in {target.parent for target in temporaries}:
        remove_stale(folder, [target.name for target in temporaries if target.parent == folder])
    # Folders made for the targets stay; folders made only to hold temporary
    # files (a private one inside an output folder) go once the renames are done.
    for_targets: list[Path] = []
    for_temporaries: list[Path] = []
    try:
        for_targets = _make_folders(temporaries.keys())
        for_temporaries = _make_folders(temporaries.values())
        try:
            yield
        except Exception as error:
            cause = _os_error(error)
            if cause is None or isinstance(error, OutputError):
                raise
            raise _write_failed(cause, temporaries) from error
        with _signals_held():
            for target in temporaries:
                _ensure_writable(target)
            _replace_all(temporaries, plan)
    except BaseException:
        for temporary in temporaries.values():
            with contextlib.suppress(OSError):
                temporary.unlink()
        _remove_folders(for_temporaries)
        # only if still empty: another run may have written its outputs there meanwhile
        _remove_empty_folders(for_targets)
        raise
    finally:
        _remove_folders(for_temporaries)


def _make_folders(paths: Iterable[Path]) -> list[Path]:
    """Make the missing folders the paths need; return them, outermost first."""
    made: list[Path] = []
    try:
        for path in paths:
            folder = path.parent
            missing = []
            while not folder.exists():
                missing.append(folder)
                folder = folder.parent
            for new_folder in reversed(missing):
                new_folder.mkdir()
                made.append(new_folder)
    except OSError as error:
        _remove_empty_folders(made)
        raise OutputError([Issue("output-write-failed",
                                 msg("cannot make the folder: {error}", error=_describe(error)),
                                 str(error.filename or path))]) from error
    return made


def _remove_folders(folders: list[Path]) -> None:
    """Remove folders that hold only this run's temporary files."""
    for folder in reversed(folders):
        shutil.rmtree(folder, ignore_errors=True)


def _remove_empty_folders(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()

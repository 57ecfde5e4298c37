"""What every command shares: reporting issues, exit codes, progress on stderr,
and the language everything is said in.

Only click is imported up front: each command imports the library (pandas,
Arrow, the writers) and rich when it runs, so that ``--version``, ``--help``
and ``check`` start at once.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from inspect_score.errors import InspectError, Issue, OutputConflict, errors_only
from inspect_score.messages import (
    ENV_VAR,
    LANGS,
    Lang,
    listing,
    msg,
    parse_language,
    set_language,
    system_language,
    tr,
    use_language,
)
from inspect_score.outputs.escape import terminal_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from inspect_score.checklists.table import Checklists
    from inspect_score.outputs.staging import OutputPlan
    from inspect_score.rubric.model import Rubric

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_BUG = 3
#: What a checklist is saved as, never a rubric: the readers' CSV and sheet
#: suffixes, written out so that telling arguments apart imports no reader
#: (and with it no pandas); tests/test_arguments.py holds the two together.
CHECKLIST_SUFFIXES = frozenset({".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})

T = TypeVar("T")

class _ArgumentPath(click.Path):
    """A path argument whose kind ("file", "directory", "path") is said in the run's
    language: click names it once, as the type is made at import, before any
    language is chosen, and its "{name} 'x' does not exist." would stay English."""

    @property
    def name(self) -> str:
        import gettext  # click's own catalog (messages.click_language) says it

        if self.file_okay and not self.dir_okay:
            return gettext.gettext("file")
        if self.dir_okay and not self.file_okay:
            return gettext.gettext("directory")
        return gettext.gettext("path")

    @name.setter
    def name(self, _value: str) -> None:  # click sets it, in English, as it is made
        pass


existing_path = _ArgumentPath(exists=True, dir_okay=True, path_type=Path)
rubric_path = _ArgumentPath(exists=True, dir_okay=False, path_type=Path)


#: Where --lang is kept for the run (click shares ``meta`` with every nested context).
_LANG_KEY = "inspect_score.lang"


def _remember_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        lang = parse_language(value) or "en"
        ctx.meta[_LANG_KEY] = lang
        ctx.find_root().with_resource(use_language(lang))


#: ``--lang``, on the group and on every command (people type it after the command).
lang_option = click.option(
    "--lang", type=click.Choice(LANGS, case_sensitive=False), expose_value=False, is_eager=True,
    callback=_remember_language,
    help=f"Language of messages and reports: zh or en (default: ${ENV_VAR}, else the "
         "rubric's lang, else the system's).",
)


def settle_language(rubric: Path | None = None, results: Sequence[Path] = (),
                    inputs: Sequence[Path] = ()) -> Lang:
    """The language of the run: --lang, else $INSPECT_SCORE_LANG, else the rubric's
    ``lang`` (of ``rubric``, or as the JSON ``results`` of `run --json` record it), else
    what the files given say (:func:`files_language`: ``rubric`` is no rubric, and
    ``inputs`` are the command's other files), else the system's; every message from
    here on is said in it."""
    ctx = click.get_current_context(silent=True)
    chosen: Lang | None = ctx.meta.get(_LANG_KEY) if ctx is not None else None
    lang = chosen or parse_language(os.environ.get(ENV_VAR))
    if lang is None and rubric is not None:
        from inspect_score.rubric.loader import rubric_language

        lang = rubric_language(rubric)
    if lang is None and results:
        from inspect_score.followup.trend import results_language

        lang = results_language(results)
    if lang is None and (rubric is not None or inputs):
        lang = files_language([*([rubric] if rubric is not None else []), *inputs])
    lang = lang or system_language()
    if ctx is not None:
        # until the whole command line is done (the group reports what escapes a
        # command), and no longer: a caller running several commands in one process
        # (tests, scripts) gets its own language back afterwards
        ctx.find_root().with_resource(use_language(lang))
    else:
        set_language(lang)
    return lang


#: Chinese characters: in the names or the first words of the files given, they say
#: the run is Chinese where no rubric says its language.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
#: How much of a file is looked at for its words.
_FIRST_WORDS = 64 * 1024


def files_language(paths: Sequence[Path]) -> Lang | None:
    """The language the files of a command line say where the rubric does not (it is a
    checklist given in its place, or unreadable): a rubric among them (given in the
    wrong place) says its ``lang``; else Chinese where a file's name or first words (a
    CSV's header, a workbook's text) are Chinese; None where nothing tells."""
    from inspect_score.rubric.loader import is_rubric_file, rubric_language

    for path in paths:
        if path.suffix.lower() == ".toml" and path.is_file() and is_rubric_file(path):
            lang = rubric_language(path)
            if lang is not None:
                return lang
    if any(_HAN.search(path.name) or _HAN.search(_first_words(path)) for path in paths):
        return "zh"
    return None


def _first_words(path: Path) -> str:
    """The first text of a file: a workbook's shared strings, a text file's first bytes
    (UTF-8, else GB18030); "" for anything else or what cannot be read."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as book, book.open("xl/sharedStrings.xml") as strings:
                return strings.read(_FIRST_WORDS).decode("utf-8", errors="ignore")
        if suffix in (".csv", ".txt", ".toml"):
            with open(path, "rb") as handle:
                data = handle.read(_FIRST_WORDS)
            text = data.decode("utf-8", errors="ignore")
            return text if _HAN.search(text) else data.decode("gb18030", errors="ignore")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
    return ""


def begin(rubric: Path | None = None, results: Sequence[Path] = (),
          inputs: Sequence[Path] = ()) -> Lang:
    """What a command that scores does first: settle the language, and give Arrow
    the system's allocator (imported here, not at start-up)."""
    import pyarrow as pa

    # Arrow's default allocator (mimalloc) keeps memory freed on a thread for
    # that thread, and the CSV writer formats blocks of rows on every core: at a
    # million branches it kept 200-350 MB more at the peak than the system
    # allocator, which is as fast here (benchmarks/bench_run.py).
    pa.set_memory_pool(pa.system_memory_pool())
    return settle_language(rubric, results, inputs)


def stderr_console() -> Console:
    from rich.console import Console

    # the progress display: rich measures the wide characters of Chinese step names
    return Console(stderr=True, highlight=False, soft_wrap=True)


def say(text: str) -> None:
    """One line to stderr, where issues and notes go (stdout holds the report); never
    wrapped, so that editors and scripts can parse PATH:ROW:COLUMN lines."""
    click.echo(text, err=True)


def report(issues: Iterable[Issue]) -> None:
    for issue in issues:
        # a cell's text is in the message: never let its control characters reach the terminal
        say(terminal_text(issue.render()))


def wrote(paths: Iterable[object]) -> None:
    """The closing line of a command that wrote files."""
    say(tr("Wrote {paths}", paths=listing(paths)))


def checked_outputs(targets: Sequence[Path], inputs: Sequence[Path], *,
                    force: bool) -> OutputPlan:
    """The outputs checked before any work: a usage error (exit 2) for each that cannot be
    written (exists without --force, is an input, sits in a folder that cannot be written)."""
    from inspect_score.outputs.staging import plan_outputs

    plan = plan_outputs(targets, inputs, force=force)
    if plan.issues:
        fail(plan.issues, EXIT_USAGE)
    return plan


def exit_status(error: InspectError) -> int:
    """2 where another run wrote an output meanwhile (a usage problem), else 1."""
    return EXIT_USAGE if isinstance(error, OutputConflict) else EXIT_INPUT


def fail(issues: Sequence[Issue], status: int, *, writes: bool = True) -> NoReturn:
    """Report the issues, how many errors there were and, for a command that writes
    files (``writes``), that it wrote none; exit with ``status``."""
    report(issues)
    count = len(errors_only(issues))
    if not writes:
        # validate writes nothing, failed or not: saying so would suggest it might have
        if count:
            say(tr("1 error.") if count == 1 else tr("{count} errors.", count=count))
    elif count == 1:
        say(tr("1 error; nothing was written."))
    elif count:
        say(tr("{count} errors; nothing was written.", count=count))
    sys.exit(status)


class Steps:
    """A progress display on stderr, shown only when stderr is a terminal.

    With a known number of steps it is a bar that advances a step at a time;
    the current step's name stands beside it.
    """

    def __init__(self, progress: Progress | None, total: int | None = None) -> None:
        self._progress = progress
        self._task = None if progress is None else progress.add_task("", total=total)

    def run(self, description: str, work: Callable[[], T]) -> T:
        if self._progress is None or self._task is None:
            return work()
        self._progress.update(self._task, description=description)
        result = work()
        self._progress.advance(self._task)
        return result


def _progress(console: Console) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextmanager
def progress_steps(total: int | None = None) -> Iterator[Steps]:
    """Progress of a command made of ``total`` steps (each a :meth:`Steps.run`)."""
    console = stderr_console()
    if not console.is_terminal:
        yield Steps(None)
        return
    with _progress(console) as progress:
        yield Steps(progress, total)


def argument_issues(command: str, rubrics: Sequence[Path], inputs: Sequence[Path],
                    usage: str | None = None) -> list[Issue]:
    """Rubrics and checklists given in each other's place, said plainly: a checklist
    where the rubric goes, or a rubric among the checklists (the rubric comes first).
    ``usage`` is the synopsis of a command whose rubric is not simply its first
    argument (default: its rubrics, then INPUT...)."""
    positional = usage is None
    usage = usage or f"inspect-score {command} {'RUBRIC ' * len(rubrics)}INPUT..."
    from inspect_score.rubric.loader import is_rubric_file

    given_rubrics = [path for path in inputs if path.is_file() and is_rubric_file(path)]
    checklists = [path for path in inputs if path not in given_rubrics]
    issues: list[Issue] = []
    for rubric in rubrics:
        if rubric.suffix.lower() not in CHECKLIST_SUFFIXES:
            continue
        if positional and len(given_rubrics) == len(rubrics) == 1:
            swapped = " ".join(map(str, [*given_rubrics, rubric, *checklists]))
            hint = msg("did you mean: {command}", command=f"inspect-score {command} {swapped}")
        else:
            hint = msg("expected: {usage}", usage=usage)
        issues.append(Issue(
            "rubric-is-a-checklist",
            msg("is a checklist ({suffix}), not a rubric: the rubric comes first; {hint}",
                suffix=rubric.suffix.lower(), hint=hint) if positional
            else msg("is a checklist ({suffix}), not a rubric; {hint}",
                     suffix=rubric.suffix.lower(), hint=hint),
            str(rubric)))
    if not issues:
        issues.extend(Issue(
            "checklist-is-a-rubric",
            msg("is a rubric, not a checklist: the rubric comes first, then the checklists "
                "({usage})", usage=usage),
            str(path)) for path in given_rubrics)
    return issues


def check_arguments(command: str, rubrics: Sequence[Path], inputs: Sequence[Path],
                    usage: str | None = None) -> None:
    """Exit 2 (wrong usage) where rubrics and checklists are given in each other's place."""
    issues = argument_issues(command, rubrics, inputs, usage)
    if issues:
        fail(issues, EXIT_USAGE)


def load_inputs(
    steps: Steps, rubric_path: Path, inputs: Sequence[Path], encoding: str | None,
    sheet: str | None, recursive: bool = False,
) -> tuple[Rubric, Checklists]:
    """The rubric and its checklists. A period (期间) column is the run's, not a field:
    read and set aside as ``run`` and ``bulletin`` read it, never warned about."""
    from inspect_score.checklists.period import load_checklists_with_period
    from inspect_score.rubric.loader import load_rubric

    rubric = steps.run(tr("Reading the rubric"), lambda: load_rubric(rubric_path))
    checklists, _ = steps.run(
        tr("Reading the checklists"),
        lambda: load_checklists_with_period(rubric, inputs, encoding=encoding, sheet=sheet,
                                            recursive=recursive),
    )
    return rubric, checklists


encoding_option = click.option(
    "--encoding",
    metavar="NAME",
    help="Encoding of CSV checklists (default: UTF-8, with or without BOM, else GB18030).",
)
sheet_option = click.option(
    "--sheet", metavar="NAME", help="Sheet of XLSX checklists to read (default: the first)."
)
recursive_option = click.option(
    "-r", "--recursive", is_flag=True,
    help="Read the checklists in the subfolders of folders too (default: warn and skip them).",
)


ISO_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _options(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(function: Any) -> Any:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function
    return apply


#: The longest rectification period --days accepts: ten years (a date past year 9999
#: cannot be written at all).
MAX_DAYS = 3660

#: --deadline / --days / --inspected-on, shared by ``run --rectify`` and ``bulletin``.
deadline_options = _options(
    click.option("--deadline", type=ISO_DATE, metavar="YYYY-MM-DD",
                 help="Rectification deadline."),
    click.option("--days", type=click.IntRange(min=0, max=MAX_DAYS), metavar="N",
                 help=f"Rectification deadline as N days after --inspected-on "
                      f"(at most {MAX_DAYS})."),
    click.option("--inspected-on", type=ISO_DATE, metavar="YYYY-MM-DD",
                 help="Date of the inspection (needed by --days)."),
)


def resolve_deadline(deadline: datetime.datetime | None, days: int | None,
                     inspected_on: datetime.datetime | None) -> datetime.date | None:
    """The deadline the options give; a usage error (exit 2) where they contradict."""
    if deadline is None and days is None:
        return None  # without importing the rectification list and its workbook writer
    from inspect_score.followup.rectify import deadline_from

    try:
        return deadline_from(deadline.date() if deadline else None, days,
                             inspected_on.date() if inspected_on else None)
    except ValueError as error:
        option = "--days" if days is not None else "--deadline"
        fail([Issue("deadline-options", error.args[0], option)], EXIT_USAGE)


#: What heads a run's documents: --period, --subject, --issuer, --recipients (on
#: ``run`` and ``bulletin``; each overrides the rubric's metadata).
document_options = _options(
    click.option("--period", metavar="TEXT",
                 help="The period inspected, as titles say it (\"2025年上半年\"); default: the "
                      "checklists' period column, else a blank to fill in."),
    click.option("--subject", metavar="TEXT",
                 help="What was inspected (\"社区党建工作\"); default: the rubric's subject."),
    click.option("--issuer", metavar="TEXT",
                 help="Who issues the documents (落款); default: the rubric's issuer."),
    click.option("--recipients", metavar="TEXT",
                 help="To whom the bulletin goes (主送); default: the rubric's recipients."),
)


def load_inputs_with_period(
    steps: Steps, rubric_path: Path, inputs: Sequence[Path], encoding: str | None,
    sheet: str | None, recursive: bool = False,
) -> tuple[Rubric, Checklists, str | None]:
    """Like :func:`load_inputs`, with the period the checklists' period column names."""
    from inspect_score.checklists.period import load_checklists_with_period
    from inspect_score.rubric.loader import load_rubric

    rubric = steps.run(tr("Reading the rubric"), lambda: load_rubric(rubric_path))
    checklists, period = steps.run(
        tr("Reading the checklists"),
        lambda: load_checklists_with_period(rubric, inputs, encoding=encoding, sheet=sheet,
                                            recursive=recursive),
    )
    return rubric, checklists, period


def usage_language(args: Sequence[str]) -> Lang:
    """The language of click's own messages for the command line ``args``: decided
    before anything is parsed (a usage error comes before any rubric is read), so
    --lang as typed (the last one wins), else $INSPECT_SCORE_LANG, else the system's."""
    chosen: Lang | None = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            chosen = parse_language(args[index + 1]) or chosen
        elif arg.startswith("--lang="):
            chosen = parse_language(arg.removeprefix("--lang=")) or chosen
    return chosen or parse_language(os.environ.get(ENV_VAR)) or system_language()


def write_staged(writes: dict[Path, Callable[[Path], object]], plan: OutputPlan) -> None:
    """Each target written by its function to a temporary file beside it, then all
    renamed into place at once (or none): the one way every command writes files."""
    from inspect_score.outputs.staging import staged, temporary_beside

    temporaries = {target: temporary_beside(target) for target in writes}
    with staged(temporaries, plan):
        for target, write in writes.items():
            write(temporaries[target])

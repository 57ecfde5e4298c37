"""After the inspection: the ``bulletin`` and ``trend`` commands.

Each parses its arguments, calls the library (:mod:`inspect_score.followup.bulletin`,
:mod:`inspect_score.followup.trend`), and writes every file through
:mod:`inspect_score.outputs.staging`: checked before any work, written beside the
target, renamed into place when all are complete.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from inspect_score.cli.support import (
    EXIT_USAGE,
    ISO_DATE,
    begin,
    check_arguments,
    checked_outputs,
    deadline_options,
    document_options,
    encoding_option,
    existing_path,
    exit_status,
    fail,
    load_inputs_with_period,
    progress_steps,
    recursive_option,
    report,
    resolve_deadline,
    rubric_path,
    sheet_option,
    write_staged,
    wrote,
)
from inspect_score.errors import InspectError, Issue
from inspect_score.messages import language, msg, tr

if TYPE_CHECKING:
    from inspect_score.followup.trend import Period

#: How many of the best branches a bulletin names (as inspect_score.followup.bulletin
#: says; tests/test_cli_followup.py holds the two equal).
BEST_BRANCHES = 3
BULLETIN_SUFFIXES = (".docx", ".md")


@click.command("bulletin")
@click.argument("rubric", type=rubric_path)
@click.argument("inputs", nargs=-1, required=True, type=existing_path)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Bulletin to write: .docx (Word) or .md (Markdown).")
@deadline_options
@document_options
@click.option("--date", "issued_on", type=ISO_DATE, metavar="YYYY-MM-DD",
              help="The date of the bulletin (成文日期); default: a blank to fill in.")
@click.option("--best", type=click.IntRange(min=0), default=BEST_BRANCHES, show_default=True,
              help="How many of the best branches to name.")
@click.option("--template", "template_path",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A reworded copy of the bulletin template (default: the rubric's language).")
@click.option("--force", is_flag=True, help="Overwrite the output if it exists already.")
@encoding_option
@sheet_option
@recursive_option
def bulletin_command(rubric: Path, inputs: tuple[Path, ...], output: Path,
                     deadline: datetime.datetime | None, days: int | None,
                     inspected_on: datetime.datetime | None, period: str | None,
                     subject: str | None, issuer: str | None, recipients: str | None,
                     issued_on: datetime.datetime | None, best: int,
                     template_path: Path | None, force: bool, encoding: str | None,
                     sheet: str | None, recursive: bool) -> None:
    """Draft the bulletin (通报) of a run of RUBRIC over INPUTS, in the rubric's language."""
    begin(rubric, inputs=inputs)
    from inspect_score.followup.bulletin import (
        build_bulletin,
        load_template,
        masthead_for,
        write_bulletin,
    )
    from inspect_score.scoring.pipeline import evaluate

    check_arguments("bulletin", [rubric], inputs)
    if output.suffix.lower() not in BULLETIN_SUFFIXES:
        fail([Issue("output-suffix", msg("expected a .docx or .md file name"), str(output))],
             EXIT_USAGE)
    due = resolve_deadline(deadline, days, inspected_on)
    protected = [rubric, *inputs, *([template_path] if template_path else [])]
    plan = checked_outputs([output], protected, force=force)
    try:
        with progress_steps() as steps:
            rubric_model, checklists, listed_period = load_inputs_with_period(
                steps, rubric, inputs, encoding, sheet, recursive)
            template = load_template(template_path, rubric_model.lang)
            results = steps.run(tr("Scoring"), lambda: evaluate(rubric_model, checklists))
            masthead = masthead_for(results, period=period or listed_period, subject=subject,
                                    issuer=issuer, recipients=recipients,
                                    date=issued_on.date() if issued_on else None)
            draft = build_bulletin(results, template, masthead=masthead, deadline=due,
                                   best=best)
            steps.run(tr("Writing the bulletin"),
                      lambda: write_staged({
                output: lambda path: write_bulletin(draft, path, target=output)}, plan))
    except InspectError as error:
        fail(error.issues, exit_status(error))
    report(results.warnings)
    wrote([output])


def _load_periods(inputs: tuple[Path, ...], rubric: Path | None, encoding: str | None,
                  sheet: str | None, recursive: bool) -> list[Period]:
    from inspect_score.followup.trend import periods_from_checklists, read_period_files
    from inspect_score.rubric.loader import load_rubric

    if rubric is None:
        not_json = [path for path in inputs if path.suffix.lower() != ".json"]
        if not_json:
            fail([Issue("not-json-results",
                        msg("expected a JSON output of `run --json`; checklists with a period "
                            "column need --rubric"), str(path)) for path in not_json], EXIT_USAGE)
        return read_period_files(list(inputs))
    rubric_model = load_rubric(rubric)
    return periods_from_checklists(rubric_model, list(inputs), encoding=encoding, sheet=sheet,
                                   recursive=recursive)


@click.command("trend")
@click.argument("inputs", nargs=-1, required=True, type=existing_path)
@click.option("--rubric", type=rubric_path,
              help="Score INPUTS as checklists with a `period` column against this rubric.")
@click.option("-o", "--output", "xlsx", type=click.Path(path_type=Path),
              help="Workbook to write.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path),
              help="Folder for trend.csv, repeated.csv and lists.csv.")
@click.option("--red", type=click.IntRange(min=0), default=5, show_default=True,
              help="Branches on each period's red list (the best with no penalty and no veto).")
@click.option("--black-below", metavar="GRADE",
              help="The black list holds the branches graded below GRADE (default: the "
                   "second-lowest grade, e.g. 合格).")
@click.option("--black", type=click.IntRange(min=0),
              help="The black list holds the worst N branches instead.")
@click.option("--top", type=click.IntRange(min=0), help="Show only the first N rows.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the table.")
@click.option("--force", is_flag=True, help="Overwrite outputs that exist already.")
@encoding_option
@sheet_option
@recursive_option
def trend_command(inputs: tuple[Path, ...], rubric: Path | None, xlsx: Path | None,
                  csv_dir: Path | None, red: int, black_below: str | None, black: int | None,
                  top: int | None, quiet: bool,
                  force: bool, encoding: str | None, sheet: str | None,
                  recursive: bool) -> None:
    """Compare periods: RESULTS files of `run --json` in period order (the period is each
    file's name), or checklists with a `period` column and --rubric."""
    # JSON results say their rubric's language, as a rubric does
    begin(rubric, results=[path for path in inputs if path.suffix.lower() == ".json"
                           and path.is_file()] if rubric is None else [])
    from rich.console import Console

    from inspect_score.followup.trend import (
        TREND_CSV_NAMES,
        compare_periods,
        periods_language,
        repeated_rich_table,
        trend_rich_table,
        write_trend_csv_file,
        write_trend_workbook,
    )
    from inspect_score.rubric.loader import load_rubric

    if rubric is not None:
        check_arguments("trend", [rubric], inputs, usage="inspect-score trend INPUT... "
                        "--rubric RUBRIC")
    if csv_dir is not None and csv_dir.exists() and not csv_dir.is_dir():
        fail([Issue("output-not-folder", msg("exists and is not a folder"), str(csv_dir))],
             EXIT_USAGE)
    if black is not None and black_below is not None:
        fail([Issue("black-list-options", msg("give --black or --black-below, not both"),
                    "--black")], EXIT_USAGE)
    targets = [xlsx] if xlsx is not None else []
    if csv_dir is not None:
        targets += [csv_dir / name for name in TREND_CSV_NAMES]
    plan = checked_outputs(targets, [*inputs, *([rubric] if rubric else [])], force=force)
    try:
        with progress_steps() as steps:
            periods = steps.run(tr("Reading the results"),
                                lambda: _load_periods(inputs, rubric, encoding, sheet,
                                                      recursive))
            lang = (load_rubric(rubric).lang if rubric is not None
                    else periods_language(periods))
            trend = compare_periods(periods, red=red, black=black, black_below=black_below,
                                    lang=lang)
            writes: dict[Path, Callable[[Path], object]] = {}
            if xlsx is not None:
                writes[xlsx] = lambda path: write_trend_workbook(trend, path)
            if csv_dir is not None:
                for name in TREND_CSV_NAMES:
                    writes[csv_dir / name] = functools.partial(write_trend_csv_file, trend, name)
            steps.run(tr("Writing the outputs"), lambda: write_staged(writes, plan))
    except InspectError as error:
        fail(error.issues, exit_status(error))
    report(trend.warnings)
    if not quiet:
        console = Console()
        # the report in the language of the run (an explicit choice, or the results')
        spoken = trend if language() == trend.lang else attrs.evolve(trend, lang=language())
        console.print(trend_rich_table(spoken, top))
        if len(trend.periods) > 1:
            console.print(repeated_rich_table(spoken, top))
    if targets:
        wrote(targets)


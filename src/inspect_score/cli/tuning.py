"""The rubric-tuning commands: ``compare`` two rubrics, and the weights' ``sensitivity``.

Each parses its arguments, calls the library (:mod:`inspect_score.tuning.compare`,
:mod:`inspect_score.tuning.sensitivity`), prints a short report to the terminal and
writes the outputs asked for, all through :mod:`inspect_score.outputs.staging` (a
failed run writes nothing; existing outputs need ``--force``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from inspect_score.cli.support import (
    EXIT_INPUT,
    EXIT_USAGE,
    Steps,
    begin,
    check_arguments,
    checked_outputs,
    encoding_option,
    existing_path,
    exit_status,
    fail,
    load_inputs,
    progress_steps,
    recursive_option,
    report,
    rubric_path,
    say,
    sheet_option,
    write_staged,
    wrote,
)
from inspect_score.errors import InspectError, Issue
from inspect_score.messages import msg, tr

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from inspect_score.rubric.model import Rubric
    from inspect_score.scoring.tables import Scores
    from inspect_score.tuning.compare import Comparison
    from inspect_score.tuning.sensitivity import Sensitivity

COMPARE_CSV = "compare.csv"
SENSITIVITY_CSV = "sensitivity.csv"
#: Decimals of the grade shares in sensitivity.csv (a share of 10,000 runs needs 4).
SHARE_DECIMALS = 4

output_option = click.option("-o", "--output", "xlsx", type=click.Path(path_type=Path),
                             help="Workbook to write.")
csv_option = click.option("--csv", "csv_dir", type=click.Path(path_type=Path),
                          help="Folder for the CSV output.")
force_option = click.option("--force", is_flag=True, help="Overwrite outputs that exist already.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print no report.")
top_option = click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
                          help="Branches listed in the terminal report (movers, intervals).")


def _targets(xlsx: Path | None, csv_dir: Path | None, csv_name: str,
             extra: Sequence[Path | None] = ()) -> list[Path]:
    if csv_dir is not None and csv_dir.exists() and not csv_dir.is_dir():
        fail([Issue("output-not-folder", msg("exists and is not a folder"), str(csv_dir))],
             EXIT_USAGE)
    targets = [path for path in (xlsx, *extra) if path is not None]
    if csv_dir is not None:
        targets.append(csv_dir / csv_name)
    return targets


def _score(steps: Steps, rubric_file: Path, inputs: Sequence[Path], encoding: str | None,
           sheet: str | None, recursive: bool) -> tuple[Rubric, Scores]:
    rubric, checklists = load_inputs(steps, rubric_file, inputs, encoding, sheet, recursive)
    from inspect_score.scoring.score import score

    report(checklists.warnings)
    return rubric, steps.run(tr("Scoring"), lambda: score(rubric, checklists))


# compare -----------------------------------------------------------------------------------


@click.command("compare")
@click.argument("old", type=rubric_path)
@click.argument("new", type=rubric_path)
@click.argument("inputs", nargs=-1, required=True, type=existing_path)
@output_option
@csv_option
@force_option
@top_option
@quiet_option
@encoding_option
@sheet_option
@recursive_option
def compare_command(old: Path, new: Path, inputs: tuple[Path, ...], xlsx: Path | None,
                    csv_dir: Path | None, force: bool, top: int, quiet: bool,
                    encoding: str | None, sheet: str | None, recursive: bool) -> None:
    """Score INPUTS under the OLD and the NEW rubric: who moves, and which items moved them.

    Prints the rubric edits, grade moves, rank correlations and the largest
    movers. In compare.csv each row adds up: the item columns plus
    cap/floor/rescaling (bonus cap, floor at zero, n/a rescaling) equal delta.
    """
    begin(new, inputs=[old, *inputs])
    from rich.console import Console

    from inspect_score.outputs.write_csv import write_table
    from inspect_score.tuning.charts import write_compare_workbook
    from inspect_score.tuning.compare import compare_scores

    check_arguments("compare", [old, new], inputs)
    targets = _targets(xlsx, csv_dir, COMPARE_CSV)
    plan = checked_outputs(targets, [old, new, *inputs], force=force)
    issues: list[Issue] = []
    scored: list[tuple[Rubric, Scores]] = []
    with progress_steps() as steps:
        # both rubrics are tried, so that one run reports the problems of both
        for rubric_file in (old, new):
            try:
                scored.append(_score(steps, rubric_file, inputs, encoding, sheet, recursive))
            except InspectError as error:
                # a checklist problem both rubrics find is reported once
                issues += [issue for issue in error.issues if issue not in issues]
    if issues:
        fail(issues, EXIT_INPUT)
    (old_rubric, old_scores), (new_rubric, new_scores) = scored
    try:
        comparison = compare_scores(old_rubric, old_scores, new_rubric, new_scores)
    except ValueError as error:
        fail([Issue("branches-differ", error.args[0], str(new))], EXIT_INPUT)
    except InspectError as error:  # schema 2 quotas that cannot hold for these branches
        fail(error.issues, exit_status(error))

    writes: dict[Path, Callable[[Path], object]] = {}
    if xlsx is not None:
        writes[xlsx] = lambda temporary: _warn_truncated(write_compare_workbook(
            comparison, temporary, inputs=[str(path) for path in inputs]), xlsx)
    if csv_dir is not None:
        writes[csv_dir / COMPARE_CSV] = lambda temporary: write_table(
            compare_csv_table(comparison), temporary, comparison.precision)
    write_staged(writes, plan)
    if not quiet:
        print_comparison(comparison, Console(), top)
    if targets:
        wrote(targets)


def compare_csv_table(comparison: Comparison) -> pd.DataFrame:
    """compare.csv: the spec's columns, one column per item id, then the remainder."""
    from inspect_score.tuning.compare import COMPARE_COLUMNS, REMAINDER

    columns = [*COMPARE_COLUMNS, *comparison.item_ids, REMAINDER]
    return comparison.branches[columns]


def _warn_truncated(sheets: Sequence[str], path: Path) -> None:
    report(Issue("sheet-truncated",
                 msg("sheet {name!r} holds only the rows that fit Excel's limit; the CSV output "
                     "(--csv) carries every row", name=name), str(path), severity="warning")
           for name in sheets)


def print_comparison(comparison: Comparison, console: Console, top: int) -> None:
    from rich.table import Table

    from inspect_score.outputs.terminal import cell_text
    from inspect_score.tuning.compare import comparison_heading, largest_movers

    summary = comparison.summary
    console.print(comparison_heading(comparison.old, comparison.new), markup=False)
    for edit in comparison.edits:
        console.print(f"  · {edit.text}", markup=False)
    if not comparison.edits:
        console.print("  · " + tr("(no edits)"), markup=False)

    def corr(value: float) -> str:
        return tr("n/a") if value != value else f"{value:.3f}"

    # what the two coefficients mean, not only whose they are
    console.print(
        tr("{branches} branches; grade up {up}, down {down}, unchanged {same}; how far the "
           "two rankings agree (1 = the same order): Spearman {spearman}, Kendall {kendall}",
           branches=summary.branches,
           up=summary.grade_up, down=summary.grade_down, same=summary.grade_same,
           spearman=corr(summary.spearman), kendall=corr(summary.kendall)),
        markup=False,
    )
    movers = largest_movers(comparison.branches, top, comparison.grade_change)
    if movers.empty:
        console.print(tr("No branch moved."), markup=False)
        return
    table = Table(title=tr("Largest movers"), show_lines=False)
    for heading in (tr("branch"), tr("total"), tr("rank"), tr("grade")):
        table.add_column(heading)
    # the causes are what the reader looks for: wrapped, never cut off with "…"
    table.add_column(tr("items that moved it"), overflow="fold")
    causes = _causes_of(comparison, movers["branch_id"].tolist())
    for row, cause in zip(movers.itertuples(index=False), causes, strict=True):
        precision = comparison.precision
        signed = f"{row.delta:+.{precision}f}"
        # Text, not markup: names and titles come from the inputs
        table.add_row(*map(cell_text, (
            f"{row.branch_id} {row.branch_name}",
            tr("{old} → {new} ({delta})", old=f"{row.total_old:.{precision}f}",
               new=f"{row.total_new:.{precision}f}",
               # a total that stayed (a grade moved by a quota) has no sign
               delta=signed if row.delta != 0 else signed[1:]),
            f"{_rank_text(row.rank_old)} → {_rank_text(row.rank_new)}",
            f"{row.grade_old} → {row.grade_new}",
            cause,
        )))
    console.print(table)


def _rank_text(rank: object) -> str:
    """A rank, or "—" for a branch a veto excluded from the ranking."""
    import pandas as pd

    return "—" if rank is pd.NA or rank is None else str(rank)


def _causes_of(comparison: Comparison, branch_ids: list[str]) -> list[str]:
    from inspect_score.tuning.compare import main_causes

    texts = main_causes(comparison, names=comparison.titles)
    where = {branch: index for index, branch in enumerate(comparison.branches["branch_id"])}
    return [str(texts[where[branch]]) for branch in branch_ids]


# sensitivity -------------------------------------------------------------------------------


@click.command("sensitivity")
@click.argument("rubric", type=rubric_path)
@click.argument("inputs", nargs=-1, required=True, type=existing_path)
@click.option("--runs", type=int, default=1000, show_default=True, help="Monte-Carlo runs.")
@click.option("--spread", type=float, default=0.2, show_default=True,
              help="Each indicator's max is drawn within ±SPREAD of itself (0.2 = ±20%).")
@click.option("--thresholds", type=float, default=0.0, show_default=True,
              help="Move each grade minimum by up to ± this many points.")
@click.option("--seed", type=click.IntRange(min=0), help="Seed of the draws (default: fresh).")
@output_option
@csv_option
@click.option("--png", "png", type=click.Path(path_type=Path),
              help="Also draw the charts as a PNG (needs matplotlib).")
@force_option
@top_option
@quiet_option
@encoding_option
@sheet_option
@recursive_option
def sensitivity_command(rubric: Path, inputs: tuple[Path, ...], runs: int, spread: float,
                        thresholds: float, seed: int | None, xlsx: Path | None,
                        csv_dir: Path | None, png: Path | None, force: bool, top: int,
                        quiet: bool, encoding: str | None, sheet: str | None,
                        recursive: bool) -> None:
    """How much of the ranking of INPUTS under RUBRIC is noise from the choice of weights."""
    begin(rubric, inputs=inputs)
    import importlib.util

    from rich.console import Console

    from inspect_score.outputs.write_csv import write_table
    from inspect_score.tuning.charts import write_sensitivity_png, write_sensitivity_workbook
    from inspect_score.tuning.sensitivity import (
        Settings,
        analyse,
        check_settings,
        csv_table,
        new_seed,
    )

    check_arguments("sensitivity", [rubric], inputs)
    settings = Settings(runs=runs, spread=spread, thresholds=thresholds,
                        seed=new_seed() if seed is None else seed)
    problems = [Issue("bad-option", problem, "sensitivity") for problem in
                check_settings(settings)]

    if png is not None and importlib.util.find_spec("matplotlib") is None:
        problems.append(Issue(
            "png-unavailable",
            msg("--png needs matplotlib, which is not installed; "
                "install it with: pip install 'inspect-score[png]'"), str(png)))
    if problems:
        fail(problems, EXIT_USAGE)
    targets = _targets(xlsx, csv_dir, SENSITIVITY_CSV, [png])
    plan = checked_outputs(targets, [rubric, *inputs], force=force)

    try:
        with progress_steps() as steps:
            rubric_model, scores = _score(steps, rubric, inputs, encoding, sheet, recursive)
            result = steps.run(tr("Running {runs:,} draws", runs=runs),
                               lambda: analyse(rubric_model, scores, settings))
    except InspectError as error:
        fail(error.issues, exit_status(error))

    writes: dict[Path, Callable[[Path], object]] = {}
    if xlsx is not None:
        writes[xlsx] = lambda temporary: _warn_truncated(write_sensitivity_workbook(
            result, temporary, inputs=[str(path) for path in inputs]), xlsx)
    if csv_dir is not None:
        writes[csv_dir / SENSITIVITY_CSV] = lambda temporary: write_table(
            csv_table(result), temporary, SHARE_DECIMALS)
    if png is not None:
        writes[png] = lambda temporary: write_sensitivity_png(result, temporary)
    write_staged(writes, plan)
    if seed is None:
        say(tr("Seed {seed} (pass --seed {seed} to repeat this analysis)", seed=settings.seed))
    if not quiet:
        print_sensitivity(result, Console(), top)
    if targets:
        wrote(targets)


def print_sensitivity(result: Sensitivity, console: Console, top: int) -> None:
    from rich.table import Table

    from inspect_score.outputs.terminal import cell_text
    from inspect_score.scoring.plain import plain_number
    from inspect_score.tuning.sensitivity import STABLE_SHARE

    settings = result.settings
    branches = result.branches
    # schema 2 varies section weights and clause points, schema 1 the indicators' maxima
    varied = msg("maxima") if result.rubric.schema == 1 else msg(
        "section weights and clause points")
    # thresholds left where the rubric sets them are said so, not "moved by 0 points"
    thresholds = msg("grade thresholds unchanged") if settings.thresholds == 0 else msg(
        "grade thresholds ±{thresholds} points", thresholds=plain_number(settings.thresholds))
    console.print(
        tr("{runs:,} runs, {varied} ±{spread}%, {thresholds}, seed {seed}: {stable} of "
           "{branches} branches keep one grade in at least {share}% of runs.",
           runs=settings.runs, varied=varied, spread=plain_number(settings.spread * 100),
           thresholds=thresholds, seed=settings.seed,
           stable=result.stable_count, branches=len(branches),
           share=plain_number(STABLE_SHARE * 100)),
        markup=False,
    )
    schema_1 = result.rubric.schema == 1
    indicators = Table(title=tr("Indicators whose weights move the ranking most") if schema_1
                       else tr("Section weights and clause points that move the ranking most"))
    for heading in (tr("indicator") if schema_1 else tr("weight"),
                    tr("max") if schema_1 else tr("as written"), tr("effect alone")):
        indicators.add_column(heading)
    # named as the rubric names them: a title, a clause by its item's title and number
    for entry in result.indicators.head(5).to_dict("records"):
        indicators.add_row(cell_text(entry["title"]), plain_number(entry["max"]),
                           f"{entry['first_order']:.1%}")
    console.print(indicators)
    console.print(tr("Effect alone: the share of the changes in rank across the runs that "
                     "varying this one alone explains; the larger it is, the more the "
                     "ranking depends on what the rubric sets it to."), markup=False)
    table = Table(title=tr("Rank intervals (5%–95%)"))
    grade_names = [grade.name for grade in result.rubric.grades]
    for heading in (tr("rank"), tr("branch"), tr("median"), tr("interval"), tr("grade"),
                    *grade_names):
        table.add_column(heading)
    for row in branches.head(top).to_dict("records"):
        table.add_row(
            str(row["rank"]), cell_text(f"{row['branch_id']} {row['branch_name']}"),
            str(row["rank_median"]), f"{row['rank_p05']}–{row['rank_p95']}",
            cell_text(str(row["grade"]) + ("" if row["stable"] else " *")),
            *[f"{row[name]:.0%}" for name in grade_names],
        )
    console.print(table)
    # a mark no line explains is a question the reader cannot answer from the printout
    if not branches.head(top)["stable"].all():
        console.print(tr("* Unstable grade: the branch keeps this grade in fewer than {share}% "
                         "of runs.", share=plain_number(STABLE_SHARE * 100)), markup=False)
    if len(branches) > top:
        console.print(tr("… {more} more in the outputs", more=len(branches) - top),
                      markup=False)
    if result.excluded:
        console.print(tr("{excluded} branches excluded by a veto are not ranked and are left "
                         "out of the analysis.", excluded=result.excluded), markup=False)

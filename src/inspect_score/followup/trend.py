"""Period to period: who improved, and who keeps losing points on the same item.

Each period is a run's results: a JSON output of ``run --json`` (its period is
the file name's stem), or the rows of checklists carrying a ``period`` column,
scored against one rubric (periods in the order they first appear). From them:

- the trend table: each branch's total, rank and grade per period, and the
  change of total and rank from the period before;
- repeated problems (屡查屡犯): a branch with the same problem in two
  consecutive periods (the same clause, or the same item where it lost at least
  ``problem_min_lost``), and per period the yellow list (黄榜) of such branches;
- per period a red list (红榜: the best N with no penalty and no veto) and a
  black list (黑榜: the branches graded below a pass, or the worst N), each
  branch with the reason it is there;
- what cannot be compared: branches missing from some periods, and periods
  scored against different rubrics with the items only one of them has.

Everything is computed with merges over whole tables; loops run over periods.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import xlsxwriter
from rich.table import Table

from inspect_score.checklists.load import load_checklists_by
from inspect_score.errors import InspectError, Issue
from inspect_score.followup.problems import clause_numbers, problem_findings
from inspect_score.messages import Message, listing, msg
from inspect_score.outputs import print_style
from inspect_score.outputs.terminal import cell_text
from inspect_score.outputs.workbook import PINNED_CREATED
from inspect_score.outputs.write_csv import write_table
from inspect_score.outputs.write_json import read_json_results, read_json_rubric
from inspect_score.rubric.model import Field, Lang, Rubric
from inspect_score.scoring.labels import fixed_text
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results

PERIOD = "period"
#: The kinds of findings that lose points (a veto caps a grade but loses none).
LOSING_KINDS = ("indicator", "penalty")
#: Decimals of totals read from JSON results, which do not record the rubric's precision.
JSON_PRECISION = 2
#: The least loss on an item without clauses that is a problem, for results read from JSON,
#: whose rubric is not at hand: the spec's default ``problem_min_lost``.
JSON_PROBLEM_MIN_LOST = 0.01
#: Branches missing from a period warned of one by one; the rest are counted.
MAX_MISSING_WARNINGS = 20


class TrendError(InspectError):
    """Results that cannot be compared: unreadable files, a bad period column."""


@attrs.frozen
class Period:
    """One period's results, reduced to what comparing periods needs."""

    name: str
    source: str
    rubric_id: str
    rubric_title: str
    rubric_version: str | None
    rubric_sha256: str
    #: ``branch_id, branch_name, total, rank, grade, vetoed, penalty`` in ranking order;
    #: ``rank`` is empty (NA) for a branch a veto excluded, ``grade`` then its veto's label
    ranking: pd.DataFrame
    #: ``branch_id, item_id, clause, lost, problem``: each problem worth reporting (a clause
    #: that cost points, or an item that lost at least ``problem_min_lost``); clause "" for
    #: an item; ``problem`` the problem in words (may be absent: "")
    losses: pd.DataFrame
    #: item id → title, for every indicator, bonus and penalty of the rubric
    items: Mapping[str, str]
    #: grade names, best first (never an excluded branch's label)
    grades: tuple[str, ...]
    precision: int = JSON_PRECISION
    #: the rubric's language; None for JSON results written before it was recorded
    rubric_lang: Lang | None = None


def period_from_results(name: str, source: str, results: Results) -> Period:
    rubric = results.rubric
    ranking = results.ranking
    return Period(
        name=name, source=source, rubric_id=rubric.id, rubric_title=rubric.title,
        rubric_version=rubric.version, rubric_sha256=rubric.sha256,
        ranking=_ranking_part(ranking),
        losses=_problem_losses(results),
        items={item.id: item.title for item in rubric.items},
        grades=tuple(grade.name for grade in rubric.grades),
        precision=rubric.precision,
        rubric_lang=rubric.lang,
    )


def _ranking_part(ranking: pd.DataFrame) -> pd.DataFrame:
    columns = ["branch_id", "branch_name", "total", "rank", "grade", "vetoed"]
    part = ranking[columns].reset_index(drop=True).astype({"branch_id": str, "grade": str})
    part["penalty"] = (ranking["penalty"].fillna(0).to_numpy(dtype=np.float64)
                       if "penalty" in ranking.columns else np.zeros(len(part)))
    part["branch_name"] = part["branch_name"].fillna("").astype(str)
    part["vetoed"] = part["vetoed"].fillna("").astype(str)
    part["total"] = part["total"].astype(np.float64)
    # a branch a veto excluded (schema 2) has no rank
    part["rank"] = pd.to_numeric(part["rank"]).astype("Int64")
    return part


def _ranked(ranking: pd.DataFrame) -> pd.DataFrame:
    """The branches that were ranked: not excluded by a veto."""
    ranked: pd.DataFrame = ranking[ranking["rank"].notna()]
    return ranked


def _losses(findings: pd.DataFrame, min_lost: float = JSON_PROBLEM_MIN_LOST) -> pd.DataFrame:
    """Problems worth reporting in findings read back from JSON (whose rubric is not at
    hand: the default ``problem_min_lost``)."""
    losing = findings[findings["kind"].isin(LOSING_KINDS)]
    clause = clause_numbers(losing)
    lost = losing["lost"].to_numpy(dtype=np.float64)
    kept = (clause != "") | (lost >= min_lost - 1e-9)
    problem = (losing["problem"].fillna("").astype(str).to_numpy(dtype=object)
               if "problem" in losing.columns else np.full(len(losing), "", dtype=object))
    return pd.DataFrame({
        "branch_id": losing["branch_id"].astype(str).to_numpy(dtype=object)[kept],
        "item_id": losing["item_id"].astype(str).to_numpy(dtype=object)[kept],
        "clause": clause[kept],
        "lost": lost[kept],
        "problem": problem[kept],
    })


def _problem_losses(results: Results) -> pd.DataFrame:
    """Problems worth reporting in a run's results, by the rubric's ``problem_min_lost``."""
    found = problem_findings(results)
    return pd.DataFrame({
        "branch_id": found["branch_id"].to_numpy(dtype=object),
        "item_id": found["item_id"].to_numpy(dtype=object),
        "clause": found["clause"].to_numpy(dtype=object),
        "lost": found["lost"].to_numpy(dtype=np.float64),
        "problem": found["problem"].to_numpy(dtype=object),
    })


def _grade_order(ranking: pd.DataFrame) -> tuple[str, ...]:
    """Grades best first, as far as results without their rubric tell: by the best total of
    a branch not vetoed (a veto can put a high total in a low grade); vetoed-only grades last."""
    ranked = _ranked(ranking)  # an excluded branch's label is no grade
    clean = ranked[ranked["vetoed"] == ""]
    best = clean.groupby("grade")["total"].max().sort_values(ascending=False, kind="stable")
    rest = [grade for grade in dict.fromkeys(ranked["grade"]) if grade not in best.index]
    return (*[str(grade) for grade in best.index], *rest)


def read_period_json(path: Path, name: str | None = None) -> Period:
    """A ``run --json`` output as a period named by the file's stem (or ``name``)."""
    shown = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        tables = read_json_results(path)
        rubric = document["rubric"]
        ranking = _ranking_part(tables["ranking"])
        findings = tables["findings"]
        summary = tables["summary"]
        losses = _losses(findings) if len(findings) else _losses(
            pd.DataFrame({"branch_id": pd.Series(dtype=object), "kind": pd.Series(dtype=object),
                          "item_id": pd.Series(dtype=object),
                          "lost": pd.Series(dtype=np.float64)}))
        items = dict(zip(summary["item_id"].astype(str), summary["title"].astype(str),
                         strict=True))
    except (OSError, UnicodeDecodeError) as error:
        raise TrendError([Issue("results-unreadable", msg(
            "cannot read the file: {error}", error=error), shown)]) from error
    except RecursionError as error:
        raise TrendError([Issue("results-invalid", msg(
            "is nested too deeply to be a JSON output of inspect-score run --json"),
            shown)]) from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise TrendError([Issue(
            "results-invalid",
            msg("is not a JSON output of inspect-score run --json ({kind}: {error})",
                kind=type(error).__name__, error=error),
            shown)]) from error
    return Period(
        name=name or path.stem, source=shown, rubric_id=str(rubric.get("id") or ""),
        rubric_title=str(rubric.get("title") or ""), rubric_version=rubric.get("version"),
        rubric_sha256=str(rubric.get("sha256") or ""), ranking=ranking, losses=losses,
        items=items, grades=_json_grades(rubric.get("grades"), ranking),
        rubric_lang=_json_lang(rubric),
    )


def _json_lang(about: Mapping[str, Any]) -> Lang | None:
    """The language a JSON output's rubric object names, None where it names none."""
    lang = about.get("lang")
    return "zh" if lang == "zh" else "en" if lang == "en" else None


def _json_grades(given: Any, ranking: pd.DataFrame) -> tuple[str, ...]:
    """The grades a JSON output names (best first), else as the ranking suggests (outputs
    written before the grades were recorded)."""
    if isinstance(given, list) and all(isinstance(grade, str) for grade in given):
        return tuple(given)
    return _grade_order(ranking)


def read_period_files(paths: Sequence[Path]) -> list[Period]:
    """Each JSON output as a period, in the order given; stems that repeat get the path."""
    stems = [path.stem for path in paths]
    periods = []
    issues: list[Issue] = []
    for path, stem in zip(paths, stems, strict=True):
        name = stem if stems.count(stem) == 1 else os.fspath(path)
        try:
            periods.append(read_period_json(path, name))
        except TrendError as error:
            issues += error.issues
    if issues:
        raise TrendError(issues)
    return periods


def periods_from_checklists(rubric: Rubric, inputs: Sequence[Path], *,
                            encoding: str | None = None, sheet: str | None = None,
                            recursive: bool = False) -> list[Period]:
    """Checklists whose ``period`` column says which period each row belongs to, scored per
    period against ``rubric``; periods in the order they first appear in the inputs.

    A branch may appear once per period (once per period and rater). A blank
    period is an input error at its row.
    """
    period_field = Field(id=PERIOD, type="text", label="期间", missing="error")
    groups = load_checklists_by(rubric, inputs, period_field, encoding=encoding, sheet=sheet,
                                recursive=recursive)
    return [
        period_from_results(name, ", ".join(checklists.sources), evaluate(rubric, checklists))
        for name, checklists in groups
    ]


# --- comparing ------------------------------------------------------------------------


@attrs.frozen
class Trend:
    periods: tuple[Period, ...]
    #: ``branch_id, branch_name``, then per period ``<p>_total, <p>_rank, <p>_grade`` and,
    #: from the second period, ``<p>_change`` (total minus the period before's) and
    #: ``<p>_rank_change`` (places gained; negative where it fell)
    table: pd.DataFrame
    #: ``period, previous, branch_id, branch_name, item_id, item, lost_before, lost``
    repeated: pd.DataFrame
    #: ``period, list, branch_id, branch_name, total, rank, grade, items``; list is
    #: ``red``, ``yellow`` or ``black``
    lists: pd.DataFrame
    #: ``grade`` then one count column per period
    grade_counts: pd.DataFrame
    #: ``branch_id, branch_name, present, absent`` (period names joined by ", ")
    missing: pd.DataFrame
    #: branches missing from periods, rubrics that differ (with the items only one has)
    warnings: tuple[Issue, ...]
    lang: Lang
    precision: int


def _column(period: Period, what: str) -> str:
    return f"{period.name}_{what}"


def trend_table(periods: Sequence[Period]) -> pd.DataFrame:
    """Each branch's total, rank and grade per period, in the last period's ranking order;
    branches absent from it follow, by the latest period they are in (its ranking order).
    Names are the latest ones."""
    latest_first = [period.ranking[["branch_id", "branch_name"]] for period in reversed(periods)]
    branches = (pd.concat(latest_first, ignore_index=True).drop_duplicates("branch_id")
                if latest_first else pd.DataFrame({"branch_id": [], "branch_name": []}))
    table = pd.DataFrame({"branch_id": branches["branch_id"].astype(str).to_numpy(dtype=object),
                          "branch_name": branches["branch_name"].astype(str).to_numpy(
                              dtype=object)})
    previous: Period | None = None
    for period in periods:
        indexed = period.ranking.set_index("branch_id").reindex(table["branch_id"])
        table[_column(period, "total")] = indexed["total"].to_numpy(dtype=np.float64)
        table[_column(period, "rank")] = indexed["rank"].astype("Int64").reset_index(drop=True)
        table[_column(period, "grade")] = indexed["grade"].astype(object).reset_index(drop=True)
        if previous is not None:
            decimals = max(period.precision, previous.precision)
            change = table[_column(period, "total")] - table[_column(previous, "total")]
            table[_column(period, "change")] = np.round(change.to_numpy(dtype=np.float64),
                                                        decimals)
            table[_column(period, "rank_change")] = (
                table[_column(previous, "rank")] - table[_column(period, "rank")])
        previous = period
    return table


def repeated_problems(periods: Sequence[Period]) -> pd.DataFrame:
    """Every branch with the same problem in two consecutive periods (屡查屡犯): the same
    clause of an item, or the same item without clauses where it lost at least
    ``problem_min_lost`` both times.

    Only items both periods' rubrics have are compared. ``clause`` is the clause's number
    ("" for an item without clauses), ``problem`` the clause's problem in words this period
    ("" for an item without clauses: the item is the problem).
    """
    frames = []
    keys = ["branch_id", "item_id", "clause"]
    for before, now in itertools.pairwise(periods):
        comparable = set(before.items) & set(now.items)
        merged = before.losses[[*keys, "lost"]].merge(_with_problem(now.losses), on=keys,
                                                      suffixes=("_before", ""))
        merged = merged[merged["item_id"].isin(comparable)]
        names = now.ranking.set_index("branch_id")["branch_name"]
        frames.append(pd.DataFrame({
            "period": now.name,
            "previous": before.name,
            "branch_id": merged["branch_id"].to_numpy(dtype=object),
            "branch_name": names.reindex(merged["branch_id"]).to_numpy(dtype=object),
            "item_id": merged["item_id"].to_numpy(dtype=object),
            "item": merged["item_id"].map(now.items).to_numpy(dtype=object),
            "lost_before": merged["lost_before"].to_numpy(dtype=np.float64),
            "lost": merged["lost"].to_numpy(dtype=np.float64),
            "clause": merged["clause"].to_numpy(dtype=object),
            "problem": np.where(merged["clause"] == "", "",
                                merged["problem"]).astype(object),
        }))
    columns = ["period", "previous", "branch_id", "branch_name", "item_id", "item",
               "lost_before", "lost", "clause", "problem"]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    repeated: pd.DataFrame = pd.concat(frames, ignore_index=True)[columns].astype(
        {"period": str, "previous": str, "branch_id": str, "branch_name": str,
         "item_id": str, "item": str, "clause": str, "problem": str})
    return repeated


def _with_problem(losses: pd.DataFrame) -> pd.DataFrame:
    """Losses with a ``problem`` column ("" where the period's losses carry none)."""
    if "problem" in losses.columns:
        return losses
    return losses.assign(problem="")


def _top(ranking: pd.DataFrame, count: int, ascending: bool) -> pd.DataFrame:
    """The ``count`` best (or worst) by total, and every branch tied with the last of them."""
    if count <= 0 or ranking.empty:
        return ranking.iloc[0:0]
    ordered = ranking.sort_values("total", ascending=ascending, kind="stable")
    cut = ordered["total"].iloc[min(count, len(ordered)) - 1]
    within = ordered["total"] <= cut if ascending else ordered["total"] >= cut
    chosen: pd.DataFrame = ordered[within]
    return chosen


def _repeated_items(period: Period, found: pd.DataFrame, lang: Lang = "zh") -> pd.Series:
    """Per branch with a repeated problem, the items' titles joined in rubric order, each
    followed by its repeated clauses' problems ("三会一课（未按月开展主题党日）"): a title
    alone would not say which of an item's problems came back.

    Built one item at a time over all branches, never one join per branch.
    """
    branches = pd.Index(found["branch_id"].unique())
    texts = np.full(len(branches), "", dtype=object)
    separator = "、" if lang == "zh" else ", "
    opening, closing = ("（", "）") if lang == "zh" else (" (", ")")
    problems = (found["problem"] if "problem" in found.columns
                else pd.Series("", index=found.index)).fillna("").astype(str)
    for item_id, title in period.items.items():
        rows = found["item_id"] == item_id
        if not rows.any():
            continue
        said = rows & (problems != "")
        clauses = found.loc[said, "clause"].astype(str)
        detail = np.full(len(branches), "", dtype=object)
        # one clause at a time over all branches, in clause order (a branch has a clause
        # once per period)
        for clause in sorted(clauses.unique(), key=lambda number: (len(number), number)):
            at = said & (found["clause"].astype(str) == clause)
            text = pd.Series(problems[at].to_numpy(dtype=object),
                             index=found.loc[at, "branch_id"].to_numpy(dtype=object))
            add = text.reindex(branches).fillna("").to_numpy(dtype=object)
            detail = np.where(add == "", detail,
                              np.where(detail == "", add, detail + separator + add))
        entry = np.where(detail == "", title, title + opening + detail + closing)
        has = branches.isin(found.loc[rows, "branch_id"])
        texts = np.where(has, np.where(texts == "", entry, texts + separator + entry), texts)
    return pd.Series(texts, index=branches, dtype=object)


#: Why a branch is on a list, in the trend's language.
REASONS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "red": "总分{total}分，排名第{rank}，无直接扣分、无一票否决",
        "yellow": "{previous}、{period}连续两期存在同一问题：{items}",
        "black_grade": "等次为{grade}，低于{below}",
        "black_worst": "总分{total}分，排名第{rank}（倒数{count}名以内）",
        "black_excluded": "一票否决，{grade}",
    },
    "en": {
        "red": "total {total}, rank {rank}, no penalty and no veto",
        "yellow": "the same problems in {previous} and {period}: {items}",
        "black_grade": "graded {grade}, below {below}",
        "black_worst": "total {total}, rank {rank} (among the worst {count})",
        "black_excluded": "vetoed: {grade}",
    },
}


def default_black_below(grades: Sequence[str]) -> str | None:
    """The pass the black list is measured against: the second-lowest grade ("合格" of
    优秀/良好/合格/不合格); None where a rubric has fewer than two grades."""
    return grades[-2] if len(grades) >= 2 else None


def _below(ranking: pd.DataFrame, grades: Sequence[str], below: str) -> pd.DataFrame:
    """The branches graded below ``below`` (grades best first), in ranking order."""
    worse = list(grades[list(grades).index(below) + 1:])
    chosen: pd.DataFrame = ranking[ranking["grade"].isin(worse)]
    return chosen


def honour_lists(periods: Sequence[Period], repeated: pd.DataFrame, red: int,
                 black: int | None = None, black_below: str | None = None,
                 lang: Lang = "zh") -> pd.DataFrame:
    """Per period: red (the best ``red`` with no penalty, no veto and no repeated problem),
    yellow (repeated
    problems), black (the branches graded below ``black_below``, by default below the
    second-lowest grade; or, where ``black`` is given, the worst ``black``), ties at a cut
    included; ``reason`` says why each branch is on its list.

    A branch a veto excluded (schema 2) is in no list made from the ranking: never
    red, never among the worst ``black`` (it has no rank to be worst by). Its
    problems are still findings, so it is yellow where they repeat; and graded
    black lists name it (取消考核资格 is below any failing grade), saying so.

    A ``black_below`` that is not a grade of a period is an error naming the grades.
    """
    reasons = REASONS[lang]
    issues = []
    frames = []
    for position, period in enumerate(periods):
        ranking = period.ranking
        ranked = _ranked(ranking)
        excluded = ranking[ranking["rank"].isna()]
        precision = period.precision
        items = _repeated_items(period, repeated[repeated["period"] == period.name], lang)
        yellow = ranking[ranking["branch_id"].isin(items.index)]
        # praise goes to a branch with nothing against it: no veto, no penalty, and no
        # problem repeated from the last period (a branch is never red and yellow at once)
        clean = ranked[(ranked["vetoed"] == "") & (ranked["penalty"] <= 0)
                       & ~ranked["branch_id"].isin(items.index)]
        pass_grade = black_below or default_black_below(period.grades)
        if black is not None:
            worst = _top(ranked, black, True)
        elif pass_grade is None:
            worst = ranking.iloc[0:0]
        elif pass_grade not in period.grades:
            issues.append(Issue("grade-unknown",
                                msg("--black-below {pass_grade!r} is not a grade of period "
                                    "{name}; expected one of {grades}",
                                    pass_grade=pass_grade, name=period.name,
                                    grades=listing(period.grades)),
                                period.source))
            continue
        else:
            worst = pd.concat([_below(ranking, period.grades, pass_grade), excluded])
        previous = periods[position - 1].name if position else ""
        for name, chosen in (("red", _top(clean, red, False)), ("yellow", yellow),
                             ("black", worst)):
            totals = pd.Series(fixed_text(chosen["total"], precision), dtype=object)
            ranks = chosen["rank"].astype(str).reset_index(drop=True)
            grades = chosen["grade"].astype(str).reset_index(drop=True)
            listed = items.reindex(chosen["branch_id"]).fillna("").reset_index(drop=True)
            if name == "red":
                why = [reasons["red"].format(total=total, rank=rank)
                       for total, rank in zip(totals, ranks, strict=True)]
            elif name == "yellow":
                why = [reasons["yellow"].format(previous=previous, period=period.name,
                                                items=text) for text in listed]
            elif black is not None:
                why = [reasons["black_worst"].format(total=total, rank=rank, count=black)
                       for total, rank in zip(totals, ranks, strict=True)]
            else:
                why = [reasons["black_excluded" if pd.isna(rank) else "black_grade"].format(
                           grade=grade, below=pass_grade)
                       for grade, rank in zip(grades, chosen["rank"], strict=True)]
            frames.append(pd.DataFrame({
                "period": period.name,
                "list": name,
                "branch_id": chosen["branch_id"].to_numpy(dtype=object),
                "branch_name": chosen["branch_name"].to_numpy(dtype=object),
                "total": chosen["total"].to_numpy(dtype=np.float64),
                "rank": chosen["rank"].astype("Int64").reset_index(drop=True),
                "grade": chosen["grade"].to_numpy(dtype=object),
                "items": listed.to_numpy(dtype=object) if name == "yellow" else "",
                "reason": np.asarray(why, dtype=object),
            }))
    if issues:
        raise TrendError(issues)
    columns = ["period", "list", "branch_id", "branch_name", "total", "rank", "grade", "items",
               "reason"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def grade_distribution(periods: Sequence[Period]) -> pd.DataFrame:
    """Branches per grade (rows, best first over all periods) and period (columns)."""
    grades: list[str] = []
    for period in periods:
        grades += [grade for grade in period.grades if grade not in grades]
    # the labels of branches a veto excluded, after every grade: the counts add up
    for period in periods:
        labels = period.ranking.loc[period.ranking["rank"].isna(), "grade"]
        grades += [label for label in dict.fromkeys(labels) if label not in grades]
    table = pd.DataFrame({"grade": pd.Series(grades, dtype=str)})
    for period in periods:
        counts = period.ranking["grade"].value_counts().reindex(grades, fill_value=0)
        table[period.name] = counts.to_numpy(dtype=np.int64)
    return table


def missing_branches(periods: Sequence[Period], table: pd.DataFrame) -> pd.DataFrame:
    """The branches absent from some period: the periods they are in, and those they are not."""
    present = pd.DataFrame({period.name: table[_column(period, "total")].notna()
                            for period in periods})
    gaps = ~present.all(axis=1).to_numpy(dtype=bool) if periods else np.zeros(0, dtype=bool)
    where = present[gaps]
    texts = {"present": pd.Series("", index=where.index, dtype=object),
             "absent": pd.Series("", index=where.index, dtype=object)}
    for period in periods:
        for key, holds in (("present", where[period.name]), ("absent", ~where[period.name])):
            text = texts[key]
            joined = text.where(text == "", text + ", ") + period.name
            texts[key] = joined.where(holds, text)
    return pd.DataFrame({
        "branch_id": table["branch_id"].to_numpy(dtype=object)[gaps],
        "branch_name": table["branch_name"].to_numpy(dtype=object)[gaps],
        "present": texts["present"].to_numpy(dtype=object),
        "absent": texts["absent"].to_numpy(dtype=object),
    }, columns=["branch_id", "branch_name", "present", "absent"])


def _rubric_issues(periods: Sequence[Period]) -> list[Issue]:
    issues = []
    for before, now in itertools.pairwise(periods):
        if (before.rubric_id, before.rubric_sha256) == (now.rubric_id, now.rubric_sha256):
            continue
        only_before = sorted(set(before.items) - set(now.items))
        only_now = sorted(set(now.items) - set(before.items))
        parts = [msg("items only in {period}: {items}", period=period.name, items=listing(only))
                 for period, only in ((before, only_before), (now, only_now)) if only]
        detail: Message = (
            msg("{first}; {second}", first=parts[0], second=parts[1]) if len(parts) == 2
            else parts[0] if parts
            else msg("the same item ids, which may be scored differently"))
        issues.append(Issue(
            "rubric-differs",
            msg("period {name} was scored against rubric {rubric_id} ({rubric_sha256}), period "
                "{before} against {before_id} ({before_sha256}); {detail}; those items are not "
                "compared",
                name=now.name, rubric_id=now.rubric_id, rubric_sha256=now.rubric_sha256[:12],
                before=before.name, before_id=before.rubric_id,
                before_sha256=before.rubric_sha256[:12], detail=detail),
            now.source, severity="warning"))
    return issues


def _missing_issues(missing: pd.DataFrame, periods: Sequence[Period]) -> list[Issue]:
    """One warning per branch missing from some period, the first ones only: the trend
    workbook's Notes sheet and the CSV files carry them all."""
    where = periods[-1].source if periods else ""
    shown = missing.head(MAX_MISSING_WARNINGS)
    issues = [Issue("branch-not-in-every-period",
                    msg("branch {branch} ({name}) is in {present} but not in {absent}",
                        branch=branch, name=name, present=present, absent=absent),
                    where, severity="warning")
              for branch, name, present, absent in shown.itertuples(index=False)]
    if len(missing) > len(shown):
        issues.append(Issue("branch-not-in-every-period",
                            msg("and {more} more branches not in every period",
                                more=len(missing) - len(shown)),
                            where, severity="warning"))
    return issues


def compare_periods(periods: Sequence[Period], *, red: int = 5, black: int | None = None,
                    black_below: str | None = None, lang: Lang = "zh") -> Trend:
    """Everything the trend command shows, for ``periods`` in order."""
    names = [period.name for period in periods]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise TrendError([Issue("period-repeated", msg("period {name} is given twice", name=name),
                                periods[0].source) for name in duplicated])
    table = trend_table(periods)
    repeated = repeated_problems(periods)
    missing = missing_branches(periods, table)
    return Trend(
        periods=tuple(periods), table=table, repeated=repeated,
        lists=honour_lists(periods, repeated, red, black, black_below, lang),
        grade_counts=grade_distribution(periods), missing=missing,
        warnings=(*_rubric_issues(periods), *_missing_issues(missing, periods)),
        lang=lang, precision=max((period.precision for period in periods), default=2),
    )


def guess_lang(texts: Iterable[str]) -> Lang:
    """Chinese where any rubric title holds a CJK character: for JSON results written
    before they recorded their rubric's language."""
    return "zh" if any("\u4e00" <= char <= "\u9fff" for text in texts for char in text) \
        else "en"


def periods_language(periods: Sequence[Period]) -> Lang:
    """The language of the periods' rubric: the latest period's that records it, else
    guessed from the rubrics' titles."""
    recorded = [period.rubric_lang for period in periods if period.rubric_lang is not None]
    if recorded:
        return recorded[-1]
    return guess_lang(period.rubric_title for period in periods)


def results_language(paths: Sequence[Path]) -> Lang | None:
    """What :func:`periods_language` will say of the JSON results at ``paths``, read from
    the end of each file alone (before the files are read, so that every line, reading
    them included, is said in it); None where no file tells."""
    abouts = [about for about in map(read_json_rubric, paths) if about is not None]
    recorded = [lang for lang in map(_json_lang, abouts) if lang is not None]
    if recorded:
        return recorded[-1]
    return guess_lang(str(about.get("title") or "") for about in abouts) if abouts else None



# --- writing --------------------------------------------------------------------------

#: The files ``trend --csv DIR`` writes.
TREND_CSV_NAMES = ("trend.csv", "repeated.csv", "lists.csv")
#: Branches drawn in the line chart of totals: more lines than this are unreadable.
MAX_CHART_BRANCHES = 30


@attrs.frozen
class TrendLabels:
    sheets: Mapping[str, str]
    headings: Mapping[str, str]
    lists: Mapping[str, str]
    chart_note: str


TREND_LABELS: Mapping[Lang, TrendLabels] = {
    "zh": TrendLabels(
        sheets={"trend": "趋势", "totals": "总分走势", "grades": "等次分布",
                "repeated": "屡查屡犯", "lists": "红黄黑榜", "notes": "说明"},
        headings={"branch_id": "编号", "branch_name": "名称", "total": "总分", "rank": "排名",
                  "grade": "等次", "change": "增减", "rank_change": "名次升降", "period": "期间",
                  "previous": "上期", "item_id": "项目编号", "item": "项目",
                  "lost_before": "上期失分", "lost": "本期失分", "list": "榜单",
                  "clause": "条款", "problem": "问题",
                  "items": "连续存在问题的项目", "reason": "上榜原因", "present": "参评期间",
                  "absent": "缺少的期间",
                  "issue": "提示"},
        lists={"red": "红榜", "yellow": "黄榜（屡查屡犯）", "black": "黑榜"},
        chart_note="图中只画出前{count}个单位（共{total}个）。",
    ),
    "en": TrendLabels(
        sheets={"trend": "Trend", "totals": "Totals", "grades": "Grades",
                "repeated": "Repeated", "lists": "Lists", "notes": "Notes"},
        headings={"branch_id": "ID", "branch_name": "Name", "total": "Total", "rank": "Rank",
                  "grade": "Grade", "change": "Change", "rank_change": "Places",
                  "period": "Period", "previous": "Previous", "item_id": "Item id",
                  "item": "Item", "lost_before": "Lost before", "lost": "Lost now",
                  "clause": "Clause", "problem": "Problem",
                  "list": "List", "items": "Repeated items", "reason": "Why",
                  "present": "Present in",
                  "absent": "Missing from", "issue": "Note"},
        lists={"red": "red list", "yellow": "yellow list (repeated problems)",
               "black": "black list"},
        chart_note="The chart draws the first {count} of {total} branches.",
    ),
}


def _heading_of(column: str, trend: Trend) -> str:
    """A column's heading: ``<period>_total`` → "<period> 总分"."""
    heading = TREND_LABELS[trend.lang].headings
    for period in trend.periods:
        prefix = f"{period.name}_"
        if column.startswith(prefix) and column[len(prefix):] in heading:
            return f"{period.name} {heading[column[len(prefix):]]}"
    return heading.get(column, column)


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as the CSV files hold it: numbers stay numbers (a rank, a change of rank,
    empty where absent, written bare: the formula guard is for text only), and a clause's
    number is a number too (empty for an item without clauses), as in findings.csv."""
    if "clause" not in frame.columns:
        return frame
    clause = pd.to_numeric(frame["clause"].replace("", None), errors="coerce")
    return frame.assign(clause=clause.astype("Int64"))


def trend_csv_tables(trend: Trend) -> dict[str, pd.DataFrame]:
    """The trend CSV files' tables, keyed by file name (:data:`TREND_CSV_NAMES`)."""
    return dict(zip(TREND_CSV_NAMES, (trend.table, trend.repeated, trend.lists), strict=True))


def write_trend_csv_file(trend: Trend, name: str, path: Path) -> None:
    """One trend CSV file, like the run's CSV outputs (UTF-8 with BOM, fixed decimals)."""
    write_table(_csv_ready(trend_csv_tables(trend)[name]), path, trend.precision)


def write_trend_csv(trend: Trend, directory: Path) -> list[Path]:
    """trend.csv, repeated.csv and lists.csv in ``directory``."""
    written = []
    for name in TREND_CSV_NAMES:
        write_trend_csv_file(trend, name, directory / name)
        written.append(directory / name)
    return written


#: Rows above the data of every trend sheet: a title, then the header.
TITLE_ROW = 0
HEADER_ROW = 1
#: What each sheet's title says it is, before the periods compared.
SHEET_TITLES: Mapping[Lang, Mapping[str, str]] = {
    "zh": {"trend": "考评结果变化", "totals": "总分走势", "grades": "等次分布",
           "repeated": "屡查屡犯问题", "lists": "红黄黑榜", "notes": "说明"},
    "en": {"trend": "Change of results", "totals": "Totals", "grades": "Grades",
           "repeated": "Repeated problems", "lists": "Red, yellow and black lists",
           "notes": "Notes"},
}
#: Columns holding sentences: they wrap.
SENTENCE_COLUMNS = frozenset({"items", "reason", "issue", "item", "problem"})


class _TrendBook:
    def __init__(self, path: Path, trend: Trend) -> None:
        self.trend = trend
        self.labels = TREND_LABELS[trend.lang]
        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False,
        })
        self.book.set_properties({"created": PINNED_CREATED})
        self.formats = print_style.formats(self.book, trend.precision)
        names = [period.name for period in trend.periods]
        self.periods = ("、" if trend.lang == "zh" else ", ").join(names)

    def table(self, key: str, frame: pd.DataFrame, headings: Sequence[str]) -> Any:
        """A sheet holding ``frame`` under a title and a header row, frozen and filtered,
        in the print style."""
        sheet = self.book.add_worksheet(self.labels.sheets[key])
        last_column = max(len(frame.columns) - 1, 0)
        title = SHEET_TITLES[self.trend.lang][key]
        title = f"{title}（{self.periods}）" if self.trend.lang == "zh" else \
            f"{title} ({self.periods})"
        print_style.write_title(sheet, self.formats, title, last_column, TITLE_ROW)
        columns = []
        widths = []
        for name, heading in zip(frame.columns, headings, strict=True):
            values = frame[name]
            numeric = pd.api.types.is_numeric_dtype(values.dtype)
            cells = values.astype(object).where(values.notna(), None).tolist()
            if numeric:
                cell_format = self.formats["number" if pd.api.types.is_float_dtype(values.dtype)
                                           else "count"]
            else:
                cell_format = self.formats["wrap" if name in SENTENCE_COLUMNS else "text"]
            texts = {str(cell) for cell in cells[:5000] if cell is not None}
            maximum = (print_style.SENTENCE_WIDTH if name in SENTENCE_COLUMNS
                       else print_style.MAX_WIDTH)
            widths.append(print_style.fit_width(heading, texts, maximum=maximum))
            columns.append((cells, numeric, cell_format, name in SENTENCE_COLUMNS))
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        for offset in range(len(frame)):
            row = HEADER_ROW + 1 + offset
            lines = max((print_style.lines_needed(str(cells[offset]), width)
                         for (cells, _, _, wraps), width in zip(columns, widths, strict=True)
                         if wraps and cells[offset]), default=1)
            if (height := print_style.row_height(lines)) is not None:
                sheet.set_row(row, height)
            for column, (cells, numeric, cell_format, _) in enumerate(columns):
                cell = cells[offset]
                if cell is None or cell == "":
                    sheet.write_blank(row, column, None, cell_format)
                elif numeric:
                    sheet.write_number(row, column, float(cell), cell_format)
                else:
                    sheet.write_string(row, column, str(cell), cell_format)
        sheet.set_row(HEADER_ROW, print_style.header_height(headings, widths))
        for column, heading in enumerate(headings):
            sheet.write_string(HEADER_ROW, column, heading, self.formats["header"])
        last_row = HEADER_ROW + len(frame)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        sheet.autofilter(HEADER_ROW, 0, max(last_row, HEADER_ROW + 1), last_column)
        # a branch's id and name say whose row it is, on every page across a wide table
        keys = 2 if list(frame.columns[:2]) == ["branch_id", "branch_name"] else 1
        print_style.page_setup(sheet, header_rows=HEADER_ROW, last_row=last_row,
                               last_column=last_column, lang=self.trend.lang, widths=widths,
                               key_columns=keys, title=title)
        return sheet

    def close(self) -> None:
        self.book.close()


#: Rows and columns a chart covers (720 x 420 pixels in default-sized cells).
CHART_ROWS = 22
CHART_COLUMNS = 11


def _print_chart(sheet: Any, last_row: int, chart_column: int) -> None:
    """Widen the print area to the chart beside the table, so that both are printed on the
    page, fitted to its width together."""
    # a table printed across pages at full size has its title in the page header instead
    first = TITLE_ROW if sheet.fit_page else HEADER_ROW
    sheet.print_area(first, 0, max(last_row, HEADER_ROW + CHART_ROWS + 1),
                     chart_column + CHART_COLUMNS)


def _totals_sheet(book: _TrendBook, trend: Trend) -> None:
    """Totals per branch (rows) and period (columns), with a line per branch."""
    heading = book.labels.headings
    totals = trend.table[["branch_id", "branch_name"]].copy()
    for period in trend.periods:
        totals[period.name] = trend.table[_column(period, "total")]
    sheet = book.table("totals", totals, [heading["branch_id"], heading["branch_name"],
                                          *(period.name for period in trend.periods)])
    drawn = min(len(totals), MAX_CHART_BRANCHES)
    if drawn == 0 or not trend.periods:
        return
    name = book.labels.sheets["totals"]
    last_column = 1 + len(trend.periods)
    chart = book.book.add_chart({"type": "line"})
    for row in range(HEADER_ROW + 1, HEADER_ROW + drawn + 1):
        chart.add_series({
            "name": [name, row, 1],
            "categories": [name, HEADER_ROW, 2, HEADER_ROW, last_column],
            "values": [name, row, 2, row, last_column],
            "marker": {"type": "circle"},
        })
    chart.set_title({"name": name})
    chart.set_y_axis({"name": heading["total"]})
    chart.set_size({"width": 720, "height": 420})
    sheet.insert_chart(HEADER_ROW, last_column + 2, chart)
    if drawn < len(totals):
        sheet.write_string(HEADER_ROW + CHART_ROWS + 1, last_column + 2,
                           book.labels.chart_note.format(count=drawn, total=len(totals)))
    _print_chart(sheet, HEADER_ROW + len(totals), last_column + 2)


def _grades_sheet(book: _TrendBook, trend: Trend) -> None:
    """Branches per grade and period, with a column chart of the distribution per period."""
    counts = trend.grade_counts
    sheet = book.table("grades", counts, [book.labels.headings["grade"],
                                          *(period.name for period in trend.periods)])
    if counts.empty or not trend.periods:
        return
    name = book.labels.sheets["grades"]
    last_column = len(trend.periods)
    chart = book.book.add_chart({"type": "column"})
    for row in range(HEADER_ROW + 1, HEADER_ROW + len(counts) + 1):
        chart.add_series({
            "name": [name, row, 0],
            "categories": [name, HEADER_ROW, 1, HEADER_ROW, last_column],
            "values": [name, row, 1, row, last_column],
        })
    chart.set_title({"name": name})
    chart.set_size({"width": 640, "height": 380})
    sheet.insert_chart(HEADER_ROW, last_column + 2, chart)
    _print_chart(sheet, HEADER_ROW + len(counts), last_column + 2)


def write_trend_workbook(trend: Trend, path: Path) -> None:
    """The trend workbook: the trend table, totals with a line chart, grades with a column
    chart, repeated problems, the red/yellow/black lists, and what could not be compared."""
    book = _TrendBook(path, trend)
    heading = book.labels.headings
    try:
        table = trend.table
        book.table("trend", table, [_heading_of(name, trend) for name in table.columns])
        _totals_sheet(book, trend)
        _grades_sheet(book, trend)
        repeated = trend.repeated
        book.table("repeated", repeated, [heading[name] for name in repeated.columns])
        lists = trend.lists.assign(list=trend.lists["list"].map(book.labels.lists))
        book.table("lists", lists, [heading[name] for name in lists.columns])
        missing = trend.missing
        gaps = ("branch " + missing["branch_id"].astype(str) + " ("
                + missing["branch_name"].astype(str) + ") is in " + missing["present"].astype(str)
                + " but not in " + missing["absent"].astype(str))
        differences = [issue.message for issue in trend.warnings
                       if issue.code != "branch-not-in-every-period"]
        notes = pd.DataFrame({"issue": [*differences, *gaps.tolist()]}, dtype=object)
        book.table("notes", notes, [heading["issue"]])
    finally:
        book.close()


def trend_rich_table(trend: Trend, limit: int | None = None) -> Table:
    """The trend as a terminal table: per period "total (rank) grade", then the change."""
    heading = TREND_LABELS[trend.lang].headings
    table = Table()
    table.add_column(heading["branch_id"])
    table.add_column(heading["branch_name"])
    frame = trend.table if limit is None else trend.table.head(limit)
    cells: list[list[str]] = [frame["branch_id"].tolist(), frame["branch_name"].tolist()]
    previous: Period | None = None
    for period in trend.periods:
        totals = fixed_text(frame[_column(period, "total")], trend.precision)
        ranks = frame[_column(period, "rank")].astype(object)
        grades = frame[_column(period, "grade")].astype(object)
        table.add_column(period.name, justify="right")
        cells.append([(f"{total} {grade}" if pd.isna(rank) else f"{total} ({rank}) {grade}")
                      if total else "-"
                      for total, rank, grade in zip(totals, ranks, grades, strict=True)])
        if previous is not None:
            table.add_column(heading["change"], justify="right")
            changes = frame[_column(period, "change")].to_numpy(dtype=np.float64)
            texts = fixed_text(changes, trend.precision)
            cells.append([("+" + text if change > 0 else text) if text else "-"
                          for change, text in zip(changes, texts, strict=True)])
        previous = period
    for row in zip(*cells, strict=True):
        table.add_row(*(cell_text(cell) for cell in row))
    return table


def repeated_rich_table(trend: Trend, limit: int | None = None) -> Table:
    """The last period's yellow list: branches that lost points on the same items again."""
    labels = TREND_LABELS[trend.lang]
    heading = labels.headings
    last = trend.periods[-1].name if trend.periods else ""
    lists = trend.lists
    yellow = lists[(lists["period"] == last) & (lists["list"] == "yellow")]
    if limit is not None:
        yellow = yellow.head(limit)
    table = Table(title=f"{last} {labels.lists['yellow']}")
    for key in ("branch_id", "branch_name", "items"):
        table.add_column(heading[key])
    for row in zip(yellow["branch_id"], yellow["branch_name"], yellow["items"], strict=True):
        table.add_row(*(cell_text(cell) for cell in row))
    return table

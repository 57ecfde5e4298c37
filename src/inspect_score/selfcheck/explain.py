"""A branch's result in words: where each point went, and what to fix first.

Built on a scored run (:class:`~inspect_score.scoring.results.Results`): the reasons for
lost points are the findings' notes (schema 2: their problems), so that the
explanation says exactly what the bulletin says; the path to the next grade
comes from :mod:`inspect_score.selfcheck.next_grade` (schema 1) and
:mod:`inspect_score.selfcheck.clause_path` (schema 2). Many branches are
explained at once, a line (an item, a clause, a veto) at a time over all of
them; :mod:`inspect_score.selfcheck.explain_book` prints them.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, overload

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.conditions import applies_if_mask
from inspect_score.checklists.table import BRANCH_ID
from inspect_score.errors import Issue
from inspect_score.messages import listing, msg
from inspect_score.rubric.model import Clause, Item, Rubric, Veto
from inspect_score.scoring.clauses import clause_holds
from inspect_score.scoring.findings import field_text
from inspect_score.scoring.labels import (
    Part,
    fixed_text,
    labels_for,
    plain_number,
    plain_text,
    render,
)
from inspect_score.scoring.results import Results
from inspect_score.scoring.rule_words import applies_text
from inspect_score.scoring.score import clause_key
from inspect_score.selfcheck.clause_path import ClausePath, clause_paths
from inspect_score.selfcheck.next_grade import Path as GradePath
from inspect_score.selfcheck.next_grade import cleared_value, paths_to_next_grade, value_text
from inspect_score.selfcheck.template import describe_applies, describe_condition

EXPLAIN_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "heading": "{name}（{id}）考评情况说明",
        "columns": "类别|项目|填报值|得分|满分|失分原因",
        "na": "未填，本项不计分，基础分按比例折算",
        "blank_zero": "未填，按0计",
        "bonus_capped": "加分合计{raw}分，超过上限{cap}分，按{cap}分计",
        "penalty_none": "未扣分",
        "veto_none": "未触发一票否决",
        "veto_hit": "一票否决：{title}，等次不高于{grade}",
        "base": "基础分{base}分（满分{total}分）",
        "base_rescaled": "基础分{base}分：有不计分的项目，"
                         "按适用项目得分{earned}/{applicable}折算到{total}分",
        "totals": "总分{total}分 = 基础分{base} + 加分{bonus} − 扣分{penalty}",
        "grade": "等次：{grade}；不考虑名额限制时为：{without}",
        "quota": "（{without}名额已满，按排名顺延）",
        "rank": "排名：第{rank}名，共{count}个单位",
        "path": "升到下一等次（{target}，{min}分以上）需要整改的最少项目：",
        "fix": "{title}：{changes}，+{gain}分",
        "change": "{label}由{before}改为{after}",
        "target_of": "（共应{target}）",
        "after": "整改后总分{total}分，达到{target}",
        "top": "已是最高等次（{grade}）",
        "no_path": "按本细则，改进任何项目都无法升到{target}",
        "blocked": "被一票否决“{title}”限制为{grade}：无论得多少分都不能高于{grade}；"
                   "须先消除该项（{label}应为{value}）",
        "quota_note": "注：以上按分数线计算，未考虑名额限制",
        "self_check": "自查模式：不设名额、不与其他单位排名",
        "kinds": "指标|加分项|扣分项|否决项",
        "clause_kind": "条款",
        "clause_cost": "{problem}，扣{cost}分",
        "veto_zero": "一票否决：{title}，总分计0分",
        "veto_exclude": "一票否决：{title}，{label}",
        "base_weighted": "基础分{base}分（各部分按权重计入，满分{total}分）",
        "base_rescaled_2": "基础分{base}分：有不计分的项目，按适用项目折算到{total}分",
        "excluded": "等次：{label}，不参加排名",
        "no_grades": "本细则只计分，不评定等次",
        "path_2": "升到下一等次（{target}，{min}分以上）需要整改的问题：",
        "fix_2": "{problem}：整改后+{gain}分",
        "blocked_zero": "被一票否决“{title}”总分计0分：整改任何问题都不能升级；"
                        "须先消除该项（{label}应为{value}）",
        "blocked_cap": "被一票否决“{title}”限制为{grade}：须先消除该项（{label}应为{value}）",
        "no_path_2": "按本细则，整改已发现的问题仍无法升到{target}",
        "quota_only": "总分已达到{target}（{min}分以上），仅因{target}名额已满未评为{target}",
        "many_fields": "{first}等{count}项",
        "not_applying": "本项不适用：{where}",
        "clause_not_applying": "本条不适用：仅适用于{where}的单位",
    },
    "en": {
        "heading": "{name} ({id}): the result explained",
        "columns": "Kind|Item|Value|Points|Max|Why points were lost",
        "na": "blank: not scored; the base is rescaled",
        "blank_zero": "blank, counted as 0",
        "bonus_capped": "bonus of {raw} points in all, over the cap of {cap}: {cap} counted",
        "penalty_none": "no points off",
        "veto_none": "no veto triggered",
        "veto_hit": "veto: {title}; grade no better than {grade}",
        "base": "base {base} points (out of {total})",
        "base_rescaled": "base {base} points: some items are not scored, so {earned} of "
                         "{applicable} applicable points are rescaled to {total}",
        "totals": "total {total} = base {base} + bonus {bonus} - penalty {penalty}",
        "grade": "grade: {grade}; without quotas: {without}",
        "quota": " (the quota of {without} is full; ranked below the cut)",
        "rank": "rank: {rank} of {count}",
        "path": "The fewest items to fix to reach the next grade ({target}, {min} or more):",
        "fix": "{title}: {changes}, +{gain} points",
        "change": "{label} from {before} to {after}",
        "target_of": " of {target} required",
        "after": "total after the fixes: {total}, {target}",
        "top": "already at the top grade ({grade})",
        "no_path": "no change of values under this rubric lifts the branch to {target}",
        "blocked": "capped at {grade} by the veto \"{title}\": no score can lift the branch past "
                   "{grade}; clear it first ({label} must be {value})",
        "quota_note": "note: computed from the grade minimums, quotas not considered",
        "self_check": "self-check: no quotas, no ranking against other branches",
        "kinds": "indicator|bonus|penalty|veto",
        "clause_kind": "clause",
        "clause_cost": "{problem}: {cost} points off",
        "veto_zero": "veto: {title}; total counted as 0",
        "veto_exclude": "veto: {title}; {label}",
        "base_weighted": "base {base} points (parts counted by their weights, out of {total})",
        "base_rescaled_2": "base {base} points: some items are not scored; rescaled to {total}",
        "excluded": "grade: {label}; not ranked",
        "no_grades": "this rubric scores only; it gives no grades",
        "path_2": "The problems to put right to reach the next grade ({target}, {min} or more):",
        "fix_2": "{problem}: +{gain} points once put right",
        "blocked_zero": "the veto \"{title}\" sets the total to 0: no fix lifts the grade; "
                        "clear it first ({label} must be {value})",
        "blocked_cap": "capped at {grade} by the veto \"{title}\": clear it first ({label} must "
                       "be {value})",
        "no_path_2": "putting right the problems found does not reach {target} under this rubric",
        "quota_only": "the total already reaches {target} ({min} or more); only the quota of "
                      "{target} stands in the way",
        "many_fields": "{first} and others ({count} in all)",
        "not_applying": "does not apply: {where}",
        "clause_not_applying": "does not apply: only where {where}",
    },
}


@attrs.frozen
class Line:
    """One row of an explanation: an item (or veto) with its value and points."""

    kind: str
    item_id: str
    title: str
    value: str
    points: float | None
    max: float | None
    reason: str


@attrs.frozen
class Explanation:
    """Everything said about one branch."""

    branch_id: str
    branch_name: str
    heading: str
    lines: tuple[Line, ...]
    #: base, totals, grade, rank, then the path to the next grade, as sentences
    summary: tuple[str, ...]
    path: GradePath


def branch_not_found(wanted: str, existing: Sequence[str], path: str) -> Issue:
    """A branch id that is not in the checklists, with the ids that are (closest first)."""
    close = difflib.get_close_matches(wanted, list(existing), n=len(existing), cutoff=0.0)
    shown = listing([*close[:20], *(["…"] if len(close) > 20 else [])])
    return Issue("unknown-branch", msg("no branch {wanted!r} in the checklists; the branches "
                                       "are: {shown}",
                                       wanted=wanted, shown=shown), path, column=BRANCH_ID)


def find_branches(
    ids: Sequence[str], names: Sequence[str], wanted: Sequence[str], path: str
) -> tuple[list[str], list[Issue]]:
    """The ids of the branches ``wanted`` names, each by its id or its exact name
    (as people know them: 金桥社区 rather than SQ07), and an issue for each that
    names none or, by name, several."""
    by_name: dict[str, list[str]] = {}
    for branch_id, name in zip(ids, names, strict=True):
        by_name.setdefault(name.strip(), []).append(branch_id)
    known = set(ids)
    found: list[str] = []
    issues: list[Issue] = []
    for branch in wanted:
        named = by_name.get(branch.strip(), []) if branch.strip() else []
        if branch in known:
            found.append(branch)
        elif len(named) == 1:
            found.append(named[0])
        elif named:
            issues.append(Issue(
                "ambiguous-branch", msg("{branch!r} is the name of {count} branches ({ids}); "
                                        "name the one meant by its id", branch=branch,
                                        count=len(named), ids=listing(sorted(named))), path,
                column=BRANCH_ID))
        else:
            issues.append(branch_not_found(branch, ids, path))
    return found, issues


def explain(results: Results, branch_id: str, *, self_check: bool = False) -> Explanation:
    """Explain one branch of a scored run. Raises ``KeyError`` for an unknown branch."""
    return explain_all(results, [branch_id], self_check=self_check)[0]


def explain_all(results: Results, branch_ids: Sequence[str], *,
                self_check: bool = False) -> Explanations:
    """Explain the branches ``branch_ids`` (in that order) of a scored run, all at once.

    Every line of an explanation (an item, a clause, a veto) is one column over
    the branches: its values, points and reasons are taken from the run's
    scores, checklist rows and findings by whole columns, never branch by
    branch. Raises ``KeyError`` for a branch not in the run.
    """
    rubric = results.rubric
    said = EXPLAIN_WORDS[rubric.lang]
    wanted = [str(branch) for branch in branch_ids]
    at, unique = pd.factorize(pd.Index(wanted, dtype=object))
    chosen = _Chosen(results, [str(branch) for branch in unique])
    if rubric.schema == 2:
        lines = _lines_2(chosen, said)
        summaries = _summaries_2(chosen, said, self_check)
    else:
        lines = _lines_1(chosen, said)
        summaries = _summaries_1(chosen, said, self_check)
    paths = _paths(chosen, said, self_check)
    names = [str(name) for name in chosen.column("branch_name").tolist()]
    headings = [said["heading"].format(name=name or branch, id=branch)
                for name, branch in zip(names, chosen.ids, strict=True)]
    return Explanations(
        rubric=rubric, at=np.asarray(at, dtype=np.int64), branch_ids=tuple(chosen.ids),
        branch_names=tuple(names), headings=tuple(headings),
        totals=chosen.column("total").astype(np.float64),
        grades=tuple(str(grade) for grade in chosen.column(
            "grade_without_quota" if self_check else "grade").tolist()),
        kinds=tuple(line.kind for line in lines), item_ids=tuple(line.item_id for line in lines),
        titles=tuple(line.title for line in lines), maxima=tuple(line.max for line in lines),
        clause_lines=tuple(line.clause for line in lines),
        values=np.array([line.values for line in lines], dtype=object).reshape(
            len(lines), len(chosen.ids)),
        points=np.array([line.points for line in lines], dtype=np.float64).reshape(
            len(lines), len(chosen.ids)),
        reasons=np.array([line.reasons for line in lines], dtype=object).reshape(
            len(lines), len(chosen.ids)),
        summaries=tuple((*summary, *sentences) for summary, (sentences, _) in
                        zip(summaries, paths, strict=True)),
        paths=tuple(path for _, path in paths),
    )


@attrs.frozen(eq=False)
class Explanations(Sequence[Explanation]):
    """Branches explained together, held by columns.

    Line ``j`` (an item, a clause or a veto) is the same for every branch: its
    kind, title and max are held once, its values, points and reasons as row
    ``j`` of a lines-by-branches array. ``explanations[i]`` is the
    :class:`Explanation` of the ``i``-th branch asked for; the workbook reads
    the arrays directly.
    """

    rubric: Rubric
    #: for each branch asked for, its column in the arrays (a branch asked twice shares one)
    at: np.ndarray
    branch_ids: tuple[str, ...]
    branch_names: tuple[str, ...]
    headings: tuple[str, ...]
    #: each branch's total, and its grade (before quotas in a self-check)
    totals: np.ndarray
    grades: tuple[str, ...]
    kinds: tuple[str, ...]
    item_ids: tuple[str, ...]
    titles: tuple[str, ...]
    maxima: tuple[float | None, ...]
    #: whether each line is a clause (indented under its item in the workbook)
    clause_lines: tuple[bool, ...]
    #: lines x branches: text ("" blank), points (NaN blank), reasons ("" none)
    values: np.ndarray
    points: np.ndarray
    reasons: np.ndarray
    #: per branch: base, totals, grade, rank, then the path to the next grade
    summaries: tuple[tuple[str, ...], ...]
    paths: tuple[GradePath, ...]

    def __len__(self) -> int:
        return len(self.at)

    @overload
    def __getitem__(self, index: int) -> Explanation: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Explanation]: ...

    def __getitem__(self, index: int | slice) -> Explanation | Sequence[Explanation]:
        if isinstance(index, slice):
            return [self[number] for number in range(len(self))[index]]
        column = int(self.at[index])
        points = self.points[:, column]
        lines = tuple(
            Line(kind, item_id, title, str(value), None if math.isnan(earned) else float(earned),
                 maximum, str(reason))
            for kind, item_id, title, value, earned, maximum, reason in zip(
                self.kinds, self.item_ids, self.titles, self.values[:, column].tolist(),
                points.tolist(), self.maxima, self.reasons[:, column].tolist(), strict=True))
        return Explanation(
            branch_id=self.branch_ids[column], branch_name=self.branch_names[column],
            heading=self.headings[column], lines=lines, summary=self.summaries[column],
            path=self.paths[column])

    def column(self, index: int) -> int:
        """The column of the ``index``-th branch asked for in the lines-by-branches arrays."""
        return int(self.at[index])


@attrs.frozen
class _LineColumn:
    """One line of every explanation: what it is, and its cells for each branch."""

    kind: str
    item_id: str
    title: str
    max: float | None
    values: np.ndarray
    points: np.ndarray
    reasons: np.ndarray
    clause: bool = False


class _Chosen:
    """The branches explained, and what explaining them reads, looked up once: where
    each is ranked and scored, its checklist rows (raters), its findings."""

    def __init__(self, results: Results, ids: list[str]) -> None:
        self.results = results
        self.rubric = results.rubric
        self.ids = ids
        ranking = results.ranking
        place = pd.Index(ranking[BRANCH_ID].astype(str)).get_indexer(pd.Index(ids, dtype=object))
        if (place < 0).any():
            raise KeyError(ids[int(np.flatnonzero(place < 0)[0])])
        self.place = place
        self.position = ranking["position"].to_numpy(dtype=np.int64)[place]
        # the checklist rows of the chosen branches, grouped by branch in the order asked
        row_branch = results.scores.row_branch.to_numpy(dtype=np.int64)
        slot = np.full(len(results.scores.branches), -1, dtype=np.int64)
        slot[self.position] = np.arange(len(ids))
        owners = slot[row_branch]
        rows = np.flatnonzero(owners >= 0)
        rows = rows[np.argsort(owners[rows], kind="stable")]
        self.rows = rows
        self.owner = owners[rows]
        self.frame = results.checklists.frame.iloc[rows].reset_index(drop=True)
        self.one_row_each = len(rows) == len(ids)
        self._texts: dict[tuple[str, ...], np.ndarray] = {}
        #: by (item, clause): which chosen branches have a finding, and its row in ``_mine``
        self._findings: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] | None = None
        self._mine = pd.DataFrame()  # the findings of the chosen branches

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, name: str) -> np.ndarray:
        """A column of the ranking, for the chosen branches."""
        column: np.ndarray = self.results.ranking[name].to_numpy()[self.place]
        return column

    def points(self, item_id: str) -> np.ndarray:
        points: np.ndarray = self.results.scores.points[item_id].to_numpy(
            dtype=np.float64)[self.position]
        return points

    def values(self, fields: Sequence[str]) -> np.ndarray:
        """What each branch filled in for ``fields``, raters joined by ";": one field's
        value as text, or how many of several bool fields are true of those filled in."""
        key = tuple(fields)
        if not key:
            return np.full(len(self), "", dtype=object)
        if key not in self._texts:
            texts = _row_texts(self.rubric, self.frame, key)
            if self.one_row_each:
                self._texts[key] = texts
            else:
                joined = pd.Series(texts, dtype=object).groupby(self.owner, sort=True).agg(
                    ";".join)
                # raters who all left it blank: a blank, not ";;"
                joined = joined.where(~joined.str.fullmatch(";*"), "")
                self._texts[key] = joined.to_numpy(dtype=object)
        return self._texts[key]

    def rows_of(self, index: int) -> pd.DataFrame:
        """The checklist rows of the ``index``-th chosen branch."""
        first, last = np.searchsorted(self.owner, [index, index + 1])
        return self.frame.iloc[first:last].reset_index(drop=True)

    def findings(self, item_id: str, clause: int = 0, *, text: str = "problem"
                 ) -> tuple[np.ndarray, np.ndarray]:
        """The findings of an item (``clause`` 0) or of one of its clauses: whose (an
        index of the chosen branches) and what they say (the ``text`` column)."""
        if self._findings is None:
            self._findings = {}
            findings = self.results.findings
            whose = pd.Index(self.ids, dtype=object).get_indexer(
                pd.Index(findings[BRANCH_ID].astype(str), dtype=object))
            mine = findings[whose >= 0]
            numbers = mine["clause"].fillna(0).to_numpy(dtype=np.int64)
            owners = whose[whose >= 0]
            for (item, number), rows in pd.Series(np.arange(len(mine))).groupby(
                    [mine["item_id"].astype(str).to_numpy(), numbers], sort=False):
                taken = rows.to_numpy()
                self._findings[(str(item), int(str(number)))] = (owners[taken], taken)
            self._mine = mine
        owners, taken = self._findings.get((item_id, clause), (np.zeros(0, np.int64),
                                                               np.zeros(0, np.int64)))
        return owners, self._mine[text].to_numpy(dtype=object)[taken]

    def texts_where(self, item_id: str, clause: int = 0, *, text: str = "problem"
                    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`findings` spread over the chosen branches: each branch's text ("" for
        none) and whether it has a finding there."""
        owners, texts = self.findings(item_id, clause, text=text)
        spread = np.full(len(self), "", dtype=object)
        spread[owners] = [str(text) for text in texts]
        found = np.zeros(len(self), dtype=bool)
        found[owners] = True
        return spread, found


def _row_texts(rubric: Rubric, frame: pd.DataFrame, fields: tuple[str, ...]) -> np.ndarray:
    """Each checklist row's text for ``fields``: one field's value as written (是/否 for a
    bool, numbers as a person writes them), or "true/filled" over several bool fields."""
    if len(fields) > 1:
        matrix = frame[list(fields)].to_numpy(dtype=np.float64)
        trues = plain_text(np.nansum(matrix == 1, axis=1).astype(np.float64))
        read = plain_text((~np.isnan(matrix)).sum(axis=1).astype(np.float64))
        return np.asarray(trues + "/" + read, dtype=object)
    return field_text(rubric, frame, fields[0]).decoded()


def _item_value(chosen: _Chosen, item: Item) -> np.ndarray:
    """What the item's line shows as filled in: its field; for ``share``, how many of its
    fields are true; nothing for ``clauses`` (each clause shows its own)."""
    if item.rule == "share":
        return chosen.values(item.fields)
    if item.rule == "clauses" or item.field is None:
        return chosen.values(())
    return chosen.values((item.field,))


def _kind_names(said: dict[str, str]) -> dict[str, str]:
    return dict(zip(("indicator", "bonus", "penalty", "veto"), said["kinds"].split("|"),
                    strict=True))


def _veto_line(chosen: _Chosen, veto: Veto, said: dict[str, str]) -> _LineColumn:
    """A veto with the value of its field, named where the field is not the veto's own
    title ("党费按时足额交纳：是" beside "党费未按时足额交纳", which reads otherwise as if
    it held), and, where it triggered, what it does."""
    rubric = chosen.rubric
    hit = chosen.results.scores.vetoes[veto.id].to_numpy(dtype=bool)[chosen.position]
    if veto.action == "cap":
        done = said["veto_hit"].format(title=veto.title, grade=veto.grade)
    else:
        done = said[f"veto_{veto.action}"].format(title=veto.title, label=veto.label)
    values = chosen.values((veto.field,))
    label = rubric.field(veto.field).header
    if label != veto.title:
        separator = "：" if rubric.lang == "zh" else ": "
        values = np.where(values == "", "", label + separator + values).astype(object)
    return _LineColumn(_kind_names(said)["veto"], veto.id, veto.title, None, values,
                       np.full(len(chosen), np.nan), np.where(hit, done, "").astype(object))


def _lines_1(chosen: _Chosen, said: dict[str, str]) -> list[_LineColumn]:
    """Schema 1: each item with its value, points and the finding's note; then the vetoes."""
    rubric = chosen.rubric
    kinds = _kind_names(said)
    lines = []
    for item in rubric.items:
        earned = chosen.points(item.id)
        value = _item_value(chosen, item)
        notes, noted = chosen.texts_where(item.id, text="note")
        blank = (value == "") & (item.kind != "bonus")
        reason = np.where(np.isnan(earned), said["na"], np.where(
            noted, notes, np.where(blank, said["blank_zero"], "")))
        lines.append(_LineColumn(kinds[item.kind], item.id, item.title, item.max, value,
                                 earned, reason.astype(object)))
    lines.extend(_veto_line(chosen, veto, said) for veto in rubric.vetoes)
    return lines


def _lines_2(chosen: _Chosen, said: dict[str, str]) -> list[_LineColumn]:
    """Schema 2: each item, then each of its clauses with its value and, where it cost
    points, the problem as the findings state it and the cost; then the vetoes. An
    item of one clause says it on its own line ("后备干部 2 … 后备干部不足3名（现有2名），
    扣2.00分")."""
    rubric = chosen.rubric
    kinds = _kind_names(said)
    lines = []
    for item in rubric.items:
        earned = chosen.points(item.id)
        na = np.isnan(earned)
        if len(item.clauses) == 1:
            reasons = _clause_not_applying(chosen, item.clauses[0], said,
                                           _clause_reasons(chosen, item, 1, said))
            reasons = _item_not_applying(chosen, item, said, na,
                                         np.where(na, said["na"], reasons).astype(object))
            lines.append(_LineColumn(kinds[item.kind], item.id, item.title, item.max,
                                     chosen.values(item.clauses[0].input_fields), earned,
                                     reasons))
            continue
        problems, _ = chosen.texts_where(item.id)
        reasons = _item_not_applying(chosen, item, said, na,
                                     np.where(na, said["na"], problems).astype(object))
        lines.append(_LineColumn(kinds[item.kind], item.id, item.title, item.max,
                                 _item_value(chosen, item), earned, reasons))
        titles = clause_titles(rubric, item)
        for number, clause in enumerate(item.clauses, start=1):
            reasons = _clause_not_applying(chosen, clause, said,
                                           _clause_reasons(chosen, item, number, said))
            lines.append(_LineColumn(said["clause_kind"], item.id, titles[number - 1], None,
                                     chosen.values(clause.input_fields),
                                     np.full(len(chosen), np.nan), reasons, clause=True))
    lines.extend(_veto_line(chosen, veto, said) for veto in rubric.vetoes)
    return lines


def _nowhere(chosen: _Chosen, holds: np.ndarray) -> np.ndarray:
    """Per branch: whether a condition holds on none of its rows."""
    return np.asarray(np.bincount(chosen.owner, weights=holds, minlength=len(chosen)) == 0)


def _item_not_applying(chosen: _Chosen, item: Item, said: dict[str, str], na: np.ndarray,
                       reasons: np.ndarray) -> np.ndarray:
    """Where the item's ``applies_if`` holds for none of a branch's rows: that it does
    not apply, and what it scores there, instead of a bare full mark."""
    if item.applies_if is None:
        return reasons
    holds, _ = applies_if_mask(chosen.rubric, item, chosen.frame)
    text = said["not_applying"].format(where=describe_applies(chosen.rubric, item))
    return np.where(_nowhere(chosen, holds) & ~na, text, reasons).astype(object)


def _clause_not_applying(chosen: _Chosen, clause: Clause, said: dict[str, str],
                         reasons: np.ndarray) -> np.ndarray:
    """Where a clause's own ``applies_if`` holds for none of a branch's rows: that the
    clause does not apply there (it costs nothing)."""
    if clause.applies_if is None:
        return reasons
    text = said["clause_not_applying"].format(
        where=applies_text(chosen.rubric, clause.applies_if))
    nowhere = _nowhere(chosen, clause_holds(chosen.rubric, clause, chosen.frame))
    return np.where(nowhere & (reasons == ""), text, reasons).astype(object)


def _clause_reasons(chosen: _Chosen, item: Item, number: int,
                    said: dict[str, str]) -> np.ndarray:
    """What the clause cost each branch, as the findings state the problem ("支委会少开
    1次，扣 1.00 分"); "" where it cost nothing."""
    owners, texts = chosen.findings(item.id, number)
    reasons = np.full(len(chosen), "", dtype=object)
    clause_costs = chosen.results.scores.clauses
    key = clause_key(item.id, number)
    if len(owners) and key in clause_costs.columns:
        costs = clause_costs[key].to_numpy(dtype=np.float64)[chosen.position[owners]]
        reasons[owners] = render(said["clause_cost"], {
            "problem": np.asarray([str(text) for text in texts], dtype=object),
            "cost": fixed_text(costs, chosen.rubric.precision)}, len(owners))
    return reasons


def clause_titles(rubric: Rubric, item: Item) -> list[str]:
    """What each clause of ``item`` reads, as its line is titled: the field's label
    ("支委会次数"); the labels of a few fields ("建立社区网站、建立党员微信群"), or the
    first and how many ("党员名册等10项"); a fault's condition ("获得表彰为市级及以上")
    where clauses of the item read the same field."""
    labels = labels_for(rubric.lang)
    titles = []
    for clause in item.clauses:
        headers = [rubric.field(name).header for name in clause.input_fields]
        if len(headers) <= 3:
            titles.append(labels.list_separator.join(headers))
        else:
            titles.append(EXPLAIN_WORDS[rubric.lang]["many_fields"].format(first=headers[0],
                                                                 count=len(headers)))
    shared = [titles.count(title) > 1 for title in titles]
    for number, clause in enumerate(item.clauses):
        if shared[number] and clause.shape == "fault" and clause.condition is not None:
            condition = clause.condition
            titles[number] = labels.list_separator.join(
                describe_condition(rubric, condition.field, condition.op, value)
                for value in condition.values)
    return titles


def _number(value: float, precision: int) -> str:
    return str(fixed_text(np.array([value]), precision)[0])


def _number_texts(values: np.ndarray, precision: int) -> np.ndarray:
    return fixed_text(np.asarray(values, dtype=np.float64), precision)


def _summaries_1(chosen: _Chosen, said: dict[str, str], self_check: bool) -> list[list[str]]:
    """Schema 1: the base (rescaled where items are not scored), a capped bonus, no
    penalty, no veto, the totals, the grade and the rank: each sentence one column."""
    rubric = chosen.rubric
    p = rubric.precision
    count = len(chosen)
    base = _number_texts(chosen.column("base"), p)
    sentences: list[np.ndarray] = []
    earned = np.zeros(count)
    applicable = np.zeros(count)
    for item in rubric.indicators:
        points = chosen.points(item.id)
        earned += np.nan_to_num(points)
        applicable += np.where(np.isnan(points), 0.0, item.max)
    whole = sum(item.max for item in rubric.indicators)
    total = plain_number(rubric.total)
    rescaled = render(said["base_rescaled"], {
        "base": base, "earned": _number_texts(earned, p), "applicable": plain_text(applicable),
        "total": total}, count)
    plain = render(said["base"], {"base": base, "total": total}, count)
    sentences.append(np.where(applicable < whole, rescaled, plain))
    if rubric.bonuses:
        raw = np.zeros(count)
        for item in rubric.bonuses:
            raw += np.nan_to_num(chosen.points(item.id))
        capped = render(said["bonus_capped"], {"raw": plain_text(raw),
                                               "cap": plain_number(rubric.bonus_cap)}, count)
        sentences.append(np.where(raw > rubric.bonus_cap, capped, ""))
    sentences.extend(_common_sentences(chosen, said))
    sentences.extend(_grade_sentences(chosen, said, self_check))
    return _by_branch(sentences, count)


def _summaries_2(chosen: _Chosen, said: dict[str, str], self_check: bool) -> list[list[str]]:
    """Schema 2: the base (weighted, or rescaled), no penalty, no veto, the totals, then
    the grade and rank, or the label of an excluded branch, or no grades at all."""
    rubric = chosen.rubric
    count = len(chosen)
    base = _number_texts(chosen.column("base"), rubric.precision)
    rescaled = np.zeros(count, dtype=bool)
    for item in rubric.indicators:
        if item.group is None:
            rescaled |= np.isnan(chosen.points(item.id))
    weighted = any(section.weight != 1 for section in rubric.sections)
    parts: dict[str, Part] = {"base": base, "total": plain_number(rubric.total)}
    first = render(said["base_weighted" if weighted else "base"], parts, count)
    sentences = [np.where(rescaled, render(said["base_rescaled_2"], parts, count), first)]
    sentences.extend(_common_sentences(chosen, said))
    sentences.extend(_grade_sentences(chosen, said, self_check))
    return _by_branch(sentences, count)


def _common_sentences(chosen: _Chosen, said: dict[str, str]) -> list[np.ndarray]:
    """No penalty, no veto, and the totals."""
    rubric = chosen.rubric
    p = rubric.precision
    count = len(chosen)
    sentences = []
    if rubric.penalties:
        penalty = chosen.column("penalty").astype(np.float64)
        sentences.append(np.where(penalty == 0, said["penalty_none"], ""))
    if rubric.vetoes:
        vetoed = chosen.column("vetoed").astype(str)
        sentences.append(np.where(vetoed == "", said["veto_none"], ""))
    sentences.append(render(said["totals"], {
        name: _number_texts(chosen.column(name), p)
        for name in ("total", "base", "bonus", "penalty")}, count))
    return sentences


def _grade_sentences(chosen: _Chosen, said: dict[str, str], self_check: bool
                     ) -> list[np.ndarray]:
    """The grade (the quota that moved it down, if one did) and the rank; in a
    self-check the grade by total alone; for an excluded branch its label."""
    rubric = chosen.rubric
    count = len(chosen)
    grade = chosen.column("grade").astype(object)
    without = chosen.column("grade_without_quota").astype(object)
    excluded = chosen.results.scores.branches["excluded"].to_numpy(dtype=bool)[chosen.position]
    ranks = chosen.column("rank").astype(np.float64)
    ranked = int(chosen.results.ranking["rank"].notna().sum())
    rank = render(said["rank"], {"rank": plain_text(ranks), "count": str(ranked)}, count)
    if not rubric.grades:
        return [np.where(excluded, render(said["excluded"], {"label": grade.astype(str)}, count),
                         said["no_grades"]),
                np.where(excluded, "", rank)]
    if self_check:
        texts = render(said["grade"], {"grade": without.astype(str),
                                       "without": without.astype(str)}, count)
        return [np.where(excluded, render(said["excluded"], {"label": grade.astype(str)}, count),
                         texts),
                np.where(excluded, "", said["self_check"])]
    # the quota that held a branch back is the grade's just above its own
    names = [grade_.name for grade_ in rubric.grades]
    index = pd.Index(names).get_indexer(pd.Index(grade.astype(str), dtype=object))
    above = np.asarray(names, dtype=object)[np.maximum(index - 1, 0)]
    moved = (grade != without) & (index > 0)
    shown = np.where(moved, grade.astype(str) + render(said["quota"], {"without": above},
                                                       count), grade.astype(str))
    texts = render(said["grade"], {"grade": shown.astype(object),
                                   "without": without.astype(str)}, count)
    return [np.where(excluded, render(said["excluded"], {"label": grade.astype(str)}, count),
                     texts),
            np.where(excluded, "", rank)]


def _by_branch(sentences: list[np.ndarray], count: int) -> list[list[str]]:
    """Each branch's sentences, in order, without the empty ones (sentences that do not
    apply to it)."""
    if not sentences:
        return [[] for _ in range(count)]
    table = np.column_stack([np.asarray(column, dtype=object) for column in sentences])
    return [[sentence for sentence in row if sentence] for row in table.tolist()]


def _paths(chosen: _Chosen, said: dict[str, str], self_check: bool
           ) -> list[tuple[list[str], GradePath]]:
    """Each branch's path to the next grade, and the sentences that say it."""
    results = chosen.results
    rubric = chosen.rubric
    if rubric.schema == 2:
        found = clause_paths(results, chosen.ids, quotas=not self_check)
        out = []
        for index, branch in enumerate(chosen.ids):
            path = found[branch]
            rows_of = functools.partial(chosen.rows_of, index)
            out.append((_path_sentences_2(rubric, path, rows_of, said), GradePath(
                branch_id=branch, total=path.total, grade=path.grade, target=path.target,
                target_min=path.target_min, new_total=path.new_total,
                blocking_vetoes=path.blocking_vetoes)))
        return out
    held = chosen.column("grade")
    # every branch's path at once: a scoring per stage of the search, not per branch
    grade_paths = paths_to_next_grade(
        rubric, results.checklists, chosen.ids,
        None if self_check else {branch: str(held[index])
                                 for index, branch in enumerate(chosen.ids)})
    paths = [grade_paths[branch] for branch in chosen.ids]
    return [(_path_sentences(rubric, path, functools.partial(chosen.rows_of, index), said),
             path) for index, path in enumerate(paths)]


def _path_sentences(rubric: Rubric, path: GradePath, rows_of: Callable[[], pd.DataFrame],
                    said: dict[str, str]) -> list[str]:
    """Schema 1: the items to fix and the values that fix them; the branch's rows
    (``rows_of``) are read only where a sentence needs them."""
    labels = labels_for(rubric.lang)
    if path.target is None:
        return [said["top"].format(grade=path.grade)]
    if path.quota_only:
        return [said["quota_only"].format(target=path.target,
                                          min=plain_number(path.target_min or 0))]
    if path.blocking_vetoes:
        return [said["blocked"].format(
                    title=veto.title, grade=veto.grade, label=rubric.field(veto.field).header,
                    value=_clearing(rubric, veto, rows_of()))
                for veto in path.blocking_vetoes]
    if not path.fixes:
        return [said["no_path"].format(target=path.target)]
    sentences = [said["path"].format(target=path.target, min=plain_number(path.target_min or 0))]
    for number, fix in enumerate(path.fixes, start=1):
        changes = labels.list_separator.join(
            said["change"].format(
                label=rubric.field(change.field_id).header,
                before=_quoted(change.before, rubric.lang) or labels.blank,
                after=_quoted(_value_shown(rubric, change.field_id, change.after), rubric.lang))
            for change in fix.changes
        )
        item = fix.item
        if item.rule == "scale" and item.target_field is not None:
            changes += said["target_of"].format(
                target=value_text(rubric, rows_of(), item.target_field))
        elif item.rule == "scale" and item.target is not None:
            changes += said["target_of"].format(target=plain_number(item.target))
        sentences.append(f"{number}. " + said["fix"].format(
            title=item.title, changes=changes, gain=_number(fix.gain, rubric.precision)))
    sentences.append(said["after"].format(total=_number(path.new_total or 0.0, rubric.precision),
                                          target=path.target))
    sentences.append(said["quota_note"])
    return sentences


_NUMBERS = re.compile(r"[-+0-9.;]*")


def _quoted(text: str, lang: str) -> str:
    """A value in a Chinese sentence: a word in quotation marks ("由“否”改为“是”"),
    numbers as they are ("由9改为12"), nothing for a blank."""
    if lang != "zh" or not text or _NUMBERS.fullmatch(text):
        return text
    return f"“{text}”"


def _clearing(rubric: Rubric, veto: Veto, rows: pd.DataFrame) -> str:
    """The value of the veto's field, nearest the branch's own, that clears the veto."""
    value = cleared_value(rubric, veto, rows)
    shown = _value_shown(rubric, veto.field, value) if value is not None else (
        describe_condition(rubric, veto.field, veto.op, veto.value))
    return _quoted(shown, rubric.lang)


def _value_shown(rubric: Rubric, field_id: str, value: Any) -> str:
    field = rubric.field(field_id)
    labels = labels_for(rubric.lang)
    if field.type == "bool":
        return labels.yes if float(value) == 1.0 else labels.no
    if field.type in ("int", "number"):
        return plain_number(float(value))
    return str(value)


def _path_sentences_2(rubric: Rubric, path: ClausePath, rows_of: Callable[[], pd.DataFrame],
                      said: dict[str, str]) -> list[str]:
    """Schema 2: the problems to put right, largest gain first; or the veto to clear
    first, and the value that clears it (the branch's rows, ``rows_of``, read only then)."""
    if not path.grade:
        return []  # excluded, or no grades: there is no next grade
    if path.target is None:
        return [said["top"].format(grade=path.grade)]
    if path.blocking_vetoes:
        return [said[f"blocked_{veto.action}"].format(
                    title=veto.title, grade=veto.grade, label=rubric.field(veto.field).header,
                    value=_clearing(rubric, veto, rows_of()))
                for veto in path.blocking_vetoes]
    if path.quota_only:
        return [said["quota_only"].format(target=path.target,
                                          min=plain_number(path.target_min or 0))]
    if not path.fixes:
        return [said["no_path_2"].format(target=path.target)]
    sentences = [said["path_2"].format(target=path.target,
                                       min=plain_number(path.target_min or 0))]
    for number, fix in enumerate(path.fixes, start=1):
        sentences.append(f"{number}. " + said["fix_2"].format(
            problem=fix.problem, gain=_number(fix.gain, rubric.precision)))
    sentences.append(said["after"].format(total=_number(path.new_total or 0.0, rubric.precision),
                                          target=path.target))
    sentences.append(said["quota_note"])
    return sentences


# --- rendering ---------------------------------------------------------------------


def explanation_text(explanation: Explanation, rubric: Rubric) -> str:
    """The explanation as plain text, one item a line, for the terminal."""
    said = EXPLAIN_WORDS[rubric.lang]
    out = [explanation.heading, ""]
    header = said["columns"].split("|")
    out.append("  ".join(header))
    for line in explanation.lines:
        points = "" if line.points is None else _number(line.points, rubric.precision)
        maximum = "" if line.max is None else plain_number(line.max)
        cells = [line.kind, line.title, line.value, points, maximum, line.reason]
        out.append("  ".join(cell for cell in cells))
    out.append("")
    out.extend(explanation.summary)
    return "\n".join(out) + "\n"

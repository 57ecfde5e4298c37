"""One branch's result in words: where each point went, and what to fix first.

Built on a scored run (:class:`~inspect_score.scoring.results.Results`): the reasons for
lost points are the findings' notes, so that the explanation says exactly
what the bulletin says; the path to the next grade comes from
:mod:`inspect_score.selfcheck.next_grade`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import xlsxwriter

from inspect_score.checklists.table import BRANCH_ID
from inspect_score.errors import Issue
from inspect_score.messages import listing, msg
from inspect_score.outputs import print_style
from inspect_score.outputs.escape import sheet_names
from inspect_score.outputs.workbook import PINNED_CREATED
from inspect_score.rubric.model import Item, Rubric
from inspect_score.scoring.labels import fixed_text, labels_for, plain_number, plain_text
from inspect_score.scoring.results import Results
from inspect_score.scoring.score import clause_key
from inspect_score.selfcheck.clause_path import ClausePath, clause_path, clause_paths
from inspect_score.selfcheck.next_grade import Path as GradePath
from inspect_score.selfcheck.next_grade import cleared_value, path_to_next_grade, value_text
from inspect_score.selfcheck.template import describe_condition

#: The title on row 0, the header on row 1.
HEADER_ROW = 1

EXPLAIN_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "heading": "{name}（{id}）考评情况说明",
        "columns": "类别|项目|填报值|得分|满分|失分原因",
        "full": "", "na": "未填，本项不计分，基础分按比例折算",
        "blank_zero": "未填，按 0 计",
        "bonus": "加分", "bonus_capped": "加分合计 {raw} 分，超过上限 {cap} 分，按 {cap} 分计",
        "penalty_none": "未扣分",
        "veto_none": "未触发一票否决",
        "veto_hit": "一票否决：{title}，等次不高于{grade}",
        "base": "基础分 {base} 分（满分 {total} 分）",
        "base_rescaled": "基础分 {base} 分：有不计分的项目，"
                         "按适用项目得分 {earned} / {applicable} 折算到 {total} 分",
        "totals": "总分 {total} 分 = 基础分 {base} + 加分 {bonus} − 扣分 {penalty}",
        "grade": "等次：{grade}；不考虑名额限制时为：{without}",
        "quota": "（{without}名额已满，按排名顺延）",
        "rank": "排名：第 {rank} 名，共 {count} 个单位",
        "path": "升到下一等次（{target}，{min} 分以上）需要整改的最少项目：",
        "fix": "{title}：{changes}，+{gain} 分",
        "change": "{label} 由 {before} 改为 {after}",
        "target_of": "（共应 {target}）",
        "after": "整改后总分 {total} 分，达到{target}",
        "top": "已是最高等次（{grade}）",
        "no_path": "按本细则，改进任何项目都无法升到{target}",
        "blocked": "被一票否决“{title}”限制为{grade}：无论得多少分都不能高于{grade}；"
                   "须先消除该项（{label}应为 {value}）",
        "quota_note": "注：以上按分数线计算，未考虑名额限制",
        "self_check": "自查模式：不设名额、不与其他单位排名",
        "kinds": "指标|加分项|扣分项|否决项",
        "clause_kind": "条款",
        "clause_title": "{title} 第{number}条",
        "clause_cost": "{problem}，扣 {cost} 分",
        "bonus_clause_gain": "加 {cost} 分",
        "veto_zero": "一票否决：{title}，总分计0分",
        "veto_exclude": "一票否决：{title}，{label}",
        "base_weighted": "基础分 {base} 分（各部分按权重计入，满分 {total} 分）",
        "base_rescaled_2": "基础分 {base} 分：有不计分的项目，按适用项目折算到 {total} 分",
        "excluded": "等次：{label}，不参加排名",
        "no_grades": "本细则只计分，不评定等次",
        "path_2": "升到下一等次（{target}，{min} 分以上）需要整改的问题：",
        "fix_2": "{problem}：整改后 +{gain} 分",
        "blocked_zero": "被一票否决“{title}”总分计0分：整改任何问题都不能升级",
        "blocked_cap": "被一票否决“{title}”限制为{grade}：须先消除该项",
        "no_path_2": "按本细则，整改已发现的问题仍无法升到{target}",
        "quota_only": "总分已达到{target}（{min} 分以上），仅因{target}名额已满未评为{target}",
    },
    "en": {
        "heading": "{name} ({id}): the result explained",
        "columns": "Kind|Item|Value|Points|Max|Why points were lost",
        "full": "", "na": "blank: not scored; the base is rescaled",
        "blank_zero": "blank, counted as 0",
        "bonus": "bonus", "bonus_capped": "bonus of {raw} points in all, over the cap of {cap}: "
                                          "{cap} counted",
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
        "clause_title": "{title} #{number}",
        "clause_cost": "{problem}: {cost} points off",
        "bonus_clause_gain": "{cost} points added",
        "veto_zero": "veto: {title}; total counted as 0",
        "veto_exclude": "veto: {title}; {label}",
        "base_weighted": "base {base} points (parts counted by their weights, out of {total})",
        "base_rescaled_2": "base {base} points: some items are not scored; rescaled to {total}",
        "excluded": "grade: {label}; not ranked",
        "no_grades": "this rubric scores only; it gives no grades",
        "path_2": "The problems to put right to reach the next grade ({target}, {min} or more):",
        "fix_2": "{problem}: +{gain} points once put right",
        "blocked_zero": "the veto \"{title}\" sets the total to 0: no fix lifts the grade",
        "blocked_cap": "capped at {grade} by the veto \"{title}\": clear it first",
        "no_path_2": "putting right the problems found does not reach {target} under this rubric",
        "quota_only": "the total already reaches {target} ({min} or more); only the quota of "
                      "{target} stands in the way",
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


def explain(results: Results, branch_id: str, *, self_check: bool = False,
            paths: Mapping[str, ClausePath] | None = None,
            branches: _Branches | None = None) -> Explanation:
    """Explain one branch of a scored run. Raises ``KeyError`` for an unknown branch.

    ``paths`` (schema 2): the branches' paths to the next grade, found for many
    branches at once by :func:`explain_all`; found for this branch alone otherwise.
    """
    if results.rubric.schema == 2:
        found = paths[branch_id] if paths is not None else clause_path(
            results, branch_id, quotas=not self_check)
        return _explain_2(results, branch_id, found, self_check=self_check, branches=branches)
    rubric = results.rubric
    said = EXPLAIN_WORDS[rubric.lang]
    ranking = results.ranking
    matches = ranking.index[ranking[BRANCH_ID] == branch_id]
    if not len(matches):
        raise KeyError(branch_id)
    place = int(matches[0])
    position = int(ranking["position"].iloc[place])
    frame = results.checklists.frame
    rows = frame[results.scores.row_branch.to_numpy() == position].reset_index(drop=True)
    findings = results.findings[results.findings[BRANCH_ID] == branch_id]
    notes = dict(zip(findings["item_id"], findings["note"], strict=True))
    points = results.scores.points.iloc[position]
    kinds = dict(zip(("indicator", "bonus", "penalty", "veto"), said["kinds"].split("|"),
                     strict=True))

    lines = [_item_line(rubric, item, rows, points[item.id], notes, kinds, said)
             for item in rubric.items]
    for veto in rubric.vetoes:
        hit = bool(results.scores.vetoes[veto.id].iloc[position])
        lines.append(Line(kinds["veto"], veto.id, veto.title, value_text(rubric, rows, veto.field),
                          None, None,
                          said["veto_hit"].format(title=veto.title, grade=veto.grade) if hit
                          else ""))
    # the next grade is the one above the grade held: after quotas, unless self-checking
    held = None if self_check else str(ranking["grade"].iloc[place])
    path = path_to_next_grade(rubric, results.checklists, branch_id, held)
    summary = _summary(results, place, position, points, said, self_check)
    summary += _path_sentences(rubric, path, rows, said)
    name = str(ranking["branch_name"].iloc[place])
    return Explanation(
        branch_id=branch_id, branch_name=name,
        heading=said["heading"].format(name=name or branch_id, id=branch_id),
        lines=tuple(lines), summary=tuple(summary), path=path,
    )


def _item_line(rubric: Rubric, item: Item, rows: pd.DataFrame, earned: float,
               notes: dict[str, str], kinds: dict[str, str], said: dict[str, str]) -> Line:
    if item.rule == "share":
        values = rows[list(item.fields)].to_numpy(dtype=np.float64)
        value = ";".join(f"{int(np.nansum(row == 1))}/{int((~np.isnan(row)).sum())}"
                         for row in values)
    else:
        assert item.field is not None
        value = value_text(rubric, rows, item.field)
    applicable = not (isinstance(earned, float) and math.isnan(earned))
    if not applicable:
        reason = said["na"]
    elif item.id in notes:
        reason = notes[item.id]
    elif value == "" and item.kind != "bonus":
        reason = said["blank_zero"]
    else:
        reason = ""
    return Line(kinds[item.kind], item.id, item.title, value,
                float(earned) if applicable else None, item.max, reason)


def _number(value: float, precision: int) -> str:
    return str(fixed_text(np.array([value]), precision)[0])


def _summary(results: Results, place: int, position: int, points: pd.Series,
             said: dict[str, str], self_check: bool) -> list[str]:
    rubric = results.rubric
    row = results.ranking.iloc[place]
    p = rubric.precision
    sentences: list[str] = []
    earned = sum(float(points[item.id]) for item in rubric.indicators
                 if not math.isnan(float(points[item.id])))
    applicable = sum(item.max for item in rubric.indicators
                     if not math.isnan(float(points[item.id])))
    if applicable < sum(item.max for item in rubric.indicators):
        sentences.append(said["base_rescaled"].format(
            base=_number(row["base"], p), earned=_number(earned, p),
            applicable=plain_number(applicable), total=plain_number(rubric.total)))
    else:
        sentences.append(said["base"].format(base=_number(row["base"], p),
                                             total=plain_number(rubric.total)))
    raw_bonus = sum(float(np.nan_to_num(points[item.id])) for item in rubric.bonuses)
    if raw_bonus > rubric.bonus_cap and rubric.bonuses:
        sentences.append(said["bonus_capped"].format(raw=plain_number(raw_bonus),
                                                     cap=plain_number(rubric.bonus_cap)))
    if rubric.penalties and float(row["penalty"]) == 0:
        sentences.append(said["penalty_none"])
    if rubric.vetoes and not str(row["vetoed"]):
        sentences.append(said["veto_none"])
    sentences.append(said["totals"].format(
        total=_number(row["total"], p), base=_number(row["base"], p),
        bonus=_number(row["bonus"], p), penalty=_number(row["penalty"], p)))
    if self_check:
        sentences.append(said["grade"].format(grade=row["grade_without_quota"],
                                              without=row["grade_without_quota"]))
        sentences.append(said["self_check"])
        return sentences
    grade = str(row["grade"])
    if grade != row["grade_without_quota"]:
        # the quota that held the branch back is the grade's just above its own
        above = rubric.grades[rubric.grade_index(grade) - 1].name
        grade += said["quota"].format(without=above)
    sentences.append(said["grade"].format(grade=grade, without=row["grade_without_quota"]))
    sentences.append(said["rank"].format(rank=int(row["rank"]), count=len(results.ranking)))
    return sentences


def _path_sentences(rubric: Rubric, path: GradePath, rows: pd.DataFrame,
                    said: dict[str, str]) -> list[str]:
    labels = labels_for(rubric.lang)
    if path.target is None:
        return [said["top"].format(grade=path.grade)]
    if path.quota_only:
        return [said["quota_only"].format(target=path.target,
                                          min=plain_number(path.target_min or 0))]
    if path.blocking_vetoes:
        sentences = []
        for veto in path.blocking_vetoes:
            value = cleared_value(rubric, veto, rows)
            shown = _value_shown(rubric, veto.field, value) if value is not None else (
                describe_condition(rubric, veto.field, veto.op, veto.value))
            sentences.append(said["blocked"].format(
                title=veto.title, grade=veto.grade, label=rubric.field(veto.field).header,
                value=shown))
        return sentences
    if not path.fixes:
        return [said["no_path"].format(target=path.target)]
    sentences = [said["path"].format(target=path.target, min=plain_number(path.target_min or 0))]
    for number, fix in enumerate(path.fixes, start=1):
        changes = labels.list_separator.join(
            said["change"].format(label=rubric.field(change.field_id).header,
                                  before=change.before or labels.blank,
                                  after=_value_shown(rubric, change.field_id, change.after))
            for change in fix.changes
        )
        item = fix.item
        if item.rule == "scale" and item.target_field is not None:
            changes += said["target_of"].format(
                target=value_text(rubric, rows, item.target_field))
        elif item.rule == "scale" and item.target is not None:
            changes += said["target_of"].format(target=plain_number(item.target))
        sentences.append(f"{number}. " + said["fix"].format(
            title=item.title, changes=changes, gain=_number(fix.gain, rubric.precision)))
    sentences.append(said["after"].format(total=_number(path.new_total or 0.0, rubric.precision),
                                          target=path.target))
    sentences.append(said["quota_note"])
    return sentences


def _value_shown(rubric: Rubric, field_id: str, value: Any) -> str:
    field = rubric.field(field_id)
    labels = labels_for(rubric.lang)
    if field.type == "bool":
        return labels.yes if float(value) == 1.0 else labels.no
    if field.type in ("int", "number"):
        return plain_number(float(value))
    return str(value)


def explain_all(results: Results, branch_ids: Sequence[str], *,
                self_check: bool = False) -> list[Explanation]:
    """:func:`explain` for each branch; under schema 2 every path to the next grade
    is found at once (a scoring per clause and per fix, not per branch)."""
    if results.rubric.schema == 1:
        return [explain(results, branch_id, self_check=self_check) for branch_id in branch_ids]
    paths = clause_paths(results, branch_ids, quotas=not self_check)
    branches = _Branches(results)
    return [explain(results, branch_id, self_check=self_check, paths=paths, branches=branches)
            for branch_id in branch_ids]


# --- schema 2 -----------------------------------------------------------------------


class _Branches:
    """What explaining a schema 2 run needs, looked up once for every branch: where
    each branch is ranked, its checklist rows and its findings by item and clause."""

    def __init__(self, results: Results) -> None:
        self.results = results
        ranking = results.ranking
        self.place = {str(branch): place for place, branch in
                      enumerate(ranking[BRANCH_ID].tolist())}
        self.position = ranking["position"].to_numpy(dtype=np.int64)
        row_branch = results.scores.row_branch.to_numpy(dtype=np.int64)
        self.row_order = np.argsort(row_branch, kind="stable")
        self.row_start = np.searchsorted(row_branch[self.row_order],
                                         np.arange(len(results.scores.branches) + 1))
        self.notes: dict[str, tuple[dict[str, str], dict[tuple[str, int], str]]] = {}
        findings = results.findings
        for branch, item_id, clause, problem in zip(
                findings[BRANCH_ID].tolist(), findings["item_id"].tolist(),
                findings["clause"].tolist(), findings["problem"].tolist(), strict=True):
            items, clauses = self.notes.setdefault(str(branch), ({}, {}))
            if pd.isna(clause):
                items[str(item_id)] = str(problem)
            else:
                clauses[(str(item_id), int(clause))] = str(problem)

        # each branch's row of the ranking and of the scores, taken once as plain records:
        # a pandas row per branch (``iloc``) costs more than all the rest of explaining it
        self.ranked = ranking.to_dict("records")
        scores = results.scores
        self.points = scores.points.to_dict("records")
        self.costs = scores.clauses.to_dict("records") if len(scores.clauses.columns) else None
        self.vetoes = scores.vetoes.to_dict("records")
        self.excluded = scores.branches["excluded"].to_numpy(dtype=bool)
        self.ranked_count = int(ranking["rank"].notna().sum())
        self._texts: dict[tuple[str, ...], np.ndarray] = {}

    def value(self, fields: Sequence[str], position: int) -> str:
        """What a branch filled in for the fields, raters joined by ";": one field's
        value as text, or how many of several bool fields are true of those read."""
        key = tuple(fields)
        if key not in self._texts:
            self._texts[key] = self._row_texts(key)
        taken = self.row_order[self.row_start[position]: self.row_start[position + 1]]
        return ";".join(self._texts[key][taken].tolist())

    def _row_texts(self, fields: tuple[str, ...]) -> np.ndarray:
        """The text of every checklist row at once (a branch's rows are taken from it)."""
        rubric = self.results.rubric
        frame = self.results.checklists.frame
        if len(fields) > 1:
            matrix = frame[list(fields)].to_numpy(dtype=np.float64)
            trues = plain_text(np.nansum(matrix == 1, axis=1).astype(np.float64))
            read = plain_text((~np.isnan(matrix)).sum(axis=1).astype(np.float64))
            return np.asarray(trues + "/" + read, dtype=object)
        field = rubric.field(fields[0])
        column = frame[field.id]
        if field.type == "bool":
            labels = labels_for(rubric.lang)
            numbers = column.to_numpy(dtype=np.float64)
            return np.where(np.isnan(numbers), "",
                            np.where(numbers == 1.0, labels.yes, labels.no)).astype(object)
        if field.type in ("int", "number"):
            return plain_text(column.to_numpy(dtype=np.float64))
        return np.asarray(column.astype(object).where(column.notna(), "").astype(str)
                          .to_numpy(), dtype=object)


def _explain_2(results: Results, branch_id: str, path: ClausePath, *,
               self_check: bool, branches: _Branches | None = None) -> Explanation:
    """Schema 2: each item, then each clause with its value and what it cost (the
    problem as the findings state it), the vetoes by action, and the problems to
    put right to reach the next grade."""
    rubric = results.rubric
    said = EXPLAIN_WORDS[rubric.lang]
    branches = branches if branches is not None else _Branches(results)
    if branch_id not in branches.place:
        raise KeyError(branch_id)
    place = branches.place[branch_id]
    position = int(branches.position[place])
    # the branch's problems, by item (items without clauses) and by clause
    item_notes, clause_notes = branches.notes.get(branch_id, ({}, {}))
    costs = branches.costs[position] if branches.costs is not None else None

    def value_of(fields: Sequence[str]) -> str:
        return branches.value(fields, position)

    points = branches.points[position]
    kinds = dict(zip(("indicator", "bonus", "penalty", "veto"), said["kinds"].split("|"),
                     strict=True))
    lines: list[Line] = []
    for item in rubric.items:
        earned = float(points[item.id])
        applicable = not math.isnan(earned)
        value = "" if item.rule == "clauses" else value_of(item.input_fields)
        reason = item_notes.get(item.id, "") if applicable else said["na"]
        lines.append(Line(kinds[item.kind], item.id, item.title, value,
                          earned if applicable else None, item.max, reason))
        for number, clause in enumerate(item.clauses, start=1):
            title = said["clause_title"].format(title=item.title, number=number)
            reason = ""
            problem = clause_notes.get((item.id, number))
            if problem is not None and costs is not None:
                cost = float(costs[clause_key(item.id, number)])
                reason = said["clause_cost"].format(problem=problem,
                                                    cost=_number(cost, rubric.precision))
            lines.append(Line(said["clause_kind"], item.id, title,
                              value_of(clause.input_fields), None, None, reason))
    for veto in rubric.vetoes:
        hit = bool(branches.vetoes[position][veto.id])
        if not hit:
            reason = ""
        elif veto.action == "cap":
            reason = said["veto_hit"].format(title=veto.title, grade=veto.grade)
        else:
            reason = said[f"veto_{veto.action}"].format(title=veto.title, label=veto.label)
        lines.append(Line(kinds["veto"], veto.id, veto.title, value_of((veto.field,)), None,
                          None, reason))
    summary = _summary_2(results, branches, place, said, self_check) + _path_sentences_2(
        rubric, path, said)
    name = str(branches.ranked[place]["branch_name"])
    grade_path = GradePath(branch_id=branch_id, total=path.total, grade=path.grade,
                           target=path.target, target_min=path.target_min,
                           new_total=path.new_total, blocking_vetoes=path.blocking_vetoes)
    return Explanation(
        branch_id=branch_id, branch_name=name,
        heading=said["heading"].format(name=name or branch_id, id=branch_id),
        lines=tuple(lines), summary=tuple(summary), path=grade_path,
    )


def _summary_2(results: Results, branches: _Branches, place: int, said: dict[str, str],
               self_check: bool) -> list[str]:
    rubric = results.rubric
    row = branches.ranked[place]
    position = int(row["position"])
    p = rubric.precision
    points = branches.points[position]
    rescaled = any(math.isnan(float(points[item.id])) and item.group is None
                   for item in rubric.indicators)
    weighted = any(section.weight != 1 for section in rubric.sections)
    key = "base_rescaled_2" if rescaled else ("base_weighted" if weighted else "base")
    sentences = [said[key].format(base=_number(row["base"], p),
                                  total=plain_number(rubric.total))]
    if rubric.penalties and float(row["penalty"]) == 0:
        sentences.append(said["penalty_none"])
    if rubric.vetoes and not str(row["vetoed"]):
        sentences.append(said["veto_none"])
    sentences.append(said["totals"].format(
        total=_number(row["total"], p), base=_number(row["base"], p),
        bonus=_number(row["bonus"], p), penalty=_number(row["penalty"], p)))
    if bool(branches.excluded[position]):
        sentences.append(said["excluded"].format(label=row["grade"]))
        return sentences
    if not rubric.grades:
        sentences.append(said["no_grades"])
    elif self_check:
        sentences.append(said["grade"].format(grade=row["grade_without_quota"],
                                              without=row["grade_without_quota"]))
        sentences.append(said["self_check"])
        return sentences
    else:
        grade = str(row["grade"])
        if grade != row["grade_without_quota"]:
            # the quota that held the branch back is the grade's just above its own
            above = rubric.grades[rubric.grade_index(grade) - 1].name
            grade += said["quota"].format(without=above)
        sentences.append(said["grade"].format(grade=grade, without=row["grade_without_quota"]))
    sentences.append(said["rank"].format(rank=int(row["rank"]), count=branches.ranked_count))
    return sentences


def _path_sentences_2(rubric: Rubric, path: ClausePath, said: dict[str, str]) -> list[str]:
    if not path.grade:
        return []  # excluded, or no grades: there is no next grade
    if path.target is None:
        return [said["top"].format(grade=path.grade)]
    if path.blocking_vetoes:
        return [said["blocked_zero"].format(title=veto.title) if veto.action == "zero"
                else said["blocked_cap"].format(title=veto.title, grade=veto.grade)
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


def write_explanations(explanations: Sequence[Explanation], rubric: Rubric, path: Path) -> None:
    """One printable sheet per branch, in the print style: its title ("金桥社区（SQ07）考评情况
    说明"), the items under a bordered header repeated on every page, the summary
    sentences below them; A4 landscape, one page wide, page numbers."""
    said = EXPLAIN_WORDS[rubric.lang]
    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        # thousands of sheets: a temporary file per sheet costs more than the memory
        "in_memory": True,
    })
    book.set_properties({"title": rubric.title, "created": PINNED_CREATED})
    formats = print_style.formats(book, rubric.precision)
    headings = said["columns"].split("|")
    kinds = ["center", "text", "text", "number", "number", "wrap"]
    # branch ids are whatever the checklists hold: made valid and unique as sheet names
    names = sheet_names(explanation.branch_id for explanation in explanations)
    for explanation, name in zip(explanations, names, strict=True):
        sheet = book.add_worksheet(name)
        last_column = len(headings) - 1
        print_style.write_title(sheet, formats, explanation.heading, last_column)
        lines = explanation.lines
        last_row, widths = print_style.write_table(sheet, formats, HEADER_ROW, headings, [
            [line.kind for line in lines], [line.title for line in lines],
            [line.value for line in lines], [line.points for line in lines],
            [line.max for line in lines], [line.reason for line in lines],
        ], kinds)
        # the summary reads as sentences across the table's width, below it
        row = last_row + 1
        across = sum(widths)
        for sentence in explanation.summary:
            row += 1
            sheet.merge_range(row, 0, row, last_column, sentence, formats["note"])
            if (height := print_style.row_height(
                    print_style.lines_needed(sentence, across))) is not None:
                sheet.set_row(row, height)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        print_style.page_setup(sheet, header_rows=HEADER_ROW, last_row=row,
                               last_column=last_column, lang=rubric.lang)
    book.close()



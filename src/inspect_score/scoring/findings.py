"""The problems an inspection found: every point lost, every penalty, every veto.

One row per branch and problem, in ranking order and then rubric order, with
the value the branch submitted and a note that says in the rubric's language
why points were lost. Everything is built a whole column at a time: a value's
text is made once per distinct value, and notes are concatenated column-wise
(:func:`inspect_score.scoring.labels.render`), so a million branches take seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inspect_score.checklists.conditions import applies_if_mask
from inspect_score.checklists.table import BRANCH_ID, RATER, Checklists, text_taken
from inspect_score.rubric.model import Clause, Field, Item, Rubric
from inspect_score.scoring.clauses import clause_holds
from inspect_score.scoring.labels import (
    Coded,
    Labels,
    Part,
    check_value_text,
    field_name,
    fixed_coded,
    is_percent,
    labels_for,
    note_template,
    plain_coded,
    plain_number,
    render_coded,
    shortfall_coded,
    unit_of,
    value_suffix,
)
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.score import RaterGrouping, clause_key
from inspect_score.scoring.tables import Scores

#: the columns of findings.csv (the findings frame has ``rectify`` after them)
FINDING_COLUMNS = ("branch_id", "kind", "item_id", "value", "points", "max", "lost", "note",
                   "clause", "problem")


def _rater_order(row_branch: np.ndarray, raters: pd.Series) -> np.ndarray:
    """Each checklist row's place among its branch's rows, by rater name (0 first).

    Rows of one branch with the same rater (only possible where there is no
    rater column) keep their checklist order.
    """
    if not len(row_branch):
        return np.zeros(0, dtype=np.int64)
    rater_rank, _ = pd.factorize(raters, sort=True)
    order = np.lexsort((np.arange(len(row_branch)), rater_rank, row_branch))
    sorted_branch = row_branch[order]
    starts = np.r_[True, sorted_branch[1:] != sorted_branch[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    occurrence = np.empty(len(order), dtype=np.int64)
    occurrence[order] = np.arange(len(order)) - first
    return occurrence


def field_text(rubric: Rubric, frame: pd.DataFrame, field_id: str) -> Coded:
    """A field's parsed values as text, per row of ``frame``, as a person writes them:
    是/否 for a bool, "8" and "85.5" for numbers, the choice or text; "" where blank."""
    field = rubric.field(field_id)
    column = frame[field_id]
    if field.type == "bool":
        labels = labels_for(rubric.lang)
        numbers = column.to_numpy(dtype=np.float64)
        codes = np.where(np.isnan(numbers), 0, np.where(numbers == 1, 1, 2))
        return Coded(codes, np.array(["", labels.yes, labels.no], dtype=object))
    if field.type in ("int", "number"):
        return plain_coded(column.to_numpy(dtype=np.float64))
    if field.type == "choice":
        categories = column.cat.categories.astype(str).to_numpy(dtype=object)
        codes = column.cat.codes.to_numpy(dtype=np.int64).copy()
        codes[codes < 0] = len(categories)  # blank
        return Coded(codes, np.append(categories, ""))
    return Coded.of(column.astype(object).where(column.notna(), "").astype(str).to_numpy())


class _BranchTexts:
    """Values as text, per branch: raters' values joined by ";" in rater order.

    Every column is :class:`Coded`: a field's distinct values are turned into
    text once, and a million branches cost a million codes, not a million strings.
    """

    def __init__(self, rubric: Rubric, checklists: Checklists, scores: Scores) -> None:
        self.rubric = rubric
        self.labels = labels_for(rubric.lang)
        self.frame = checklists.frame
        self.branches = len(scores.branches)
        self.row_branch = scores.row_branch.to_numpy(dtype=np.int64)
        # the how-many-th row of its branch each checklist row is (0 for the first
        # rater): by rater name, so that the same checklists in another row order
        # (files read in another order, rows sorted) give the same findings
        self.occurrence = _rater_order(self.row_branch, self.frame[RATER])
        self.one_row_each = np.array_equal(self.row_branch, np.arange(self.branches))
        self._cache: dict[str, Coded] = {}

    def join_rows(self, rows: Coded) -> Coded:
        """Row texts gathered per branch, joined by ";" where a branch has several rows."""
        if self.one_row_each:
            return rows
        row_text = rows.decoded()
        joined = np.full(self.branches, "", dtype=object)
        for nth in range(int(self.occurrence.max()) + 1):
            at = self.occurrence == nth
            where = self.row_branch[at]
            joined[where] = row_text[at] if nth == 0 else joined[where] + ";" + row_text[at]
        return Coded.of(joined)

    def row_text(self, field_id: str) -> Coded:
        """A field's parsed values as text, per checklist row; "" where blank."""
        return field_text(self.rubric, self.frame, field_id)

    def shortfall(self, clause: Clause) -> Coded:
        """How many units each rater found below a shortfall clause's requirement,
        joined per branch like values ("1", or "1;0" for two raters)."""
        assert clause.field is not None
        numbers = self.frame[clause.field].to_numpy(dtype=np.float64)
        # a blank reads 0, except under "na", where it is not read
        literal = np.where(np.isnan(numbers), 0.0, numbers)
        literal[np.isnan(numbers) & (self.rubric.missing_policy(clause.field) == "na")] = np.nan
        return self.join_rows(shortfall_coded(clause.below, literal))

    def spoken(self, field_id: str, read: np.ndarray | None) -> Coded:
        """A field's reading per branch as a problem text states it (``{value}``): one
        figure, not the raters' values side by side. Each row is read as the clause read
        it (a blank under ``zero`` is 0 or 否; under ``na`` it is not read), only rows the
        item applies to (``read``; None: every row). Several raters' numbers are combined
        as the rubric combines raters, to its precision; their words, where all agree,
        are that word (where they differ, each rater's, joined by ";")."""
        field = self.rubric.field(field_id)
        column = self.frame[field_id]
        counted = self._counted(read)
        if field.type in ("int", "number"):
            return self._combined(self._literal(field_id), counted)
        rows = self.row_text(field_id)
        blank = column.isna().to_numpy()
        policy = self.rubric.missing_policy(field_id)
        if field.type == "bool" and policy == "zero":
            # a blank read as false under zero: 否
            rows = Coded(np.where(blank, 2, rows.codes), rows.texts)
        # a blank under na is not read
        return self._agreed(rows, counted & ~(blank & (policy == "na")))

    def spoken_short(self, clause: Clause, read: np.ndarray | None) -> Coded:
        """``{short}`` as :meth:`spoken` states a number: how far below the requirement
        the branch's reading is (each rater's worked out in decimal, "少2.1次")."""
        assert clause.field is not None
        short = shortfall_coded(clause.below, self._literal(clause.field))
        # each distinct shortfall as written (2.1, not 2.0999999999999996), read back as a
        # number to be combined and stated as any number is
        distinct = pd.to_numeric(pd.Series(short.texts), errors="coerce").to_numpy(
            dtype=np.float64)
        return self._combined(distinct[short.codes], self._counted(read))

    def _literal(self, field_id: str) -> np.ndarray:
        """A number field per row as a clause reads it: a blank is 0, except under
        ``na``, where it is not read (NaN)."""
        numbers = self.frame[field_id].to_numpy(dtype=np.float64)
        literal = np.where(np.isnan(numbers), 0.0, numbers)
        literal[np.isnan(numbers) & (self.rubric.missing_policy(field_id) == "na")] = np.nan
        return literal

    def _counted(self, read: np.ndarray | None) -> np.ndarray:
        return np.ones(len(self.frame), dtype=bool) if read is None else read

    def _several(self, counted: np.ndarray) -> np.ndarray:
        """Per branch: whether more than one of its rows is counted."""
        return np.bincount(self.row_branch[counted], minlength=self.branches) > 1

    def _combined(self, numbers: np.ndarray, counted: np.ndarray) -> Coded:
        """Per branch, one number as text: a single counted row's as it is; several rows'
        combined with the rubric's rater method and rounded to its precision."""
        single = np.full(self.branches, np.nan)
        taken = counted & ~np.isnan(numbers)
        single[self.row_branch[taken]] = numbers[taken]
        several = self._several(taken)
        if self.one_row_each or not several.any():
            return plain_coded(single)
        grouping = RaterGrouping(self.row_branch, self.branches, self.rubric.raters,
                                 self.rubric.trim)
        combined = round_points(grouping.combine(np.where(taken, numbers, np.nan)),
                                self.rubric.precision)
        return plain_coded(np.where(several, combined, single))

    def _agreed(self, rows: Coded, counted: np.ndarray) -> Coded:
        """Per branch, the word its counted rows agree on; where they differ, each
        rater's word joined by ";" (in rater order)."""
        if self.one_row_each:
            # a row not counted (the item does not apply there) was not read: a blank
            return Coded(np.where(counted, rows.codes, len(rows.texts)), np.append(rows.texts, ""))
        codes = np.where(counted, rows.codes, -1)
        low = np.full(self.branches, np.iinfo(np.int64).max)
        high = np.full(self.branches, -1)
        np.minimum.at(low, self.row_branch[counted], codes[counted])
        np.maximum.at(high, self.row_branch[counted], codes[counted])
        agreed = (low == high) & (high >= 0)
        joined = self.join_rows(Coded(np.where(counted, rows.codes, len(rows.texts)),
                                      np.append(rows.texts, ""))).decoded()
        # rows not counted leave an empty place between the separators: drop it
        joined = pd.Series(joined, dtype=object).str.replace(r";{2,}", ";", regex=True) \
            .str.strip(";").to_numpy(dtype=object)
        words = np.append(rows.texts, "").astype(object)
        return Coded.of(np.where(agreed, words[np.where(agreed, low, len(rows.texts))], joined))

    def value(self, field_id: str) -> Coded:
        if field_id not in self._cache:
            self._cache[field_id] = self.join_rows(self.row_text(field_id))
        return self._cache[field_id]

    def share(self, item: Item) -> tuple[Coded, Coded]:
        """"true/applicable" per branch, and the labels of the fields some rater found false."""
        return self.fields_share(item.fields, self.read_by(item))

    def read_by(self, item: Item) -> np.ndarray | None:
        """The rows whose fields the item reads: where its ``applies_if`` holds (None:
        every row). A rater's row the item does not apply to has read nothing."""
        if item.applies_if is None:
            return None
        return applies_if_mask(self.rubric, item, self.frame)[0]

    def read_by_clause(self, item: Item, clause: Clause) -> np.ndarray | None:
        """The rows whose fields the clause reads: where the item's ``applies_if`` and
        the clause's own hold (None: every row)."""
        read = self.read_by(item)
        if clause.applies_if is None:
            return read
        holds = clause_holds(self.rubric, clause, self.frame)
        return holds if read is None else read & holds

    def fields_share(self, fields: tuple[str, ...],
                     read: np.ndarray | None = None) -> tuple[Coded, Coded]:
        """:meth:`share` over any bool fields (a list or any clause's); the fields found
        false only on the rows ``read`` (every row without it)."""
        rows = len(self.frame)
        trues = np.zeros(rows)
        applicable = np.zeros(rows)
        # bit k set where some rater found fields[k] false
        failed_bits = np.zeros(self.branches, dtype=np.int64)
        for bit, field_id in enumerate(fields):
            numbers = self.frame[field_id].to_numpy(dtype=np.float64)
            # a blank applies (as false) unless the field's policy is "na"
            applies = ~np.isnan(numbers) | (self.rubric.missing_policy(field_id) != "na")
            true = numbers == 1
            trues += true
            applicable += applies
            failing = applies & ~true if read is None else applies & ~true & read
            fails = np.bincount(self.row_branch, weights=failing, minlength=self.branches) > 0
            failed_bits |= fails.astype(np.int64) << bit
        labels = [self.rubric.field(field_id).header for field_id in fields]
        codes, patterns = pd.factorize(failed_bits)
        failed_texts = np.array([
            self.labels.list_separator.join(
                label for bit, label in enumerate(labels) if int(pattern) >> bit & 1)
            for pattern in patterns
        ], dtype=object)
        row_text = Coded(*render_coded(
            "{trues}/{applicable}",
            {"trues": plain_coded(trues), "applicable": plain_coded(applicable)}, rows))
        return self.join_rows(row_text), Coded(codes, failed_texts)


def _stated(labels: Labels, value: Coded, suffix: str = "") -> dict[str, Coded]:
    """A value as a note states it, one distinct text at a time: ``value`` (a blank said
    未填) and ``value_is`` ("为82.5%", or "未填" where blank); each rater's reading with
    ``suffix`` (a percentage's "%": "80%;85%")."""
    texts = value.texts.astype(str)
    if suffix:
        texts = np.array([";".join(part + suffix if part else part for part in text.split(";"))
                          for text in texts], dtype=object)
    blank = value.texts == ""
    return {
        "value": value.with_texts(np.where(blank, labels.blank, texts)),
        "value_is": value.with_texts(np.array(
            [labels.blank if empty else labels.value_is.format(value=text)
             for empty, text in zip(blank, texts, strict=True)], dtype=object)),
    }


def _note_field(labels: Labels, rubric: Rubric, field: Field) -> tuple[str, str]:
    """A field's label in a note and what follows each of its values: schema 2 names a
    percentage without its "(%)" and gives its values the "%" ("报到率为82.5%"), as the
    rules do; schema 1 keeps its header and bare numbers."""
    if rubric.schema == 2:
        return field_name(labels, field), value_suffix(field)
    return field.header, ""


def _item_note(item: Item, labels: Labels, texts: _BranchTexts, value: Coded,
               points: np.ndarray, positions: np.ndarray,
               failed: Coded | None, lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Why ``item`` lost points, for the branches at ``positions``: codes into distinct notes.

    ``failed``: for a ``share``, the labels of its fields some rater found false.
    """
    count = len(positions)
    rubric = texts.rubric
    field = rubric.field(item.field) if item.field is not None else None
    label, suffix = _note_field(labels, rubric, field) if field is not None else ("", "")
    parts: dict[str, Part] = {
        **_stated(labels, value, suffix),
        "points": plain_coded(points),
        "per": plain_number(item.per),
        "max": plain_number(item.max),
    }
    if field is not None:
        parts["label"] = label
        parts["unit"] = unit_of(labels, field)
    if item.rule == "direct":
        key = f"direct_{item.entry}"
        parts["lost"] = plain_coded(lost)
    elif item.kind == "penalty":
        key = "penalty_count" if item.rule == "count" else "penalty"
    else:
        key = item.rule
    if item.rule == "scale":
        parts["points"] = fixed_coded(points, rubric.precision)
        if item.target_field is not None:
            _, target_suffix = _note_field(labels, rubric, rubric.field(item.target_field))
            target = texts.value(item.target_field).take(positions)
            parts["target"] = target if not target_suffix else Coded(
                target.codes, _stated(labels, target, target_suffix)["value"].texts)
        else:
            parts["target"] = plain_number(item.target or 0.0) + suffix
    elif item.rule == "check":
        assert field is not None
        expected = (labels.expectations if rubric.schema == 1
                    else labels.percent_expectations_2 if is_percent(field)
                    else labels.expectations_2)
        parts["expectation"] = expected[item.op] + check_value_text(item.value, labels) + suffix
    elif item.rule == "share":
        assert failed is not None
        parts["failed"] = failed
        if key == "penalty":
            parts["label"] = labels.list_separator.join(
                rubric.field(field_id).header for field_id in item.fields
            )
    template = note_template(labels, rubric.schema, key)
    return render_coded(template, {k: v for k, v in parts.items() if "{" + k + "}" in template},
                        count)


def find_problems(rubric: Rubric, checklists: Checklists, scores: Scores,
                  ranking: pd.DataFrame) -> pd.DataFrame:
    """Every indicator that lost points, every penalty applied, every veto triggered.

    Columns as :data:`FINDING_COLUMNS`, then ``rectify`` (what the branch must
    do, "" where the rubric says nothing); rows in ranking order (excluded
    branches last), then rubric order (indicators, penalties, vetoes).
    ``points``, ``max`` and ``lost`` are empty (NaN) for a veto; an indicator
    that does not apply is no finding. A ``clauses`` item gives one finding per
    clause that cost points (``clause`` its number from 1, ``lost`` its cost);
    under schema 2 another item is a finding when it lost at least its
    ``problem_min_lost``. ``problem`` states each finding as a report does.
    """
    labels = labels_for(rubric.lang)
    texts = _BranchTexts(rubric, checklists, scores)
    ranked = ranking["position"].to_numpy(dtype=np.int64)

    def ranked_where(hit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Branches (positions, and their places in the ranking) where ``hit``, best first."""
        places = np.flatnonzero(hit[ranked])
        return ranked[places], places

    items = (*rubric.indicators, *rubric.penalties)
    chunks: list[dict[str, np.ndarray]] = []
    sources: list[tuple[str, str, float]] = []
    for item in items:
        points = scores.points[item.id].to_numpy(dtype=np.float64)
        if item.rule == "clauses":
            for number, clause in enumerate(item.clauses, start=1):
                cost = scores.clauses[clause_key(item.id, number)].to_numpy(dtype=np.float64)
                positions, places = ranked_where(cost > 0)
                chunks.append(_clause_chunk(item, number, clause, texts, labels, points, cost,
                                            positions, places))
                sources.append((item.kind, item.id, item.max))
            continue
        if item.kind == "indicator":
            lost = round_points(item.max - points, rubric.precision)
        else:
            lost = points
        if rubric.schema == 1:
            hit = lost > 0  # NaN (not applicable) compares False
        else:
            least = item.problem_min_lost
            least = rubric.problem_min_lost if least is None else least
            hit = (lost > 0) & (lost >= least - 1e-9)
        positions, places = ranked_where(hit)
        failed = None
        if item.rule == "share":
            shares, fails = texts.share(item)
            value, failed = shares.take(positions), fails.take(positions)
        else:
            assert item.field is not None
            value = texts.value(item.field).take(positions)
        note_codes, notes = _item_note(
            item, labels, texts, value, points[positions], positions, failed, lost[positions]
        )
        spoken = value if item.field is None else texts.spoken(
            item.field, texts.read_by(item)).take(positions)
        parts = _text_parts(item, labels, spoken, lost[positions], missing=failed)
        chunk = {
            "place": places.astype(np.int32),
            **_coded_part("value", value.compact().codes, value.compact().texts),
            "points": points[positions],
            "lost": lost[positions],
            "clause": np.zeros(len(positions), dtype=np.int32),
            **_coded_part("note", note_codes, notes),
            **_rendered("problem", item.problem or _default_problem(labels), parts,
                        len(positions)),
            **_rendered("rectify", item.rectify or "", parts, len(positions)),
        }
        chunks.append(chunk)
        sources.append((item.kind, item.id, item.max))
    for veto in rubric.vetoes:
        positions, places = ranked_where(scores.vetoes[veto.id].to_numpy(dtype=bool))
        if veto.action == "cap":
            note = labels.notes["veto"].format(title=veto.title, grade=veto.grade)
        else:
            note = labels.notes[f"veto_{veto.action}"].format(title=veto.title, label=veto.label)
        value = texts.value(veto.field).take(positions).compact()
        count = len(positions)
        chunks.append({
            "place": places.astype(np.int32),
            **_coded_part("value", value.codes, value.texts),
            "points": np.full(count, np.nan),
            "lost": np.full(count, np.nan),
            "clause": np.zeros(count, dtype=np.int32),
            **_coded_part("note", np.zeros(count, dtype=np.int64), np.array([note])),
            **_coded_part("problem", np.zeros(count, dtype=np.int64), np.array([veto.title])),
            **_rendered("rectify", veto.rectify or "", {"title": veto.title}, count),
        })
        sources.append(("veto", veto.id, np.nan))
    frame = pd.DataFrame(sources, columns=["kind", "item_id", "max"])
    # every field's codes can go before the chunks become columns
    del texts
    return _assemble(chunks, frame, ranking[BRANCH_ID])


def _default_problem(labels: Labels) -> str:
    return labels.notes["problem"]


def _text_parts(item: Item, labels: Labels, value: Coded, lost: np.ndarray,
                missing: Coded | None = None, short: Coded | None = None) -> dict[str, Part]:
    """What a problem or rectify text's placeholders stand for, per finding."""
    empty = Coded(np.zeros(len(lost), dtype=np.int32), np.array([""], dtype=object))
    return {
        "value": value,
        "lost": plain_coded(lost),
        "title": item.title,
        "missing": missing if missing is not None else empty,
        "short": short if short is not None else empty,
    }


def _rendered(name: str, template: str, parts: dict[str, Part],
              count: int) -> dict[str, np.ndarray]:
    """A text with placeholders, filled per finding, as a coded chunk column."""
    used = {key: value for key, value in parts.items() if "{" + key + "}" in template}
    codes, texts = render_coded(template, used, count)
    return _coded_part(name, codes, texts)


def _clause_chunk(item: Item, number: int, clause: Clause, texts: _BranchTexts, labels: Labels,
                  points: np.ndarray, cost: np.ndarray, positions: np.ndarray,
                  places: np.ndarray) -> dict[str, np.ndarray]:
    """The findings of one clause: the branches it cost points, with the problem in words."""
    count = len(positions)
    missing = short = spoken_short = None
    read = texts.read_by_clause(item, clause)
    if clause.shape in ("list", "any"):
        share, failed = texts.fields_share(clause.fields, read)
        value, missing = share.take(positions), failed.take(positions)
        spoken = value
    else:
        assert clause.field is not None
        value = texts.value(clause.field).take(positions)
        spoken = texts.spoken(clause.field, read).take(positions)
        if clause.shape == "shortfall":
            short = texts.shortfall(clause).take(positions)
            spoken_short = texts.spoken_short(clause, read).take(positions)
    lost = cost[positions]
    # the problem states one reading; the note, the arithmetic, each rater's values
    parts = _text_parts(item, labels, spoken, lost, missing=missing, short=spoken_short)
    field = texts.rubric.field(clause.field) if clause.field is not None else None
    label, suffix = _note_field(labels, texts.rubric, field) if field is not None else (
        labels.list_separator.join(texts.rubric.field(f).header for f in clause.fields), "")
    note_parts: dict[str, Part] = {
        **_text_parts(item, labels, value, lost, missing=missing, short=short),
        **_stated(labels, value, suffix), "points": plain_number(clause.points),
        "per": plain_number(clause.per), "below": plain_number(clause.below) + suffix,
        "label": label,
    }
    key = f"clause_{clause.shape}"
    if field is not None:
        note_parts["unit"] = unit_of(labels, field)
        if clause.shape == "shortfall" and is_percent(field):
            key = "clause_shortfall_percent"
    template = note_template(labels, texts.rubric.schema, key)
    if clause.cap is not None:
        template += note_template(labels, texts.rubric.schema, "clause_cap").replace(
            "{cap}", plain_number(clause.cap))
    note_codes, notes = render_coded(
        template, {k: v for k, v in note_parts.items() if "{" + k + "}" in template}, count)
    value = value.compact()
    return {
        "place": places.astype(np.int32),
        **_coded_part("value", value.codes, value.texts),
        "points": points[positions],
        "lost": lost,
        "clause": np.full(count, number, dtype=np.int32),
        **_coded_part("note", note_codes, notes),
        **_rendered("problem", clause.problem or _default_problem(labels), parts, count),
        **_rendered("rectify", clause.rectify or item.rectify or "", parts, count),
    }


def _assemble(chunks: list[dict[str, np.ndarray]], sources: pd.DataFrame,
              ranked_ids: pd.Series) -> pd.DataFrame:
    """One frame from the per-item (and per-clause) chunks, in ranking then rubric order.

    ``sources`` holds, per chunk, what is the same for all its rows (kind,
    item_id, max); they are looked up by chunk number rather than repeated.
    The chunks' arrays are consumed as the columns are built, so that a
    million branches never hold both at once.
    """
    sizes = [len(chunk["place"]) for chunk in chunks]
    # Each chunk is already in ranking order and the chunks are in rubric order,
    # so a stable sort by place in the ranking gives ranking-then-rubric order
    # (and merges the sorted runs rather than sorting from scratch).
    places = _take(chunks, "place", np.int32)
    order = np.argsort(places, kind="stable")
    chunk_of_row = np.repeat(np.arange(len(chunks), dtype=np.int32), sizes)[order]
    # Text columns are categoricals built from codes: a million branches give
    # millions of findings but only thousands of distinct values and notes, and
    # five million Python strings would cost a gigabyte and seconds to write.
    # Branch ids, distinct per branch, are taken from the ranking's Arrow strings.
    clause = _take(chunks, "clause", np.int32)[order]
    item_codes, item_ids = pd.factorize(sources["item_id"])
    columns = {
        "branch_id": text_taken(ranked_ids, places[order]),
        "kind": _repeated(sources["kind"].to_numpy(dtype=object), chunk_of_row),
        # several chunks (an item's clauses) share an item: one category each, rubric order
        "item_id": _coded(item_codes[chunk_of_row], item_ids.to_numpy(dtype=object)),
        "value": _stacked_coded(chunks, "value", order),
        "points": _take(chunks, "points", np.float64)[order],
        "max": sources["max"].to_numpy(dtype=np.float64)[chunk_of_row],
        "lost": _take(chunks, "lost", np.float64)[order],
        "note": _stacked_coded(chunks, "note", order),
        # a nullable integer: empty for an item without clauses
        "clause": pd.arrays.IntegerArray(clause, clause == 0),
        "problem": _stacked_coded(chunks, "problem", order),
        "rectify": _stacked_coded(chunks, "rectify", order),
    }
    return pd.DataFrame(columns, columns=[*FINDING_COLUMNS, "rectify"], copy=False)


def _take(chunks: list[dict[str, np.ndarray]], name: str, dtype: type) -> np.ndarray:
    """One array of every chunk, stacked, and dropped from the chunks."""
    parts = [chunk.pop(name) for chunk in chunks]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _coded_part(name: str, codes: np.ndarray, texts: np.ndarray) -> dict[str, np.ndarray]:
    """A chunk's text column as codes into its distinct texts."""
    return {f"{name}_codes": np.asarray(codes, dtype=np.int32),
            f"{name}_texts": np.asarray(texts, dtype=object)}


def _stacked_coded(chunks: list[dict[str, np.ndarray]], name: str,
                   order: np.ndarray) -> pd.Series:
    """The chunks' coded texts as one categorical column, rows taken in ``order``."""
    texts = [chunk.pop(f"{name}_texts") for chunk in chunks]
    if not texts:
        return _coded(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=object))
    offsets = np.cumsum([0, *(len(part) for part in texts[:-1])])
    codes = np.concatenate([chunk.pop(f"{name}_codes") + np.int32(offset)
                            for chunk, offset in zip(chunks, offsets, strict=True)])
    # the same text may stand in several chunks: one category each
    categories, inverse = np.unique(np.concatenate(texts).astype(str), return_inverse=True)
    return _coded(_small(inverse)[codes[order]], categories)


def _coded(codes: np.ndarray, texts: np.ndarray) -> pd.Series:
    """``texts[codes]`` for distinct ``texts``, as a categorical column."""
    dtype = pd.CategoricalDtype(pd.Index(texts.astype(str)))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype))


def _repeated(texts: np.ndarray, codes: np.ndarray) -> pd.Series:
    """``texts[codes]`` as a categorical, without hashing a text per row."""
    categories, inverse = np.unique(texts.astype(str), return_inverse=True)
    return _coded(_small(inverse)[codes], categories)


def _small(codes: np.ndarray) -> np.ndarray:
    """Codes in the smallest integer type that holds them: gathered for millions of
    rows, int64 codes would be four or eight times the categorical's own."""
    return codes.astype(np.min_scalar_type(max(int(codes.max(initial=0)), 1)))

"""The rubric as immutable values.

Only :mod:`inspect_score.rubric.loader` knows TOML; everything else works on
these frozen attrs classes. Numbers are floats (TOML ints are converted) so the
scorer never has to care which one a rubric author typed.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from typing import Literal

import attrs

FieldType = Literal["int", "number", "bool", "choice", "text"]
MissingPolicy = Literal["error", "zero", "na"]
RaterMethod = Literal["mean", "median", "trimmed_mean"]
RuleName = Literal["check", "scale", "deduct", "steps", "choice", "share", "count", "clauses",
                   "direct"]
Op = Literal[">=", ">", "<=", "<", "==", "!="]
ItemKind = Literal["indicator", "bonus", "penalty"]
Lang = Literal["zh", "en"]
#: schema 2: what a clause counts (see ``Clause``)
ClauseShape = Literal["fault", "count", "shortfall", "list", "any"]
#: schema 2: what an item scores where its ``applies_if`` does not hold
Otherwise = Literal["full", "na", "zero"]
#: schema 2: what a ``direct`` cell holds
Entry = Literal["points", "lost"]
#: schema 2: what a triggered veto does
VetoAction = Literal["cap", "zero", "exclude"]
QuotaRounding = Literal["down", "nearest", "up"]

RULES: tuple[RuleName, ...] = ("check", "scale", "deduct", "steps", "choice", "share", "count")
#: rules only schema 2 has
SCHEMA_2_RULES: tuple[RuleName, ...] = ("clauses", "direct")
OPS: tuple[Op, ...] = (">=", ">", "<=", "<", "==", "!=")
FIELD_TYPES: tuple[FieldType, ...] = ("int", "number", "bool", "choice", "text")

#: Checklist headers of the columns that are not fields (id, name, rater), in
#: English and in Chinese: no field may answer to one of them.
BRANCH_COLUMN_HEADERS = ("branch_id", "编号", "branch_name", "名称", "rater", "评分人")


def header_key(header: str) -> str:
    """How checklist headers are compared: NFKC (full-width brackets), no spaces
    around, any case. The rubric loader checks field labels by the same key the
    checklist loader matches headers by, so no header can name two columns."""
    return unicodedata.normalize("NFKC", header).strip().casefold()


#: A condition's right-hand side: a number, a bool (bool fields) or a choice.
CheckValue = float | bool | str


@attrs.frozen
class Field:
    """A column a checklist carries."""

    id: str
    type: FieldType
    label: str | None = None
    min: float | None = None
    max: float | None = None
    help: str | None = None
    choices: tuple[str, ...] = ()
    #: overrides ``Rubric.missing`` for this field when set
    missing: MissingPolicy | None = None
    #: schema 2: read, checked and shown, but scored by no rule ("党员人数")
    reference: bool = False
    line: int = 0

    @property
    def header(self) -> str:
        """What a person sees as this field's name."""
        return self.label or self.id


@attrs.frozen
class Section:
    id: str
    title: str
    max: float
    #: schema 2: the section this one sits in (defined earlier), or None at the top
    parent: str | None = None
    #: schema 2, top-level sections only: the section counts ``max * weight``
    weight: float = 1.0
    line: int = 0


@attrs.frozen
class Condition:
    """``field op value``; with several values (``is = ["a", "b"]``), any of them."""

    field: str
    op: Op
    values: tuple[CheckValue, ...]


@attrs.frozen
class Clause:
    """Schema 2: one fault of a ``clauses`` item and what it costs (or, in a bonus, gains).

    - ``fault``: ``points`` when ``condition`` holds;
    - ``count``: ``per * value`` of ``field``;
    - ``shortfall``: ``per * max(0, below - value)`` of ``field``;
    - ``list``: ``per *`` how many of the bool ``fields`` are false;
    - ``any``: ``points`` when at least one of the bool ``fields`` is true.

    ``cap`` bounds what the clause alone can cost. With ``applies_if`` the clause
    counts only on rows where that condition holds; elsewhere it costs nothing and
    does not apply (its own fields are not read).
    """

    shape: ClauseShape
    field: str | None = None
    fields: tuple[str, ...] = ()
    condition: Condition | None = None
    points: float = 0.0
    per: float = 0.0
    below: float = 0.0
    cap: float | None = None
    #: the problem in words, with {value}, {short}, {missing}, {lost}, {title}
    problem: str | None = None
    #: what the branch must do (整改要求)
    rectify: str | None = None
    #: the clause counts only where this holds
    applies_if: Condition | None = None
    line: int = 0

    @property
    def input_fields(self) -> tuple[str, ...]:
        """The fields the clause's shape reads (not its ``applies_if``'s)."""
        return (self.field,) if self.field is not None else self.fields


@attrs.frozen
class Item:
    """An indicator, bonus or penalty: one rule turning values into points.

    Only the parameters of ``rule`` are set; the others keep their defaults.
    """

    kind: ItemKind
    id: str
    title: str
    max: float
    rule: RuleName
    #: the field the rule reads; None for ``share``, which reads ``fields``
    field: str | None = None
    #: ``share``: the bool fields counted
    fields: tuple[str, ...] = ()
    #: indicators only
    section: str | None = None
    #: ``check``
    op: Op = "=="
    value: CheckValue = True
    #: ``scale``: a fixed target, or a field holding each branch's own target
    target: float | None = None
    target_field: str | None = None
    #: ``deduct`` and ``count``
    per: float = 0.0
    #: ``steps``: (threshold, points), thresholds strictly ascending
    steps: tuple[tuple[float, float], ...] = ()
    #: ``choice``: (choice, points) in the field's choice order
    points: tuple[tuple[str, float], ...] = ()
    note: str | None = None
    #: schema 2 ``clauses``: the faults, in rubric order
    clauses: tuple[Clause, ...] = ()
    #: schema 2 ``direct``: whether the cell holds the points given or taken off
    entry: Entry = "points"
    #: schema 2: the item scores only where this holds, ``otherwise`` elsewhere
    applies_if: Condition | None = None
    otherwise: Otherwise = "full"
    #: schema 2: indicators of one section sharing a group are alternatives
    group: str | None = None
    #: schema 2 texts: the problem (items without clauses), what to do, the bulletin's heading
    problem: str | None = None
    rectify: str | None = None
    headline: str | None = None
    #: schema 2: the least loss that is a finding (items without clauses); None:
    #: the rubric's
    problem_min_lost: float | None = None
    line: int = 0

    @property
    def input_fields(self) -> tuple[str, ...]:
        """Every field this item's rule reads, in a stable order (not ``applies_if``'s)."""
        if self.rule == "share":
            return self.fields
        if self.rule == "clauses":
            return tuple(dict.fromkeys(f for clause in self.clauses for f in clause.input_fields))
        names = [self.field] if self.field else []
        if self.target_field:
            names.append(self.target_field)
        return tuple(names)

    @property
    def condition_fields(self) -> tuple[str, ...]:
        """The fields deciding where the item, or one of its clauses, applies (its own
        ``applies_if``'s first): with :attr:`input_fields`, all its points depend on."""
        conditions = [self.applies_if, *(clause.applies_if for clause in self.clauses)]
        return tuple(dict.fromkeys(condition.field for condition in conditions
                                   if condition is not None))


@attrs.frozen
class Veto:
    """一票否决: when the condition holds, the grade is capped at ``grade``.

    Schema 2 ``action``: ``zero`` sets the total to 0 (the branch takes the last
    grade), ``exclude`` takes the branch out of the ranking with ``label`` as
    its grade; both have ``grade`` "".
    """

    id: str
    title: str
    field: str
    op: Op
    value: CheckValue
    grade: str
    action: VetoAction = "cap"
    label: str = ""
    rectify: str | None = None
    line: int = 0


@attrs.frozen
class Grade:
    name: str
    min: float
    #: at most floor(max_share * branches) branches get this grade
    max_share: float | None = None
    #: schema 2: at most this many branches get it (with max_share, the smaller)
    max_count: int | None = None
    #: schema 2: how share * branches becomes a count
    quota_rounding: QuotaRounding = "down"
    #: schema 2: at least this share / count of ranked branches get this grade or a worse one
    min_share: float | None = None
    min_count: int | None = None
    line: int = 0


@attrs.frozen
class Rubric:
    id: str
    title: str
    total: float
    fields: tuple[Field, ...]
    sections: tuple[Section, ...]
    indicators: tuple[Item, ...]
    grades: tuple[Grade, ...]
    bonuses: tuple[Item, ...] = ()
    penalties: tuple[Item, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    version: str | None = None
    lang: Lang = "zh"
    #: schema 2 without ``bonus_cap``: infinite, the bonuses add up uncapped
    bonus_cap: float = 0.0
    missing: MissingPolicy = "error"
    raters: RaterMethod = "mean"
    trim: int = 1
    precision: int = 2
    #: where the rubric was read from, and the sha256 of its bytes
    source: str = ""
    sha256: str = ""
    schema: int = 1
    #: schema 2 (default for every item without clauses): the least loss that is a finding
    problem_min_lost: float = 0.01
    #: schema 2, for documents: what was inspected, who issues, to whom
    subject: str | None = None
    issuer: str | None = None
    recipients: str | None = None

    @property
    def bonus_capped(self) -> bool:
        return math.isfinite(self.bonus_cap)

    @property
    def items(self) -> tuple[Item, ...]:
        """Indicators, then bonuses, then penalties: the order of outputs."""
        return self.indicators + self.bonuses + self.penalties

    @functools.cached_property
    def _fields_by_id(self) -> dict[str, Field]:
        # field() is asked once per item and rule: a scan of the fields each
        # time made a rubric of many thousand fields quadratic to check
        by_id: dict[str, Field] = {}
        for candidate in self.fields:
            by_id.setdefault(candidate.id, candidate)
        return by_id

    def field(self, field_id: str) -> Field:
        return self._fields_by_id[field_id]

    def missing_policy(self, field_id: str) -> MissingPolicy:
        return self.field(field_id).missing or self.missing

    def section_depth(self, section_id: str) -> int:
        """1 for a top-level section, 2 for one inside it, ..."""
        by_id = {section.id: section for section in self.sections}
        depth, parent = 1, by_id[section_id].parent
        while parent is not None:
            depth, parent = depth + 1, by_id[parent].parent
        return depth

    def grade_index(self, name: str) -> int:
        """Position of a grade, 0 being the best."""
        for index, grade in enumerate(self.grades):
            if grade.name == name:
                return index
        raise KeyError(name)


def indicator_slots(rubric: Rubric) -> list[list[Item]]:
    """The indicators as the slots of their sections: a group's alternatives together,
    every other indicator alone; in rubric order of first appearance."""
    slots: dict[tuple[str, str], list[Item]] = {}
    for item in rubric.indicators:
        key = (item.section or "", item.group) if item.group else ("", item.id)
        slots.setdefault(key, []).append(item)
    return list(slots.values())

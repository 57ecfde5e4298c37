"""The rubric as immutable values.

Only :mod:`inspect_score.rubric.loader` knows TOML; everything else works on
these frozen attrs classes. Numbers are floats (TOML ints are converted) so the
scorer never has to care which one a rubric author typed.
"""

from __future__ import annotations

from typing import Literal

import attrs

FieldType = Literal["int", "number", "bool", "choice", "text"]
MissingPolicy = Literal["error", "zero", "na"]
RaterMethod = Literal["mean", "median", "trimmed_mean"]
RuleName = Literal["check", "scale", "deduct", "steps", "choice", "share", "count"]
Op = Literal[">=", ">", "<=", "<", "==", "!="]
ItemKind = Literal["indicator", "bonus", "penalty"]
Lang = Literal["zh", "en"]

RULES: tuple[RuleName, ...] = ("check", "scale", "deduct", "steps", "choice", "share", "count")
OPS: tuple[Op, ...] = (">=", ">", "<=", "<", "==", "!=")
FIELD_TYPES: tuple[FieldType, ...] = ("int", "number", "bool", "choice", "text")

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
    line: int = 0


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
    line: int = 0

    @property
    def input_fields(self) -> tuple[str, ...]:
        """Every field this item reads, in a stable order."""
        if self.rule == "share":
            return self.fields
        names = [self.field] if self.field else []
        if self.target_field:
            names.append(self.target_field)
        return tuple(names)


@attrs.frozen
class Veto:
    """一票否决: when the condition holds, the grade is capped at ``grade``."""

    id: str
    title: str
    field: str
    op: Op
    value: CheckValue
    grade: str
    line: int = 0


@attrs.frozen
class Grade:
    name: str
    min: float
    #: at most floor(max_share * branches) branches get this grade
    max_share: float | None = None
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
    bonus_cap: float = 0.0
    missing: MissingPolicy = "error"
    raters: RaterMethod = "mean"
    trim: int = 1
    precision: int = 2
    #: where the rubric was read from, and the sha256 of its bytes
    source: str = ""
    sha256: str = ""

    @property
    def items(self) -> tuple[Item, ...]:
        """Indicators, then bonuses, then penalties: the order of outputs."""
        return self.indicators + self.bonuses + self.penalties

    def field(self, field_id: str) -> Field:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        raise KeyError(field_id)

    def missing_policy(self, field_id: str) -> MissingPolicy:
        return self.field(field_id).missing or self.missing

    def grade_index(self, name: str) -> int:
        """Position of a grade, 0 being the best."""
        for index, grade in enumerate(self.grades):
            if grade.name == name:
                return index
        raise KeyError(name)

"""The package's layers: each subpackage imports only from its own layer and below.

Stages flow rubric → checklists → scoring → outputs, then the three users'
features (self-check, tuning, follow-up; side by side, none importing another),
then the command line on top. ``errors`` and ``memory`` sit below everything,
over ``messages`` (the catalogs every layer speaks through).
The order is data here, so a module that reaches up a layer fails this test
rather than quietly turning the tree into a knot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "inspect_score"

#: Layers bottom to top; the packages of one layer may not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("messages",),
    ("errors", "memory"),
    ("rubric",),
    ("checklists",),
    ("scoring",),
    ("outputs",),
    ("selfcheck", "tuning", "followup"),
    ("cli",),
)
#: The package's own front door and ``python -m``: they may import anything.
ENTRY_POINTS = {"inspect_score", "inspect_score.__main__"}

LAYER_OF = {part: level for level, parts in enumerate(LAYERS) for part in parts}


def module_name(path: Path) -> str:
    parts = ("inspect_score", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path) -> set[str]:
    """Every ``inspect_score`` module ``path`` imports, at the top or inside a
    function (a lazy import is still a dependency)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    known = modules()
    return {name for name in names if name in known}


def part_of(module: str) -> str:
    """The subpackage (or base module) a module belongs to."""
    return module.split(".")[1]


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = [name for name in modules()
                if name not in ENTRY_POINTS and part_of(name) not in LAYER_OF]
    assert unplaced == [], "add these to LAYERS in tests/test_layers.py"


def reaching_up(module: str, targets: set[str]) -> list[str]:
    """The targets ``module`` may not import: above its layer, or beside it."""
    own = part_of(module)
    wrong = []
    for target in sorted(targets - ENTRY_POINTS):  # the package itself: its version only
        other = part_of(target)
        if LAYER_OF[other] > LAYER_OF[own] or (
            LAYER_OF[other] == LAYER_OF[own] and other != own
        ):
            wrong.append(target)
    return wrong


def cycles_of(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of ``graph`` meets, as the modules along it."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current trail, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target):], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


@pytest.mark.parametrize("module", sorted(set(modules()) - ENTRY_POINTS))
def test_no_module_imports_from_a_layer_above_or_beside_its_own(module: str) -> None:
    assert reaching_up(module, imported(modules()[module])) == []


def test_the_package_imports_nothing_but_its_version_from_its_front_door() -> None:
    """Modules take names from the module that defines them, not from
    ``inspect_score`` (which loads them lazily for the library's users)."""
    offenders = []
    for name, path in modules().items():
        if name in ENTRY_POINTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "inspect_score":
                extra = {alias.name for alias in node.names} - {"__version__"}
                if extra:
                    offenders.append((name, sorted(extra)))
    assert offenders == []


def test_no_two_modules_import_each_other_even_indirectly() -> None:
    graph = {name: imported(path) - ENTRY_POINTS for name, path in modules().items()
             if name not in ENTRY_POINTS}
    assert cycles_of(graph) == []


def test_a_module_reaching_up_or_sideways_is_caught() -> None:
    assert reaching_up("inspect_score.scoring.score", {"inspect_score.cli.support"}) == [
        "inspect_score.cli.support"]
    assert reaching_up("inspect_score.tuning.compare", {"inspect_score.followup.trend"}) == [
        "inspect_score.followup.trend"]
    assert reaching_up("inspect_score.cli.run", {"inspect_score.scoring.score",
                                                 "inspect_score.errors"}) == []


def test_a_cycle_is_caught() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles_of(graph) == [["a", "b", "c", "a"]]
    assert cycles_of({"a": {"b"}, "b": set()}) == []

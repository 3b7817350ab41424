"""The shape of the code (DESIGN.md §3): no import cycles between files, apps import downwards.

Every project module is parsed with ast, and every import counts: at the top of a file, inside a
function (a cycle hidden in a function-local import is still a cycle a reader has to untangle)
and under TYPE_CHECKING. Tests, migrations, the virtualenv and local state are not read.

The layers, lowest first, are LAYERS below: an app may import from itself and from apps below
it, never from an app above it. A top-level package not in LAYERS (a future `web/`, `deploy/`,
`manage.py`) counts as above them all.

One exception: config is both the settings layer (the lowest) and the root of the project that
wires every app together. Its URL root (`config/urls.py`), its Celery app (`config/celery.py`,
which finds every app's tasks) and its API exception handler (`config/api_errors.py`, which
renders every app's errors) may import anything; the rest of config imports nothing above it.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
NOT_CODE = {".venv", "var", "tests", "migrations", "node_modules", "locale", "static", "templates"}
# The layers are the project's apps in the order INSTALLED_APPS lists them (lowest first, as
# config/settings.py says), below config, the settings layer.
LAYERS = ["config"] + [
    app for app in settings.INSTALLED_APPS if "." not in app and (ROOT / app).is_dir()
]
MAY_IMPORT_ANYTHING = {"config.urls", "config.celery", "config.api_errors"}

# No cycle is known today: any that appears fails the tests below.
KNOWN_CYCLES: list[frozenset[str]] = []
# None known today: the demo (seed_demo, its stories) is the top layer (demo/).
KNOWN_UPWARD: set[tuple[str, str]] = set()

Edge = tuple[str, str, int]  # importing module, imported module, line


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every Python file of the project."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(part in NOT_CODE or part.startswith(".") for part in parts[:-1]):
            continue
        names = list(path.relative_to(root).with_suffix("").parts)
        if names[-1] == "__init__":
            names = names[:-1]
        if names:
            modules[".".join(names)] = path
    return modules


def imported_names(source: str, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Every name the module imports, absolute, with its line: `from a import b` gives a.b and a."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
            found.append((base, node.lineno))
    return found


def import_graph(modules: dict[str, Path]) -> list[Edge]:
    """Imports between project modules (a name resolves to the longest module it lies in)."""

    def resolve(name: str) -> str | None:
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    edges = set()
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        for name, line in imported_names(source, module, path.name == "__init__.py"):
            target = resolve(name)
            if target and target != module:
                edges.add((module, target, line))
    return sorted(edges)


def cycles(edges: list[Edge]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    graph = defaultdict(set)
    for source, target, _ in edges:
        graph[source].add(target)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(cycle: frozenset[str], edges: list[Edge], modules: dict[str, Path]) -> str:
    """The cycle's modules and the import lines that tie them together."""
    lines = [" <-> ".join(sorted(cycle))]
    for source, target, line in edges:
        if source in cycle and target in cycle:
            where = modules[source].relative_to(ROOT)
            lines.append(f"    {source} imports {target}  ({where}:{line})")
    return "\n".join(lines)


def layer(module: str) -> int:
    app = module.partition(".")[0]
    return LAYERS.index(app) if app in LAYERS else len(LAYERS)


# The tests -------------------------------------------------------------------------------


def test_no_import_cycles_between_files():
    modules = project_modules()
    edges = import_graph(modules)
    new = [cycle for cycle in cycles(edges) if cycle not in KNOWN_CYCLES]
    assert not new, "Import cycles between files:\n" + "\n".join(
        describe(cycle, edges, modules) for cycle in new
    )


def test_the_known_cycles_are_still_there():
    """An allowed cycle that is gone must leave KNOWN_CYCLES, so that it cannot come back."""
    found = cycles(import_graph(project_modules()))
    gone = [sorted(cycle) for cycle in KNOWN_CYCLES if cycle not in found]
    assert not gone, f"Fixed: delete these from KNOWN_CYCLES in {__file__}: {gone}"


def upward_imports(edges: list[Edge]) -> list[Edge]:
    return [
        (source, target, line)
        for source, target, line in edges
        if source not in MAY_IMPORT_ANYTHING and layer(source) < layer(target)
    ]


def test_apps_import_only_from_apps_below_them():
    modules = project_modules()
    upward = [
        f"{source} imports {target}  ({modules[source].relative_to(ROOT)}:{line}): "
        f"{source.partition('.')[0]} is below {target.partition('.')[0]}"
        for source, target, line in upward_imports(import_graph(modules))
        if (source, target) not in KNOWN_UPWARD
    ]
    assert not upward, "Imports from a higher layer (DESIGN.md §3):\n" + "\n".join(upward)


def test_the_known_upward_imports_are_still_there():
    found = {
        (source, target) for source, target, _ in upward_imports(import_graph(project_modules()))
    }
    gone = sorted(KNOWN_UPWARD - found)
    assert not gone, f"Fixed: delete these from KNOWN_UPWARD in {__file__}: {gone}"


def test_every_layer_is_an_app_of_the_project():
    modules = project_modules()
    assert [app for app in LAYERS if app not in modules] == []
    assert set(modules) >= MAY_IMPORT_ANYTHING


def test_tests_never_skip_over_a_missing_project_module():
    """`importorskip` of our own code would turn a broken import into a silent skip."""
    apps = {name.partition(".")[0] for name in project_modules()}
    skipping = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for match in re.finditer(r"importorskip\(\s*[\"']([\w.]+)", path.read_text()):
            if match.group(1).partition(".")[0] in apps:
                skipping.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert not skipping, skipping


# The checks above can fail: they find what they look for in code made up here -------------


def test_function_local_and_relative_imports_are_found():
    source = (
        "from . import models\n"
        "from .keys import KeyRing\n"
        "from ..agencies import services as agency_services\n"
        "def f():\n"
        "    from cases.services import transition_case\n"
        "    import workflows.flows\n"
    )
    names = {name for name, _ in imported_names(source, "security.fields", is_package=False)}
    assert {
        "security.models",
        "security.keys.KeyRing",
        "agencies.services",
        "cases.services.transition_case",
        "workflows.flows",
    } <= names


def test_a_cycle_is_found_and_described(tmp_path):
    for name, text in {
        "a/__init__.py": "",
        "a/one.py": "def f():\n    from a import two\n",
        "a/two.py": "from .three import x\n",
        "a/three.py": "import a.one\n",
        "a/four.py": "from a import one\n",
    }.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    edges = import_graph(project_modules(tmp_path))
    assert cycles(edges) == [frozenset({"a.one", "a.two", "a.three"})]
    assert ("a.one", "a.two", 2) in edges  # the function-local import, with its line

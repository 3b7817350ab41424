"""The security app's modules form a one-way stack: each imports only modules below it.

Every import counts, including function-local ones and those under TYPE_CHECKING: an import
hidden inside a function is still a cycle waiting for the next refactoring.
"""

import ast
from pathlib import Path

import pytest

SECURITY = Path(__file__).resolve().parents[2] / "security"

# Lowest first. A module may import only modules listed before it.
STACK = ["crypto", "reads", "keys", "models", "keyring", "fields", "blobs"]


def security_imports(module: str) -> set[str]:
    """Names of security modules imported anywhere in security/<module>.py."""
    tree = ast.parse((SECURITY / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
            elif node.module and node.module.startswith("security."):
                names = [node.module.split(".")[1]]
            elif node.module == "security":
                names = [a.name for a in node.names]
            else:
                names = []
            found.update(name.split(".")[0] for name in names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("security."))
    found.discard(module)
    return found


@pytest.mark.parametrize("module", STACK)
def test_each_core_module_imports_only_modules_below_it(module):
    below = set(STACK[: STACK.index(module)])
    upward = {name for name in security_imports(module) if name not in below}
    assert upward == set(), f"security.{module} imports {sorted(upward)} from above it"


def test_no_security_module_imports_in_a_cycle():
    modules = sorted(p.stem for p in SECURITY.glob("*.py") if p.stem != "__init__")
    graph = {m: security_imports(m) & set(modules) for m in modules}

    def reaches(start: str, target: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            for nxt in graph[current]:
                if nxt == target:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    cycles = [m for m in modules if reaches(m, m)]
    assert cycles == []

"""`make mutate`: mutmut over the rule modules, one module at a time, then the kill rates.

Each module's mutants run against that module's own tests only (tests/mutation_selection.py
has the table and the pytest plugin that narrows the run). Usage, from the project root:

    python -m scripts.mutate                  # every rule module, then the table
    python -m scripts.mutate cases.minors     # one module (or several)
    python -m scripts.mutate --report         # only the table of the last runs

Killed: a test failed under the mutant; timeout: the tests ran far longer than without it
(an endless loop: killed too); survived: every test passed. Survivors are listed to be
killed by a new test or explained in docs/mutation.md (`mutmut show NAME` shows the change).
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.mutation_selection import RULE_MODULES, module_of

MUTMUT = Path(sys.executable).with_name("mutmut")
STATUS = {0: "survived", 1: "killed", 3: "killed", 24: "timeout", -24: "timeout", 36: "timeout"}
STATUS |= {152: "timeout", 255: "timeout"}


def run(module: str) -> int:
    env = {**os.environ, "LOIVE_MUTANTS": module}
    mutants = RULE_MODULES[module].mutants(module)
    return subprocess.call([MUTMUT, "run", "--max-children", "1", *mutants], env=env)  # noqa: S603


def results() -> dict[str, dict[str, int | None]]:
    """Exit code of every rule mutant by module, from mutmut's records in mutants/."""
    by_module: dict[str, dict[str, int | None]] = {}
    for meta in Path("mutants").rglob("*.py.meta"):
        for mutant, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            module = module_of(mutant)
            if module and RULE_MODULES[module].covers(module, mutant):
                by_module.setdefault(module, {})[mutant] = code
    return by_module


def report(modules: list[str]) -> None:
    by_module = results()
    print(f"| {'module':<22} | mutants | killed | survived | timeout | other | rate |")
    print(f"|{'-' * 24}|---------|--------|----------|---------|-------|------|")
    survivors = []
    for module in modules:
        codes = by_module.get(module, {})
        tally = Counter(STATUS.get(code, "other") for code in codes.values())
        dead = tally["killed"] + tally["timeout"]
        tested = dead + tally["survived"]
        rate = f"{100 * dead / tested:.0f}%" if tested else "-"
        print(
            f"| {module:<22} | {len(codes):>7} | {tally['killed']:>6} | {tally['survived']:>8} "
            f"| {tally['timeout']:>7} | {tally['other']:>5} | {rate:>4} |"
        )
        survivors += sorted(name for name, code in codes.items() if code == 0)
    print("\nOther: not run, or no own test calls the function (mutmut's 'no tests').")
    for name in survivors:
        print(f"survived: {name}")


def main(argv: list[str]) -> int:
    only_report = "--report" in argv
    modules = [arg for arg in argv if arg != "--report"] or list(RULE_MODULES)
    unknown = set(modules) - set(RULE_MODULES)
    if unknown:
        print(f"Not a rule module: {', '.join(sorted(unknown))}; see tests/mutation_selection.py")
        return 2
    if not only_report:
        data_dir = Path(os.environ.get("LOIVE_DATA_DIR", "var")).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        test_db = data_dir / "mutate-test.sqlite3"
        os.environ.setdefault("LOIVE_TEST_DB_FILE", str(test_db))
        test_db.with_name(f"{test_db.name}.pristine").unlink(missing_ok=True)  # migrate afresh
        for module in modules:
            run(module)
    report(modules)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

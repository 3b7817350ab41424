"""Kill rate per module from mutmut's results (mutants/*.meta), after `make mutate`.

Killed: a test failed (or timed out) under the mutant. Survived: every test passed; each
survivor is listed, to be explained or killed by a new test (`mutmut show NAME`).
"""

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, 24, -24, 152, 255}


def main() -> int:
    metas = sorted(Path("mutants").rglob("*.py.meta"))
    if not metas:
        print("No mutmut results: run `make mutate` first.")
        return 1
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        checked = {name: code for name, code in codes.items() if code is not None}
        if not checked:
            continue
        tally = Counter(
            "killed" if c in KILLED else "survived" if c == 0 else "other" for c in checked.values()
        )
        tested = tally["killed"] + tally["survived"]
        rate = 100 * tally["killed"] / tested if tested else 0.0
        module = str(meta.relative_to("mutants"))[: -len(".meta")]
        print(
            f"{module}: {tally['killed']}/{tested} killed ({rate:.0f}%), "
            f"{len(codes) - len(checked)} not run, {tally['other']} without tests or skipped"
        )
        for name, code in sorted(checked.items()):
            if code == 0:
                print(f"    survived: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

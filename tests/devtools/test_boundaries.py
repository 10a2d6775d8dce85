"""Import rules between packages that import-linter's contracts cannot state.

The package-level rules (devtools imports no project code, bench never
imports tests) are contracts in pyproject.toml. These are finer, checked on
the sources' import statements (nothing is imported to check them):

* bench imports the project's internals only in bench/internals.py, the one
  place that says which it uses and why;
* nothing outside tests/ imports tests, scripts/ (no package) included.
"""

from __future__ import annotations

import ast
from pathlib import Path

from devtools.processes import ROOT
from tests.devtools.sources import first_party_packages, python_files

TOOLING = {"bench", "devtools", "tests"}


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every module `path` imports (relative ones as '.')."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else (node.module or "").split(".")[0])
    return names


def offenders(under: Path, forbidden: set[str]) -> dict[str, set[str]]:
    found = {}
    for path in python_files(under):
        if bad := imported_packages(path) & forbidden:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_bench_reaches_internals_only_through_bench_internals():
    internals = first_party_packages() - TOOLING
    found = offenders(ROOT / "bench", internals | {"tests"})
    assert found.pop("bench/internals.py", None), "bench/internals.py moved?"
    assert found == {}


def test_nothing_outside_tests_imports_tests():
    found = {
        name: bad
        for name, bad in offenders(ROOT, {"tests"}).items()
        if not name.startswith("tests/")
    }
    assert found == {}


def test_the_checks_see_imports():
    sample = ROOT / "bench" / "baselines" / "channels_groups.py"
    assert {"bench", "channels", "django"} <= imported_packages(sample)
    assert {"seats", "realtime", "wire"} & first_party_packages()

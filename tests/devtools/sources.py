"""The project's own Python sources, found on disk (nothing imported)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from devtools.processes import ROOT

SKIPPED = {".venv", "var", "staticfiles", "node_modules", "__pycache__"}


def first_party_packages() -> set[str]:
    """Top-level directories with an `__init__.py`: seats, realtime, bench, ..."""
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    }


def python_files(under: Path = ROOT) -> Iterator[Path]:
    """Every .py file below `under`, virtualenvs and build output left out."""
    for path in sorted(under.rglob("*.py")):
        if not SKIPPED & set(path.relative_to(ROOT).parts):
            yield path

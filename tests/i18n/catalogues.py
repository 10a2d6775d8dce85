"""Where the catalogues are and how they are made (docs/languages.md)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The command translators run (docs/languages.md), without its -l options.
MAKEMESSAGES = [
    "makemessages",
    "-d",
    "django",
    "--no-location",
    "--ignore=.venv",
    "--ignore=node_modules",
    "--ignore=tests",
    "--ignore=bench",
]
# Not part of the sources makemessages reads; left out of the temporary copy.
NOT_COPIED = {".git", ".venv", "var", "node_modules", "staticfiles", "docs"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{[^{}]*\}")


def po_path(language: str, root: Path = ROOT) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def mo_catalogue(path: Path) -> dict:
    with path.open("rb") as file:
        return gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]


def compiled(po: Path, into: Path) -> dict:
    """The catalogue msgfmt makes of `po` now."""
    mo = into / "django.mo"
    subprocess.run(
        [shutil.which("msgfmt") or "msgfmt", "--check", "-o", str(mo), str(po)],
        check=True,
        capture_output=True,
    )
    return mo_catalogue(mo)


def makemessages_copy(into: Path) -> Path:
    """The working tree copied to `into` with its catalogues brought up to
    date by makemessages there; the copy's root."""
    copy = into / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda folder, names: [
            n for n in names if n in NOT_COPIED or n.endswith(("_cache", ".pyc"))
        ],
    )
    languages = [arg for code in LANGUAGES for arg in ("-l", code)]
    subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES, *languages],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"SEATS_VAR_DIR": str(into / "var"), "PATH": "/usr/bin:/bin"},
    )
    return copy

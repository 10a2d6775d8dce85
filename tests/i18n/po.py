"""A reader for the .po catalogues the tests check (gettext's PO format as
makemessages writes it). Obsolete entries (`#~`) are comments to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")


@dataclass
class Entry:
    """One message: `msgstr` holds one text, or one per plural form."""

    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def unquote(literal: str) -> str:
    body = literal.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body)


def read(path: Path) -> list[Entry]:
    """Every entry of the file, the header (msgid "") first."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if started:
                finish()
            entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            keyword, index, literal = match.groups()
            if keyword in ("msgctxt", "msgid") and started and entry.msgstr:
                finish()
            started = True
            name = "msgstr" if keyword.startswith("msgstr") else keyword
            target = (name, int(index or 0))
            _append(entry, target, unquote(literal), fresh=True)
        elif line.startswith('"') and target is not None:
            _append(entry, target, unquote(line), fresh=False)
        else:
            raise ValueError(f"{path}: cannot read line {raw!r}")
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str, fresh: bool) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = ("" if fresh else entry.msgstr.get(index, "")) + text
    else:
        setattr(entry, name, ("" if fresh else getattr(entry, name) or "") + text)


def messages(path: Path) -> dict[tuple[str | None, str], Entry]:
    """The file's entries by (context, msgid), without the header."""
    return {e.key: e for e in read(path) if e.msgid}

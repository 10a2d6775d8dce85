"""A reader for .po files: enough of the format to check the committed catalogues."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _text(quoted: str) -> str:
    return ast.literal_eval(quoted)


def read_po(path: Path) -> list[Entry]:
    """Every entry of the file, the header (msgid "") included, in order."""
    entries: list[Entry] = []
    entry: Entry | None = None
    current: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            entry, current = None, None
            continue
        if entry is None:
            entry = Entry(obsolete=obsolete)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            current = match[1]
            value = _text(match[2])
        else:
            value = _text(line)  # a continuation of `current`
        if current == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif current == "msgid":
            entry.msgid += value
        elif current == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif current == "msgstr":
            entry.msgstr[0] = entry.msgstr.get(0, "") + value
        elif current and current.startswith("msgstr["):
            index = int(current[7:-1])
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
    return entries

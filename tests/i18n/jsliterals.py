"""The string literals of a JavaScript source, each with the call it is an argument of.

A small tokenizer: comments, regular expression literals and the three kinds of strings
(template literals with their `${...}` parts read as code in turn). For each literal it
reports the name of the innermost function call it sits in (`gettext` in
`gettext('Hold')`, `warn` in `console.warn('...')`), or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"[A-Za-z_$][\w$]*")
# After these a "/" starts a regular expression, not a division.
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^") | {""}
_KEYWORDS_BEFORE_REGEX = {"return", "typeof", "case", "in", "of", "delete", "void"}


@dataclass(frozen=True)
class Literal:
    text: str  # the literal's characters, `${...}` parts left out
    call: str | None  # the innermost call it is an argument of
    line: int
    template: bool  # a template literal
    has_expressions: bool  # a template literal with `${...}` parts


class _Reader:
    def __init__(self, source: str):
        self.src = source
        self.i = 0
        self.literals: list[Literal] = []

    def line(self) -> int:
        return self.src.count("\n", 0, self.i) + 1

    def code(self, stop_at_brace: bool = False) -> None:
        """Read code up to the end (or the `}` closing a template's `${`)."""
        calls: list[str | None] = []  # one per open bracket: the called name or None
        last = ""  # the last significant token, to tell regex from division
        src = self.src
        while self.i < len(src):
            c = src[self.i]
            if c.isspace():
                self.i += 1
            elif src.startswith("//", self.i):
                self.i = src.find("\n", self.i) % (len(src) + 1) or len(src)
            elif src.startswith("/*", self.i):
                self.i = src.index("*/", self.i) + 2
            elif c in "'\"":
                self.string(c, calls[-1] if calls else None)
                last = "str"
            elif c == "`":
                self.template(calls[-1] if calls else None)
                last = "str"
            elif c == "/" and (last in _BEFORE_REGEX or last in _KEYWORDS_BEFORE_REGEX):
                self.regex()
                last = "regex"
            elif c in "([{":
                calls.append(last if c == "(" and _NAME.fullmatch(last) else None)
                self.i += 1
                last = c
            elif c in ")]}":
                if c == "}" and stop_at_brace and not calls:
                    self.i += 1
                    return
                if calls:
                    calls.pop()
                self.i += 1
                last = ")" if c != "}" else "}"
            else:
                match = _NAME.match(src, self.i)
                if match:
                    last = match[0]
                    self.i = match.end()
                else:
                    last = c
                    self.i += 1

    def string(self, quote: str, call: str | None) -> None:
        start, line = self.i + 1, self.line()
        self.i += 1
        while self.src[self.i] != quote:
            self.i += 2 if self.src[self.i] == "\\" else 1
        self.literals.append(
            Literal(self.src[start : self.i], call, line, False, False)
        )
        self.i += 1

    def template(self, call: str | None) -> None:
        line = self.line()
        self.i += 1
        text: list[str] = []
        expressions = False
        while self.src[self.i] != "`":
            if self.src[self.i] == "\\":
                text.append(self.src[self.i : self.i + 2])
                self.i += 2
            elif self.src.startswith("${", self.i):
                expressions = True
                self.i += 2
                self.code(stop_at_brace=True)
                text.append(" ")
            else:
                text.append(self.src[self.i])
                self.i += 1
        self.i += 1
        self.literals.append(Literal("".join(text), call, line, True, expressions))

    def regex(self) -> None:
        self.i += 1
        in_class = False
        while True:
            c = self.src[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                break
            self.i += 1
        self.i += 1
        while self.i < len(self.src) and self.src[self.i].isalpha():  # flags
            self.i += 1


def literals(source: str) -> list[Literal]:
    """Every string literal of `source`, in order."""
    reader = _Reader(source)
    reader.code()
    return reader.literals

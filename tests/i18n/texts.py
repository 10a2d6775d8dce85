"""What a visitor reads on a page: its text nodes and the attribute texts
a screen reader or a tooltip shows, with whitespace collapsed."""

from __future__ import annotations

from html.parser import HTMLParser

READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
UNREAD_ELEMENTS = {"script", "style"}


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.unread = 0

    def handle_starttag(self, tag, attrs):
        if tag in UNREAD_ELEMENTS:
            self.unread += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._add(value)

    def handle_endtag(self, tag):
        if tag in UNREAD_ELEMENTS:
            self.unread -= 1

    def handle_data(self, data):
        if not self.unread:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return parser.texts


def letters(text: str) -> int:
    return sum(character.isalpha() for character in text)

"""Text -> units with exact offsets. Pure functions: offsets are computed here, once, where the text is split.

A unit is one line's content: every line break separates (a blank line and a single newline alike),
and leading whitespace, list markers and trailing whitespace stay outside the unit.
"""

from __future__ import annotations

import regex

from .types import Unit

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character that ends a line (Python's `str.splitlines` set): none of them ever reaches the model."""

_LINE = regex.compile(f"[^{LINE_BREAKS}]+")

# Bullets and list markers, only when followed by whitespace: "- item", "• item", "3. item", "(2) item", "b) item".
_BULLETS = "•◦▪▫‣⁃●○■□◆◇►▶➢➤✓✔·・\\-*–—+"
_SPACE = r"[\s\x1c-\x1f]"  # Python's str.isspace() set: regex's \s lacks the four separators \x1c-\x1f
_LEAD = regex.compile(rf"{_SPACE}*+(?:(?:[{_BULLETS}]|\d{{1,3}}[.)]|\(\d{{1,3}}\)|[a-z]\)){_SPACE}++)?+")

_LETTER = regex.compile(r"\p{L}")
_NOT_LANGUAGE = regex.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*|\S+@\S+\.\w+", regex.I)


def paragraph_units(text: str) -> list[Unit]:
    """Split `text` into line units, each trimmed of indentation, list markers and trailing space.

    >>> text = "Hola.\\r\\n\\r\\n  • Hello there  \\n"
    >>> [text[u.start:u.end] for u in paragraph_units(text)]
    ['Hola.', 'Hello there']
    """
    units: list[Unit] = []
    append = units.append
    lead = _LEAD.match
    for line in _LINE.finditer(text):
        start, end = line.span()
        body_start = lead(text, start, end).end()
        if body_start == end:
            continue
        body = text[body_start:end]
        trimmed = len(body.rstrip())
        if trimmed:
            append(Unit(body_start, body_start + trimmed))
    return units


def has_language(piece: str) -> bool:
    """Whether `piece` holds letters once URLs and e-mail addresses are set aside (else it is `und`).

    >>> has_language("12 345,00 €"), has_language("https://example.org/x"), has_language("Por Ana")
    (False, False, True)
    """
    if _LETTER.search(piece) is None:
        return False
    if "://" in piece or "www." in piece or "@" in piece:
        return _LETTER.search(_NOT_LANGUAGE.sub(" ", piece)) is not None
    return True


# A sentence ends at a terminator (with closing quotes or brackets) followed by whitespace, or at a
# full-width terminator, which needs none. The candidates are checked in `_ends_sentence`.
_TERMINATOR = regex.compile(rf"(?:[.!?…।॥۔؟]+[\"'”’»)\]]*(?={_SPACE})|[。！？]+[」』”’）)]*)")
_WORD_BEFORE = regex.compile(r"\S+$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr vs etc e.g i.e cf ca approx no nr vol fig pp p inc ltd co corp dept "
    "z.b bzw usw ggf evtl u.a d.h s sig sra sres av gen art núm pág ss dott sig.ra ing arq lic "
    "г гг т.е т.д др им ул стр".split()
)


def sentence_units(text: str, unit: Unit) -> list[Unit]:
    """Split one unit at sentence boundaries; abbreviations, initials and ordinals do not end sentences.

    >>> text = "Dr. Smith arrived at 3 p.m. today. ¿Dónde está? 東京に行きました。はい"
    >>> [text[u.start:u.end] for u in sentence_units(text, Unit(0, len(text)))]
    ['Dr. Smith arrived at 3 p.m. today.', '¿Dónde está?', '東京に行きました。', 'はい']
    """
    pieces: list[Unit] = []
    start = unit.start
    for match in _TERMINATOR.finditer(text, unit.start, unit.end):
        end = match.end()
        if end >= unit.end or not _ends_sentence(text, start, match.start(), end):
            continue
        next_start = end
        while next_start < unit.end and text[next_start].isspace():
            next_start += 1
        pieces.append(Unit(start, end))
        start = next_start
    pieces.append(Unit(start, unit.end))
    return pieces


def _ends_sentence(text: str, sentence_start: int, stop: int, end: int) -> bool:
    if text[stop] != ".":
        return True
    word = _WORD_BEFORE.search(text, max(sentence_start, stop - 32), stop)  # bounded: linear on huge lines
    if word is not None:
        before = word.group().lower().lstrip("(\"'“‘«")
        if len(before) == 1 or before in _ABBREVIATIONS or (before.isdigit() and len(before) <= 2):
            return False
    following = end
    while following < len(text) and text[following].isspace():
        following += 1
    return following < len(text) and not text[following].islower()

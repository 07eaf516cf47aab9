"""Text -> units with exact offsets, computed here, once, where the text is split. The functions read only
their text; the `add_` ones append its offsets to arrays the caller gives, so that a batch of documents
(or one of millions of lines) is kept as three arrays of numbers, not as an object per unit.

A unit is one line's content: every line break separates (a blank line and a single newline alike),
and leading whitespace, list markers and trailing whitespace stay outside the unit.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from functools import lru_cache

import regex

from .charclasses import category_classes
from .types import Unit

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character that ends a line (Python's `str.splitlines` set): none of them ever reaches the model."""

# The patterns that run over every character or every unit are the standard library's `re`, which scans
# about twice as fast as `regex` and costs less a call; the Unicode categories it lacks (letters,
# lowercase, uppercase) come as classes from `category_classes`.
_LINE = re.compile(f"[^{LINE_BREAKS}]+")

# Bullets and list markers, only when followed by whitespace: "- item", "• item", "3. item", "(2) item", "b) item".
_BULLETS = "•◦▪▫‣⁃●○■□◆◇►▶➢➤✓✔·・\\-*–—+"
_SPACE = r"\s"  # in re, Python's str.isspace() set, the separators \x1c-\x1f included (regex's \s lacks them)
_LEAD = re.compile(rf"{_SPACE}*(?:(?:[{_BULLETS}]|\d{{1,3}}[.)]|\(\d{{1,3}}\)|[a-z]\)){_SPACE}+)?")

_LETTERS, _LOWERCASE, _UPPERCASE = category_classes("L", "Ll", "Lu")
_LETTER = re.compile(f"[{_LETTERS}]")
_NOT_LANGUAGE = regex.compile(  # only for the few units with "://", "www." or "@"
    r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*|\S+@\S+\.\w+", regex.I)


def paragraph_units(text: str) -> list[Unit]:
    """Split `text` into line units, each trimmed of indentation, list markers and trailing space.

    >>> text = "Hola.\\r\\n\\r\\n  • Hello there  \\n"
    >>> [text[u.start:u.end] for u in paragraph_units(text)]
    ['Hola.', 'Hello there']
    """
    starts, ends = array("q"), array("q")
    add_lines(text, starts, ends)
    return [Unit(start, end) for start, end in zip(starts, ends)]


def add_lines(text: str, starts: array, ends: array) -> None:
    """Append where each of `paragraph_units` starts and ends to `starts` and `ends` (arrays of "q"): a
    long document's millions of lines keep no Python object each, and a batch of short ones fills the
    same two arrays."""
    add_start, add_end = starts.append, ends.append
    lead = _LEAD.match
    for line in _LINE.finditer(text):
        start, end = line.span()
        body_start = lead(text, start, end).end()
        if body_start == end:
            continue
        trimmed = len(text[body_start:end].rstrip())
        if trimmed:
            add_start(body_start)
            add_end(body_start + trimmed)


def letter_count(text: str) -> int:
    """How many letters (Unicode category L) `text` holds.

    >>> letter_count("über 2 Brücken!")
    11
    """
    return len(_LETTER.findall(text))


def has_letters(text: str, count: int) -> bool:
    """Whether `text` holds at least `count` letters (reading only as far as the count-th).

    >>> has_letters("über 2 Brücken!", 11), has_letters("über 2 Brücken!", 12)
    (True, False)
    """
    return count <= 0 or _letters_pattern(count).search(text) is not None


@lru_cache(maxsize=8)
def _letters_pattern(count: int) -> re.Pattern[str]:
    return re.compile(f"[{_LETTERS}](?:[^{_LETTERS}]*[{_LETTERS}]){{{count - 1}}}")


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
# full-width CJK terminator, which needs none. Terminators: . ! ? … ‼ ⁇ ⁈ ⁉, the Devanagari dandas, the
# Urdu full stop, the Arabic question mark, the Armenian full stop, the Ethiopic full stop and question
# mark, the Myanmar and Khmer full stops and the Greek question mark. A full stop after an initial, a
# one- or two-digit number (an ordinal, a day) or a known abbreviation does not end a sentence, nor one
# followed by a lowercase letter. All of it is one regular expression: no Python runs per candidate.
_ABBREVIATIONS = (
    "mr mrs ms dr prof st sr jr vs etc e.g i.e cf ca approx no nr vol fig pp inc ltd co corp dept "
    "z.b bzw usw ggf evtl u.a d.h sig sra sres av gen art núm pág ss dott ing arq lic "
    "г гг т.е т.д др им ул стр"
).split()
_TERMINATORS = "!?…‼⁇⁈⁉।॥۔؟։።፧။។\u037e"  # besides the full stop; whitespace must follow
_CJK_TERMINATORS = "。！？"
_CLOSERS = "[\"'”’»)\\]]*"


def _not_after_full_stop() -> str:
    """Look-behinds, after a full stop, that fail where it follows an initial, a one- or two-digit number or
    an abbreviation standing as a word. `re` looks behind a fixed width only: one look-behind per width."""
    by_width: dict[int, list[str]] = {1: [f"[{_LETTERS}]", r"\d"], 2: [r"\d\d"]}
    for abbreviation in _ABBREVIATIONS:
        by_width.setdefault(len(abbreviation), []).append(re.escape(abbreviation))
    words = (f"(?i:{'|'.join(alternatives)})\\." for _width, alternatives in sorted(by_width.items()))
    return "".join(f"(?<!(?<![^\\s(\"'“‘«]){word})" for word in words)  # after a space, or at the start


# One class of terminators first, so that re skips to them (2.4x faster than `regex` on the dev set).
_SENTENCE_END = re.compile(
    rf"""[.{_TERMINATORS}{_CJK_TERMINATORS}](?:
        (?<=\.){_not_after_full_stop()}\.*{_CLOSERS}(?={_SPACE}++(?![{_LOWERCASE}])\S)
      | (?<=[{_TERMINATORS}])[{_TERMINATORS}]*{_CLOSERS}(?={_SPACE})
      | (?<=[{_CJK_TERMINATORS}])[{_CJK_TERMINATORS}]*[」』”’）)]*
    )""",
    re.VERBOSE,
)
_SPACES = re.compile(f"{_SPACE}*")


def sentence_units(text: str, unit: Unit) -> list[Unit]:
    """Split one unit at sentence boundaries; abbreviations, initials and ordinals do not end sentences.

    >>> text = "Dr. Smith arrived at 3 p.m. today. ¿Dónde está? 東京に行きました。はい"
    >>> [text[u.start:u.end] for u in sentence_units(text, Unit(0, len(text)))]
    ['Dr. Smith arrived at 3 p.m. today.', '¿Dónde está?', '東京に行きました。', 'はい']
    """
    stops = [match.end() for match in _SENTENCE_END.finditer(text, unit.start, unit.end)]
    starts, ends = array("q"), array("q")
    _cut(text, unit.start, unit.end, stops[:bisect_left(stops, unit.end)], starts, ends)
    return [Unit(start, end) for start, end in zip(starts, ends)]


def document_units(text: str) -> tuple[list[Unit], list[int]]:
    """The sentence units of every non-blank line of `text`, with the number of that line among them.

    The units every document is scored by: `sentence_units` of each of its `paragraph_units` (see
    `add_units`, which gives the same as offsets).

    >>> text = "• Hola. Adiós.\\n\\nHello."
    >>> units, lines = document_units(text)
    >>> [text[u.start:u.end] for u in units], lines
    (['Hola.', 'Adiós.', 'Hello.'], [0, 0, 1])
    """
    starts, ends, lines = array("q"), array("q"), array("q")
    add_units(text, starts, ends, lines)
    return [Unit(start, end) for start, end in zip(starts, ends)], lines.tolist()


def add_units(text: str, starts: array, ends: array, lines: array) -> None:
    """Append where each of `document_units` starts and ends, and the number of its line, to the three
    arrays (of "q"): a document of millions of lines holds no Python object per unit, and a batch of
    documents fills the same three arrays. The sentence ends come from one scan of the whole text rather
    than one per line."""
    sentence_ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    line_starts, line_ends = array("q"), array("q")
    add_lines(text, line_starts, line_ends)
    inside = 0
    for number, (start, end) in enumerate(zip(line_starts, line_ends)):
        first = bisect_right(sentence_ends, start, inside)
        inside = bisect_left(sentence_ends, end, first)
        if inside == first:  # no sentence ends inside the line: the common case
            starts.append(start)
            ends.append(end)
            lines.append(number)
            continue
        cut = len(starts)
        _cut(text, start, end, sentence_ends[first:inside], starts, ends)
        lines.extend([number] * (len(starts) - cut))


def _cut(text: str, start: int, end: int, stops: list[int], starts: array, ends: array) -> None:
    """Append to `starts` and `ends` the pieces of `text[start:end]` cut after each of `stops` (sentence ends
    inside it); the space after a sentence's end belongs to neither."""
    spaces = _SPACES.match
    for stop in stops:
        starts.append(start)
        ends.append(stop)
        start = spaces(text, stop, end).end()
    starts.append(start)
    ends.append(end)


_NAME_LIKE = re.compile(rf"(?<=\s)[{_UPPERCASE}][{_LOWERCASE}]+(?:[-'][{_UPPERCASE}]?[{_LOWERCASE}]+)*(?=\s|$)")


_NAME_OR_NUMBER = regex.compile(r"\p{Lu}|\S*\d")


def content_words(text: str, keep_first: bool = False) -> str:
    """`text` without its capitalised words (the first kept with `keep_first`: a sentence's first word)
    and its words holding a digit: names, acronyms, titles and dates say little of a language.

    >>> content_words("The Willow and"), content_words("Das Meeting ist um 3 Uhr", keep_first=True)
    ('and', 'Das ist um')
    """
    return " ".join(word for number, word in enumerate(text.split())
                    if (keep_first and number == 0) or not _NAME_OR_NUMBER.match(word))


def without_names(piece: str, max_words: int = 6) -> str:
    """A short unit's text with its capitalised words after the first one left out, for the model only.

    In a byline or a menu item the names say nothing of the language around them ("Por Isabella
    Nguyen" is Spanish whatever "Nguyen" suggests); longer units keep every word.

    >>> without_names("Por Isabella Nguyen"), without_names("Mis acciones"), without_names("Isabella")
    ('Por', 'Mis acciones', 'Isabella')
    """
    if piece.count(" ") >= max_words:
        return piece
    kept = " ".join(_NAME_LIKE.sub("", piece).split())
    return kept if kept and kept != piece else piece  # the piece itself when nothing changed: no copy kept

"""Units: every line separates, markers and whitespace stay outside, offsets index the exact input."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from langseg.types import Unit
from langseg.units import (
    content_words,
    _ABBREVIATIONS,
    _NAME_LIKE,
    _SENTENCE_END,
    LINE_BREAKS,
    document_units,
    has_language,
    has_letters,
    letter_count,
    paragraph_units,
    sentence_units,
)


def unit_texts(text: str) -> list[str]:
    return [text[u.start:u.end] for u in paragraph_units(text)]


@pytest.mark.parametrize(
    ("layout", "text"),
    [
        ("blank lines", "Primera línea.\n\nSecond line."),
        ("single newline", "Primera línea.\nSecond line."),
        ("CRLF", "Primera línea.\r\n\r\nSecond line.\r\n"),
        ("three newlines", "Primera línea.\n\n\nSecond line."),
        ("line of one space", "Primera línea.\n \nSecond line."),
        ("bullets", "• Primera línea.\n• Second line."),
        ("dash and star", "- Primera línea.\n* Second line."),
        ("middle dot", "· Primera línea.\n· Second line."),
        ("indented bullet", "  • Primera línea.\n  • Second line."),
        ("tab indent", "\tPrimera línea.\n\tSecond line.   "),
        ("numbered", "1. Primera línea.\n2) Second line."),
        ("unicode line separator", "Primera línea.\u2028Second line."),
    ],
)
def test_layouts_give_the_same_units(layout: str, text: str) -> None:
    assert unit_texts(text) == ["Primera línea.", "Second line."], layout


def test_marker_needs_a_space_after_it() -> None:
    assert unit_texts("-5 degrees tonight\n*important*") == ["-5 degrees tonight", "*important*"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Weber kam um 3 Uhr. Then the meeting began.", ["Dr. Weber kam um 3 Uhr.", "Then the meeting began."]),
        ("Il est arrivé le 3. Mars est loin.", ["Il est arrivé le 3. Mars est loin."]),
        ("J. R. Smith wrote it. Ella lo leyó ayer.", ["J. R. Smith wrote it.", "Ella lo leyó ayer."]),
        ("The value is 3.5 today. ¿Y mañana?", ["The value is 3.5 today.", "¿Y mañana?"]),
        ("Он пришёл домой. Потом он уснул.", ["Он пришёл домой.", "Потом он уснул."]),
        ("यह एक वाक्य है। यह दूसरा है।", ["यह एक वाक्य है।", "यह दूसरा है।"]),
        ("我们走吧。He agreed at once.", ["我们走吧。", "He agreed at once."]),
        ("هل أنت بخير؟ نعم.", ["هل أنت بخير؟", "نعم."]),
        ("He said \"stop.\" She stopped.", ["He said \"stop.\"", "She stopped."]),
        ("etc. and so on", ["etc. and so on"]),
        ("Այսօր եղանակը լավ է։ Завтра будет дождь.", ["Այսօր եղանակը լավ է։", "Завтра будет дождь."]),
        ("ዛሬ ጥሩ ቀን ነው። Tomorrow it will rain.", ["ዛሬ ጥሩ ቀን ነው።", "Tomorrow it will rain."]),
        ("ဒီနေ့ ရာသီဥတု ကောင်းတယ်။ Tomorrow it rains.", ["ဒီနေ့ ရာသီဥတု ကောင်းတယ်။", "Tomorrow it rains."]),
        ("ថ្ងៃនេះ អាកាសធាតុល្អ។ Tomorrow it rains.", ["ថ្ងៃនេះ អាកាសធាតុល្អ។", "Tomorrow it rains."]),
        ("Τι ώρα είναι\u037e Είναι αργά.", ["Τι ώρα είναι\u037e", "Είναι αργά."]),
        ("Really‼ Yes.", ["Really‼", "Yes."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    pieces = sentence_units(text, Unit(0, len(text)))
    assert [text[u.start:u.end] for u in pieces] == expected


# The sentence-end rule written plainly, with Unicode property classes: the pattern langseg runs (in the
# standard library's engine, without them) must find exactly its ends.
_READABLE_NOT_AN_END = "|".join([r"\p{L}", r"\d{1,2}"] + [regex.escape(a) for a in _ABBREVIATIONS])
_READABLE_SENTENCE_END = regex.compile(
    rf"""(?<!(?:^|[\s\x1c-\x1f(\"'“‘«])(?i:{_READABLE_NOT_AN_END}))\.+[\"'”’»)\]]*(?=[\s\x1c-\x1f]++(?!\p{{Ll}})\S)
       | [!?…‼⁇⁈⁉।॥۔؟։።፧။។\u037e]+[\"'”’»)\]]*(?=[\s\x1c-\x1f])
       | [。！？]+[」』”’）)]*""",
    regex.VERBOSE,
)


def _alike(character: str) -> bool:
    """Whether both engines take `character` alike for a digit (their Unicode versions differ on newer ones)."""
    return bool(re.match(r"\d", character)) == bool(regex.match(r"\d", character))


_words = st.sampled_from(
    ["a", "B", "é", "я", "Ⅻ", "½", "7", "42", "٣", "日本", "word", "Word", "слово", "Слово", "ωμέγα", "ǅemal", "ªb",
     "ʰa", "ßa", "𞤢𞤣", "Dr", "dr", "e.g", "Z.B", "т.е", "СТР", "núm", "etc", "(word", "«word", "\"Word", "Jean-Luc",
     "O'Neil", "Ana-", "Ñandú"]
) | st.text(st.characters(codec="utf-8").filter(_alike), max_size=3)
_ends = st.sampled_from(["", "", ".", ".", "..", "!", "?!", "…", "。", "！", "।", "\u037e", ".\"", ".»", ".)", "。」"])
_gaps = st.sampled_from([" ", " ", "", "  ", "\n", "\x1c", "\xa0", "\t"])
sentence_texts = st.lists(st.tuples(_words, _ends, _gaps).map("".join), max_size=12).map("".join)


@settings(max_examples=400)
@given(sentence_texts, st.integers(0, 200), st.integers(0, 200))
@example("Dr. Smith came. Then he left.", 0, 200)
@example("Dr. Smith came.\x1cMr. Jones left.", 0, 200)
def test_the_sentence_ends_are_those_of_the_readable_rule(text: str, start: int, end: int) -> None:
    start, end = sorted((min(start, len(text)), min(end, len(text))))
    found = [match.end() for match in _SENTENCE_END.finditer(text, start, end)]
    assert found == [match.end() for match in _READABLE_SENTENCE_END.finditer(text, start, end)]


_READABLE_NAME_LIKE = regex.compile(r"(?<=[\s\x1c-\x1f])\p{Lu}\p{Ll}+(?:[-']\p{Lu}?\p{Ll}+)*(?=[\s\x1c-\x1f]|$)")


@given(sentence_texts)
@example("Por Ana O'Neil y Jean-Luc Pérez")
def test_the_names_left_out_are_those_of_the_readable_rule(text: str) -> None:
    assert [m.span() for m in _NAME_LIKE.finditer(text)] == [m.span() for m in _READABLE_NAME_LIKE.finditer(text)]


@pytest.mark.parametrize(
    ("piece", "expected"),
    [("12 345,00", False), ("https://example.org/a?b=c", False), ("me@example.org", False),
     ("—", False), ("Por Ana", True), ("東京", True), ("see https://x.org now", True)],
)
def test_has_language(piece: str, expected: bool) -> None:
    assert has_language(piece) is expected


texts = st.lists(
    st.sampled_from(list("ab é日\t •-*·.!?。1") + list(LINE_BREAKS) + ["\r\n", "\u200b", "  ", "Dr. ", "3. "]),
    max_size=80,
).map("".join)


@given(texts)
def test_units_are_ordered_disjoint_trimmed_and_single_line(text: str) -> None:
    units = paragraph_units(text)
    previous_end = 0
    for unit in units:
        piece = text[unit.start:unit.end]
        assert previous_end <= unit.start < unit.end <= len(text)
        assert piece == piece.strip() and piece
        assert not any(brk in piece for brk in LINE_BREAKS)
        previous_end = unit.end


@given(st.text(max_size=300))
def test_units_on_any_text(text: str) -> None:
    for unit in paragraph_units(text):
        piece = text[unit.start:unit.end]
        assert piece and not piece[0].isspace() and not piece[-1].isspace()
        assert not any(brk in piece for brk in LINE_BREAKS)


@given(texts)
def test_sentences_tile_their_unit(text: str) -> None:
    for unit in paragraph_units(text):
        pieces = sentence_units(text, unit)
        assert pieces[0].start == unit.start and pieces[-1].end == unit.end
        for before, after in zip(pieces, pieces[1:]):
            assert before.end <= after.start
            assert text[before.end:after.start].strip() == ""
        for piece in pieces:
            assert text[piece.start:piece.end].strip() == text[piece.start:piece.end]


@given(texts)
def test_document_units_are_the_sentences_of_the_lines(text: str) -> None:
    units, lines = document_units(text)
    expected = [s for line in paragraph_units(text) for s in sentence_units(text, line)]
    assert units == expected
    assert lines == sorted(lines)


@given(st.text(st.sampled_from("aé 1,\nЖ中ـ"), max_size=40), st.integers(0, 25))
def test_has_letters_agrees_with_counting_every_letter(text: str, count: int) -> None:
    assert has_letters(text, count) == (letter_count(text) >= count)


@pytest.mark.parametrize("text, keep_first, kept", [
    ("The Willow and", False, "and"),
    ("Das Meeting ist um 3 Uhr", True, "Das ist um"),
    ("1 December 1979 i Umeå.", False, "i"),
    ("Θεοδόσιος Α ο μέγας", False, "ο μέγας"),
    ("в Москве и Санкт-Петербурге", False, "в и"),
    ("ben de öyle yapıyorum ich", False, "ben de öyle yapıyorum ich"),
    ("قال محمد إن الاجتماع 2024", False, "قال محمد إن الاجتماع"),  # a script without case keeps words
    ("CSRF cookie,", False, "cookie,"),
])
def test_content_words_leave_out_capitalised_words_and_numbers(text: str, keep_first: bool, kept: str) -> None:
    assert content_words(text, keep_first) == kept

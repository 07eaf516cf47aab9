"""Latin and Cyrillic lookalike letters typed for each other, put back for the model. Pure.

Web text in Ukrainian, Belarusian, Kazakh or Macedonian often carries Latin letters in Cyrillic words
("декiлька" with a Latin i, "Историja" with a Latin j), typed on the wrong keyboard layout or left by an
old encoding; the reverse happens in Latin-script text (a Cyrillic "о" in Azerbaijani "çоxsaylı").
fastText reads such a word as noise, or as another language. Only the model's input changes, letter for
letter, so every offset stays the text's own.
"""

from __future__ import annotations

import re

import regex

# Lowercase and capital letters that look alike in the two scripts (Cyrillic і and ј are Ukrainian,
# Belarusian, Kazakh, Serbian and Macedonian letters; Latin s, m and the like have no Cyrillic twin).
_PAIRS = "aа cс eе iі jј kк oо pр xх yу AА BВ CС EЕ HН IІ JЈ KК MМ OО PР TТ XХ YУ".split()
_TO_CYRILLIC = str.maketrans({pair[0]: pair[1] for pair in _PAIRS})
_TO_LATIN = str.maketrans({pair[1]: pair[0] for pair in _PAIRS})

_CYRILLIC = "\u0400-\u052f"
_LATIN = "A-Za-z\u00c0-\u024f"
# What a unit needs for a repair to be possible: the two scripts touching inside a word, or a lone
# lookalike letter standing as a word between Cyrillic ones (Ukrainian "i", Russian "a" or "c").
_SUSPECT = re.compile(
    rf"[{_CYRILLIC}][{_LATIN}]|[{_LATIN}][{_CYRILLIC}]"
    rf"|[{_CYRILLIC}][ ,]+[aciokpxyACEHIKMOPTXY](?= +[{_CYRILLIC}])"
)
_ANY_CYRILLIC = re.compile(f"[{_CYRILLIC}]")
_ANY_LATIN = re.compile(f"[{_LATIN}]")
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_CYRILLIC_LETTER = regex.compile(r"\p{Cyrillic}")
_LATIN_LETTER = regex.compile(r"\p{Latin}")


def repair_homoglyphs(text: str) -> str:
    """`text` with the lookalike letters of each mixed-script word put in the word's own script.

    A word's script is the one most of its letters are in (on a tie, the text's); a one-letter Latin
    lookalike word among Cyrillic text becomes Cyrillic. The result has the same length as `text`.

    >>> repair_homoglyphs("Кругом його декiлька iнших шатер i Koфман")
    'Кругом його декілька інших шатер і Кофман'
    >>> repair_homoglyphs("aid оlan çоxsaylı daş"), repair_homoglyphs("Windows 11 и iPhone")
    ('aid olan çoxsaylı daş', 'Windows 11 и iPhone')
    """
    if (text.isascii() or _ANY_CYRILLIC.search(text) is None or _ANY_LATIN.search(text) is None
            or _SUSPECT.search(text) is None):
        return text  # the common cases, each test faster than the next
    cyrillic_text = len(_CYRILLIC_LETTER.findall(text)) >= len(_LATIN_LETTER.findall(text))

    def repaired(word: regex.Match[str]) -> str:
        letters = word.group()
        cyrillic = len(_CYRILLIC_LETTER.findall(letters))
        latin = len(_LATIN_LETTER.findall(letters))
        if cyrillic and latin:
            to_cyrillic = cyrillic > latin or (cyrillic == latin and cyrillic_text)
            return letters.translate(_TO_CYRILLIC if to_cyrillic else _TO_LATIN)
        if latin and len(letters) == 1 and cyrillic_text:
            return letters.translate(_TO_CYRILLIC)
        return letters

    return _WORD.sub(repaired, text)

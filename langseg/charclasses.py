"""Unicode general categories as character classes for the standard library's `re`, which has no property
classes: the patterns that run over every unit are cheaper in `re` (it skips ahead to a pattern's first
class and costs less per call) than in `regex`, and these classes keep them exact."""

from __future__ import annotations

import re
import sys
from array import array

import regex

_LETTERS_END = 0x40000
"""No letter lies at or beyond this code point: planes 4 to 13 are unassigned, 14 holds tags and variation
selectors, 15 and 16 are for private use."""


def category_classes(*categories: str) -> tuple[str, ...]:
    """For each of `categories` (as `regex` names them: "L", "Ll", "Lu"), the body of a character class
    that `re` reads as that category, as ranges ("a-zµß-öø-ÿ…" for "Ll"). A few milliseconds each, once per
    process.

    >>> lowercase, = category_classes("Ll")
    >>> [bool(re.fullmatch(f"[{lowercase}]", c)) for c in "aßяωA1"]
    [True, True, True, True, False, False]
    """
    codes = array("I", range(0xD800))  # every code point a str can hold, surrogates aside
    codes.extend(range(0xE000, _LETTERS_END))
    every = codes.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")
    return tuple("".join(_as_range(run.group()) for run in regex.finditer(rf"\p{{{category}}}+", every))
                 for category in categories)


def _as_range(run: str) -> str:
    """A run of consecutive code points as a class's range ("a-z"), or one escaped character."""
    return re.escape(run) if len(run) == 1 else f"{re.escape(run[0])}-{re.escape(run[-1])}"

"""Unicode properties as runs of code points: character classes for the standard library's `re`, which has
no property classes (the patterns that run over every unit are cheaper there than in `regex`: it skips
ahead to a pattern's first class and costs less per call), and the code-point table of scripts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np
import regex

CODE_POINTS = 0x110000

_LETTERS_END = 0x40000
"""No letter lies at or beyond this code point: planes 4 to 13 are unassigned, 14 holds tags and variation
selectors, 15 and 16 are for private use."""


def property_runs(properties: Sequence[str], end: int = CODE_POINTS) -> Iterator[tuple[int, int, int]]:
    """(k, first, stop) for each run of consecutive code points below `end` that have `properties[k]` (as
    `regex` names them: "Ll", "sc=Latn"), found by one `regex` pass per property over every code point."""
    every = np.arange(end, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")  # offset = code point
    for k, name in enumerate(properties):
        for run in regex.finditer(rf"\p{{{name}}}+", every):
            yield k, run.start(), run.end()


def category_classes(*categories: str) -> tuple[str, ...]:
    """For each of `categories` ("L", "Ll", "Lu"), the body of a character class that `re` reads as that
    category, as ranges ("a-zµß-öø-ÿ…" for "Ll"). A few milliseconds each, once per process.

    >>> lowercase, = category_classes("Ll")
    >>> [bool(re.fullmatch(f"[{lowercase}]", c)) for c in "aßяωA1"]
    [True, True, True, True, False, False]
    """
    bodies: list[list[str]] = [[] for _ in categories]
    for k, first, stop in property_runs(categories, _LETTERS_END):
        bodies[k].append(_as_range(first, stop))
    return tuple("".join(body) for body in bodies)


def _as_range(first: int, stop: int) -> str:
    """Code points first to stop - 1 as a class's range ("a-z"), or one escaped character."""
    low, high = re.escape(chr(first)), re.escape(chr(stop - 1))
    return low if stop - first == 1 else f"{low}-{high}"

"""Writing scripts: which script a language is written in (langcodes' likely subtags) and which a text uses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

import langcodes
import numpy as np

from .charclasses import CODE_POINTS, property_runs

# Scripts that stand for several Unicode script properties. Korean is taken as Hangul alone: Hanja is
# rare in modern text, and a Han-only line among Korean ones is far more often Chinese or Japanese.
_EXPANDED = {"Hans": ("Hani",), "Hant": ("Hani",), "Jpan": ("Hani", "Hira", "Kana"), "Kore": ("Hang",)}


@lru_cache(maxsize=1024)
def language_scripts(code: str) -> tuple[str, ...]:
    """The Unicode scripts a language is usually written in (empty when unknown).

    >>> language_scripts("ru"), language_scripts("ja"), language_scripts("en")
    (('Cyrl',), ('Hani', 'Hira', 'Kana'), ('Latn',))
    """
    try:
        script = langcodes.Language.get(code).maximize().script
    except (ValueError, LookupError):
        return ()
    if not script:
        return ()
    return _EXPANDED.get(script, (script,))


@lru_cache(maxsize=8)
def _script_index(scripts: tuple[str, ...]) -> np.ndarray:
    """Code point -> k + 1 for a character of `scripts[k]`, 0 for any other."""
    index = np.zeros(CODE_POINTS, dtype=np.uint8)
    for k, first, stop in property_runs([f"sc={script}" for script in scripts]):
        index[first:stop] = k + 1
    return index


def script_counts(pieces: Sequence[str], scripts: tuple[str, ...]) -> np.ndarray:
    """How many characters of each piece are in each of `scripts` (pieces x scripts), for all pieces at once.

    >>> script_counts(["By Hana 鈴木", "Привет"], ("Latn", "Hani", "Cyrl")).tolist()
    [[6, 2, 0], [0, 0, 6]]
    """
    counts = np.empty((len(pieces), len(scripts)), dtype=np.int32)
    for first, last, chunk in script_count_chunks(pieces, scripts):
        counts[first:last] = chunk
    return counts


def script_count_chunks(pieces: Sequence[str], scripts: tuple[str, ...]) -> Iterator[tuple[int, int, np.ndarray]]:
    """`script_counts` of about `_CHUNK_CHARACTERS` at a time (a longer piece alone), as (first, last,
    counts of pieces[first:last]): a caller that keeps only part of each chunk's counts never holds all
    of a long document's."""
    if len(scripts) >= 255:
        raise ValueError("at most 254 scripts")
    lengths = np.fromiter(map(len, pieces), dtype=np.intp, count=len(pieces))
    ends = np.cumsum(lengths)
    first = 0
    while first < len(pieces):
        done = int(ends[first - 1]) if first else 0
        last = max(first + 1, int(np.searchsorted(ends, done + _CHUNK_CHARACTERS, side="right")))
        yield first, last, _chunk_counts(pieces[first:last], lengths[first:last], scripts)
        first = last


_CHUNK_CHARACTERS = 1 << 20
"""Characters counted together: the per-character arrays (13 bytes a character) stay a few MB,
where a 10 MB document counted at once took 240 MB."""


def _chunk_counts(pieces: Sequence[str], lengths: np.ndarray, scripts: tuple[str, ...]) -> np.ndarray:
    width = len(scripts) + 1
    code_points = np.frombuffer("".join(pieces).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # Each character's cell (its piece's row, its script's column), built in place as the platform's index
    # type: bincount would copy narrower indices into it first (int32 cells took twice as long).
    cells = np.repeat(np.arange(0, len(pieces) * width, width, dtype=np.intp), lengths)
    cells += _script_index(scripts)[code_points]
    return np.bincount(cells, minlength=len(pieces) * width).reshape(len(pieces), width)[:, 1:]


COUNTED_AS = {"Hira": "Hani", "Kana": "Hani"}
"""Scripts whose letters count as another's when finding a text's main script: Japanese mixes kana and
Han from line to line, and that is no change of language."""


def folded_scripts(scripts: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """The (script, script it counts as) pairs among `scripts`, as their indices, for `main_script`."""
    column = {script: k for k, script in enumerate(scripts)}
    return tuple((k, column[COUNTED_AS[script]]) for k, script in enumerate(scripts) if COUNTED_AS.get(script) in column)


def main_script(counts: np.ndarray, folded: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Each text's most used script (a column of `counts`, texts x scripts), or -1 for a text without
    letters in any; `folded` lists (script, script it counts as).

    >>> scripts = ("Hani", "Hira", "Latn")
    >>> main_script(script_counts(["ひらがなと漢字", "abc", "123"], scripts), folded_scripts(scripts)).tolist()
    [0, 2, -1]
    """
    if folded:
        counts = counts.copy()
        for source, target in folded:
            counts[:, target] += counts[:, source]
            counts[:, source] = 0
    return np.where(counts.any(axis=1), counts.argmax(axis=1), -1)

"""Writing scripts: which script a language is written in (langcodes' likely subtags) and which a text uses."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import langcodes
import regex

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


@lru_cache(maxsize=256)
def _script_pattern(script: str) -> regex.Pattern[str]:
    return regex.compile(rf"\p{{sc={script}}}+")


def script_shares(piece: str, scripts: Sequence[str]) -> list[float]:
    """Share of `piece`'s letters, among the given scripts, in each of them (in the order given).

    >>> script_shares("By Hana 鈴木", ("Latn", "Hani"))
    [0.75, 0.25]
    """
    if piece.isascii():  # every ASCII letter is Latin: the common case needs no pattern
        return [1.0 if script == "Latn" else 0.0 for script in scripts]
    size = len(piece)
    counts = [size - len(_script_pattern(script).sub("", piece)) for script in scripts]
    total = sum(counts)
    return [count / total for count in counts] if total else [0.0] * len(counts)

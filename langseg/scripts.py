"""Writing scripts: which script a language is written in (langcodes' likely subtags) and which a text uses."""

from __future__ import annotations

from collections.abc import Iterable
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


def script_shares(piece: str, scripts: Iterable[str]) -> dict[str, float]:
    """Share of `piece`'s letters, among the given scripts, in each of them.

    >>> script_shares("By Hana 鈴木", ["Latn", "Hani"])
    {'Latn': 0.75, 'Hani': 0.25}
    """
    if piece.isascii():  # every ASCII letter is Latin: the common case needs no pattern
        return {script: 1.0 if script == "Latn" else 0.0 for script in scripts}
    counts = {script: len(piece) - len(_script_pattern(script).sub("", piece)) for script in scripts}
    total = sum(counts.values())
    return {script: count / total if total else 0.0 for script, count in counts.items()}

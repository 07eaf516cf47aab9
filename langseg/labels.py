"""Model labels -> language codes: ISO 639-1 where one exists, else ISO 639-3 (code tables from langcodes)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import langcodes

from .types import UND

_NO_LANGUAGE = frozenset({"", "und", "un", "unk", "xx", "xxx", "zxx", "mis", "zyyy"})


def normalise_label(label: str, overrides: Mapping[str, str] | None = None) -> str:
    """Turn a model label into the record's code.

    lid.176 (`__label__en`), GlotLID/OpenLID (`__label__eng_Latn`) and BCP 47 (`pt-BR`) labels all
    reduce to their language subtag; ISO 639-2/3 codes become ISO 639-1 where one exists, and an
    individual language becomes its macrolanguage's ISO 639-1 code (`arb` -> `ar`, `zsm` -> `ms`).
    `overrides` maps a model's own codes that mean something else (lid.176's `als` is Alemannic).

    >>> [normalise_label(x) for x in ("__label__en", "__label__eng_Latn", "cmn_Hani", "ceb", "pt-BR")]
    ['en', 'en', 'zh', 'ceb', 'pt']
    """
    code = label.removeprefix("__label__").replace("_", "-").split("-", 1)[0].lower()
    if overrides and code in overrides:
        return overrides[code]
    return _standard_code(code)


@lru_cache(maxsize=4096)
def _standard_code(code: str) -> str:
    if code in _NO_LANGUAGE:
        return UND
    try:
        language = langcodes.Language.get(code).language or UND
        macro = langcodes.Language.get(langcodes.standardize_tag(code, macro=True)).language or UND
    except (ValueError, LookupError):
        return code
    if len(language) == 3 and len(macro) == 2:
        return macro
    if len(code) == 2 and len(language) == 3:
        # langcodes replaces some valid ISO 639-1 codes by a newer 639-3 one (tl -> fil): keep the 639-1 code.
        return code
    return language

"""Language codes as users write them (`de`, `deu`, `DE`, `de-AT`, `German`) -> the codes records use."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

import langcodes

from .errors import LangsegError
from .labels import normalise_label
from .types import UND


class UnknownLanguage(LangsegError, ValueError):
    """A language the user named that is no code or name, or that the model cannot produce."""


def parse_language(text: str, known: Collection[str], overrides: Mapping[str, str] | None = None) -> str:
    """The record code for `text`: ISO 639-1/2/3, a BCP 47 tag or an English name, checked against the
    codes the model can produce (`known`; `und` is always known). `overrides` maps a model's own codes.

    >>> parse_language("German", {"de", "en"}), parse_language("deu", {"de"}), parse_language("EN-gb", {"en"})
    ('de', 'de', 'en')
    """
    query = text.strip()
    code = _code_of(query)
    if code is None:
        problem = f"unknown language {query!r}"
    else:
        code = normalise_label(code, overrides)  # its language subtag, as records spell it
        if code == UND or code in known:
            return code
        same = [k for k in known if _standard(k) == _standard(code)]  # tl and fil, no and nb's macrolanguage
        if same:
            return sorted(same)[0]
        problem = f"the model has no language {query!r} ({_name(code)}, code {code})"
    raise UnknownLanguage(f"{problem}; closest known: {', '.join(closest(query, known)) or 'none'}")


def parse_languages(text: str, known: Collection[str], overrides: Mapping[str, str] | None = None
                    ) -> tuple[str, ...]:
    """A comma-separated list of languages (`en,deu,Spanish`) as record codes, in order, each once."""
    codes = [parse_language(part, known, overrides) for part in text.split(",") if part.strip()]
    if not codes:
        raise UnknownLanguage("no language given")
    return tuple(dict.fromkeys(codes))


def closest(query: str, known: Collection[str], count: int = 3) -> list[str]:
    """The known codes whose code or English name is nearest to `query`, as 'code (Name)'."""
    names = {code: _name(code) for code in known if code != UND}
    keys = {**{code: code for code in names}, **{name.lower(): code for code, name in names.items()}}
    matches = difflib.get_close_matches(query.lower(), list(keys), n=count * 2, cutoff=0.5)
    found = list(dict.fromkeys(keys[match] for match in matches))[:count]
    return [f"{code} ({names[code]})" for code in found]


def _code_of(query: str) -> str | None:
    """The language subtag `query` spells as a tag or names in English, or None."""
    if not query:
        return None
    try:
        if langcodes.tag_is_valid(query):
            return query  # as written: a model may map its subtag (sh)
    except (ValueError, LookupError):
        pass
    try:
        return langcodes.find(query).language
    except (ValueError, LookupError):
        return None


def _standard(code: str) -> str:
    try:
        return langcodes.Language.get(code).language or code
    except (ValueError, LookupError):
        return code


def _name(code: str) -> str:
    try:
        return langcodes.Language.get(code).display_name()
    except (ValueError, LookupError):
        return code

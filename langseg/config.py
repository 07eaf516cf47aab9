"""One frozen configuration object; a model's own values come from its folder under `models/` (`params.json`)."""

from __future__ import annotations

import difflib
import math
import sys
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from numbers import Integral, Real
from typing import Any

from .datafiles import models_json
from .errors import ParameterFileError
from .models import default_model_name


@dataclass(frozen=True)
class Config:
    """Every knob of the pipeline. Build variants with `config.with_(switch_cost=4.0)`."""

    top_k: int = 5
    """How many of each unit's most probable languages the decoder weighs (the model gives every label)."""
    floor: float = 1e-3
    """Probability given to a language outside a unit's top-k."""
    switch_cost: float = 3.0
    """Log-probability cost of a language change between neighbouring lines in the Viterbi pass."""
    sentence_switch_cost: float = 3.0
    """Cost of a language change between two sentences of one line (units are sentences within lines)."""
    settled_switch_factor: float = 1.0
    """The cost of a change into a language the document has settled (some full-length unit gives it at
    least `settled_min_prob`) is multiplied by this (at most 1; 1: no difference): a heading or byline in the language
    of the page's chrome, between paragraphs of the article, keeps its own language more easily."""
    settled_min_prob: float = 0.9
    """The probability a full-length unit must give a language to settle it in its document."""
    prior_weight: float = 0.0
    """Weight of the document's own language distribution as a prior on every unit (0: none)."""
    confidence_power: float = 0.0
    """A unit's weight is multiplied by its best probability to this power (0: confidence ignored)."""
    script_cost: float = 8.0
    """Cost of a language for a unit none of whose letters are in that language's script (scaled by the share)."""
    script_change_factor: float = 0.0
    """The switch cost between neighbouring units whose main scripts differ is multiplied by this (only in
    documents whose candidate languages use several scripts): a change of script is itself a sign of a change
    of language, as from Serbian in Cyrillic to Croatian in Latin letters, which fastText alone finds close."""
    full_weight_chars: int = 60
    """A unit this long (non-space characters) or longer counts fully; shorter units count in proportion."""
    min_weight: float = 0.05
    """Weight of the shortest unit, so that its own evidence is never ignored entirely."""
    weight_power: float = 1.0
    """Shorter units weigh (length / full_weight_chars) to this power: below 1, short lines say more."""
    mixed_min_share: float = 0.05
    """A language counts towards `mixed` when it holds at least this share of the spanned characters ..."""
    mixed_min_chars: int = 20
    """... and at least this many characters (so a stray word or a name does not make a document mixed) ..."""
    mixed_min_score: float = 0.0
    """... counting only spans whose (calibrated) score is at least this."""
    mixed_one_language: tuple[tuple[str, ...], ...] = (("no", "nb", "nn"),)
    """Codes the mixed flag counts as one language: the written standards of one language (Norwegian
    Bokmål and Nynorsk), used side by side without making a page bilingual. Spans keep their codes."""
    repair_homoglyphs: bool = True
    """Give the model every unit with the lookalike letters of each mixed-script word put back in the
    word's own script ("декiлька" with a Latin i read as "декілька"; see `langseg.rewrites`)."""
    mask_names: bool = True
    """Score short units (six words or fewer) without their capitalised non-initial words (names), where
    the model reads them more surely so (a German noun is kept: it says German)."""
    second_opinion: bool = True
    """Ask CLD2 about units fastText is unsure of, for languages the model has no label for."""
    second_opinion_below: float = 0.5
    """A unit whose best fastText probability is below this gets a second opinion."""
    second_opinion_known_below: float = 0.0
    """Below this best fastText probability, CLD2 may also name a language fastText knows but fails on
    (if CLD2 calls its answer reliable): lid.176.ftz barely recognises Somali or Yoruba, for one."""
    second_opinion_lacking_below: float = 0.0
    """Up to this best fastText probability, a language the model lacks that CLD2 names reliably enters
    too: a model reads such text as a neighbour it knows, and fairly surely (lid.176 reads Faroese as
    Icelandic and Māori as Latvian at 0.7-0.95)."""
    second_opinion_referee: bool = True
    """Ask CLD2 about fastText's close calls too (a runner-up with at least a third of the best's
    probability): a reliable answer naming the runner-up enters. lid.176.ftz wavers between neighbours
    CLD2 tells apart (Czech and Slovak, Afrikaans and Dutch, Bulgarian and Russian); English stays out."""
    second_opinion_weight: float = 0.9
    """The second opinion's language enters with this times the share of the text CLD2 gives it."""
    calibration: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    """Knots (raw, calibrated) of a monotone map from a span's raw score (its units' mean probability) to
    the share of its characters that are right, fitted on held-out dev-set spans by scripts/tune.py."""
    clause_split: bool = True
    """Split a unit where its words, read a few at a time, change language (see `langseg.clauses`)."""
    clause_radius: int = 1
    """Words on each side of a word that make up its evidence when a unit is split."""
    clause_switch_cost: float = 6.0
    """Log-probability cost of a change of language between two words of one unit."""
    clause_margin: float = 4.0
    """A piece split off stands only if its own text prefers its language to the unit's by this many nats,"""
    clause_new_margin: float = 10.0
    """or by this many for a language no other unit of the document was decoded as,"""
    clause_reference_words: float = 4.0
    """a piece's margin scaled by the square root of its words over this many (0: not scaled), since
    fastText caps any margin near 11.5 nats whatever a piece's length;"""
    clause_min_prob: float = 0.9
    """only if its own text reads as its language with at least this probability"""
    clause_min_chars: int = 8
    """and holds at least this many letters."""
    clause_content_words: bool = True
    """A piece must also prefer its language by the margin without its capitalised words and its numbers
    (`langseg.units.content_words`): a title or a name in a sentence says little of a switch."""
    clause_chunk_words: int = 0
    """A unit's words are also read this many at a time, and the language most of those chunks read as
    becomes a candidate of the split (0: not): a clause in a minority language barely moves the whole
    sentence's top languages."""
    clause_own_reading: bool = True
    """Hold the language a unit's own text reads as (before its context decided) to `clause_margin`, not
    to `clause_new_margin`: a sentence its context absorbed can stand again on its own evidence."""
    word_reader: str = ""
    """A second reader of words pooled with the model's reading of every clause, window and piece of the
    clause split ("heliport"; "": none). It finds short switches the model reads poorly; heliport needs the
    `heliport` extra (GPL-3.0, about 0.9 GB in memory). The model's folder may hold parameters tuned with
    it (`word_readers` in params.json), which then apply."""
    word_reader_weight: float = 0.5
    """The reader's weight in the pool: log p = log p_model + weight * log p_reader."""
    languages: tuple[str, ...] = ()
    """Decode over these languages only (codes or names as `langseg.codes` reads them; empty: all the
    model knows). The model's probabilities are renormalised over them, as when a user knows a corpus
    holds only English and Spanish."""
    min_score: float = 0.0
    """A span scored below this becomes `und`: no language rather than an unsure one ("hello world")."""
    batch_size: int = 512
    """Units per model call."""

    def __post_init__(self) -> None:
        """Refuse a value the pipeline would misuse silently (a string for a cost, a share above 1)."""
        for name, (low, high) in _BOUNDS.items():
            value = getattr(self, name)
            kind = "a whole number" if name in _WHOLE_NUMBERS else "a number"
            limits = f">= {low:g}" if high == math.inf else f"from {low:g} to {high:g}"
            if isinstance(value, bool) or not isinstance(value, Integral if name in _WHOLE_NUMBERS else Real):
                raise TypeError(f"{name} must be {kind} {limits}, not {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{name} must be {kind} {limits}, not {value!r}")
            if name not in _WHOLE_NUMBERS:  # an int for a cost (JSON's 4, a caller's 4) would make int arrays
                object.__setattr__(self, name, float(value))
        languages = self.languages
        if isinstance(languages, str):  # "en,es" as a user writes it on a command line
            languages = tuple(part.strip() for part in languages.split(",") if part.strip())
        if not isinstance(languages, (tuple, list)) or not all(isinstance(code, str) for code in languages):
            raise TypeError(f"languages must be a sequence of language codes or names, not {languages!r}")
        object.__setattr__(self, "languages", tuple(languages))
        for name in _SWITCHES:
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, not {getattr(self, name)!r}")
        if self.word_reader not in ("", *_WORD_READERS):
            raise ValueError(f"word_reader must be one of {', '.join(map(repr, _WORD_READERS))} or '' (none), "
                             f"not {self.word_reader!r}")

    def with_(self, **overrides: Any) -> Config:
        """A copy with some fields replaced (unknown names and wrong kinds raise TypeError, values out of
        range ValueError)."""
        return replace(self, **overrides)


_PROBABILITY = (0.0, 1.0)
_NOT_NEGATIVE = (0.0, math.inf)
_BOUNDS: dict[str, tuple[float, float]] = {
    "top_k": (1, math.inf), "batch_size": (1, math.inf), "mixed_min_chars": _NOT_NEGATIVE,
    "clause_radius": _NOT_NEGATIVE, "clause_switch_cost": _NOT_NEGATIVE, "clause_margin": (-math.inf, math.inf),
    "clause_new_margin": (-math.inf, math.inf), "clause_min_prob": _PROBABILITY, "clause_reference_words": _NOT_NEGATIVE,
    "clause_min_chars": _NOT_NEGATIVE, "clause_chunk_words": _NOT_NEGATIVE,
    "floor": (1e-12, 1.0), "full_weight_chars": (1.0, math.inf),
    "switch_cost": _NOT_NEGATIVE, "sentence_switch_cost": _NOT_NEGATIVE, "settled_switch_factor": _NOT_NEGATIVE,
    "prior_weight": _NOT_NEGATIVE, "confidence_power": _NOT_NEGATIVE, "script_cost": _NOT_NEGATIVE,
    "script_change_factor": _NOT_NEGATIVE, "weight_power": _NOT_NEGATIVE,
    "settled_min_prob": _PROBABILITY, "min_weight": _PROBABILITY, "mixed_min_share": _PROBABILITY,
    "mixed_min_score": _PROBABILITY, "min_score": _PROBABILITY, "second_opinion_below": _PROBABILITY,
    "second_opinion_known_below": _PROBABILITY, "second_opinion_lacking_below": (0.0, 1.0),
    "second_opinion_weight": _PROBABILITY, "word_reader_weight": _NOT_NEGATIVE,
}
"""Each numeric field's allowed values (inclusive); NaN is refused by every bound."""
_WHOLE_NUMBERS = frozenset({"top_k", "batch_size", "mixed_min_chars", "clause_radius", "clause_min_chars",
                            "clause_chunk_words"})
_SWITCHES = ("repair_homoglyphs", "mask_names", "second_opinion", "second_opinion_referee", "clause_split",
             "clause_own_reading", "clause_content_words")


_WORD_READERS = ("heliport",)
_TUPLES_OF_TUPLES = ("calibration", "mixed_one_language")


@lru_cache(maxsize=16)
def model_defaults(model: str | None) -> Config:
    """The Config for a model: its folder's `params.json` under `models/` (tuned parameters and rules),
    or, for a model without one, the generic defaults of `Config` (see `announce_generic`). None: the
    default model. An unknown or mistyped key raises `ParameterFileError` naming it and the file."""
    name = model or default_model_name()
    data = _parameter_file(name)
    return Config() if data is None else _config_from(data, f"models/{name}/params.json")


def word_reader_defaults(model: str | None, reader: str) -> dict[str, Any]:
    """The parameters a model's folder holds for decoding with a word reader (`word_readers.READER` in its
    params.json), checked as the rest of the file is; {} when it holds none."""
    if not reader:
        return {}
    name = model or default_model_name()
    data = _parameter_file(name) or {}
    values = ((data.get("word_readers") or {}).get(reader) or {}).get("params") or {}
    where = f"models/{name}/params.json"
    _config_from({"params": values}, where)  # the same checks as the file's own parameters
    return dict(values)


def has_own_parameters(model: str) -> bool:
    """Whether `models/MODEL/params.json` exists."""
    return _parameter_file(model) is not None


def _parameter_file(model: str) -> Any:
    """The parsed `models/MODEL/params.json`, or None when the model has no folder."""
    try:
        return models_json(f"{model}/params.json")
    except FileNotFoundError:
        return None


def announce_generic(model: str) -> None:
    """Say once per process, on stderr, that a model runs on the generic defaults."""
    if model not in _ANNOUNCED:
        _ANNOUNCED.add(model)
        print(f"langseg: no tuned parameters for {model}: using the generic defaults (a folder models/{model}/ "
              "with a params.json gives a model its own)", file=sys.stderr)


def tuned_defaults() -> Config:
    """The Config of the default model (lid.176.ftz)."""
    return model_defaults(None)


_ANNOUNCED: set[str] = set()


def _config_from(data: Any, where: str) -> Config:
    known = {f.name for f in fields(Config)}
    unknown_sections = set(data) - {"comment", "model", "held_out", "params", "rules", "word_readers"}
    if unknown_sections:
        raise ParameterFileError(f"{where}: unknown section {sorted(unknown_sections)[0]!r} "
                                 "(known: comment, model, held_out, params, rules, word_readers)")
    for reader in data.get("word_readers") or {}:
        if reader not in _WORD_READERS:
            raise ParameterFileError(f"{where}: unknown word reader {reader!r} in 'word_readers' "
                                     f"(known: {', '.join(_WORD_READERS)})")
    values: dict[str, Any] = {}
    for section in ("params", "rules"):
        for name, value in (data.get(section) or {}).items():
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ParameterFileError(f"{where}: unknown setting {name!r} in {section!r}{hint}")
            values[name] = value
    for name in _TUPLES_OF_TUPLES:  # JSON gives them as lists of lists
        if values.get(name):
            values[name] = tuple(tuple(items) for items in values[name])
    try:
        return Config(**values)
    except (TypeError, ValueError) as exc:
        raise ParameterFileError(f"{where}: {exc}") from None

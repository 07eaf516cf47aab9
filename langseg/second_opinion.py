"""A second opinion for languages the main model has no label for, asked only where it can change the answer.

lid.176 has no label for Sotho, Tswana, Tsonga, Ganda, Shona, Xhosa, Zulu, Māori and others: text in
those languages gets a wrong, unsure fastText label. CLD2 (pycld2, offline, bundled tables) knows them.
It is consulted only for units where it can change the answer (fastText unsure, fairly sure of a unit
long enough, or torn between two languages), and one rule (`WithSecondOpinion.admitted`) decides whether
its answer enters: mainly when it names a language the main model lacks. The common case, text in
languages fastText knows well, keeps its speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import Config
from .datafiles import knowledge
from .labels import normalise_label
from .scoring import Distribution, Evidence, FastTextScorer
from .types import UND
from .units import has_letters


_CLD2_KEYS = frozenset({"not_over_the_model", "reliable_from_letters"})


def not_over_the_model() -> frozenset[str]:
    """Languages CLD2 may not name over the main model's answer, even when it calls its answer reliable:
    CLD2 knowledge, kept as data in `models/cld2/knowledge.json` (with why)."""
    return frozenset(knowledge("cld2/knowledge.json", _CLD2_KEYS)["not_over_the_model"])


def reliable_from_letters() -> int:
    """The fewest letters of a text whose 'reliable' CLD2 answer is taken as such on its own
    (`models/cld2/knowledge.json`, with why)."""
    return int(knowledge("cld2/knowledge.json", _CLD2_KEYS)["reliable_from_letters"])


CLOSE_CALL = 1 / 3
"""A language fastText weighed at this share of its best's probability or more makes a close call between
the two: a neighbour's text, not a model failure."""


Answer = tuple[str, float, bool]
"""CLD2's best language for a text, the share of the text it gives it, and whether it calls it reliable."""


class Cld2Opinion:
    """CLD2's best language for a text, and the languages it can name beside the main model's (which of its
    answers enter is `WithSecondOpinion.admitted`)."""

    def __init__(self, known: frozenset[str], kept_out: frozenset[str] | None = None) -> None:
        import pycld2

        self._detect = pycld2.detect
        self._error = pycld2.error
        self._code = {code: normalise_label(code) for _name, code in pycld2.LANGUAGES}  # CLD2's code -> ours
        # CLD2 marks its pseudo-languages X_: unknown text in a script (X_Latin, X_Han), jokes (X_PIG_LATIN,
        # X_BORK_BORK_BORK) and Klingon, a guess it makes on short text it cannot read (a Czech "ne?").
        self.all_languages = frozenset(self._code[code] for name, code in pycld2.LANGUAGES
                                       if not name.startswith("X_") and self._code[code] != UND)
        """Every language CLD2 can name."""
        self.languages = frozenset(code for code in self.all_languages if code not in known)
        """The languages CLD2 can name and the main model cannot."""
        self.over_the_model = self.all_languages - (not_over_the_model() if kept_out is None else kept_out)
        """The languages a reliable CLD2 answer may name over the main model's (see `not_over_the_model`)."""
        self.reliable_from_letters = reliable_from_letters()

    def answer(self, text: str) -> Answer | None:
        """CLD2's best-effort answer for `text` (None for text it cannot take)."""
        try:
            # Plain text: in its default HTML mode CLD2 takes a "<" for the start of a tag and skips
            # what follows it ("a<b se cumple ..." came out Galician), and the mode costs 11 % of its time.
            reliable, _bytes, details = self._detect(text, isPlainText=True, bestEffort=True)
        except (self._error, ValueError, TypeError):  # invalid UTF-8, surrogates, control characters
            return None
        _name, code, percent, _score = details[0]
        return self._code.get(code) or normalise_label(code), percent / 100.0, reliable


@dataclass(frozen=True)
class Reading:
    """What the main model made of one unit, as far as the admission rule needs it: its best probability
    (0 when it read nothing), the probability it gave each language (by code), its runner-up when that
    makes a close call, and whether the unit has letters enough for CLD2's word on its reliability."""

    best: float
    probability: dict[str, float]
    close_call_with: str | None
    long_enough: bool

    @property
    def silent(self) -> bool:
        return not self.probability


@dataclass(frozen=True)
class Opinion:
    """A CLD2 answer that enters a unit's evidence: its language, the share of the text CLD2 gives it, and
    the rule that let it in (one of `RULES`)."""

    language: str
    share: float
    rule: str


RULES = {
    "silent": "the model reads nothing of it",
    "lacking": "the model has no label for that language",
    "lacking, reliably": "the model has no label for that language, and CLD2 is sure of it",
    "failing": "the model fails on it (that language under a third of its best reading)",
    "close call": "a close call between the model's two best, which CLD2 settles reliably",
}
"""The cases in which CLD2's answer enters a unit's evidence, each with the words `--explain` uses."""


class WithSecondOpinion:
    """The main scorer, with CLD2's opinion added where it can change the answer.

    CLD2 is asked about a unit the model is unsure of (best probability below `below`), a fairly sure one
    (up to `lacking_below`) with letters enough for CLD2's reliability to count, and, with `referee`, a
    close call (a runner-up with at least a third of the best's probability). One rule, `admitted`, then
    decides whether its answer enters; an answer that does enters with probability `weight * share`, and
    the model's probabilities are scaled by what is left.
    """

    def __init__(self, primary: FastTextScorer, below: float, weight: float,
                 second: Cld2Opinion | None = None, known_below: float = 0.0, lacking_below: float = 0.0,
                 referee: bool = False) -> None:
        self.primary = primary
        self.known_below = known_below
        self.lacking_below = lacking_below
        self.second = second or Cld2Opinion(primary.languages)
        self.below = below
        self.weight = weight
        self.codes = tuple(sorted(set(primary.codes) | self.second.all_languages))
        self.languages = frozenset(self.codes)
        column = {code: j for j, code in enumerate(self.codes)}
        self._remap = np.array([column[code] for code in primary.codes], dtype=np.int32)
        self._column = column
        self.referee = referee

    @classmethod
    def from_config(cls, primary: FastTextScorer, config: Config, second: Cld2Opinion | None = None
                    ) -> WithSecondOpinion:
        """The second opinion as `config`'s second_opinion_* fields set it up."""
        return cls(primary, config.second_opinion_below, config.second_opinion_weight, second,
                   known_below=config.second_opinion_known_below,
                   lacking_below=config.second_opinion_lacking_below, referee=config.second_opinion_referee)

    def admitted(self, answer: Answer | None, reading: Reading) -> Opinion | None:
        """CLD2's `answer` as it enters the evidence of a unit the model read as `reading`, or None.

        A language the model lacks enters where the model is unsure, or up to `lacking_below` when CLD2
        calls it reliable; any language CLD2 names enters where the model read nothing. A language the
        model knows enters only on a reliable answer that may overrule the model (`not_over_the_model`),
        and only where the model fails (best under `known_below`, that language under a third of it) or
        where it names the runner-up of a close call.
        """
        if answer is None or answer[0] not in self.second.all_languages:
            return None
        language, share, reliable = answer
        if reading.silent:
            return Opinion(language, share, "silent")
        if language in self.second.languages:
            if reading.best < self.below:
                return Opinion(language, share, "lacking")
            if reliable and reading.long_enough and reading.best < self.lacking_below:
                return Opinion(language, share, "lacking, reliably")
            return None
        if not reliable or language not in self.second.over_the_model:
            return None
        if (reading.best < min(self.below, self.known_below)
                and reading.probability.get(language, 0.0) < reading.best * CLOSE_CALL):
            return Opinion(language, share, "failing")
        if language == reading.close_call_with:
            return Opinion(language, share, "close call")
        return None

    def opinions(self, texts: Sequence[str]) -> list[Opinion | None]:
        """For each text, CLD2's answer where it enters the model's evidence (see `admitted`), else None."""
        base = self.primary.evidence(texts)
        return self._opinions(texts, base.ids, base.probs)

    def _opinions(self, texts: Sequence[str], ids: np.ndarray, probs: np.ndarray) -> list[Opinion | None]:
        best, codes = probs[:, 0], self.primary.codes
        # a fairly sure unit is asked only when it has letters enough for CLD2's word on its reliability
        long_enough = np.zeros(len(ids), dtype=bool)
        fairly_sure = np.flatnonzero((best >= self.below) & (best < self.lacking_below))
        long_enough[fairly_sure] = [has_letters(texts[row], self.second.reliable_from_letters)
                                    for row in fairly_sure.tolist()]
        close = np.zeros(len(ids), dtype=bool)
        if self.referee and ids.shape[1] > 1:
            close = (ids[:, 0] >= 0) & (ids[:, 1] >= 0) & (probs[:, 1] >= best * CLOSE_CALL)
        out: list[Opinion | None] = [None] * len(texts)
        for row in np.flatnonzero((best < self.below) | long_enough | close).tolist():
            listed = {codes[j]: p for j, p in zip(ids[row].tolist(), probs[row].tolist()) if j >= 0}
            reading = Reading(float(best[row]), listed, codes[ids[row, 1]] if close[row] else None,
                              bool(long_enough[row]))
            out[row] = self.admitted(self.second.answer(texts[row]), reading)
        return out

    def evidence(self, texts: Sequence[str]) -> Evidence:
        """fastText's evidence for `texts`, with CLD2's opinion added where `admitted` lets it in."""
        base = self.primary.evidence(texts)
        ids = np.where(base.ids >= 0, self._remap[np.maximum(base.ids, 0)], base.ids).astype(np.int32)
        probs = base.probs
        opinions = self._opinions(texts, base.ids, probs)
        rows = np.array([row for row, opinion in enumerate(opinions) if opinion is not None], dtype=np.int64)
        if not len(rows):
            return Evidence(self.codes, ids, probs)
        columns = np.array([self._column[opinions[row].language] for row in rows.tolist()], dtype=np.int32)
        injected = self.weight * np.array([opinions[row].share for row in rows.tolist()])
        width = ids.shape[1]
        wide_ids = np.full((len(ids), width + 1), -1, dtype=np.int32)
        wide_probs = np.zeros((len(ids), width + 1))
        wide_ids[:, :width], wide_probs[:, :width] = ids, probs
        row_ids = np.hstack([columns[:, None], ids[rows]])
        row_probs = np.hstack([injected[:, None], probs[rows] * (1.0 - injected[:, None])])
        listed = ids[rows] == columns[:, None]  # a language fastText listed gets the injection added to it
        again = listed.any(axis=1)
        row_probs[:, 1:] += listed * injected[:, None]
        row_ids[again, 0], row_probs[again, 0] = -1, 0.0
        order = np.argsort(-row_probs, axis=1, kind="stable")  # rows stay sorted by probability
        wide_ids[rows] = np.take_along_axis(row_ids, order, axis=1)
        wide_probs[rows] = np.take_along_axis(row_probs, order, axis=1)
        return Evidence(self.codes, wide_ids, wide_probs)

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        return self.evidence(texts).distributions()

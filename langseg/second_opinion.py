"""A second opinion for languages the main model has no label for, asked only where it can change the answer.

lid.176 has no label for Sotho, Tswana, Tsonga, Ganda, Shona, Xhosa, Zulu, Māori and others: text in
those languages gets a wrong, unsure fastText label. CLD2 (pycld2, offline, bundled tables) knows them.
It is consulted only for units where fastText's best probability is below a threshold, and its answer is
used only when it names a language the main model lacks; a known language is always left to fastText,
so results on the languages lid.176 covers do not get worse, and the common case keeps fastText's speed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .labels import normalise_label
from .scoring import Distribution, Evidence, FastTextScorer
from .types import UND


class Cld2Opinion:
    """CLD2's best language for a text, restricted to languages outside `known`."""

    def __init__(self, known: frozenset[str]) -> None:
        import pycld2

        self._detect = pycld2.detect
        self._error = pycld2.error
        names = {normalise_label(code) for _name, code in pycld2.LANGUAGES}
        # xx-* and zz* are CLD2's pseudo-languages (unknown scripts, "Pig Latin", "Hacker"): not languages.
        self.all_languages = frozenset(code for code in names
                                       if code != UND and not code.startswith(("xx", "zz")))
        """Every language CLD2 can name."""
        self.languages = frozenset(code for code in self.all_languages if code not in known)
        """The languages CLD2 can name and the main model cannot."""

    def opinion(self, text: str, any_language: bool = False, reliable_known: bool = False
                ) -> tuple[str, float] | None:
        """(language, share of the text CLD2 gives it) when that language is one the main model lacks
        (or any language CLD2 names, with `any_language`: for text the main model had nothing to say on;
        with `reliable_known`, also a language the main model knows when CLD2 calls its answer reliable)."""
        try:
            reliable, _bytes, details = self._detect(text, bestEffort=True)
        except (self._error, ValueError, TypeError):  # invalid UTF-8, surrogates, control characters
            return None
        _name, code, percent, _score = details[0]
        language = normalise_label(code)
        allowed = self.all_languages if any_language or (reliable and reliable_known) else self.languages
        if language not in allowed:
            return None
        return language, percent / 100.0


class WithSecondOpinion:
    """The main scorer, with CLD2's opinion added to the units it is unsure of.

    For a unit whose best fastText probability is below `below`, a language CLD2 names that fastText
    lacks enters the unit's evidence with probability `weight * share`, and fastText's probabilities are
    scaled by what is left. A unit fastText says nothing about (a short CJK word whose character n-grams
    the quantised model pruned) takes CLD2's language whatever it is. Below `known_below`, a reliable CLD2
    answer may name a language fastText knows, but only one fastText gave less than a third of its best
    probability: a model failure (lid.176.ftz on Somali), not a close call between neighbours (id/ms).
    """

    def __init__(self, primary: FastTextScorer, below: float, weight: float,
                 second: Cld2Opinion | None = None, known_below: float = 0.0) -> None:
        self.primary = primary
        self.known_below = known_below
        self.second = second or Cld2Opinion(primary.languages)
        self.below = below
        self.weight = weight
        self.codes = tuple(sorted(set(primary.codes) | self.second.all_languages))
        self.languages = frozenset(self.codes)
        column = {code: j for j, code in enumerate(self.codes)}
        self._remap = np.array([column[code] for code in primary.codes], dtype=np.int32)
        self._column = column

    def evidence(self, texts: Sequence[str]) -> Evidence:
        base = self.primary.evidence(texts)
        ids = np.where(base.ids >= 0, self._remap[np.maximum(base.ids, 0)], -1).astype(np.int32)
        probs = base.probs
        unsure = np.flatnonzero(probs[:, 0] < self.below)
        opinions = [(row, self.second.opinion(texts[row], any_language=ids[row, 0] < 0,
                                              reliable_known=probs[row, 0] < self.known_below))
                    for row in unsure.tolist()]
        opinions = [(row, found) for row, found in opinions if found is not None]
        if not opinions:
            return Evidence(self.codes, ids, probs)
        width = ids.shape[1]
        wide_ids = np.full((len(ids), width + 1), -1, dtype=np.int32)
        wide_probs = np.zeros((len(ids), width + 1))
        wide_ids[:, :width], wide_probs[:, :width] = ids, probs
        for row, (language, share) in opinions:
            column = self._column[language]
            if language in self.primary.languages and ids[row, 0] >= 0:
                listed = probs[row][ids[row] == column]
                if len(listed) and listed[0] >= probs[row, 0] / 3:
                    continue  # fastText weighed that language and found it close: a close call stays its own
            injected = self.weight * share
            row_ids = np.concatenate(([column], ids[row]))
            row_probs = np.concatenate(([injected], probs[row] * (1.0 - injected)))
            order = np.argsort(-row_probs, kind="stable")  # rows stay sorted by probability
            wide_ids[row], wide_probs[row] = row_ids[order], row_probs[order]
        return Evidence(self.codes, wide_ids, wide_probs)

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        evidence = self.evidence(texts)
        return [
            {self.codes[j]: float(p) for j, p in zip(row_ids, row_probs) if j >= 0}
            for row_ids, row_probs in zip(evidence.ids.tolist(), evidence.probs.tolist())
        ]

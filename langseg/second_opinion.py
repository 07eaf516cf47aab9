"""A second opinion for languages the main model has no label for, asked only where it can change the answer.

lid.176 has no label for Sotho, Tswana, Tsonga, Ganda, Shona, Xhosa, Zulu, Māori and others: text in
those languages gets a wrong, unsure fastText label. CLD2 (pycld2, offline, bundled tables) knows them.
It is consulted only for units where fastText's best probability is below a threshold, and its answer is
used mainly when it names a language the main model lacks. A close call between two languages fastText
knows goes to CLD2 as referee: a reliable answer for the runner-up enters. The common case, text in
languages fastText knows well, keeps its speed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .config import Config
from .datafiles import models_json
from .labels import normalise_label
from .scoring import Distribution, Evidence, FastTextScorer
from .types import UND
from .units import has_letters


def not_over_the_model() -> frozenset[str]:
    """Languages CLD2 may not name over the main model's answer, even when it calls its answer reliable:
    CLD2 knowledge, kept as data in `models/cld2.json` (with why)."""
    return frozenset(models_json("cld2.json")["not_over_the_model"])


def reliable_from_letters() -> int:
    """The fewest letters of a text whose 'reliable' CLD2 answer is taken as such on its own
    (`models/cld2.json`, with why)."""
    return int(models_json("cld2.json")["reliable_from_letters"])


CLOSE_CALL = 1 / 3
"""A language fastText weighed at this share of its best's probability or more makes a close call between
the two: a neighbour's text, not a model failure."""


_Opinions = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Answers that enter the evidence: (rows, columns of the codes, probabilities to inject)."""


def _joined(*rounds: _Opinions) -> _Opinions:
    """The answers of several rounds (which ask about different rows) as one."""
    return tuple(np.concatenate(parts) for parts in zip(*rounds))  # type: ignore[return-value]


Answer = tuple[str, float, bool]
"""CLD2's best language for a text, the share of the text it gives it, and whether it calls it reliable."""


class Cld2Opinion:
    """CLD2's best language for a text, and which of its answers may enter the main model's evidence."""

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

    def opinion(self, text: str, any_language: bool = False, reliable_known: bool = False
                ) -> tuple[str, float] | None:
        """(language, share of the text CLD2 gives it) when that language is one the main model lacks
        (or any language CLD2 names, with `any_language`: for text the main model had nothing to say on;
        with `reliable_known`, also a language the main model knows when CLD2 calls its answer reliable,
        English aside)."""
        return admitted(self, self.answer(text), any_language, reliable_known)


def admitted(second: Cld2Opinion, answer: Answer | None, any_language: bool = False, reliable_known: bool = False
             ) -> tuple[str, float] | None:
    """(language, share) of `answer` when a round may let it enter (see `Cld2Opinion.opinion`), else None."""
    if answer is None:
        return None
    language, share, reliable = answer
    allowed = (second.all_languages if any_language
               else second.over_the_model if reliable and reliable_known else second.languages)
    return (language, share) if language in allowed else None


class WithSecondOpinion:
    """The main scorer, with CLD2's opinion added to the units it is unsure of.

    For a unit whose best fastText probability is below `below`, a language CLD2 names that fastText
    lacks enters the unit's evidence with probability `weight * share`, and fastText's probabilities are
    scaled by what is left. A unit fastText says nothing about (a short CJK word whose character n-grams
    the quantised model pruned) takes CLD2's language whatever it is. Up to `lacking_below`, a language the
    model lacks that CLD2 names reliably enters too. Below `known_below`, a reliable CLD2
    answer may name a language fastText knows (English aside), but only one fastText gave less than a
    third of its best probability: a model failure (lid.176.ftz on Somali), not a close call between
    neighbours (id/ms). Close calls have their own round (`referee`): a unit whose runner-up has at least a
    third of its best's probability is asked, and a reliable answer naming the runner-up enters, except
    English.
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

    def evidence(self, texts: Sequence[str]) -> Evidence:
        """fastText's evidence for `texts`, with CLD2's opinion added where fastText is unsure or makes a
        close call."""
        base = self.primary.evidence(texts)
        ids = np.where(base.ids >= 0, self._remap[np.maximum(base.ids, 0)], base.ids).astype(np.int32)
        probs = base.probs
        answers: dict[int, Answer | None] = {}  # CLD2 is asked about each unit once, whichever rounds need it
        unsure = np.flatnonzero(probs[:, 0] < self.below)
        rows, columns, injected = self._opinions(texts, ids, probs, unsure, answers)
        if self.lacking_below > self.below:
            rows, columns, injected = _joined((rows, columns, injected), self._lacking(texts, ids, probs, answers))
        if self.referee:
            rows, columns, injected = _joined((rows, columns, injected),
                                              self._refereed(texts, ids, probs, rows, answers))
        if not len(rows):
            return Evidence(self.codes, ids, probs)
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

    def _answer(self, texts: Sequence[str], row: int, answers: dict[int, Answer | None]) -> Answer | None:
        """CLD2's answer for unit `row`, asked once per call of `evidence` (kept in `answers`)."""
        if row not in answers:
            answers[row] = self.second.answer(texts[row])
        return answers[row]

    def _opinions(self, texts: Sequence[str], ids: np.ndarray, probs: np.ndarray, asked: np.ndarray,
                  answers: dict[int, Answer | None],
                  admit: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None, known: bool = False
                  ) -> _Opinions:
        """CLD2's answers for the `asked` rows that may enter their evidence: (rows, columns, probabilities
        to inject). `admit(rows, columns)`, when given, narrows which answers a round accepts; with `known`,
        a reliable answer may name a language fastText knows whatever fastText's probabilities."""
        rows, columns, shares = [], [], []
        silent = (ids[asked, 0] < 0).tolist()  # fastText found no token: any language CLD2 names will do
        failing = [True] * len(asked) if known else (probs[asked, 0] < self.known_below).tolist()
        for row, any_language, reliable_known in zip(asked.tolist(), silent, failing):
            answer = admitted(self.second, self._answer(texts, row, answers), any_language, reliable_known)
            if answer is not None:
                rows.append(row)
                columns.append(self._column[answer[0]])
                shares.append(answer[1])
        if not rows:
            return np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0)
        found = np.array(rows, dtype=np.int64)
        column = np.array(columns, dtype=np.int32)
        injected = self.weight * np.array(shares)
        # A language fastText knows and weighed at a third of its best or more: a close call, left to the
        # referee round (unless this round was asked for such a language: the referee's own).
        listed = np.where(ids[found] == column[:, None], probs[found], 0.0).max(axis=1)
        keep = ~((listed > 0) & (listed >= probs[found, 0] * CLOSE_CALL) & (ids[found, 0] >= 0)) | known
        if admit is not None:
            keep &= admit(found, column)
        return found[keep], column[keep], injected[keep]

    def _lacking(self, texts: Sequence[str], ids: np.ndarray, probs: np.ndarray, answers: dict[int, Answer | None]
                 ) -> _Opinions:
        """The fairly sure units (from `below` up to `lacking_below`, with enough letters for CLD2's word on
        its reliability to count) whose reliable CLD2 answer is a language the model lacks: a model reads
        such text as a neighbour it knows, and fairly surely (lid.176 reads Faroese as Icelandic and Māori
        as Latvian or English at 0.7-0.95)."""
        fairly_sure = np.flatnonzero((probs[:, 0] >= self.below) & (probs[:, 0] < self.lacking_below))
        enough = self.second.reliable_from_letters
        asked = fairly_sure[[has_letters(texts[row], enough) for row in fairly_sure.tolist()]]

        def reliable(rows: np.ndarray, _columns: np.ndarray) -> np.ndarray:
            return np.array([bool(answers[row] and answers[row][2]) for row in rows.tolist()], dtype=bool)

        return self._opinions(texts, ids, probs, asked, answers, admit=reliable)

    def _refereed(self, texts: Sequence[str], ids: np.ndarray, probs: np.ndarray, answered: np.ndarray,
                  answers: dict[int, Answer | None]) -> _Opinions:
        """The referee round: CLD2 on fastText's close calls (a runner-up with at least a third of the best's
        probability) not `answered` by the first round; a reliable answer naming the runner-up enters.
        lid.176.ftz wavers between neighbours (Czech and Slovak, Afrikaans and Dutch, Bulgarian and
        Russian) where CLD2 tells them apart. English stays out (see `not_over_the_model`)."""
        best, second = ids[:, 0], ids[:, 1]
        close = (best >= 0) & (second >= 0) & (probs[:, 1] >= probs[:, 0] * CLOSE_CALL)
        close[answered] = False
        return self._opinions(texts, ids, probs, np.flatnonzero(close), answers,
                              admit=lambda rows, columns: columns == second[rows], known=True)

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        evidence = self.evidence(texts)
        return [
            {self.codes[j]: float(p) for j, p in zip(row_ids, row_probs) if j >= 0}
            for row_ids, row_probs in zip(evidence.ids.tolist(), evidence.probs.tolist())
        ]

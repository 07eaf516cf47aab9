"""A second opinion for languages the main model has no label for, asked only where it can change the answer.

lid.176 has no label for Sotho, Tswana, Tsonga, Ganda, Shona, Xhosa, Zulu, Māori and others: text in
those languages gets a wrong, unsure fastText label. CLD2 (pycld2, offline, bundled tables) knows them.
It is consulted only for units where fastText's best probability is below a threshold, and its answer is
used mainly when it names a language the main model lacks; in a document where it found such a language,
it is also asked about the units fastText is fairly sure of. A close call between two languages fastText
knows goes to CLD2 as referee: a reliable answer for the runner-up enters. The common case, text in
languages fastText knows well, keeps its speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .config import Config
from .datafiles import models_json
from .labels import normalise_label
from .scoring import Distribution, Evidence, FastTextScorer
from .types import UND


def not_over_the_model() -> frozenset[str]:
    """Languages CLD2 may not name over the main model's answer, even when it calls its answer reliable:
    CLD2 knowledge, kept as data in `models/cld2.json` (with why)."""
    return frozenset(models_json("cld2.json")["not_over_the_model"])


CLOSE_CALL = 1 / 3
"""A language fastText weighed at this share of its best's probability or more makes a close call between
the two: a neighbour's text, not a model failure."""


MARKED_BELOW = 0.9
"""Units fastText gives more than this are not looked at for marked letters: its misreadings of Yoruba
with its dotted letters come at 0.2-0.75, and looking at every unit would cost more than the round."""


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
    the quantised model pruned) takes CLD2's language whatever it is. Below `known_below`, a reliable CLD2
    answer may name a language fastText knows (English aside), but only one fastText gave less than a
    third of its best probability: a model failure (lid.176.ftz on Somali), not a close call between
    neighbours (id/ms). Close calls have their own round (`referee`): a unit whose runner-up has at least a
    third of its best's probability is asked, and a reliable answer naming the runner-up enters, except
    English and except inside a group of `referee_apart`.
    A unit fastText gives a language whose lookalike it lacks (`lookalikes`: Faroese read as Icelandic) is
    asked however sure fastText is, and only that lookalike may enter. So is a unit holding letters that
    mark a language (`marked`: Yoruba's ẹ ọ ṣ) which fastText gave another one, and only the marked
    language may enter, even one fastText knows.
    Given each text's document, a last round asks about the fairly sure units (below `context_below`)
    of documents where an earlier round found a language fastText lacks, and admits only that language.
    """

    def __init__(self, primary: FastTextScorer, below: float, weight: float,
                 second: Cld2Opinion | None = None, known_below: float = 0.0, context_below: float = 0.0,
                 lookalikes: Sequence[tuple[str, str]] = (),
                 marked: Sequence[tuple[str, str]] = (), referee: bool = False,
                 referee_apart: Sequence[Sequence[str]] = ()) -> None:
        self.primary = primary
        self.context_below = context_below
        self.known_below = known_below
        self.second = second or Cld2Opinion(primary.languages)
        self.below = below
        self.weight = weight
        self.codes = tuple(sorted(set(primary.codes) | self.second.all_languages))
        self.languages = frozenset(self.codes)
        column = {code: j for j, code in enumerate(self.codes)}
        self._remap = np.array([column[code] for code in primary.codes], dtype=np.int32)
        self._column = column
        self._unseen = np.array([code not in primary.languages for code in self.codes])
        # _lookalike[known, lacking]: fastText's `known` may be CLD2's `lacking` (only pairs both can name)
        self._lookalike = np.zeros((len(self.codes), len(self.codes)), dtype=bool)
        for known, lacking in lookalikes:
            if known in primary.languages and lacking in self.second.languages:
                self._lookalike[column[known], column[lacking]] = True
        self._has_lookalike = self._lookalike.any(axis=1)
        kept = [(letters, language) for letters, language in marked if language in self.second.all_languages]
        self._marks = [(re.compile(f"[{re.escape(letters)}]"), column[language]) for letters, language in kept]
        self._any_mark = re.compile(f"[{re.escape(''.join(letters for letters, _ in kept))}][^\n]*") if kept else None
        self.referee = referee
        # _apart[code]: the group of languages (numbered from 0) whose close calls among themselves stay fastText's
        self._apart = np.full(len(self.codes), -1, dtype=np.int64)
        for number, group in enumerate(referee_apart):
            self._apart[[column[code] for code in group if code in column]] = number

    @classmethod
    def from_config(cls, primary: FastTextScorer, config: Config, second: Cld2Opinion | None = None
                    ) -> WithSecondOpinion:
        """The second opinion as `config`'s second_opinion_* fields set it up."""
        return cls(primary, config.second_opinion_below, config.second_opinion_weight, second,
                   known_below=config.second_opinion_known_below,
                   context_below=config.second_opinion_context_below,
                   lookalikes=config.second_opinion_lookalikes, marked=config.second_opinion_marked,
                   referee=config.second_opinion_referee, referee_apart=config.second_opinion_referee_apart)

    def evidence(self, texts: Sequence[str], docs: np.ndarray | None = None) -> Evidence:
        """fastText's evidence for `texts`, with CLD2's opinion added where fastText is unsure.

        With `docs` (each text's document, in order) and `context_below` above `below`, a document where
        CLD2 found a language fastText lacks (one that became some unit's best) also gets CLD2 asked about
        its units fastText is fairly sure of, up to `context_below`; only that language may then enter.
        fastText calls Māori with macrons Latvian or English at 0.7-0.9 beside paragraphs it cannot read.
        """
        base = self.primary.evidence(texts)
        ids = np.where(base.ids >= 0, self._remap[np.maximum(base.ids, 0)], base.ids).astype(np.int32)
        probs = base.probs
        answers: dict[int, Answer | None] = {}  # CLD2 is asked about each unit once, whichever rounds need it
        unsure = probs[:, 0] < self.below
        looks = np.flatnonzero(~unsure & self._has_lookalike[ids[:, 0]] & (ids[:, 0] >= 0))
        rows, columns, injected = _joined(
            self._opinions(texts, ids, probs, np.flatnonzero(unsure), answers),
            self._opinions(texts, ids, probs, looks, answers, admit=lambda r, c: self._lookalike[ids[r, 0], c]))
        asked_already = looks
        if self._marks:
            marked = self._marked(texts, ids, probs, np.union1d(rows, looks), answers)
            rows, columns, injected = _joined((rows, columns, injected), marked)
            asked_already = np.union1d(looks, marked[0])
        if self.referee:
            rows, columns, injected = _joined((rows, columns, injected),
                                              self._refereed(texts, ids, probs, rows, answers))
        if docs is not None and self.context_below > self.below and len(rows):
            rows, columns, injected = _joined(
                (rows, columns, injected),
                self._in_context(texts, ids, probs, np.asarray(docs), rows, columns, injected, asked_already,
                                 answers))
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

    def _marked(self, texts: Sequence[str], ids: np.ndarray, probs: np.ndarray, answered: np.ndarray,
                answers: dict[int, Answer | None]) -> _Opinions:
        """The marked-letters round: CLD2 on the units (not `answered` already, and below `MARKED_BELOW`)
        holding letters that mark a language fastText did not give them; only a language they mark may enter."""
        allowed: dict[int, set[int]] = {}
        any_mark = self._any_mark
        assert any_mark is not None
        looked_at = np.flatnonzero(probs[:, 0] < MARKED_BELOW)
        # One scan of all of them joined (units hold no newline), one match per unit with a mark.
        chosen = [texts[row] for row in looked_at.tolist()]
        starts = np.r_[0, np.cumsum(np.fromiter(map(len, chosen), dtype=np.int64, count=len(chosen)) + 1)]
        hits = [match.start() for match in any_mark.finditer("\n".join(chosen))]
        for row in looked_at[np.searchsorted(starts, hits, side="right") - 1].tolist():
            text = texts[row]
            best = int(ids[row, 0])
            for letters, language in self._marks:
                if best != language and letters.search(text) is not None:
                    allowed.setdefault(row, set()).add(language)
        asked = np.setdiff1d(np.fromiter(allowed, dtype=np.int64, count=len(allowed)), answered)
        if not len(asked):
            return np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0)

        def marked_here(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
            return np.array([c in allowed[r] for r, c in zip(rows.tolist(), columns.tolist())], dtype=bool)

        return self._opinions(texts, ids, probs, asked, answers, admit=marked_here, known=True)

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
        # referee round (unless this round was asked for such a language: marked letters settle the call).
        listed = np.where(ids[found] == column[:, None], probs[found], 0.0).max(axis=1)
        keep = ~((listed > 0) & (listed >= probs[found, 0] * CLOSE_CALL) & (ids[found, 0] >= 0)) | known
        if admit is not None:
            keep &= admit(found, column)
        return found[keep], column[keep], injected[keep]

    def _refereed(self, texts: Sequence[str], ids: np.ndarray, probs: np.ndarray, answered: np.ndarray,
                  answers: dict[int, Answer | None]) -> _Opinions:
        """The referee round: CLD2 on fastText's close calls (a runner-up with at least a third of the best's
        probability) not `answered` by an earlier round; a reliable answer naming the runner-up enters.
        lid.176.ftz wavers between neighbours (Czech and Slovak, Afrikaans and Dutch, Bulgarian and
        Russian) where CLD2 tells them apart. English stays out (see `not_over_the_model`), and so do close
        calls inside a group of `referee_apart` (Bosnian, Croatian, Serbian; Hindi, Marathi), which CLD2
        separates no better than fastText."""
        best, second = ids[:, 0], ids[:, 1]
        close = (best >= 0) & (second >= 0) & (probs[:, 1] >= probs[:, 0] * CLOSE_CALL)
        close &= (self._apart[best] < 0) | (self._apart[best] != self._apart[np.maximum(second, 0)])
        close[answered] = False
        return self._opinions(texts, ids, probs, np.flatnonzero(close), answers,
                              admit=lambda rows, columns: columns == second[rows], known=True)

    def _in_context(self, texts: Sequence[str], ids: np.ndarray, probs: np.ndarray, docs: np.ndarray,
                    rows: np.ndarray, columns: np.ndarray, injected: np.ndarray, asked_already: np.ndarray,
                    answers: dict[int, Answer | None]) -> _Opinions:
        """The last round: CLD2 on the fairly sure units of documents where an earlier round made a
        language fastText lacks some unit's best; only that language (for that document) may enter."""
        takes_over = self._unseen[columns] & (injected > probs[rows, 0] * (1.0 - injected))
        found = {(d, c) for d, c in zip(docs[rows[takes_over]].tolist(), columns[takes_over].tolist())}
        in_found = np.isin(docs, [d for d, _ in found])
        fairly_sure = (probs[:, 0] >= self.below) & (probs[:, 0] < self.context_below)
        fairly_sure[asked_already] = False

        def of_its_document(answered: np.ndarray, languages: np.ndarray) -> np.ndarray:
            pairs = zip(docs[answered].tolist(), languages.tolist())
            return np.array([pair in found for pair in pairs], dtype=bool)

        return self._opinions(texts, ids, probs, np.flatnonzero(in_found & fairly_sure), answers,
                              admit=of_its_document)

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        evidence = self.evidence(texts)
        return [
            {self.codes[j]: float(p) for j, p in zip(row_ids, row_probs) if j >= 0}
            for row_ids, row_probs in zip(evidence.ids.tolist(), evidence.probs.tolist())
        ]

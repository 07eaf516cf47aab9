"""Units -> language evidence from a fastText LID model, batched around the model call."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError
from .fasttext_file import read_model
from .labels import normalise_label
from .span_scores import SpanScorer, Tokens, chosen_columns

Distribution = dict[str, float]
"""Language code -> probability for one unit (the model's top-k; absent languages are improbable)."""


@dataclass(frozen=True)
class Evidence:
    """The top-k of a batch of units as arrays: `codes[ids[i, j]]` has probability `probs[i, j]`.

    Rows are sorted by descending probability; `ids` is -1 (and `probs` 0) where a row has fewer
    than k entries, and `PRUNED` (`probs` 0) where the model left out languages below the threshold it
    was asked with: every language the row does not list is less probable than that. `codes` is sorted,
    so a column's index orders languages alphabetically.
    """

    codes: tuple[str, ...]
    ids: np.ndarray
    probs: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> Evidence:
        """The evidence of the given rows only (indices or a boolean mask)."""
        return Evidence(self.codes, self.ids[rows], self.probs[rows])

    def distributions(self) -> list[Distribution]:
        """Each row as a dictionary, code -> probability (what `Scorer.score` returns)."""
        return [{self.codes[i]: p for i, p in zip(row_ids, row_probs) if i >= 0}
                for row_ids, row_probs in zip(self.ids.tolist(), self.probs.tolist())]

    def over(self, codes: tuple[str, ...]) -> Evidence:
        """The same evidence with its ids as columns of `codes`, a superset of its own codes."""
        if codes == self.codes:
            return self
        column = np.array([codes.index(code) for code in self.codes] + [-1], dtype=self.ids.dtype)
        return Evidence(codes, np.where(self.ids >= 0, column[self.ids], self.ids), self.probs)

    @classmethod
    def stacked(cls, parts: Sequence[Evidence]) -> Evidence:
        """The rows of `parts`, one part after another, over all their codes (a plain scorer names only the
        languages of the texts it was given) and as wide as the widest part."""
        codes = parts[0].codes
        if any(part.codes != codes for part in parts):
            codes = tuple(sorted(set().union(*(part.codes for part in parts))))
            parts = [part.over(codes) for part in parts]
        width = max(part.ids.shape[1] for part in parts)
        return cls(codes, np.vstack([_padded(part.ids, width, -1) for part in parts]),
                   np.vstack([_padded(part.probs, width, 0.0) for part in parts]))

    def only(self, languages: frozenset[str]) -> Evidence:
        """The evidence with every other language left out and each row renormalised over what remains."""
        allowed = np.r_[np.isin(np.array(self.codes, dtype=object), list(languages)), False]  # -1, -2: none
        keep = allowed[np.where(self.ids >= 0, self.ids, -1)]
        probs = np.where(keep, self.probs, 0.0)
        total = probs.sum(axis=1, keepdims=True)
        probs = np.divide(probs, total, out=np.zeros_like(probs), where=total > 0)
        ids = np.where(keep, self.ids, -1)
        order = np.argsort(-probs, axis=1, kind="stable")
        return Evidence(self.codes, np.take_along_axis(ids, order, axis=1).astype(self.ids.dtype),
                        np.take_along_axis(probs, order, axis=1))

    @classmethod
    def from_distributions(cls, dists: Sequence[Distribution], codes: tuple[str, ...] | None = None,
                           width: int | None = None) -> Evidence:
        """Arrays from per-unit dictionaries (what a plain `Scorer` returns), over `codes` (default: the
        languages the dictionaries name) and `width` columns (default: the longest dictionary)."""
        codes = codes if codes is not None else tuple(sorted({lang for dist in dists for lang in dist}))
        column = {code: j for j, code in enumerate(codes)}
        width = width or max((len(dist) for dist in dists), default=0) or 1
        ids = np.full((len(dists), width), -1, dtype=np.int32)
        probs = np.zeros((len(dists), width))
        for i, dist in enumerate(dists):
            ranked = sorted(dist.items(), key=lambda item: (-item[1], item[0]))
            ids[i, :len(ranked)] = [column[lang] for lang, _ in ranked]
            probs[i, :len(ranked)] = [prob for _, prob in ranked]
        return cls(codes, ids, probs)


def _padded(array: np.ndarray, width: int, fill: float) -> np.ndarray:
    if array.shape[1] == width:
        return array
    padded = np.full((array.shape[0], width), fill, dtype=array.dtype)
    padded[:, :array.shape[1]] = array
    return padded


PRUNED = -2
"""The id of an entry a model left out below a threshold it was asked with (see `Evidence`): like -1, no
language, but every language the row does not list is less probable than its last entry."""


class Scorer(Protocol):
    """Anything that gives each text a language distribution (the real model, or a fake one in tests)."""

    def score(self, texts: Sequence[str]) -> list[Distribution]: ...


def evidence_of(scorer: Scorer, texts: Sequence[str]) -> Evidence:
    """The scorer's evidence for `texts` as arrays, through its own fast path when it has one."""
    fast = getattr(scorer, "evidence", None)
    if fast is not None:
        return fast(texts)  # type: ignore[no-any-return]
    return Evidence.from_distributions(scorer.score(texts))


class FastTextScorer:
    """A fastText language-ID model read by langseg itself (`fasttext_file`) and scored additively
    (`span_scores`): every label's probability for each text, of which the top `top_k` become its evidence.

    Labels that share a language code (GlotLID's `zho_Hans` and `zho_Hant`) add up into it. A text with no
    word the model has rows for gets no evidence (an empty row), as fastText gives it no label.
    """

    def __init__(self, path: Path, top_k: int = 5, label_overrides: Mapping[str, str] | None = None,
                 max_words: int = 100_000) -> None:
        model = read_model(path)
        if not all(label.startswith("__label__") for label in model.labels):
            raise ModelError(f"{path} is a fastText model without __label__ classes, not a language-ID model")
        self.engine = SpanScorer(model, max_words)
        self._top_k = top_k
        code_of = [normalise_label(label, label_overrides) for label in model.labels]
        self.codes = tuple(sorted(set(code_of)))
        column = {code: j for j, code in enumerate(self.codes)}
        self.label_columns = np.array([column[code] for code in code_of], dtype=np.int64)
        self._merges_labels = len(self.codes) < len(code_of)
        self._label_of_code = np.empty(len(self.codes), dtype=np.int64)  # when no two labels share a code
        self._label_of_code[self.label_columns] = np.arange(len(self.label_columns))
        self.languages = frozenset(self.codes)
        self._allowed: np.ndarray | None = None  # a mask over the codes, when restricted to some languages

    def restricted(self, codes: Sequence[str]) -> FastTextScorer:
        """This model read as if it knew only `codes` (of its own): every probability is renormalised over
        them, so the other languages never appear (a copy sharing the engine)."""
        unknown = sorted(set(codes) - self.languages)
        if unknown:
            raise ValueError(f"the model has no label for {', '.join(unknown)}")
        restricted = copy.copy(self)
        restricted._allowed = np.isin(np.array(self.codes), list(codes))
        return restricted

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's probability for every code (texts x codes; a row of zeros where the model reads
        no word of it)."""
        log_probs = self.engine.score_texts(list(texts))
        return self._renormalised(self.code_probabilities(log_probs))

    def _renormalised(self, probs: np.ndarray) -> np.ndarray:
        """`probs` (rows x codes) over the allowed codes only, each row summing to 1 again."""
        if self._allowed is None:
            return probs
        probs = np.where(self._allowed, probs, 0.0)
        total = probs.sum(axis=1, keepdims=True)
        return np.divide(probs, total, out=np.zeros_like(probs), where=total > 0)

    def code_probabilities(self, log_probs: np.ndarray) -> np.ndarray:
        """Label log-probabilities (rows x labels) as probabilities of the codes (rows x codes)."""
        probs = np.exp(log_probs)
        if not self._merges_labels:
            return self._in_code_order(probs)
        out = np.zeros((len(probs), len(self.codes)))
        for label, column in enumerate(self.label_columns.tolist()):
            out[:, column] += probs[:, label]
        return out

    def tokens(self, texts: Sequence[str]) -> Tokens:
        """The words of `texts` with their row sums, for `range_log_probs` (offsets are the texts' own)."""
        return self.engine.tokens(list(texts))

    def range_log_probs(self, tokens: Tokens, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Each code's log-probability for the token ranges `[starts[i], ends[i])` (-inf throughout for a
        range with no word the model knows)."""
        log_probs = self.engine.log_probs(*self.engine.hidden(tokens, starts, ends))
        if not self._merges_labels and self._allowed is None:
            return self._in_code_order(log_probs)
        with np.errstate(divide="ignore"):
            return np.log(self._renormalised(self.code_probabilities(log_probs)))

    def _in_code_order(self, per_label: np.ndarray) -> np.ndarray:
        """Columns of labels (rows x labels) as columns of their codes, where no two labels share one."""
        return per_label[:, self._label_of_code]

    def chosen_log_probs(self, tokens: Tokens, starts: np.ndarray, ends: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """`range_log_probs` of only the codes `codes[i]` (ranges x k; -1 gives -inf), cheaper when a few
        languages are all a caller weighs."""
        if self._merges_labels or self._allowed is not None:
            return chosen_columns(self.range_log_probs(tokens, starts, ends), codes)
        labels = np.where(codes >= 0, self._label_of_code[np.maximum(codes, 0)], -1)
        return self.engine.chosen_log_probs(*self.engine.hidden(tokens, starts, ends), labels)

    def evidence(self, texts: Sequence[str]) -> Evidence:
        """The top-k of every text as arrays (the fast path: no per-unit dictionaries)."""
        k = min(self._top_k, len(self.codes))
        probs = self.probabilities(texts)
        if not len(probs):
            return Evidence(self.codes, np.empty((0, k), np.int32), np.empty((0, k)))
        top = np.argpartition(-probs, k - 1, axis=1)[:, :k] if k < probs.shape[1] else np.argsort(-probs, axis=1)
        top_probs = np.take_along_axis(probs, top, axis=1)
        order = np.argsort(-top_probs, axis=1, kind="stable")
        ids = np.take_along_axis(top, order, axis=1).astype(np.int32)
        top_probs = np.minimum(np.take_along_axis(top_probs, order, axis=1), 1.0)
        empty = ~probs.any(axis=1)
        ids[empty] = -1
        top_probs[empty] = 0.0
        return Evidence(self.codes, ids, top_probs)

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        return self.evidence(texts).distributions()


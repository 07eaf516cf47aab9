"""Units -> language evidence from a fastText LID model, batched around the model call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError
from .labels import normalise_label

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


PRUNED = -2
"""The id of an entry the model cut below its threshold (see `Evidence`): like -1, no language."""


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
    """A fastText language-ID model, called through its low-level batch API.

    `fasttext.FastText.predict` raises under NumPy 2 (it calls `np.array(..., copy=False)`), so this
    goes straight to the compiled `multilinePredict`. Texts must not contain newlines: fastText would
    stop reading at the first one, so the units given here never hold one.

    With a `threshold`, the model leaves out of each top-k the languages less probable than it (their
    entries are `PRUNED`): a hierarchical-softmax model such as lid.176 then skips the branches of its
    label tree below it, about 8 % of its time at 0.0005. The decoder takes every probability below its
    floor for the floor (and for nothing in a document's prior), so a threshold at the floor changes no
    decision of a one-pass decode; a long document's windows may be cut at other settled units. It is not
    applied where it could cut a best language (a model with more labels than 1 / threshold) or where
    labels merge into one code.
    """

    def __init__(self, path: Path, top_k: int = 5, label_overrides: Mapping[str, str] | None = None,
                 threshold: float = 0.0) -> None:
        try:
            import fasttext_pybind
        except ImportError as exc:  # pragma: no cover - fasttext is a hard dependency
            raise ModelError("the fasttext package is not installed: run `pip install fasttext`") from exc
        model = fasttext_pybind.fasttext()
        try:
            model.loadModel(str(path))
        except (ValueError, RuntimeError, MemoryError) as exc:
            raise ModelError(f"cannot load {path} as a fastText model ({exc}): fetch it again or pass another --model") from exc
        raw_labels, _counts = model.getLabels("replace")
        if not raw_labels or not all(label.startswith("__label__") for label in raw_labels):
            raise ModelError(f"{path} is a fastText model without __label__ classes, not a language-ID model")
        self._model = model
        self._top_k = top_k
        code_of = {label: normalise_label(label, label_overrides) for label in raw_labels}
        self.codes = tuple(sorted(set(code_of.values())))
        column = {code: j for j, code in enumerate(self.codes)}
        self._column = {label: column[code] for label, code in code_of.items()}
        self._merges_labels = len(self.codes) < len(raw_labels)  # two labels share a code (zho_Hans, zho_Hant)
        self.languages = frozenset(self.codes)
        # A best language has at least 1 / labels: above a threshold lower than that, it is never cut.
        cuts_best = threshold * len(raw_labels) >= 1.0
        self.threshold = 0.0 if cuts_best or self._merges_labels else threshold
        self._listed = min(top_k, len(raw_labels))  # entries a row has when the threshold cuts none

    def _predict(self, texts: Sequence[str], threshold: float = 0.0) -> tuple[list[list[str]], list[np.ndarray]]:
        batch = list(texts)
        try:
            return self._model.multilinePredict(batch, self._top_k, threshold, "replace")  # type: ignore[no-any-return]
        except (UnicodeEncodeError, TypeError):  # lone surrogates (from JSON escapes) cannot cross into C++
            batch = [_without_surrogates(text) for text in batch]
            return self._model.multilinePredict(batch, self._top_k, threshold, "replace")  # type: ignore[no-any-return]

    def evidence(self, texts: Sequence[str]) -> Evidence:
        """The top-k of every text as arrays (the fast path: no per-unit dictionaries)."""
        if not texts:
            return Evidence(self.codes, np.empty((0, self._top_k), np.int32), np.empty((0, self._top_k)))
        labels_per_text, probs_per_text = self._predict(texts, self.threshold)
        if self._merges_labels:
            return Evidence.from_distributions(self._distributions(labels_per_text, probs_per_text), self.codes,
                                               self._top_k)
        k = self._top_k
        column = self._column
        lengths = np.fromiter(map(len, labels_per_text), dtype=np.int64, count=len(labels_per_text))
        total = int(lengths.sum())
        flat_ids = np.fromiter(map(column.__getitem__, chain.from_iterable(labels_per_text)),
                               dtype=np.int32, count=total)
        flat_probs = np.minimum(np.concatenate(probs_per_text).astype(np.float64), 1.0) if total else np.empty(0)
        if total == len(lengths) * k:
            return Evidence(self.codes, flat_ids.reshape(-1, k), flat_probs.reshape(-1, k))
        rows = np.repeat(np.arange(len(lengths)), lengths)  # a text with no token gets an empty row
        cols = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        ids = np.full((len(lengths), k), -1, dtype=np.int32)
        if self.threshold:  # a row with some entries but fewer than the model has: the threshold cut the rest
            cut = (lengths > 0) & (lengths < self._listed)
            ids[cut] = np.where(np.arange(k) < self._listed, PRUNED, -1)
        probs = np.zeros((len(lengths), k))
        ids[rows, cols] = flat_ids
        probs[rows, cols] = flat_probs
        return Evidence(self.codes, ids, probs)

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        if not texts:
            return []
        return self._distributions(*self._predict(texts))

    def _distributions(self, labels_per_text: list[list[str]], probs_per_text: list[np.ndarray]) -> list[Distribution]:
        codes, column = self.codes, self._column
        out: list[Distribution] = []
        for labels, probs in zip(labels_per_text, probs_per_text):
            dist: Distribution = {}
            for label, prob in zip(labels, probs.tolist()):
                code = codes[column[label]]
                dist[code] = dist.get(code, 0.0) + min(prob, 1.0)
            out.append(dist)
        return out


def _without_surrogates(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")

"""A second reader of words for the clause split: heliport (HeLI-OTS, 220 languages), pooled with the model.

HeLI scores a text, per language, by its words' scores (each the negative log10 probability of the
word's character n-grams, 7 for a word it has never seen), so a range of words is scored by their sum:
each word is read once, and any window, clause or unit is one prefix-sum difference away, as with the
additive fastText scores. The pool is log-linear: `log p(l) = log p_model(l) + weight * log p_reader(l)`,
renormalised over the model's codes, with `p_reader(l)` proportional to `10 ** -(score sum)`. A language
the reader lacks gets its mean likelihood over the languages it has: no evidence against it or for it.
Short switches the model reads poorly (a Basque phrase in a Spanish sentence, a Turkish clause in German
speech) gain the reader's word-level knowledge.

heliport is GPL-3.0 and holds about 0.9 GB in memory: an optional extra (`pip install -e '.[heliport]'`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

import numpy as np

from .datafiles import knowledge
from .errors import LangsegError
from .labels import normalise_label
from .span_scores import Tokens, chosen_columns
from .types import UND

_TOP = 40
"""Languages kept per word; the others take the 40th's score (HeLI's scores beyond it are near its penalty)."""
_MAX_WORDS = 200_000
"""Words kept read (about 300 bytes each); the table starts afresh beyond it, so memory stays bounded."""
_LN10 = math.log(10.0)


class WordReaderMissing(LangsegError, ImportError):
    """A word reader was asked for whose package is not installed."""


class HeliportReader:
    """heliport's per-word scores over a model's codes, each word read once (up to `_MAX_WORDS` kept)."""

    def __init__(self, identifier: Any, codes: tuple[str, ...]) -> None:
        self.identifier = identifier
        self.codes = codes
        column = {code: j for j, code in enumerate(codes)}
        groups = knowledge("heliport/knowledge.json", frozenset({"codes"}))["codes"]
        labels = [label for label, _ in identifier.identify_topk_with_score("a", 10_000)]  # every label it has
        targets = [[column[code] for code in groups.get(label) or [normalise_label(label)] if code in column]
                   for label in labels]
        self._label = {label: number for number, label in enumerate(labels)}
        width = max(map(len, targets), default=0) or 1
        self._targets = np.full((len(labels), width), -1, dtype=np.int16)  # each label's columns, -1 padded
        for number, columns in enumerate(targets):
            self._targets[number, :len(columns)] = columns
        known = np.zeros(len(codes), dtype=bool)
        known[[j for columns in targets for j in columns]] = True
        self.known = known  # the model's codes the reader has something to say about
        self._words: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}

    def log_likelihoods(self, words: list[str]) -> np.ndarray:
        """Each word's log-likelihood (natural log) per model code (words x codes, float32); a word the
        reader finds no language in (digits, punctuation) is 0 throughout: no evidence."""
        if not words:
            return np.zeros((0, len(self.codes)), dtype=np.float32)
        columns, scores, worst = zip(*[self._words.get(word) or self._read(word) for word in words])
        out = np.repeat(np.array(worst, dtype=np.float32)[:, None], len(self.codes), axis=1)
        sizes = np.fromiter(map(len, columns), dtype=np.int64, count=len(words))
        out[np.repeat(np.arange(len(words)), sizes), np.concatenate(columns)] = np.concatenate(scores)
        return out

    def _read(self, word: str) -> tuple[np.ndarray, np.ndarray, float]:
        """heliport's reading of one word: the columns it names (each once, at its best score), their
        log-likelihoods, and the likelihood every other column takes."""
        top = self.identifier.identify_topk_with_score(word, _TOP)
        if not top or normalise_label(top[0][0]) == UND:  # digits, punctuation: no language
            entry = (np.zeros(0, np.int64), np.zeros(0, np.float32), 0.0)
        else:
            numbers = [self._label[label] for label, _ in top]
            scores = np.array([score for _, score in top], dtype=np.float32) * -_LN10  # best first
            targets = self._targets[numbers]  # labels x members
            present = targets >= 0
            columns, first = np.unique(targets[present], return_index=True)  # a column's first: its best
            entry = (columns.astype(np.int64), np.repeat(scores, present.sum(axis=1))[first], float(scores[-1]))
        if len(self._words) >= _MAX_WORDS:
            self._words.clear()
        self._words[word] = entry
        return entry


@lru_cache(maxsize=2)
def load_identifier(name: str) -> Any:
    """The reader's own model, loaded once per process (heliport's takes about a second and 0.9 GB)."""
    try:
        import heliport
    except ImportError:
        raise WordReaderMissing(f"the word reader {name!r} needs the heliport package (GPL-3.0): "
                                "pip install -e '.[heliport]'") from None
    return heliport.Identifier()


def load_reader(name: str, codes: tuple[str, ...]) -> HeliportReader:
    """The word reader `name` over a model's codes."""
    return HeliportReader(load_identifier(name), codes)


@dataclass(frozen=True)
class PooledTokens(Tokens):
    """Tokens with the reader's prefix sums of log-likelihoods (one row more than tokens)."""

    reader_prefix: np.ndarray = field(default_factory=lambda: np.zeros((1, 0), dtype=np.float32))


class PooledScorer:
    """A fastText scorer whose token ranges are read by the model and a word reader together (see the
    module doc); what the clause split asks of a scorer, and nothing else."""

    def __init__(self, model: Any, reader: HeliportReader, weight: float) -> None:
        self.model = model
        self.reader = reader
        self.weight = weight
        self.codes = model.codes

    def tokens(self, texts: list[str]) -> PooledTokens:
        tokens = self.model.tokens(texts)
        owner = np.repeat(np.arange(len(texts)), np.diff(tokens.first))
        words = [texts[d][a:b] for d, a, b in zip(owner.tolist(), tokens.starts.tolist(), tokens.ends.tolist())]
        prefix = np.zeros((len(words) + 1, len(self.codes)), dtype=np.float32)
        if words:
            np.cumsum(self.reader.log_likelihoods(words), axis=0, out=prefix[1:])
        return PooledTokens(**{f.name: getattr(tokens, f.name) for f in fields(Tokens)}, reader_prefix=prefix)

    def range_log_probs(self, tokens: PooledTokens, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Each code's pooled log-probability for the token ranges (-inf throughout where the model knows
        no word of a range, as the model alone gives)."""
        model = self.model.range_log_probs(tokens, starts, ends)
        reader = tokens.reader_prefix[ends] - tokens.reader_prefix[starts]  # float32, as the rest here
        known = self.reader.known
        if not known.any():  # a model none of whose languages the reader has: the model alone
            reader[:] = 0.0
        else:
            reader -= reader[:, known].max(axis=1, keepdims=True)
            if not known.all():  # a language the reader lacks gets what it expects of text in any of its
                # languages (the log of its mean likelihood): no evidence against it, none for it either
                reader[:, ~known] = np.log(np.exp(reader[:, known]).mean(axis=1, keepdims=True))
        pooled = model.astype(np.float32)
        silent = ~np.isfinite(pooled).any(axis=1)
        np.nan_to_num(pooled, copy=False, neginf=-1e9)
        pooled += np.float32(self.weight) * reader
        pooled -= pooled.max(axis=1, keepdims=True)
        with np.errstate(under="ignore"):
            pooled -= np.log(np.exp(pooled).sum(axis=1, keepdims=True))
        pooled = pooled.astype(np.float64)
        pooled[silent] = -np.inf
        return pooled

    def chosen_log_probs(self, tokens: PooledTokens, starts: np.ndarray, ends: np.ndarray,
                         codes: np.ndarray) -> np.ndarray:
        """`range_log_probs` of only the codes `codes[i]` (ranges x k; -1 gives -inf)."""
        return chosen_columns(self.range_log_probs(tokens, starts, ends), codes)

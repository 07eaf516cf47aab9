"""Every label's log-probability for any span of a text, from one pass over its words.

A fastText classifier's hidden vector is the mean of the input rows of a text's ids (each word's own id
when it is in the vocabulary, plus its surviving character n-grams, plus word n-grams when the model
uses them). The mean is additive: the hidden vector of any token range is the sum of its tokens' row
sums over the sum of their id counts. So a batch is tokenised once (fastText's own rule: ASCII
whitespace and NUL separate words), each token gets its row sum, and the labels of any list of token
ranges -- units, lines, windows, candidate spans -- follow from prefix sums and one matrix product.
The result matches fastText's own predictions (hierarchical softmax or softmax, with its `log(p + 1e-5)`)
to float precision.

New words are turned into ids in batches with NumPy (fastText's FNV-1a hash of each character n-gram,
its pruned-bucket index) and their row sums kept in a bounded table (`WordTable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .fasttext_file import ModelFile

SEPARATORS = " \n\r\t\v\f\0"
"""The characters fastText splits words on."""
_EOS = b"</s>"
_LABEL_PREFIX = "__label__"
_FNV_OFFSET = np.uint32(2166136261)
_FNV_PRIME = np.uint32(16777619)
_NGRAM_PRIME = np.uint64(116049371)
_SIGMOID_STEPS, _SIGMOID_LIMIT = 512, 8.0
_LOG_EPSILON = 1e-5  # fastText takes log(p + 1e-5) of every probability it reports
_NEW_WORDS_TOGETHER = 4096
_KEY_OFFSET = np.uint64(14695981039346656037)
_KEY_PRIME = np.uint64(1099511628211)
KEYED_LONGEST = 64
"""The longest word (in code points) the word table keeps."""



@dataclass(frozen=True)
class Tokens:
    """The words of a batch of texts: code-point offsets in their text, and each word's row sum and id count.

    `first[d]:first[d + 1]` are text d's tokens. `ngram_sums[k - 2]` holds, for word n-gram models, the
    row of the k-word n-gram that starts at each token (zero where it was pruned or runs past the text).
    """

    starts: np.ndarray
    ends: np.ndarray
    first: np.ndarray
    sums: np.ndarray
    counts: np.ndarray
    ngram_sums: tuple[np.ndarray, ...] = ()
    ngram_counts: tuple[np.ndarray, ...] = ()

    def __len__(self) -> int:
        return len(self.starts)

    @cached_property
    def prefix(self) -> tuple[np.ndarray, np.ndarray]:
        """Prefix sums of the row sums and id counts (one row more than tokens), for any range at once."""
        cumulative = np.zeros((len(self.starts) + 1, self.sums.shape[1]))
        np.cumsum(self.sums, axis=0, out=cumulative[1:])
        return cumulative, np.r_[0, np.cumsum(self.counts, dtype=np.int64)]


def token_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Code-point offsets of the words of `text` as fastText reads them (runs between separators)."""
    return _bounds(code_points(text))


def code_points(text: str) -> np.ndarray:
    """The code points of `text` (lone surrogates kept), one array element each."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _bounds(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(points):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    inside = (points > 32) | ((points < 9) & (points > 0)) | ((points > 13) & (points < 32))
    edges = np.flatnonzero(np.diff(np.r_[False, inside, False].astype(np.int8)))
    return edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)


def word_keys(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit FNV-1a key of each word's code points, all words at once (the word table's index, so that
    a known word is found without making a Python string of it). Words longer than `KEYED_LONGEST` code
    points get no key (0) and are never kept: they are rare, seldom repeat, and would make the loop long."""
    lengths = ends - starts
    keys = np.zeros(len(starts), dtype=np.uint64)
    keyed = np.flatnonzero((lengths > 0) & (lengths <= KEYED_LONGEST))
    order = keyed[_longest_first(lengths[keyed])]  # the words still going are a prefix
    first, remaining = starts[order], -lengths[order]
    hashed = np.full(len(order), _KEY_OFFSET, dtype=np.uint64)
    for step in range(int(-remaining[0]) if len(order) else 0):
        going = int(np.searchsorted(remaining, -step, side="left"))
        hashed[:going] = (hashed[:going] ^ points[first[:going] + step]) * _KEY_PRIME
    keys[order] = hashed | np.uint64(1)  # never 0, the mark of an unkeyed word
    return keys


def fnv1a(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """fastText's 32-bit FNV-1a hash of byte strings `data[starts[i]:starts[i] + lengths[i]]`, each byte
    taken as a signed char as fastText's C++ does."""
    order = _longest_first(lengths)  # the strings still going are a prefix
    starts, lengths = starts[order], lengths[order]
    hashes = np.full(len(starts), _FNV_OFFSET, dtype=np.uint32)
    signed = data.astype(np.int8).astype(np.int32).view(np.uint32)
    for k in range(int(lengths.max(initial=0))):
        live = np.searchsorted(-lengths, -k, side="left")  # strings longer than k
        hashes[:live] = (hashes[:live] ^ signed[starts[:live] + k]) * _FNV_PRIME
    out = np.empty_like(hashes)
    out[order] = hashes
    return out


def chosen_columns(log_probs: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Each row's values at its own `columns` (rows x k; a column of -1 gives -inf).

    >>> chosen_columns(np.log(np.array([[0.5, 0.25, 0.25]])), np.array([[1, -1]])).round(3).tolist()
    [[-1.386, -inf]]
    """
    return np.where(columns >= 0, np.take_along_axis(log_probs, np.maximum(columns, 0), axis=1), -np.inf)


def _longest_first(lengths: np.ndarray) -> np.ndarray:
    """The order of `lengths` from the longest, ties in order (as 16-bit keys when they fit: a radix sort)."""
    if len(lengths) and lengths.max() < 2**15:
        return np.argsort(-lengths.astype(np.int16), kind="stable")
    return np.argsort(-lengths, kind="stable")


class WordTable:
    """Each word's row sum and id count, computed for new words in batches and kept up to a bound.

    Words are found by their `word_keys` in a sorted key array, so a batch of known words costs a few
    NumPy passes, not a dictionary lookup each. The table holds at most `max_words` words (about 90 bytes
    each); when a batch would pass it, it starts again empty (a generation reset), so memory stays bounded
    whatever the corpus while the common words of a stream are found again at once.
    """

    def __init__(self, model: ModelFile, max_words: int) -> None:
        self.model = model
        self.max_words = max_words
        self._size = 0
        capacity = min(max_words, 4096)
        self._sums = np.zeros((capacity, model.dim), dtype=np.float32)
        self._counts = np.zeros(capacity, dtype=np.int32)
        self._hashes = np.zeros(capacity, dtype=np.uint32)
        self._sorted_keys = np.zeros(0, dtype=np.uint64)
        self._sorted_rows = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return self._size

    def lookup(self, text: str, points: np.ndarray, starts: np.ndarray, ends: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row sums (float32), id counts and word hashes of the words `text[starts[i]:ends[i]]` (`points`
        are the code points of `text`), adding the new ones."""
        keys = word_keys(points, starts, ends)
        rows = self._find(keys)
        missing = np.flatnonzero((rows < 0) & (keys != 0))
        if len(missing):
            new_keys, first = np.unique(keys[missing], return_index=True)
            if self._size + len(new_keys) > self.max_words:
                self._clear()
                missing = np.flatnonzero(keys != 0)
                new_keys, first = np.unique(keys[missing], return_index=True)
            if len(new_keys) <= self.max_words:
                at = missing[first]
                self._add(new_keys, [text[a:b] for a, b in zip(starts[at].tolist(), ends[at].tolist())])
                rows[missing] = self._find(keys[missing])
        computed = np.flatnonzero(rows < 0)  # long words, and a batch of more new words than the table holds
        if not len(computed):
            return self._sums[rows], self._counts[rows], self._hashes[rows]
        sums, counts, hashes = self._sums[rows], self._counts[rows], self._hashes[rows]
        words = [text[a:b] for a, b in zip(starts[computed].tolist(), ends[computed].tolist())]
        sums[computed], counts[computed], hashes[computed] = self._compute(words)
        return sums, counts, hashes

    def _find(self, keys: np.ndarray) -> np.ndarray:
        """Each key's row in the table, -1 where it has none."""
        if not len(self._sorted_keys):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted_keys, keys), len(self._sorted_keys) - 1)
        return np.where(self._sorted_keys[at] == keys, self._sorted_rows[at], -1)

    def _clear(self) -> None:
        self._size = 0
        self._sorted_keys = np.zeros(0, dtype=np.uint64)
        self._sorted_rows = np.zeros(0, dtype=np.int64)

    def _add(self, keys: np.ndarray, words: list[str]) -> None:
        first = self._size
        needed = first + len(words)
        if needed > len(self._sums):
            size = min(self.max_words, max(needed, 2 * len(self._sums)))
            self._sums, self._counts, self._hashes = (_grown(array, size)
                                                      for array in (self._sums, self._counts, self._hashes))
        self._sums[first:needed], self._counts[first:needed], self._hashes[first:needed] = self._compute(words)
        self._size = needed
        merged_keys = np.concatenate([self._sorted_keys, keys])
        order = np.argsort(merged_keys, kind="stable")
        self._sorted_keys = merged_keys[order]
        self._sorted_rows = np.concatenate([self._sorted_rows, np.arange(first, needed)])[order]

    def _compute(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row sums, id counts and hashes of `words`, a few thousand words at a time (each word's rows
        are gathered before they are summed)."""
        parts = [self._compute_some(words[first:first + _NEW_WORDS_TOGETHER])
                 for first in range(0, max(len(words), 1), _NEW_WORDS_TOGETHER)]
        if len(parts) == 1:
            return parts[0]
        return tuple(np.concatenate([part[k] for part in parts]) for k in range(3))  # type: ignore[return-value]

    def _compute_some(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ids, owner, hashes = subword_ids(self.model, words)
        order = np.argsort(owner, kind="stable")
        counts = np.bincount(owner, minlength=len(words)).astype(np.int32)
        sums = np.zeros((len(words), self.model.dim), dtype=np.float32)
        present = counts > 0
        if present.any():
            bounds = (np.cumsum(counts) - counts)[present]
            sums[present] = np.add.reduceat(self.model.input[ids[order]], bounds, axis=0)
        return sums, counts, hashes


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((size,) + array.shape[1:], dtype=array.dtype)
    out[:len(array)] = array
    return out


def subword_ids(model: ModelFile, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The input rows of each word as fastText reads it (`ids`, with `owner` the word each belongs to),
    and each word's FNV hash (for word n-grams; zero in a model without them, where hashing a long word
    byte by byte would cost for nothing). Label tokens (`__label__...`) have no rows."""
    encoded = [word.encode("utf-8", "replace") for word in words]
    hashes = np.zeros(len(words), dtype=np.uint32)
    ids: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    own = [(i, model.words.get(raw, -1)) for i, raw in enumerate(encoded)]
    vocab = np.array([(i, wid) for i, wid in own if wid >= 0], dtype=np.int64).reshape(-1, 2)
    ids.append(vocab[:, 1])
    owners.append(vocab[:, 0])
    is_label = np.fromiter((word.startswith(_LABEL_PREFIX) for word in words), dtype=bool, count=len(words))
    if encoded and model.word_ngrams > 1:  # only word n-grams read a word's own hash
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        hashes = fnv1a(data, np.cumsum(lengths) - lengths, lengths)
    if model.maxn > 0:
        keep = [i for i, raw in enumerate(encoded) if raw != _EOS and not is_label[i]]
        gram_ids, gram_owner = _char_ngram_ids(model, [b"<" + encoded[i] + b">" for i in keep])
        ids.append(gram_ids)
        owners.append(np.asarray(keep, dtype=np.int64)[gram_owner])
    all_ids = np.concatenate(ids)
    all_owners = np.concatenate(owners)
    drop = is_label[all_owners]
    return all_ids[~drop], all_owners[~drop], hashes


def _char_ngram_ids(model: ModelFile, wrapped: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """The surviving character n-gram rows of each wrapped word (`<word>`), and the word each is of."""
    if not wrapped or max(model.minn, 1) > model.maxn or model.bucket == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    lengths = np.fromiter(map(len, wrapped), dtype=np.int64, count=len(wrapped))
    data = np.frombuffer(b"".join(wrapped), dtype=np.uint8)
    word_start = np.cumsum(lengths) - lengths
    begins = (data & 0xC0) != 0x80
    char_start = np.flatnonzero(begins)  # byte offsets where a character begins
    chars = np.add.reduceat(begins, word_start).astype(np.int64)  # every wrapped word has its < and >
    char_word = np.repeat(np.arange(len(wrapped)), chars)
    word_end_char = np.cumsum(chars)  # the index of the first character of the next word
    word_first_char = word_end_char - chars
    char_bound = np.r_[char_start, len(data)]
    starts, ends, owners = [], [], []
    for n in range(max(model.minn, 1), model.maxn + 1):
        last = np.arange(len(char_start)) + n  # the character index just past the n-gram
        fits = last <= word_end_char[char_word]
        if n == 1:  # a lone character is no n-gram at the word's edges (the < and >)
            c = np.arange(len(char_start))
            fits &= (c != word_first_char[char_word]) & (last != word_end_char[char_word])
        where = np.flatnonzero(fits)
        starts.append(char_start[where])
        ends.append(char_bound[last[where]])
        owners.append(char_word[where])
    start = np.concatenate(starts)
    owner = np.concatenate(owners)
    buckets = fnv1a(data, start, np.concatenate(ends) - start).astype(np.int64) % model.bucket
    rows = model.bucket_rows[buckets]
    kept = rows >= 0
    return rows[kept], owner[kept]


class SpanScorer:
    """Log-probabilities of every label for token ranges of a batch of texts (see the module's doc)."""

    def __init__(self, model: ModelFile, max_words: int = 100_000) -> None:
        self.model = model
        self.labels = model.labels
        self.table = WordTable(model, max_words)
        self._output = model.output.astype(np.float64)
        if model.loss == "hs":
            self._positive, self._negative = huffman_paths(model.label_counts)

    def tokens(self, texts: list[str]) -> Tokens:
        """Tokenise `texts` and give each token its row sum and id count."""
        joined = "\n".join(texts)  # one pass over the batch: a newline separates words anyway
        points = code_points(joined)
        starts, ends = _bounds(points)
        text_start = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]]) if texts else np.zeros(0, np.int64)
        first = np.r_[np.searchsorted(starts, text_start), len(starts)].astype(np.int64)
        sums, counts, hashes = self.table.lookup(joined, points, starts, ends)
        offset = np.repeat(text_start, np.diff(first))
        starts, ends = starts - offset, ends - offset
        if self.model.word_ngrams < 2 or self.model.bucket == 0:  # no buckets: no word n-grams either
            return Tokens(starts, ends, first, sums, counts)
        gram_sums, gram_counts = self._word_ngrams(hashes, first)
        return Tokens(starts, ends, first, sums, counts, gram_sums, gram_counts)

    def _word_ngrams(self, hashes: np.ndarray, first: np.ndarray
                     ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """For each k of 2..wordNgrams, the row of the k-word n-gram starting at each token (within its text)."""
        model = self.model
        signed = hashes.view(np.int32).astype(np.int64).view(np.uint64)  # fastText widens the int32 hash
        text_of = np.repeat(np.arange(len(first) - 1), np.diff(first))
        rolling = signed.copy()
        out_sums, out_counts = [], []
        for k in range(2, model.word_ngrams + 1):
            reach = max(len(hashes) - k + 1, 0)  # tokens with k - 1 more after them
            shifted = np.zeros(len(hashes), np.uint64)
            shifted[:reach] = signed[k - 1:]
            rolling = rolling * _NGRAM_PRIME + shifted
            valid = np.zeros(len(hashes), bool)
            valid[:reach] = text_of[k - 1:] == text_of[:reach]
            buckets = (rolling % np.uint64(model.bucket)).astype(np.int64)
            rows = np.where(valid, model.bucket_rows[buckets], -1)
            sums = np.zeros((len(hashes), model.dim), dtype=np.float32)
            present = rows >= 0
            sums[present] = model.input[rows[present]]
            out_sums.append(sums)
            out_counts.append(present.astype(np.int32))
        return tuple(out_sums), tuple(out_counts)

    def hidden(self, tokens: Tokens, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The summed rows and id counts of token ranges `[starts[i], ends[i])` (indices into `tokens`)."""
        cumulative, counts = tokens.prefix
        sums = cumulative[ends] - cumulative[starts]
        total = counts[ends] - counts[starts]
        for k, (gram_sums, gram_counts) in enumerate(zip(tokens.ngram_sums, tokens.ngram_counts), start=2):
            gram_cumulative = np.zeros_like(cumulative)
            np.cumsum(gram_sums, axis=0, out=gram_cumulative[1:])
            gram_total = np.r_[0, np.cumsum(gram_counts, dtype=np.int64)]
            last = np.maximum(ends - k + 1, starts)  # n-grams that start here end inside the range
            sums += gram_cumulative[last] - gram_cumulative[starts]
            total += gram_total[last] - gram_total[starts]
        return sums, total

    def log_probs(self, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Every label's log-probability (fastText's `log(p + 1e-5)`) from summed rows and id counts;
        a row with no ids is -inf throughout (fastText gives such a text no label)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            hidden = sums / counts[:, None]
        if self.model.loss == "hs":  # in float32, as fastText computes: half the time of float64
            z = hidden.astype(np.float32) @ self._inner32.T
            with np.errstate(over="ignore"):
                sigmoid = np.float32(1.0) / (np.float32(1.0) + np.exp(-z))
            turns = np.concatenate([np.log(sigmoid + np.float32(_LOG_EPSILON)),
                                    np.log(np.float32(1.0) - sigmoid + np.float32(_LOG_EPSILON))], axis=1)
            out = (turns @ self._turns32).astype(np.float64)
        elif self.model.loss == "softmax":
            scores = hidden @ self._output.T
            exp = np.exp(scores - scores.max(axis=1, keepdims=True))
            out = np.log(exp / exp.sum(axis=1, keepdims=True) + _LOG_EPSILON)
        else:  # one-vs-all and negative sampling: an independent sigmoid per label, from fastText's table
            out = np.log(table_sigmoid(hidden @ self._output.T) + _LOG_EPSILON)
        out[counts == 0] = -np.inf
        return out

    def chosen_log_probs(self, sums: np.ndarray, counts: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """`log_probs` of only the labels `labels[i]` (rows x k, label indices; -1 gives -inf) of each row:
        with hierarchical softmax, only the nodes on those labels' paths are evaluated."""
        if self.model.loss != "hs":
            return chosen_columns(self.log_probs(sums, counts), labels)
        nodes, signs = self._paths
        with np.errstate(invalid="ignore", divide="ignore"):
            hidden = sums / counts[:, None]
        chosen = np.maximum(labels, 0)
        rows, k = chosen.shape
        lengths = np.where(labels >= 0, self._depths[chosen], 0)  # each (row, candidate)'s path length
        entry = np.repeat(np.arange(rows * k), lengths.ravel())  # one entry per node of every path
        step = np.arange(len(entry)) - np.repeat(np.cumsum(lengths.ravel()) - lengths.ravel(), lengths.ravel())
        label = chosen.ravel()[entry]
        # the score of each inner node some path here passes (a few dozen of the tree's nodes, usually)
        path_node = nodes[label, step]
        used = np.zeros(len(self._inner), dtype=bool)
        used[nodes[np.unique(chosen[labels >= 0])].ravel()] = True
        needed = np.flatnonzero(used)
        position = np.cumsum(used) - 1  # each needed node's column in `every`
        every = (hidden @ self._inner[needed].T).astype(np.float32)
        z = every[entry // k, position[path_node]] * signs[label, step].astype(np.float32)
        with np.errstate(over="ignore"):
            terms = np.log(np.float32(1.0) / (np.float32(1.0) + np.exp(-z)) + np.float32(_LOG_EPSILON))
        out = np.bincount(entry, weights=terms, minlength=rows * k).reshape(rows, k)
        out[labels < 0] = -np.inf
        out[counts == 0] = -np.inf
        return out

    @cached_property
    def _inner32(self) -> np.ndarray:
        return np.ascontiguousarray(self._output[:len(self.labels) - 1], dtype=np.float32)

    @cached_property
    def _turns32(self) -> np.ndarray:
        """Right turns then left turns of every label's path, as one (2 x inner nodes) x labels matrix."""
        return np.ascontiguousarray(np.concatenate([self._positive.T, self._negative.T]), dtype=np.float32)

    @cached_property
    def _inner(self) -> np.ndarray:
        return np.ascontiguousarray(self._output[:len(self.labels) - 1])

    @cached_property
    def _depths(self) -> np.ndarray:
        return (self._paths[1] != 0).sum(axis=1)

    @cached_property
    def _paths(self) -> tuple[np.ndarray, np.ndarray]:
        """Each label's inner nodes and the sign of its turn at each (+1 right, -1 left, 0 padding)."""
        positive, negative = self._positive, self._negative
        depth = int((positive + negative).sum(axis=1).max(initial=1))
        nodes = np.zeros((len(positive), depth), dtype=np.int64)
        signs = np.zeros((len(positive), depth))
        for label in range(len(positive)):
            right, left = np.flatnonzero(positive[label]), np.flatnonzero(negative[label])
            both = np.r_[right, left]
            nodes[label, :len(both)] = both
            signs[label, :len(both)] = np.r_[np.ones(len(right)), -np.ones(len(left))]
        return nodes, signs

    def score_texts(self, texts: list[str]) -> np.ndarray:
        """Every label's log-probability for each text read whole (what fastText predicts for it)."""
        tokens = self.tokens(texts)
        if tokens.ngram_sums:
            return self.log_probs(*self.hidden(tokens, tokens.first[:-1], tokens.first[1:]))
        # whole texts are consecutive ranges: summed in place, without the prefix sums
        counts = np.diff(np.r_[0, np.cumsum(tokens.counts, dtype=np.int64)][tokens.first])
        sums = np.zeros((len(texts), self.model.dim))
        present = np.flatnonzero(np.diff(tokens.first) > 0)
        if len(present):
            sums[present] = np.add.reduceat(tokens.sums, tokens.first[present], axis=0, dtype=np.float64)
        return self.log_probs(sums, counts)


def table_sigmoid(x: np.ndarray) -> np.ndarray:
    """The sigmoid as fastText's binary-logistic losses compute it: read from a 512-step table over
    [-8, 8], 0 below and 1 above."""
    table = 1.0 / (1.0 + np.exp(-(np.arange(_SIGMOID_STEPS + 1) * 2 * _SIGMOID_LIMIT / _SIGMOID_STEPS - _SIGMOID_LIMIT)))
    with np.errstate(invalid="ignore"):
        index = ((x + _SIGMOID_LIMIT) * _SIGMOID_STEPS / _SIGMOID_LIMIT / 2).astype(np.int64)
    out = table[np.clip(index, 0, _SIGMOID_STEPS)]
    return np.where(x < -_SIGMOID_LIMIT, 0.0, np.where(x > _SIGMOID_LIMIT, 1.0, out))


def huffman_paths(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fastText's hierarchical-softmax tree rebuilt from the label counts, as two 0/1 matrices (labels x
    inner nodes): the nodes where a label's path turns right (positive) and left (negative)."""
    labels = len(counts)
    nodes = 2 * labels - 1
    count = np.full(nodes, 1e15)
    count[:labels] = counts
    parent = np.full(nodes, -1, dtype=np.int64)
    right = np.zeros(nodes, dtype=bool)
    leaf, node = labels - 1, labels
    for i in range(labels, nodes):
        chosen = []
        for _ in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                chosen.append(leaf)
                leaf -= 1
            else:
                chosen.append(node)
                node += 1
        count[i] = count[chosen[0]] + count[chosen[1]]
        parent[chosen[0]] = parent[chosen[1]] = i
        right[chosen[1]] = True
    positive = np.zeros((labels, max(labels - 1, 1)))
    negative = np.zeros_like(positive)
    for label in range(labels):
        j = label
        while parent[j] != -1:
            (positive if right[j] else negative)[label, parent[j] - labels] = 1.0
            j = parent[j]
    return positive, negative

"""Read a fastText supervised model file into NumPy: its settings, dictionary and both matrices.

The layout is fastText's own (version 12): a header, the training arguments, the dictionary with its
pruned n-gram index, the input matrix (dense, or product-quantised as in `.ftz` files) and the output
matrix. Every size is checked against the file's length before anything large is read, so a truncated
or foreign file is a one-line `ModelError` rather than a crash inside fastText's loader. A dense
matrix is memory-mapped, not read, so a 1.6 GB model costs no resident memory until rows are used.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .errors import ModelError

MAGIC = 793712314
VERSION = 12
LOSS_NAMES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
_ARGS = struct.Struct("<12id")  # dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate t
_SUPERVISED = 3
_LABEL_TYPE = 1
_WINDOW = 1 << 20  # dictionary bytes read at a time
_MAX_WORD_NGRAMS = 16  # fastText's own examples use 2 or 3; more is a damaged file, and costs a table each


@dataclass(frozen=True, eq=False)
class ModelFile:
    """What a supervised fastText model holds, as NumPy arrays (the input matrix decoded or mapped)."""

    dim: int
    loss: str
    bucket: int
    minn: int
    maxn: int
    word_ngrams: int
    words: dict[bytes, int]
    """Each vocabulary word (UTF-8) -> its row in the input matrix."""
    labels: tuple[str, ...]
    """The class labels in dictionary order (by descending count), as `__label__xx`."""
    label_counts: np.ndarray
    pruned_keys: np.ndarray | None
    """Sorted n-gram buckets that survived pruning (None: not pruned, every bucket has a row)."""
    pruned_rows: np.ndarray | None
    """For each of `pruned_keys`, its row after the vocabulary rows."""
    input: np.ndarray
    output: np.ndarray

    @property
    def nwords(self) -> int:
        return len(self.words)

    @cached_property
    def bucket_rows(self) -> _BucketRows:
        """Input row of each n-gram bucket, -1 where pruning removed it (indexable by bucket arrays)."""
        return _BucketRows(self.nwords, self.pruned_keys, self.pruned_rows, self.bucket)


class _BucketRows:
    """The bucket -> input row map: after the vocabulary's rows in an unpruned model; in a pruned one, the
    surviving buckets' rows found by binary search, after a bitmap of the survivors (one bit a bucket)
    has set aside the many buckets pruning removed."""

    def __init__(self, nwords: int, keys: np.ndarray | None, rows: np.ndarray | None, buckets: int) -> None:
        self.nwords, self.keys, self.rows = nwords, keys, rows
        if keys is not None:
            survives = np.zeros(max(buckets, 1), dtype=bool)
            survives[keys[(keys >= 0) & (keys < buckets)]] = True
            self._bits = np.packbits(survives, bitorder="little")

    def __getitem__(self, buckets: np.ndarray) -> np.ndarray:
        if self.keys is None:
            return buckets + self.nwords
        out = np.full(len(buckets), -1, dtype=np.int64)
        inside = (buckets >= 0) & (buckets < len(self._bits) * 8)
        hit = np.flatnonzero(inside)
        hit = hit[(self._bits[buckets[hit] >> 3] >> (buckets[hit] & 7)) & 1 == 1]
        if len(hit):
            at = np.minimum(np.searchsorted(self.keys, buckets[hit]), len(self.keys) - 1)
            out[hit] = np.where(self.keys[at] == buckets[hit], self.rows[at], -1)
        return out


class _Reader:
    """Little-endian reads from a bytes-like buffer, each checked against its end."""

    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.path, self.at = data, path, 0

    def take(self, size: int, what: str) -> memoryview:
        if size < 0 or self.at + size > len(self.data):
            raise ModelError(f"cannot load {self.path}: the file ends inside its {what} (not a complete "
                             "fastText model); fetch it again or pass another --model")
        piece = self.data[self.at:self.at + size]
        self.at += size
        return piece

    def unpack(self, fmt: str, what: str) -> tuple:
        layout = struct.Struct("<" + fmt)
        return layout.unpack(self.take(layout.size, what))

    def array(self, dtype: str, count: int, what: str) -> np.ndarray:
        size = np.dtype(dtype).itemsize * count
        return np.frombuffer(self.take(size, what), dtype=dtype, count=count)


def read_model(path: Path) -> ModelFile:
    """Parse a supervised fastText model (`.bin` or quantised `.ftz`); raise ModelError naming what is wrong."""
    path = Path(path)
    try:
        raw = np.memmap(path, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load {path} ({exc})") from exc
    reader = _Reader(memoryview(raw), path)
    magic, version = reader.unpack("ii", "header")
    if magic != MAGIC:
        raise ModelError(f"cannot load {path}: not a fastText model (wrong magic number)")
    if version > VERSION:
        raise ModelError(f"cannot load {path}: a fastText model of format {version}, newer than this reader's {VERSION}")
    (dim, _ws, _epoch, _min_count, _neg, word_ngrams, loss, model, bucket, minn, maxn, _lr_rate,
     _t) = reader.unpack(_ARGS.format[1:], "settings")
    if model != _SUPERVISED:
        raise ModelError(f"cannot load {path}: a fastText word-vector model, not a classifier: pass a language-ID model")
    if loss not in LOSS_NAMES:
        raise ModelError(f"cannot load {path}: an unknown loss ({loss})")
    if not 0 < dim <= 4096 or bucket < 0 or maxn > 64 or not 1 <= word_ngrams <= _MAX_WORD_NGRAMS:
        raise ModelError(f"cannot load {path}: implausible settings (dim {dim}, bucket {bucket}, maxn {maxn}, "
                         f"wordNgrams {word_ngrams})")
    words, labels, label_counts, pruned_keys, pruned_rows = _read_dictionary(reader, path)
    quantised_input = reader.unpack("?", "input flag")[0]
    input_matrix = _read_matrix(reader, raw, quantised_input, "input matrix")
    quantised_output = reader.unpack("?", "output flag")[0]
    output_matrix = _read_matrix(reader, raw, quantised_output, "output matrix")
    rows_needed = len(words) + (len(pruned_keys) if pruned_keys is not None else bucket)
    if input_matrix.shape != (rows_needed, dim) or output_matrix.shape != (len(labels), dim):
        raise ModelError(f"cannot load {path}: matrices of the wrong shape for its dictionary "
                         f"({input_matrix.shape}, {output_matrix.shape})")
    if pruned_rows is not None and len(pruned_rows) and not (
            len(words) <= pruned_rows.min() and pruned_rows.max() < rows_needed):
        raise ModelError(f"cannot load {path}: a pruned n-gram index that points outside its input matrix")
    return ModelFile(dim, LOSS_NAMES[loss], bucket, minn, maxn, word_ngrams, words, labels, label_counts,
                     pruned_keys, pruned_rows, input_matrix, output_matrix)


def _read_dictionary(reader: _Reader, path: Path):
    size, nwords, nlabels, _ntokens, prune_size = reader.unpack("iiiqq", "dictionary header")
    if size != nwords + nlabels or min(nwords, nlabels) < 0 or nlabels == 0:
        raise ModelError(f"cannot load {path}: an inconsistent dictionary ({nwords} words, {nlabels} labels, {size} entries)")
    data = reader.data
    words: dict[bytes, int] = {}
    labels: list[str] = []
    counts = np.empty(nlabels, dtype=np.int64)
    base = reader.at  # the file offset of buf[0]
    buf = bytes(data[base:base + _WINDOW])
    local = 0
    for index in range(size):
        end = buf.find(b"\0", local)
        while end < 0 or end + 10 > len(buf):  # an entry is its word, a NUL, a count (8 bytes), a type (1)
            more = bytes(data[base + len(buf):base + len(buf) + _WINDOW])
            if not more:
                reader.take(len(data), "dictionary")  # raises: the file ends inside its dictionary
            buf = buf[local:] + more
            base += local
            local = 0
            end = buf.find(b"\0")
        word = buf[local:end]
        count, kind = struct.unpack_from("<qb", buf, end + 1)
        local = end + 10
        if kind == _LABEL_TYPE:
            if len(labels) == nlabels:
                raise ModelError(f"cannot load {path}: a dictionary whose entries do not match its header")
            labels.append(word.decode("utf-8", "replace"))
            counts[len(labels) - 1] = count
        else:
            words[word] = index
    reader.at = base
    reader.at += local
    if len(words) != nwords or len(labels) != nlabels:
        raise ModelError(f"cannot load {path}: a dictionary whose entries do not match its header")
    pruned_keys = pruned_rows = None
    if prune_size >= 0:
        pairs = reader.array("<i4", 2 * prune_size, "pruned n-gram index").reshape(-1, 2)
        order = np.argsort(pairs[:, 0], kind="stable")
        pruned_keys = pairs[order, 0].astype(np.int64)
        pruned_rows = pairs[order, 1].astype(np.int64) + nwords
    return words, tuple(labels), counts, pruned_keys, pruned_rows


def _read_matrix(reader: _Reader, raw: np.memmap, quantised: bool, what: str) -> np.ndarray:
    if not quantised:
        rows, cols = reader.unpack("qq", what)
        if rows < 0 or cols <= 0:
            raise ModelError(f"cannot load {reader.path}: a {what} of impossible size")
        start = reader.at
        reader.take(4 * rows * cols, what)
        return np.ndarray((rows, cols), dtype="<f4", buffer=raw, offset=start)
    qnorm, rows, cols, codesize = reader.unpack("?qqi", what)
    codes = reader.array("u1", codesize, what)
    decoded = _decode_product_quantiser(reader, codes, rows, cols, what)
    if qnorm:
        norm_codes = reader.array("u1", rows, what)
        norms = _decode_product_quantiser(reader, norm_codes, rows, 1, what)
        decoded *= norms
    return decoded


def _decode_product_quantiser(reader: _Reader, codes: np.ndarray, rows: int, cols: int, what: str) -> np.ndarray:
    """Every row of a product-quantised matrix: each row is `nsubq` codes, each picking one of 256
    centroids of its slice of the columns (the last slice may be narrower)."""
    dim, nsubq, dsub, lastdsub = reader.unpack("iiii", what)
    ksub = 256
    centroids = reader.array("<f4", dim * ksub, what)
    if dim != cols or len(codes) != rows * nsubq or (nsubq - 1) * dsub + lastdsub != dim:
        raise ModelError(f"cannot load {reader.path}: a quantised {what} whose sizes do not agree")
    codes = codes.reshape(rows, nsubq)
    out = np.empty((rows, dim), dtype=np.float32)
    for m in range(nsubq):
        width = lastdsub if m == nsubq - 1 else dsub
        table = centroids[m * ksub * dsub:m * ksub * dsub + ksub * width].reshape(ksub, width)
        out[:, m * dsub:m * dsub + width] = table[codes[:, m]]
    return out

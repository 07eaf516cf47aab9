"""The clause split as a step of the batch: each scored unit replaced by its clauses of one language."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .clauses import ClauseSplitter, Pieces
from .decode import chunks_by_document
from .unit_labels import Labelled


@dataclass(frozen=True)
class Units:
    """A batch's units (or clauses) in document order: offsets in their document's text, the document each
    is of, its language (a column of the codes; -1: `und`) and that language's probability."""

    starts: np.ndarray
    ends: np.ndarray
    docs: np.ndarray
    labels: np.ndarray
    confidences: np.ndarray

    def counts(self, documents: int) -> list[int]:
        """How many units each of the batch's `documents` has."""
        return np.bincount(self.docs, minlength=documents).tolist()


_SPLIT_CHUNK = 256
"""Units split into clauses together (whole documents, or a long document's units this many at a time, its
document languages then taken from the chunk): the words' tables stay small."""

@lru_cache(maxsize=8)
def _code_maps(codes: tuple[str, ...], model_codes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Each of `codes`' column among the model's codes, and each model code's among `codes` (-1: absent)."""
    model_column = {code: j for j, code in enumerate(model_codes)}
    column = {code: j for j, code in enumerate(codes)}
    return (np.array([model_column.get(code, -1) for code in codes], dtype=np.int64),
            np.array([column.get(code, -1) for code in model_codes], dtype=np.int64))


def split_clauses(splitter: ClauseSplitter, pieces: list[str], labelled: Labelled, units: Units) -> Units:
    """The batch's units with each scored unit replaced by its clauses of one language, in order."""
    to_model, to_batch = _code_maps(tuple(labelled.codes), splitter.scorer.codes)
    scored = labelled.scored
    unit_labels = units.labels[scored]
    in_model = np.where(unit_labels >= 0, to_model[np.maximum(unit_labels, 0)], -1)
    own_in_model = np.where(labelled.own >= 0, to_model[np.maximum(labelled.own, 0)], -1)
    docs = units.docs[scored]
    parts = []
    chunks = chunks_by_document(np.arange(len(scored)), docs, _SPLIT_CHUNK)
    chunks = [chunk[first:first + _SPLIT_CHUNK] for chunk in chunks for first in range(0, len(chunk), _SPLIT_CHUNK)]
    for rows in chunks:  # bounded memory: a long document's units go a chunk at a time
        part = splitter.split([pieces[i] for i in scored[rows].tolist()], in_model[rows],
                              units.confidences[scored[rows]], docs[rows], own_in_model[rows])
        parts.append(replace(part, unit=rows[part.unit]))
    found = Pieces(*(np.concatenate([getattr(part, name) for part in parts])
                     for name in ("unit", "starts", "ends", "labels", "confidences")))
    # a unit whose language the model lacks (the second opinion's) stays whole, with its own label
    found_labels = np.where(in_model[found.unit] >= 0, to_batch[np.maximum(found.labels, 0)], unit_labels[found.unit])
    source = scored[found.unit]  # the unit each clause is of
    unscored = np.setdiff1d(np.arange(len(pieces)), scored, assume_unique=True)
    of = np.r_[source, unscored]
    order = np.argsort(of, kind="stable")
    return Units(starts=np.r_[units.starts[source] + found.starts, units.starts[unscored]][order],
                 ends=np.r_[units.starts[source] + found.ends, units.ends[unscored]][order],
                 docs=units.docs[of[order]],
                 labels=np.r_[found_labels, units.labels[unscored]][order],
                 confidences=np.r_[found.confidences, units.confidences[unscored]][order])

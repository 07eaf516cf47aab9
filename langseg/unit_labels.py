"""Units -> their languages: the model's evidence for each unit (names left out where that reads surer),
decoded with its document's context (`decode`). The step between the units and the clause split."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .config import Config
from .decode import (DecodeParams, WindowContext, chunks_by_document, decode_evidence, document_starts,
                     settled_languages, unit_weights, windows)
from .rewrites import model_input, rewrites_for
from .scoring import Evidence
from .script_context import script_context


@dataclass(frozen=True)
class Labelled:
    """What the unit decoder hands on: the units the model could score (indices into the batch's units),
    each one's decoded language (a column of `codes`) and its probability, its own most probable
    languages before decoding (units x 3; -1 for none), its evidence and the text the model read."""

    codes: tuple[str, ...]
    scored: np.ndarray
    labels: np.ndarray
    confidences: np.ndarray
    own: np.ndarray
    evidence: Evidence
    read: list[str]


class UnitLabeller:
    """Gives each scored unit of a batch one language, from `evidence` (a batch of texts -> the model's
    evidence for them) and the decoding knobs of `config`."""

    def __init__(self, config: Config, evidence: Callable[[list[str]], Evidence]) -> None:
        self.config = config
        self.evidence = evidence

    def label(self, pieces: list[str], scored: np.ndarray, docs: np.ndarray, lines: np.ndarray) -> Labelled:
        """The units the model could score, each one's language (a column of the codes), its probability
        and its own three most probable languages (before decoding; -1 or less for none)."""
        config = self.config
        steps = rewrites_for(config)
        texts = [model_input(pieces[i], steps) for i in scored.tolist()]
        evidence = self.evidence(texts)
        if config.mask_names:
            evidence, texts = self._unmasked_where_surer([pieces[i] for i in scored.tolist()], texts, evidence)
        empty = evidence.ids[:, 0] < 0  # fastText finds no token in some letter-only strings
        if empty.any():
            keep = ~empty
            evidence = evidence.take(keep)
            scored, docs, lines = scored[keep], docs[keep], lines[keep]
            texts = [text for text, kept in zip(texts, keep.tolist()) if kept]
        labels = evidence.ids[:, 0].astype(np.int64)
        confidences = evidence.probs[:, 0].copy()
        own = evidence.ids[:, :_OWN_CANDIDATES].astype(np.int64)
        if len(labels):
            starts = document_starts(docs)
            unanimous = np.minimum.reduceat(labels, starts) == np.maximum.reduceat(labels, starts)
            contested = ~np.repeat(unanimous, np.diff(np.r_[starts, len(labels)]))
            contested_rows = np.flatnonzero(contested)
            for rows in chunks_by_document(contested_rows, docs[contested_rows], _DECODE_BATCH, _DECODE_CHUNK):
                whole = len(rows) == len(labels)  # one long document, say: no copy of its evidence
                chosen, chosen_probs = self._decode(evidence if whole else evidence.take(rows),
                                                    [pieces[i] for i in scored[rows].tolist()], docs[rows], lines[rows])
                labels[rows] = chosen
                confidences[rows] = chosen_probs
        return Labelled(evidence.codes, scored, labels, confidences, own, evidence, texts)

    def _unmasked_where_surer(self, pieces: list[str], texts: list[str], evidence: Evidence
                              ) -> tuple[Evidence, list[str]]:
        """Names are left out of a short unit only where the model reads it more surely without them:
        "Por Isabella Nguyen" reads better as "Por", but "Die Stadt plant neue Radwege" loses what its
        capitalised nouns say if it is read as "Die plant neue". The evidence and the texts read, row by
        row, from whichever reading is surer."""
        steps = tuple(step for step in rewrites_for(self.config) if step.name != "mask_names")
        plain = [model_input(piece, steps) for piece in pieces]
        masked = np.flatnonzero([a != b for a, b in zip(plain, texts)])
        if not len(masked):
            return evidence, texts
        again = self.evidence([plain[i] for i in masked.tolist()])
        both = Evidence.stacked([evidence, again])  # the two readings over the same codes and width
        first = len(evidence)
        surer = both.probs[first:, 0] > both.probs[masked, 0]
        if not surer.any():
            return evidence, texts
        rows = masked[surer]
        ids, probs = both.ids[:first].copy(), both.probs[:first].copy()
        ids[rows], probs[rows] = both.ids[first:][surer], both.probs[first:][surer]
        texts = list(texts)
        for row in rows.tolist():
            texts[row] = plain[row]
        return Evidence(both.codes, ids, probs), texts

    def _inputs(self, pieces: list[str], docs: np.ndarray, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each unit's weight, and the cost of a change between it and the unit before it."""
        config = self.config
        letters = np.fromiter((len(p) - p.count(" ") for p in pieces), dtype=np.float64, count=len(pieces))
        weights = unit_weights(letters, config.full_weight_chars, config.min_weight, config.weight_power)
        same_line = np.r_[False, (lines[1:] == lines[:-1]) & (docs[1:] == docs[:-1])]
        return weights, np.where(same_line, config.sentence_switch_cost, config.switch_cost)

    def _decode(self, evidence: Evidence, pieces: list[str], docs: np.ndarray, lines: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """Viterbi over whole documents, in order. One document longer than `_DECODE_CHUNK` units decodes in
        windows cut at settled units (see `decode.windows`), so that its time and memory grow with its
        length alone, however many languages it holds; a stretch of `_LONGEST_WINDOW` units that settles
        nothing (a word list, subtitles) is cut anyway."""
        config = self.config
        weights, costs = self._inputs(pieces, docs, lines)
        penalty, script_changes = script_context(evidence, pieces, docs, weights, config.script_cost)
        if script_changes.any():
            costs = np.where(script_changes, costs * config.script_change_factor, costs)
        if len(evidence) <= _DECODE_CHUNK or docs[0] != docs[-1]:  # documents of a batch, decoded together
            return decode_evidence(evidence, docs, weights, costs, self._decode_params, penalty)
        window, entry, mass = windows(evidence, weights, costs, self._decode_params, _DECODE_CHUNK, _LONGEST_WINDOW)
        settled = settled_languages(evidence, weights, config.settled_min_prob)
        chosen = np.empty(len(evidence), dtype=np.int64)
        chosen_probs = np.empty(len(evidence))
        for part in chunks_by_document(np.arange(len(evidence)), window, _WINDOWS_TOGETHER):
            first, last = window[part[0]], window[part[-1]]
            chosen[part], chosen_probs[part] = decode_evidence(
                evidence.take(part), window[part] - first, weights[part], costs[part], self._decode_params,
                penalty.take(part) if penalty is not None else None,
                WindowContext(mass, entry[first:last + 1], settled))
        return chosen, chosen_probs

    @cached_property
    def _decode_params(self) -> DecodeParams:
        """The unit decoder's knobs, from the configuration."""
        config = self.config
        return DecodeParams(config.floor, config.prior_weight, config.confidence_power,
                            config.settled_switch_factor, config.settled_min_prob)


_OWN_CANDIDATES = 3
"""A unit's own most probable languages that its clauses may take besides its document's."""

_DECODE_CHUNK = 1024
"""A document longer than this many units decodes alone, in windows (see `UnitLabeller._decode`)."""

_DECODE_BATCH = 2 * _DECODE_CHUNK
"""Units of a batch's shorter documents decoded together: one decoder step per unit of the longest of
them, on matrices of units x the most candidate languages one document has. Against 1,024, decoding
takes a fifth less time; 4,096 gained little more and raised the peak memory of `langseg tag` by 2 MB."""

_LONGEST_WINDOW = 4 * _DECODE_CHUNK
"""A long document's window that reaches this many units without a settled unit is cut anyway."""

_WINDOWS_TOGETHER = 8 * _DECODE_CHUNK
"""Units of one long document's windows decoded side by side: the decoder steps through several windows
together, as through a batch's documents, and pays its per-step cost once for all of them. A 10 MB
document decodes in about three quarters of the time it took one window at a time, with the same peak
memory; 16 windows gained little more and raised it."""

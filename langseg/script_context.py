"""What the units' scripts say to the unit decoder: the cost a short unit pays for a language whose script
it does not use, and where the main script changes between neighbouring units. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .decode import ScriptPenalty, candidate_entries, document_starts
from .scoring import Evidence
from .scripts import folded_scripts, language_scripts, main_script, script_count_chunks


def script_context(evidence: Evidence, pieces: Sequence[str], docs: np.ndarray, weights: np.ndarray,
                   cost: float) -> tuple[ScriptPenalty | None, np.ndarray]:
    """What the units' scripts say, in documents whose candidate languages are written in several script
    groups (elsewhere they say nothing): the script mismatch cost of the short units, and where the main
    script changes from one unit to the next (a change of script is itself a sign of a change of language).

    A long unit's own evidence already rules out a language of another script, so only units below full
    weight pay the mismatch cost.
    """
    scripts, membership, group, folded = _script_table(evidence.codes)
    changes = np.zeros(len(pieces), dtype=bool)
    ids = np.maximum(evidence.ids, 0)
    candidate = candidate_entries(evidence)
    groups = np.where(candidate, group[ids], -1)  # each candidate's script group (-1: unknown script)
    starts = document_starts(docs)
    lowest = np.minimum.reduceat(np.where(groups >= 0, groups, len(group)).min(axis=1), starts)
    highest = np.maximum.reduceat(groups.max(axis=1), starts)
    del groups  # a (units x k) array: freed before the counting below, where a long document peaks
    several = lowest < highest  # the document's candidates are written in two script groups or more
    number = np.cumsum(np.r_[False, docs[1:] != docs[:-1]])  # each unit's document, counted from 0
    inside = np.flatnonzero(several[number])
    if not len(inside):
        return None, changes
    short = weights[inside] < 1.0
    any_short = bool(short.any())
    # The scripts of each document's candidate languages, and those of any document (all that count; none
    # when no unit is short enough to pay).
    doc_scripts = (_candidate_scripts(candidate, ids, number, len(starts), membership) if any_short
                   else np.zeros((len(starts), len(scripts)), dtype=bool))
    used = np.flatnonzero(doc_scripts.any(axis=0))
    # Counted a chunk at a time, keeping each unit's main script and, for the short units alone, their
    # counts in the scripts that count: a long document never holds every unit's counts in every script.
    main = np.empty(len(inside), dtype=np.int64)
    kept: list[np.ndarray] = []
    chosen = pieces if len(inside) == len(pieces) else [pieces[i] for i in inside.tolist()]
    for first, last, counts in script_count_chunks(chosen, scripts):  # units x scripts
        main[first:last] = main_script(counts, folded)
        kept.append(counts[np.flatnonzero(short[first:last])[:, None], used].astype(np.int32))
    inside_docs = docs[inside]
    changes[inside[1:]] = ((main[1:] != main[:-1]) & (main[1:] >= 0) & (main[:-1] >= 0)
                           & (inside_docs[1:] == inside_docs[:-1]))
    if not any_short:
        return None, changes
    paying = inside[short]
    counts = np.vstack(kept)
    del kept
    counts *= doc_scripts[number[paying][:, None], used]
    totals = counts.sum(axis=1, keepdims=True)  # letters in the scripts of the document's candidates
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    row_of = np.full(len(pieces), -1, dtype=np.int64)
    row_of[paying] = np.arange(len(paying))
    return ScriptPenalty(shares, used, membership.astype(np.float64), row_of, cost), changes


def _candidate_scripts(candidate: np.ndarray, ids: np.ndarray, number: np.ndarray, documents: int,
                       membership: np.ndarray) -> np.ndarray:
    """Which scripts each document's candidate languages are written in (documents x scripts, boolean);
    `number` is each unit's document, counted from 0."""
    codes = len(membership)
    rows, columns = np.nonzero(candidate)  # each document's candidate languages, once each
    pairs = np.unique(number[rows] * codes + ids[rows, columns])
    scripts = np.zeros((documents, membership.shape[1]), dtype=bool)
    np.logical_or.at(scripts, pairs // codes, membership[pairs % codes])
    return scripts


@lru_cache(maxsize=8)
def _script_table(codes: tuple[str, ...]
                  ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, tuple[tuple[int, int], ...]]:
    """Every script of the model's languages, which language is written in which (languages x scripts,
    boolean), each language's script group (one number per distinct set of scripts; -1: unknown), and the
    (script, script it counts as) pairs for telling a unit's main script."""
    scripts = tuple(sorted({script for code in codes for script in language_scripts(code)}))
    column = {script: k for k, script in enumerate(scripts)}
    membership = np.zeros((len(codes), len(scripts)), dtype=bool)
    group_of: dict[tuple[str, ...], int] = {}
    group = np.full(len(codes), -1, dtype=np.int32)  # narrow: it is looked up for every unit's top-k
    for j, code in enumerate(codes):
        written = language_scripts(code)
        for script in written:
            membership[j, column[script]] = True
        if written:
            group[j] = group_of.setdefault(written, len(group_of))
    return scripts, membership, group, folded_scripts(scripts)

"""Context decoding: one language per unit from the units' distributions and their neighbours. Pure.

A Viterbi pass over the units of a document: each unit emits `weight * log p(lang)` (the weight grows
with the unit's length, so a headline or a byline says little and a paragraph says a lot), and every
change of language between neighbours costs `switch_cost`. A short, ambiguous unit therefore takes the
language its neighbours support unless its own evidence is strong enough to pay for two switches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .scoring import PRUNED, Evidence


def unit_weights(letters: np.ndarray, full_weight_chars: int, min_weight: float, power: float = 1.0) -> np.ndarray:
    """How much each unit's own evidence counts: growing with its length (to `power`), capped at 1.

    >>> unit_weights(np.array([120, 15, 1]), 60, 0.05).tolist()
    [1.0, 0.25, 0.05]
    >>> unit_weights(np.array([15]), 60, 0.05, power=0.5).tolist()
    [0.5]
    """
    return np.clip((letters / full_weight_chars) ** power, min_weight, 1.0)


@dataclass(frozen=True)
class ScriptPenalty:
    """A paying unit pays `cost * (1 - its shares . membership[lang][scripts])` for a language of a script
    it does not use; languages with no known script never pay.

    `membership` (languages x all scripts) marks each language's scripts. Only the paying units have
    shares, and only in the few `scripts` (columns of `membership`) that can matter: `shares` is paying
    units x those scripts, the share of each unit's letters in each, and `row_of` gives each unit's row
    of it (-1: the unit does not pay), in unit order, so that `take` needs no pass over the whole
    document. A long document's penalty stays a few numbers per paying unit, not one per script the
    model knows for every unit.
    """

    shares: np.ndarray
    scripts: np.ndarray
    membership: np.ndarray
    row_of: np.ndarray
    cost: float

    @property
    def applies(self) -> np.ndarray:
        """Which units pay at all."""
        return self.row_of >= 0

    def take(self, rows: np.ndarray) -> ScriptPenalty:
        """The penalty of the given units only."""
        row_of = self.row_of[rows]
        paying = row_of >= 0
        renumbered = np.full(len(row_of), -1, dtype=np.int64)
        renumbered[paying] = np.arange(int(paying.sum()))
        return ScriptPenalty(self.shares[row_of[paying]], self.scripts, self.membership, renumbered, self.cost)


@dataclass(frozen=True)
class DecodeParams:
    """The unit decoder's knobs (each a `Config` field of the same name; see `decode_evidence`)."""

    floor: float
    prior_weight: float = 0.0
    confidence_power: float = 0.0
    settled_switch_factor: float = 1.0
    settled_min_prob: float = 1.0


@dataclass(frozen=True)
class WindowContext:
    """What the windows of one long document share (see `windows`): the whole document's language mass
    over the codes (every window's prior), the language (a column of the codes, or -1) of the unit just
    before each window, and the document's settled languages over the codes."""

    mass: np.ndarray
    entry: np.ndarray
    settled: np.ndarray


def decode_evidence(
    evidence: Evidence,
    doc_index: np.ndarray,
    weights: np.ndarray,
    switch_costs: np.ndarray,
    params: DecodeParams,
    penalty: ScriptPenalty | None = None,
    window: WindowContext | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`viterbi` for the units of many documents at once, vectorised across documents with NumPy.

    Units come in document order; `doc_index[i]` is unit i's document and `switch_costs[i]` the cost of a
    change between unit i - 1 and unit i (unused for a document's first unit). Each document decodes over
    its own candidate languages (every unit's best, and any with `CANDIDATE_PROB`), so a result never
    depends on the other documents of the batch. Returns each unit's language (a column of
    `evidence.codes`) and that language's probability in the unit's own evidence.

    `settled_switch_factor` multiplies the cost of a change into a language the document has settled (see
    `settled_languages`): a heading or a byline in the language of the site's chrome, between paragraphs of
    the article, keeps its own language more easily, and a stray unit in a language found nowhere else in
    the document does not.

    `confidence_power` scales a unit's weight by its best probability to that power (an unsure unit, such
    as text in a language the model does not know, says less); `prior_weight` adds that multiple of the
    log of the document's own length-weighted language distribution to every unit (a unit torn between
    two close languages leans to the one the document as a whole supports).

    The units may also be windows of one long document (see `windows`), with their `window` context:
    every window's prior is the whole document's, changing from the language of the unit just before a
    window costs its first unit the switch cost, and the settled languages are the whole document's.
    """
    count = len(evidence)
    if count == 0:
        return np.empty(0, np.int64), np.empty(0)
    columns = _DocumentColumns.of(evidence, np.asarray(doc_index))
    table = columns.table(evidence)
    emissions = _emissions(evidence, columns, table, weights, params.floor, penalty, params.prior_weight,
                           params.confidence_power, window.mass if window is not None else None)
    factors = None  # per document and language: what a change into it costs, in switch costs
    if params.settled_switch_factor != 1.0:
        if window is None:
            settling = np.flatnonzero(_settling(weights, evidence, params.settled_min_prob))
            marks = np.zeros(columns.language.shape, dtype=bool)
            marks[columns.docs[settling], columns.position[settling, 0]] = True
        else:  # windows of one document: its settled languages are every window's
            marks = window.settled[columns.code]
        factors = np.where(marks, params.settled_switch_factor, 1.0)
    if window is not None:
        _enter_windows(emissions, columns, window.entry[np.asarray(doc_index)[columns.starts]], switch_costs,
                       factors)
    chosen = _best_paths(emissions, columns, switch_costs, factors)
    return columns.language[columns.docs, chosen], table[np.arange(count), chosen]


@dataclass(frozen=True)
class _DocumentColumns:
    """Each document's own candidate languages (every unit's best, and any with `CANDIDATE_PROB`), in code
    order, as its columns 0, 1, ...: the matrices are as wide as the most candidates one document has (a
    handful), not as all the batch's documents have together. `keys` holds every (document, language)
    pair once, sorted (a document's pairs are a contiguous run from `first[d]`); `language[d, j]` is
    document d's column j's language (-1: padding; `code` reads 0 there); `docs` each unit's document
    (numbered from 0) and `starts` each document's first unit; `position` each evidence entry's column."""

    keys: np.ndarray
    first: np.ndarray
    stride: int
    language: np.ndarray
    code: np.ndarray
    docs: np.ndarray
    starts: np.ndarray
    position: np.ndarray
    listed: np.ndarray

    @classmethod
    def of(cls, evidence: Evidence, doc_index: np.ndarray) -> _DocumentColumns:
        ids = evidence.ids
        count = len(ids)
        starts = document_starts(doc_index)
        documents = len(starts)
        docs = np.repeat(np.arange(documents), np.diff(np.r_[starts, count]))
        stride = len(evidence.codes) + 1  # ids shifted by one: an empty row's -1 becomes 0
        keys = np.unique((docs[:, None] * stride + (ids + 1))[candidate_entries(evidence)])
        key_docs = keys // stride
        first = np.searchsorted(key_docs, np.arange(documents))
        width = int(np.diff(np.r_[first, len(keys)]).max())
        language = np.full((documents, width), -1, dtype=np.int64)
        language[key_docs, np.arange(len(keys)) - first[key_docs]] = keys % stride - 1
        columns = cls(keys, first, stride, language, np.maximum(language, 0), docs, starts,
                      np.empty(0, np.int64), np.empty(0, bool))
        position, listed = columns.column_of(docs[:, None], ids)
        return replace(columns, position=position, listed=listed)

    def column_of(self, numbers: np.ndarray, languages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each (document, language)'s column in its document, and whether the language has one."""
        key = numbers * self.stride + (languages + 1)
        at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        return at - self.first[numbers], self.keys[at] == key

    def table(self, evidence: Evidence) -> np.ndarray:
        """Each unit's probability of each of its document's columns (units x width)."""
        ids, probs = evidence.ids, evidence.probs
        count, width = len(ids), self.language.shape[1]
        present = (ids >= 0) & self.listed
        rows = np.broadcast_to(np.arange(count)[:, None], ids.shape)
        return np.bincount(rows[present] * width + self.position[present], weights=probs[present],
                           minlength=count * width).reshape(count, width)


def _emissions(evidence: Evidence, columns: _DocumentColumns, table: np.ndarray, weights: np.ndarray, floor: float,
               penalty: ScriptPenalty | None, prior_weight: float, confidence_power: float,
               mass: np.ndarray | None) -> np.ndarray:
    """Each unit's weighted log-probability of each of its document's columns, less its script penalty,
    plus the document's prior; padding columns -inf."""
    ids, probs = evidence.ids, evidence.probs
    smallest = np.where((ids >= 0) | (ids == PRUNED), probs, np.inf).min(axis=1)  # a pruned entry: 0, so the floor
    unlisted = np.maximum(floor, np.minimum(smallest, _leftover(evidence)))
    weights = _confident(weights, probs, confidence_power)
    emissions = np.where(table > floor, table, unlisted[:, None])  # in place below: big documents are big
    np.log(emissions, out=emissions)
    emissions *= weights[:, None]
    docs, language = columns.docs, columns.language
    if penalty is not None and len(penalty.shares):
        paying = np.flatnonzero(penalty.applies)
        shares = penalty.shares  # one row per paying unit, in unit order
        used = shares.any(axis=0)  # the few scripts these units use at all
        # The share of each paying unit's letters in each language's scripts, for the languages any document
        # here has (einsum's own loop rather than `@`: a BLAS call would start threads that compete with
        # worker processes for the cores, for matrices this small), then taken at its document's columns.
        languages, column_language = np.unique(columns.code, return_inverse=True)
        in_script = np.einsum("us,ls->ul", shares[:, used],
                              penalty.membership[languages][:, penalty.scripts[used]])
        paying_columns = column_language.reshape(language.shape)[docs[paying]]  # paying units x their columns
        has_script = penalty.membership[languages].any(axis=1)[paying_columns]
        emissions[paying] -= penalty.cost * (1.0 - np.take_along_axis(in_script, paying_columns, axis=1)) * has_script
    if prior_weight:
        if mass is None:
            masses = np.zeros(language.shape)
            above = np.where(table > floor, table, 0.0)  # as everywhere here, what is below the floor is nothing
            starts = columns.starts
            masses[docs[starts]] = np.add.reduceat(weights[:, None] * above, starts, axis=0)
            prior = masses / np.maximum(masses.sum(axis=1, keepdims=True), 1e-12)
        else:  # windows of one document: the whole document's prior is every window's
            prior = mass[columns.code] / max(mass.sum(), 1e-12)
        emissions += prior_weight * np.log(np.maximum(prior, floor))[docs]
    emissions[(language < 0)[docs]] = -np.inf  # a document's padding columns
    return emissions


def _enter_windows(emissions: np.ndarray, columns: _DocumentColumns, heads: np.ndarray, switch_costs: np.ndarray,
                   factors: np.ndarray | None) -> None:
    """Windows of one long document: changing from `heads[d]` (the language of the unit just before window
    d, -1 for none) costs the window's first unit the switch cost, in place."""
    starts, docs = columns.starts, columns.docs
    column, known = columns.column_of(docs[starts], heads)
    known &= heads >= 0
    kept = emissions[starts[known], column[known]]
    entering = starts[heads >= 0]
    cost = switch_costs[entering][:, None]
    emissions[entering] -= cost if factors is None else cost * factors[docs[entering]]
    emissions[starts[known], column[known]] = kept


def _best_paths(emissions: np.ndarray, columns: _DocumentColumns, switch_costs: np.ndarray,
                factors: np.ndarray | None) -> np.ndarray:
    """Each unit's column on its document's best path: all documents stepped together, longest first (the
    live documents are a prefix of that order at each step)."""
    count, width = emissions.shape
    starts = columns.starts
    lengths = np.diff(np.r_[starts, count])
    order = np.argsort(-lengths, kind="stable")
    sorted_starts = starts[order]
    sorted_lengths = lengths[order]
    steps = int(sorted_lengths[0])
    # live[step]: how many documents are longer than `step`, the prefix of `order` that step works on
    live = np.searchsorted(-sorted_lengths, -np.arange(steps), side="left").tolist()
    score = emissions[sorted_starts].copy()
    if factors is not None:
        factors = factors[columns.docs[sorted_starts]]  # in the order the steps take documents
    pointer = np.int16 if width < 2**15 else np.int32
    back = np.empty((count, width), dtype=pointer)  # back[unit, state]: the state before it on the best path
    states = np.arange(width, dtype=pointer)
    for step in range(1, steps):
        alive = live[step]
        units = sorted_starts[:alive] + step
        previous = score[:alive]
        leader = previous.argmax(axis=1)
        if factors is None:
            switched = (previous.max(axis=1) - switch_costs[units])[:, None]
        else:
            switched = previous.max(axis=1)[:, None] - switch_costs[units][:, None] * factors[:alive]
        stay = previous >= switched
        back[units] = np.where(stay, states, leader[:, None].astype(pointer))
        score[:alive] = np.maximum(previous, switched) + emissions[units]
    chosen = np.empty(count, dtype=np.int64)
    state = score.argmax(axis=1)
    for step in range(steps - 1, -1, -1):
        alive = live[step]
        units = sorted_starts[:alive] + step
        chosen[units] = state[:alive]
        if step:
            state[:alive] = back[units, state[:alive]]
    return chosen


def windows(evidence: Evidence, weights: np.ndarray, switch_costs: np.ndarray, params: DecodeParams, size: int,
            longest: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One long document's units cut into windows of about `size` units that end at settled units.

    A full-length unit whose own evidence for its best language beats every other by more than the
    switch costs on both its sides plus the most the prior can move (`prior_weight * -log(floor)`)
    takes that language on the best path whatever its neighbours do: a path through another language
    there gains by switching to it and back. The paths before and after it are then independent, so
    the windows decode side by side (`decode_evidence` with their `WindowContext`), each over its own
    candidate languages, and the decoder's work grows with the document's length, not with its length
    times the number of languages it holds (a settled-language factor below 1 only makes changes cheaper,
    which keeps the argument). The one difference from a single pass: a window cannot
    take a language only units elsewhere in the document suggest (ties aside, nothing else).

    A document may have no settled unit for long stretches (a word list, subtitles, a chat log: no line
    is full-length). With `longest`, a window that would grow past it is cut anyway, after the unit
    whose evidence comes nearest to settling it, so that memory stays bounded; there the windows'
    paths may differ from a single pass's.

    Returns each unit's window (0, 1, ...), each window's entry language (the language of the unit the
    window before it ends on; -1 for the first window) and the document's language mass over its
    candidate languages (the prior of one pass over it).
    """
    count = len(evidence)
    ids, probs = evidence.ids, evidence.probs
    valid = ids >= 0
    floor, prior_weight = params.floor, params.prior_weight
    confident = _confident(weights, probs, params.confidence_power)
    above = valid & (probs > floor)  # as in one pass, what is below the floor adds nothing to the mass
    mass = np.bincount(ids[above], weights=(confident[:, None] * probs)[above], minlength=len(evidence.codes))
    is_candidate = np.zeros(len(mass), dtype=bool)
    is_candidate[ids[candidate_entries(evidence) & valid]] = True
    mass[~is_candidate] = 0.0  # as one pass weighs it: over the document's candidate languages only
    second = np.where(valid[:, 1:], probs[:, 1:], 0.0).max(axis=1, initial=0.0)
    runner_up = np.maximum(np.maximum(second, _leftover(evidence)), floor)
    margin = confident * (np.log(np.maximum(probs[:, 0], floor)) - np.log(runner_up))
    cost_in = np.r_[0.0, switch_costs[1:]]
    cost_out = np.r_[switch_costs[1:], 0.0]
    slack = margin - (cost_in + cost_out + prior_weight * -math.log(floor))
    # Full-length units only: shorter ones may pay a script penalty the margin does not see.
    settled_at = np.flatnonzero((weights >= 1.0) & (slack > 0))
    longest = max(longest or count, size)
    cuts = []
    first = 0
    while True:
        k = int(np.searchsorted(settled_at, first + size - 1))  # the first settled unit closing `size` units
        end = int(settled_at[k]) + 1 if k < len(settled_at) else count
        if end - first > longest:
            low = first + size - 1
            end = low + int(np.argmax(slack[low:first + longest])) + 1
        if end >= count:
            break
        cuts.append(end)
        first = end
    window = np.searchsorted(np.asarray(cuts, dtype=np.int64), np.arange(count), side="right")
    entry = np.r_[-1, ids[np.asarray(cuts, dtype=np.int64) - 1, 0]].astype(np.int64)
    return window, entry, mass


def settled_languages(evidence: Evidence, weights: np.ndarray, min_prob: float) -> np.ndarray:
    """Which languages (over `evidence.codes`) the units settle: those a full-length unit gives at least
    `min_prob`. A document's settled languages are the ones it plainly holds."""
    marks = np.zeros(len(evidence.codes), dtype=bool)
    marks[evidence.ids[_settling(weights, evidence, min_prob), 0]] = True
    return marks


def _settling(weights: np.ndarray, evidence: Evidence, min_prob: float) -> np.ndarray:
    return (weights >= 1.0) & (evidence.probs[:, 0] >= min_prob) & (evidence.ids[:, 0] >= 0)


def _confident(weights: np.ndarray, probs: np.ndarray, power: float) -> np.ndarray:
    """Unit weights scaled by each unit's best probability to `power` (an unsure unit says less)."""
    return weights * probs[:, 0] ** power if power else weights


def _leftover(evidence: Evidence) -> np.ndarray:
    """The probability each unit's listed languages leave to all the others."""
    return 1.0 - np.where(evidence.ids >= 0, evidence.probs, 0.0).sum(axis=1)


def candidate_entries(evidence: Evidence) -> np.ndarray:
    """Which entries of each unit's top-k name a decoding candidate of its document: its best (column 0,
    also in a row with no label) and any language with `CANDIDATE_PROB`."""
    candidate = (evidence.ids >= 0) & (evidence.probs >= CANDIDATE_PROB)
    candidate[:, 0] = True
    return candidate


def document_starts(docs: np.ndarray) -> np.ndarray:
    """Where each document's run of units begins (units come in document order)."""
    return np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])


CANDIDATE_PROB = 0.2
"""A language a unit gives this much probability is a decoding candidate for its document."""


def chunks_by_document(rows: np.ndarray, docs: np.ndarray, size: int, alone: int | None = None
                        ) -> list[np.ndarray]:
    """`rows` cut into runs of whole documents of at most `size` units; a document longer than `alone`
    (default: `size`) units is a run of its own."""
    if not len(rows):
        return []
    alone = size if alone is None else alone
    starts = document_starts(docs).tolist() + [len(rows)]
    chunks, first = [], 0
    for start, stop in zip(starts, starts[1:]):
        if stop - start > alone:
            if start > first:
                chunks.append(rows[first:start])
            chunks.append(rows[start:stop])
            first = stop
        elif stop - first > size and start > first:
            chunks.append(rows[first:start])
            first = start
    if first < len(rows):
        chunks.append(rows[first:])
    return chunks

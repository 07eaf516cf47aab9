"""Switches inside a unit: each decoded unit is split where its words, read a few at a time, change language.

The unit decoder gives every sentence one language from its own evidence and its context. Real mixed
text also switches inside sentences ("ich habe das gestern gesehen, ama çok pahalıydı"), for a clause
or a few words. Here each unit's words are decoded again, as a sequence: a word's evidence is the
model's distribution over a small window of words around it (additive scoring makes every window one
row sum away), the unit's decoded language costs nothing to keep and a change costs `switch_cost`.
A piece that comes out in another language stands only if its own text, scored whole, prefers that
language to the unit's by at least `margin` nats (`new_margin` for a language no other unit of the
document was decoded as, unless it is the unit's own reading or the piece changes script; a longer
piece's margin counts for more), reads as its language with at least `min_prob`, holds at least
`min_chars` letters and is not of the unit's own one-language group: a name, a loan word or a phrase
of a close neighbour language that merely leans elsewhere does not split a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .scripts import folded_scripts, language_scripts, main_script, script_counts
from .span_scores import Tokens
from .spans import one_language_map
from .units import content_words, letter_count, without_names


@dataclass(frozen=True)
class ClauseParams:
    """The knobs of the split (see the module doc)."""

    radius: int = 2
    switch_cost: float = 4.0
    margin: float = 1.0
    min_chars: int = 6
    floor: float = 1e-3
    new_margin: float = 8.0
    min_prob: float = 0.5
    own_reading: bool = False
    reference_words: float = 0.0
    chunk_words: int = 0
    whole_reading: bool = False
    content_words: bool = False


@dataclass(frozen=True)
class Pieces:
    """Units cut into pieces of one language: the unit each piece is of, its offsets inside the unit's
    text, its language (a column of the codes) and its confidence; pieces of a unit follow in order."""

    unit: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    labels: np.ndarray
    confidences: np.ndarray


class ClauseSplitter:
    """Splits units with a scorer that gives token tables and code log-probabilities of token ranges."""

    def __init__(self, scorer, params: ClauseParams, script_codes: tuple[str, ...] = (),
                 one_language: tuple[tuple[str, ...], ...] = ()) -> None:
        self.scorer = scorer
        self.params = params
        self.one_language = one_language  # groups of codes counted as one language
        self.script_codes = script_codes  # the codes whose scripts are told apart (default: the scorer's)

    def split(self, texts: list[str], labels: np.ndarray, confidences: np.ndarray, docs: np.ndarray,
              own: np.ndarray) -> Pieces:
        """The pieces of `texts` (units, in document order; `labels` their decoded codes, -1 for none;
        `own` their own most probable codes, units x k, -1 for none)."""
        params = self.params
        tokens = self.scorer.tokens(texts)
        first, last = tokens.first[:-1], tokens.first[1:]
        counts = last - first
        runs, run_language = self._script_runs(texts, tokens)
        chunk_language = self._chunk_languages(tokens, counts, labels, runs)
        whole = self._whole_readings(tokens, counts, labels)
        candidates, in_document = _candidates(np.column_stack([own, run_language, chunk_language, whole]), labels,
                                              docs, params.own_reading)
        # a short unit with names is read without them by the unit decoder: its words are not split apart,
        # unless it changes script ("English German French - Английский язык"), itself a sign of a switch
        named = np.fromiter((without_names(text) != text for text in texts), dtype=bool, count=len(texts))
        two_scripts = np.zeros(len(texts), dtype=bool)
        nonempty = np.flatnonzero(counts > 0)
        two_scripts[nonempty] = runs[first[nonempty]] != runs[last[nonempty] - 1]
        named &= ~two_scripts
        alternatives = (candidates[:, 1:] >= 0).any(axis=1)  # a unit with one candidate has nothing to split
        splittable = np.flatnonzero((counts >= 2) & (labels >= 0) & ~named & alternatives)
        columns = np.zeros(len(tokens), dtype=np.int64)  # each token's candidate column (0: the unit's label)
        if len(splittable):
            columns = self._decode_tokens(tokens, runs, splittable, candidates, columns)
        return self._pieces(texts, tokens, labels, confidences, candidates, in_document, columns)

    def _decode_tokens(self, tokens: Tokens, runs: np.ndarray, units: np.ndarray, candidates: np.ndarray,
                       columns: np.ndarray) -> np.ndarray:
        params = self.params
        first = tokens.first[units]
        counts = tokens.first[units + 1] - first
        owner = np.repeat(units, counts)
        flat = _positions(first, counts)
        # a word's window stays inside its unit and its script run
        run_starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]])
        run_ends = np.r_[run_starts[1:], len(runs)]
        lo = np.maximum(flat - params.radius, run_starts[runs[flat]])
        hi = np.minimum(flat + params.radius + 1, run_ends[runs[flat]])
        emissions = np.empty((len(flat), candidates.shape[1]))
        for block in range(0, len(flat), _BLOCK):
            part = slice(block, block + _BLOCK)
            picked = self.scorer.chosen_log_probs(tokens, lo[part], hi[part], candidates[owner[part]])
            known = np.isfinite(picked[:, 0])  # the unit's own language is always a candidate
            picked = np.maximum(picked, np.log(params.floor))
            picked[~known] = 0.0  # a window with no known word says nothing
            emissions[part] = picked
        emissions[candidates[owner] < 0] = -np.inf
        path = viterbi_runs(emissions, counts, params.switch_cost)
        columns[flat] = path
        return columns

    def _script_runs(self, texts: list[str], tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
        """The runs of words of one script inside units written in two scripts or more: each token's run
        (a number; a unit in one script is one run) and, for each unit, the most probable language of its
        largest run in each of its first two scripts (units x 2; -1 where there is none). A few words of
        Arabic in an English sentence barely move the sentence's distribution, yet their language must
        be a candidate, and no word's window should reach across the change."""
        run = np.repeat(np.arange(len(texts)), np.diff(tokens.first))
        other = np.full((len(texts), 2), -1, dtype=np.int64)
        counts = script_counts(texts, self._scripts)
        mixed = np.flatnonzero((counts >= 2).sum(axis=1) >= 2)
        if not len(mixed):
            return run, other
        scripts = np.full(len(tokens), -1, dtype=np.int64)
        positions = _positions(tokens.first[mixed], np.diff(tokens.first)[mixed])
        owners = np.repeat(mixed, np.diff(tokens.first)[mixed])
        words = [texts[u][a:b] for u, a, b in zip(owners.tolist(), tokens.starts[positions].tolist(),
                                                  tokens.ends[positions].tolist())]
        scripts[positions] = main_scripts(words, self._scripts)
        # a word without letters (a dash, a number) belongs to the run before it
        known = np.where(scripts >= 0, np.arange(len(scripts)), -1)
        carried = np.maximum.accumulate(known)
        scripts = np.where(carried >= 0, scripts[np.maximum(carried, 0)], -1)
        unit_of = run
        change = np.r_[True, (scripts[1:] != scripts[:-1]) | (unit_of[1:] != unit_of[:-1])]
        run = np.cumsum(change) - 1
        run_first = np.flatnonzero(change)
        run_last = np.r_[run_first[1:], len(scripts)]
        run_unit = unit_of[run_first]
        run_script = scripts[run_first]
        scored = np.flatnonzero((run_script >= 0) & np.isin(run_unit, mixed))
        if len(scored):
            log_probs = self.scorer.range_log_probs(tokens, run_first[scored], run_last[scored])
            best = np.where(np.isfinite(log_probs).any(axis=1), log_probs.argmax(axis=1), -1)
            # per unit and script, the language of its largest run (larger runs written last)
            order = np.argsort(run_last[scored] - run_first[scored], kind="stable")
            largest: dict[tuple[int, int], int] = {}
            for unit, script, language in zip(run_unit[scored][order].tolist(), run_script[scored][order].tolist(),
                                              best[order].tolist()):
                largest[unit, script] = language
            for (unit, _script), language in largest.items():
                column = 0 if other[unit, 0] < 0 else 1
                other[unit, column] = language
        return run, other

    def _chunk_languages(self, tokens: Tokens, counts: np.ndarray, labels: np.ndarray, runs: np.ndarray
                         ) -> np.ndarray:
        """For each unit of at least two chunks, the language most of its chunks of `chunk_words` words
        (within a script run) read as, when that is not the unit's (units x 1; -1 for none): a clause in a
        minority language ("... sagte nur 'I will be back before the end of the week' und ging") barely
        moves the whole sentence's top languages, so it must be named as a candidate from below."""
        size = self.params.chunk_words
        out = np.full((len(counts), 1), -1, dtype=np.int64)
        if not size:
            return out
        units = np.flatnonzero((counts >= 2 * size) & (labels >= 0))
        if not len(units):
            return out
        chunks = counts[units] // size  # whole chunks of each unit, from its first word
        lo = tokens.first[units].repeat(chunks) + size * _positions(np.zeros_like(chunks), chunks)
        owner = units.repeat(chunks)
        same_run = runs[lo] == runs[lo + size - 1]
        lo, owner = lo[same_run], owner[same_run]
        log_probs = self.scorer.range_log_probs(tokens, lo, lo + size)
        best = log_probs.argmax(axis=1)
        foreign = np.isfinite(log_probs).any(axis=1) & (best != labels[owner])
        if not foreign.any():
            return out
        width = len(self.scorer.codes)
        pairs, votes = np.unique(owner[foreign] * width + best[foreign], return_counts=True)
        pairs = pairs[np.lexsort((-votes, pairs // width))]  # per unit, the language of most chunks first
        unit_of = pairs // width
        lead = np.r_[True, unit_of[1:] != unit_of[:-1]]
        out[unit_of[lead], 0] = pairs[lead] % width
        return out

    def _whole_readings(self, tokens: Tokens, counts: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """With `whole_reading`, the language each unit's whole text reads as to the scorer, when that is not
        the unit's (units x 1; -1 for none): a scorer pooled with a word reader may read a unit otherwise
        than the model alone did."""
        out = np.full((len(counts), 1), -1, dtype=np.int64)
        units = np.flatnonzero((counts >= 2) & (labels >= 0))
        if not self.params.whole_reading or not len(units):
            return out
        log_probs = self.scorer.range_log_probs(tokens, tokens.first[units], tokens.first[units + 1])
        best = log_probs.argmax(axis=1)
        other = np.isfinite(log_probs).any(axis=1) & (best != labels[units])
        out[units[other], 0] = best[other]
        return out

    def _script_changes(self, texts: list[str], bounds: list[tuple[int, int]]) -> np.ndarray:
        """Whether each piece (`bounds` in its unit's text) is written in another main script than the rest
        of its unit: a change of script is itself evidence of a change of language."""
        if not texts:
            return np.zeros(0, dtype=bool)
        scripts = self._scripts
        inside = main_scripts([text[a:b] for text, (a, b) in zip(texts, bounds)], scripts)
        outside = main_scripts([text[:a] + " " + text[b:] for text, (a, b) in zip(texts, bounds)], scripts)
        return (inside != outside) & (inside >= 0) & (outside >= 0)

    def _stand_without_names(self, pieces: list[str], at_start: np.ndarray, theirs: np.ndarray, ours: np.ndarray,
                             margin: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """Whether each piece still prefers its language (`theirs`, a code) to its unit's (`ours`) by its
        margin (scaled as the whole piece's, `scale`) once its capitalised words and numbers are left
        out (a piece of only those cannot stand): "The Willow and" in a Serbian sentence, "1 December
        1979 i Umeå." in a Swedish one are titles and dates, not switches. A sentence's first word is kept."""
        kept = [content_words(piece, bool(first)) for piece, first in zip(pieces, at_start.tolist())]
        changed = np.flatnonzero([a != b for a, b in zip(kept, pieces)])
        stands = np.ones(len(pieces), dtype=bool)
        if not len(changed):
            return stands
        texts = [kept[k] for k in changed.tolist()]
        tokens = self.scorer.tokens(texts)
        log_probs = self.scorer.range_log_probs(tokens, tokens.first[:-1], tokens.first[1:])
        rows = np.arange(len(changed))
        with np.errstate(invalid="ignore"):
            preference = log_probs[rows, theirs[changed]] - log_probs[rows, ours[changed]]
            prefers = preference * scale[changed] >= margin[changed]
        stands[changed] = prefers & np.array([letter_count(text) > 0 for text in texts])
        return stands

    @cached_property
    def _one_language(self) -> np.ndarray:
        """Each model code's group (a number): codes the configuration counts as one language (Norwegian
        Bokmål and Nynorsk) share one, and a piece never splits from a unit of its own group. A last
        entry, -1, answers the candidates' -1 (no code)."""
        grouped = one_language_map(self.one_language)
        _, group = np.unique([grouped.get(code, code) for code in self.scorer.codes], return_inverse=True)
        return np.r_[group.astype(np.int64), -1]

    @cached_property
    def _scripts(self) -> tuple[str, ...]:
        codes = self.script_codes or self.scorer.codes
        return tuple(sorted({script for code in codes for script in language_scripts(code)}))

    def _pieces(self, texts: list[str], tokens: Tokens, labels: np.ndarray, confidences: np.ndarray,
                candidates: np.ndarray, in_document: np.ndarray, columns: np.ndarray) -> Pieces:
        params = self.params
        unit_of_token = np.repeat(np.arange(len(texts)), np.diff(tokens.first))
        # runs of one column inside a unit
        change = np.r_[True, (columns[1:] != columns[:-1]) | (unit_of_token[1:] != unit_of_token[:-1])]
        run_first = np.flatnonzero(change)
        run_last = np.r_[run_first[1:], len(columns)]
        run_unit = unit_of_token[run_first]
        run_column = columns[run_first]
        foreign = np.flatnonzero(run_column > 0)
        run_prob = np.zeros(len(run_first))  # a standing foreign run's probability of its language
        if len(foreign):
            alone = self.scorer.range_log_probs(tokens, run_first[foreign], run_last[foreign])
            units = run_unit[foreign]
            their_code, our_code = candidates[units, run_column[foreign]], candidates[units, 0]
            theirs = alone[np.arange(len(foreign)), their_code]
            ours = alone[np.arange(len(foreign)), our_code]
            texts_of = [texts[u] for u in units.tolist()]
            piece_bounds = [(int(tokens.starts[a]), int(tokens.ends[b - 1]))
                            for a, b in zip(run_first[foreign].tolist(), run_last[foreign].tolist())]
            pieces = [text[a:b] for text, (a, b) in zip(texts_of, piece_bounds)]
            letters = np.fromiter(map(letter_count, pieces), dtype=np.int64, count=len(pieces))
            in_script = self._script_changes(texts_of, piece_bounds)
            known = in_document[units, run_column[foreign]] | in_script
            margin = np.where(known, params.margin, params.new_margin)
            # fastText's log(p + 1e-5) caps a margin near 11.5 nats whatever a piece's length: a longer
            # piece's margin counts for more (by the square root of its words over `reference_words`)
            words = run_last[foreign] - run_first[foreign]
            scale = np.sqrt(words / params.reference_words) if params.reference_words else np.ones(len(words))
            same = self._one_language[their_code] == self._one_language[our_code]
            with np.errstate(invalid="ignore"):
                weak = same | (~((theirs - ours) * scale >= margin) | (letters < params.min_chars)
                        | ~(theirs >= np.log(params.min_prob)))
            if params.content_words:  # a change of script is itself evidence of a switch, names or not
                standing = np.flatnonzero(~weak & ~in_script)
                at_start = run_first[foreign[standing]] == tokens.first[units[standing]]
                weak[standing] = ~self._stand_without_names([pieces[k] for k in standing.tolist()], at_start,
                                                            their_code[standing], our_code[standing],
                                                            margin[standing], scale[standing])
            run_column[foreign[weak]] = 0
            run_prob[foreign] = np.exp(theirs)
        # merge neighbouring runs that now agree; a foreign run that stands is a piece of its own, whose
        # confidence is its own probability
        keep = np.r_[True, (run_column[1:] != run_column[:-1]) | (run_unit[1:] != run_unit[:-1])]
        piece_first, piece_unit, piece_column = run_first[keep], run_unit[keep], run_column[keep]
        piece_last = np.r_[piece_first[1:], len(columns)]
        unit_start = np.r_[True, piece_unit[1:] != piece_unit[:-1]]
        unit_end = np.r_[piece_unit[1:] != piece_unit[:-1], True]
        split = np.zeros(len(texts), dtype=bool)
        split[piece_unit[piece_column > 0]] = True
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        chosen = np.flatnonzero(split[piece_unit])  # the pieces of the units that split
        whole = np.flatnonzero(~split)  # every other unit is one piece, as it came
        of = piece_unit[chosen]
        column = piece_column[chosen]
        starts = np.where(unit_start[chosen], 0, tokens.starts[piece_first[chosen]])
        ends = np.where(unit_end[chosen], lengths[of], tokens.ends[np.maximum(piece_last[chosen] - 1, 0)])
        unit = np.r_[of, whole]
        order = np.argsort(unit, kind="stable")
        return Pieces(unit[order], np.r_[starts, np.zeros(len(whole), np.int64)][order],
                      np.r_[ends, lengths[whole]][order],
                      np.r_[candidates[of, column], labels[whole]].astype(np.int64)[order],
                      np.r_[np.where(column > 0, run_prob[keep][chosen], confidences[of]),
                            confidences[whole]].astype(np.float64)[order])


_BLOCK = 2048
"""Words whose windows are scored together: each holds a few hundred bytes of path entries while scored."""


def main_scripts(texts: list[str], scripts: tuple[str, ...]) -> np.ndarray:
    """Each text's most used script (an index of `scripts`; kana counted as Han), -1 without letters."""
    return main_script(script_counts(texts, scripts), folded_scripts(scripts))


def _positions(first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The token indices of ranges `[first[i], first[i] + counts[i])`, one range after another."""
    return np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))


def _candidates(own: np.ndarray, labels: np.ndarray, docs: np.ndarray, own_reading: bool = False
                ) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's candidate languages (columns of the codes; -1 for none): its decoded language first,
    then up to three other languages its document's units were decoded as (most units first), then `own`
    (its own most probable languages, units x k); and whether each candidate is one of its document's
    languages. A language listed twice is kept in its first column only."""
    known = labels >= 0
    codes = int(max(labels.max(initial=0), own.max(initial=0))) + 1
    pairs, counts = np.unique(docs[known] * codes + labels[known], return_counts=True)
    pair_docs, pair_codes = pairs // codes, pairs % codes
    order = np.lexsort((-counts, pair_docs))  # each document's languages, most units first
    pair_docs, pair_codes = pair_docs[order], pair_codes[order]
    rank = np.arange(len(pair_docs)) - np.searchsorted(pair_docs, pair_docs)
    top = pair_docs[rank < 4], pair_codes[rank < 4], rank[rank < 4]
    documents = np.unique(docs)
    table = np.full((len(documents), 4), -1, dtype=np.int64)
    table[np.searchsorted(documents, top[0]), top[2]] = top[1]
    context = table[np.searchsorted(documents, docs)]
    context[context == labels[:, None]] = -1
    stacked = np.column_stack([labels, context, own]).astype(np.int64)
    for j in range(1, stacked.shape[1]):  # a language listed twice keeps its first column
        repeated = (stacked[:, j:j + 1] == stacked[:, :j]).any(axis=1)
        stacked[repeated, j] = -1
    in_document = np.zeros(stacked.shape, dtype=bool)
    in_document[:, :1 + context.shape[1]] = True
    _, units = np.unique(docs, return_counts=True)  # units come in document order
    in_document[np.repeat(units == 1, units)] = True  # a lone unit has no others to speak against a language
    if own_reading:  # the language the unit's own text reads as, whatever its context made of it
        in_document |= (stacked == own[:, :1]) & (own[:, :1] >= 0)
    return stacked, in_document & (stacked >= 0)


def viterbi_runs(emissions: np.ndarray, counts: np.ndarray, switch_cost: float) -> np.ndarray:
    """The best column of each token: `emissions` holds the tokens of consecutive units (`counts` each,
    units x candidate columns), column 0 of every unit costs nothing to start in, a change costs
    `switch_cost`. Decoded all units together, position by position (longest units first)."""
    order = np.argsort(-counts, kind="stable")
    starts = (np.cumsum(counts) - counts)[order]
    lengths = counts[order]
    width = emissions.shape[1]
    score = np.full((len(order), width), -float(switch_cost))
    score[:, 0] = 0.0
    back = np.zeros(emissions.shape, dtype=np.int8)
    steps = int(lengths.max(initial=0))
    longer = np.searchsorted(-lengths, -np.arange(steps), side="left").tolist()  # [j]: units longer than j
    columns = np.arange(width)[None, :]
    for j in range(steps):
        live = longer[j]
        rows = starts[:live] + j
        current = score[:live]
        if j:
            best_prev = current.argmax(axis=1)[:, None]
            move = np.take_along_axis(current, best_prev, axis=1) - switch_cost
            choose_stay = current >= move
            back[rows] = np.where(choose_stay, columns, best_prev)
            current = np.where(choose_stay, current, move)
        score[:live] = current + emissions[rows]
    path = np.zeros(len(emissions), dtype=np.int64)
    last_col = score.argmax(axis=1)
    for j in range(steps - 1, -1, -1):
        live = longer[j]
        rows = starts[:live] + j
        ending = lengths[:live] == j + 1
        last_col[:live] = np.where(ending, score[:live].argmax(axis=1), last_col[:live])
        path[rows] = last_col[:live]
        last_col[:live] = back[rows, last_col[:live]]
    return path

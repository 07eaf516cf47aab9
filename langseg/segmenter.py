"""The orchestrator: text -> units -> distributions -> labels -> spans -> Document. It only wires the steps."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .config import Config, tuned_defaults
from .decode import candidate_languages, unit_weight, viterbi
from .models import ResolvedModel, resolve
from .scoring import Distribution, FastTextScorer, Scorer
from .scripts import language_scripts, script_shares
from .spans import dominant_language, is_mixed, language_shares, merge_spans
from .types import UND, Document, Unit
from .units import has_language, paragraph_units, sentence_units


@dataclass(frozen=True, slots=True)
class _Piece:
    """A unit to decode: its line (transitions inside a line cost `sentence_switch_cost`) and its evidence."""

    unit: Unit
    line: int
    dist: Distribution | None  # None: no letters, `und`


class Segmenter:
    """Segments texts with one model, loaded lazily once per process; pickles without the model.

    >>> seg = Segmenter()                                   # doctest: +SKIP
    >>> seg.segment("Hola, ¿qué tal?\\nI am fine, thank you very much.").spans  # doctest: +SKIP
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        config: Config | None = None,
        *,
        scorer: Scorer | None = None,
        **overrides: Any,
    ) -> None:
        self.model = model
        self.config = (config or tuned_defaults()).with_(**overrides)
        self._scorer = scorer
        self._resolved: ResolvedModel | None = None

    @property
    def scorer(self) -> Scorer:
        """The model, loaded on first use (fetched into the cache first if it is a known model not yet there)."""
        if self._scorer is None:
            self._resolved = resolve(self.model)
            self._scorer = FastTextScorer(self._resolved.path, self.config.top_k, self._resolved.label_overrides)
        return self._scorer

    @property
    def model_name(self) -> str:
        """The manifest name (or file name) of the model in use; "custom" for an injected scorer."""
        if self._resolved is None and self._scorer is None:
            self.scorer  # noqa: B018 - resolves the model
        return self._resolved.name if self._resolved else "custom"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if isinstance(state["_scorer"], FastTextScorer):
            state["_scorer"] = None  # reloaded lazily in the receiving process
            state["_resolved"] = None
        return state

    def segment(self, text: str, id: str | None = None) -> Document:
        """Segment one text into language spans."""
        return self.segment_batch([text], [id])[0]

    def segment_batch(self, texts: Sequence[str], ids: Sequence[str | None] | None = None) -> list[Document]:
        """Segment many texts with one model call per batch of units (the fast path for pipelines)."""
        ids = ids if ids is not None else [None] * len(texts)
        lines = [paragraph_units(text) for text in texts]
        line_dists = self._score_units(texts, lines)
        pieces = self._refine(texts, lines, line_dists)
        return [self._decode(text, doc_pieces, doc_id) for text, doc_pieces, doc_id in zip(texts, pieces, ids)]

    def _score_units(self, texts: Sequence[str], units_per_doc: Sequence[Sequence[Unit]]) -> list[list[Distribution | None]]:
        """Each unit's distribution, or None for a unit with no letters; one model call per batch."""
        strings: list[str] = []
        for text, units in zip(texts, units_per_doc):
            strings.extend(text[u.start:u.end] for u in units)
        with_language = [i for i, s in enumerate(strings) if has_language(s)]
        dists: list[Distribution | None] = [None] * len(strings)
        size = self.config.batch_size
        scorer = self.scorer
        for first in range(0, len(with_language), size):
            chunk = with_language[first:first + size]
            for i, dist in zip(chunk, scorer.score([strings[i] for i in chunk])):
                dists[i] = dist
        out: list[list[Distribution | None]] = []
        position = 0
        for units in units_per_doc:
            out.append(dists[position:position + len(units)])
            position += len(units)
        return out

    def _refine(
        self, texts: Sequence[str], lines: Sequence[list[Unit]], line_dists: Sequence[list[Distribution | None]]
    ) -> list[list[_Piece]]:
        """Split the lines whose own evidence is unsure into sentences, re-scored, so a switch inside a line shows."""
        threshold = self.config.refine_below
        split: list[list[list[Unit]]] = []
        for text, units, dists in zip(texts, lines, line_dists):
            doc_split = []
            for unit, dist in zip(units, dists):
                unsure = dist is not None and max(dist.values(), default=0.0) < threshold
                sentences = sentence_units(text, unit) if unsure else [unit]
                doc_split.append(sentences)
            split.append(doc_split)
        flat_sentences = [[s for sentences in doc if len(sentences) > 1 for s in sentences] for doc in split]
        sentence_dists = self._score_units(texts, flat_sentences)
        pieces: list[list[_Piece]] = []
        for doc_split, dists, doc_sentence_dists in zip(split, line_dists, sentence_dists):
            doc_pieces: list[_Piece] = []
            next_sentence = iter(doc_sentence_dists)
            for line_index, (sentences, dist) in enumerate(zip(doc_split, dists)):
                if len(sentences) == 1:
                    doc_pieces.append(_Piece(sentences[0], line_index, dist))
                else:
                    doc_pieces.extend(_Piece(s, line_index, next(next_sentence)) for s in sentences)
            pieces.append(doc_pieces)
        return pieces

    def _decode(self, text: str, pieces: list[_Piece], doc_id: str | None) -> Document:
        config = self.config
        scored = [p for p in pieces if p.dist is not None]
        dists = [p.dist for p in scored]
        weights = [unit_weight(_letters(text, p.unit), config.full_weight_chars, config.min_weight) for p in scored]
        costs = [
            config.sentence_switch_cost if before.line == after.line else config.switch_cost
            for before, after in zip(scored, scored[1:])
        ]
        penalties = script_penalties(text, [p.unit for p in scored], dists, config.script_cost)  # type: ignore[arg-type]
        decoded = iter(viterbi(dists, weights, costs, config.floor, penalties))  # type: ignore[arg-type]
        labels: list[str] = []
        confidences: list[float] = []
        for piece in pieces:
            if piece.dist is None:
                labels.append(UND)
                confidences.append(0.0)
            else:
                lang = next(decoded)
                labels.append(lang)
                confidences.append(piece.dist.get(lang, 0.0))
        spans = merge_spans([p.unit for p in pieces], labels, confidences)
        return Document(
            id=doc_id,
            length=len(text),
            language=dominant_language(spans),
            mixed=is_mixed(spans, config.mixed_min_share, config.mixed_min_chars),
            languages=language_shares(spans),
            spans=spans,
        )


def script_penalties(
    text: str, units: Sequence[Unit], dists: Sequence[Distribution], script_cost: float
) -> list[dict[str, float]] | None:
    """Per unit, a cost for each candidate language in proportion to the unit's letters not in its script.

    Only computed when the candidates are written in more than one script (else there is nothing to tell).
    """
    candidates = candidate_languages(dists)
    scripts_of = {lang: language_scripts(lang) for lang in candidates}
    if len({s for s in scripts_of.values() if s}) < 2:
        return None
    all_scripts = sorted({script for scripts in scripts_of.values() for script in scripts})
    penalties = []
    for unit in units:
        shares = script_shares(text[unit.start:unit.end], all_scripts)
        penalties.append({
            lang: script_cost * (1.0 - sum(shares[s] for s in scripts))
            for lang, scripts in scripts_of.items() if scripts
        })
    return penalties


def _letters(text: str, unit: Unit) -> int:
    """Non-space characters in a unit (its length without inner whitespace)."""
    piece = text[unit.start:unit.end]
    return len(piece) - piece.count(" ")


_DEFAULT: Segmenter | None = None


def default_segmenter() -> Segmenter:
    """The process-wide Segmenter on the default model (created on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Segmenter()
    return _DEFAULT


def segment(text: str, id: str | None = None, **overrides: Any) -> Document:
    """Segment one text with the default model (loaded once per process).

    >>> doc = segment("Nuestro sitio usa cookies.\\n\\nThe article starts here and goes on.")  # doctest: +SKIP
    """
    segmenter = Segmenter(**overrides) if overrides else default_segmenter()
    return segmenter.segment(text, id)


def segment_many(texts: Iterable[str], batch: int = 256, **overrides: Any) -> Iterable[Document]:
    """Segment a stream of texts lazily, `batch` documents per model call."""
    segmenter = Segmenter(**overrides) if overrides else default_segmenter()
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) >= batch:
            yield from segmenter.segment_batch(chunk)
            chunk = []
    if chunk:
        yield from segmenter.segment_batch(chunk)

"""The orchestrator: text -> units -> distributions -> labels -> spans -> Document. It only wires the steps."""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from .clause_units import Units, split_clauses
from .clauses import ClauseParams, ClauseSplitter
from .codes import parse_language, parse_languages
from .config import Config, announce_generic, has_own_parameters, model_defaults, word_reader_defaults
from .explain import Explanation, explanation
from .extract import keep_language
from .io import batched
from .models import ResolvedModel, knowledge_name, resolve
from .scoring import Evidence, FastTextScorer, Scorer, evidence_of
from .second_opinion import WithSecondOpinion
from .spans import (PiecewiseLinear, below_floor_as_und, dominant_language, is_mixed, language_shares,
                    one_language_map, spans_of_documents)
from .types import Document, Span
from .unit_labels import UnitLabeller
from .units import add_units, has_language
from .word_reader import PooledScorer, load_identifier, load_reader


class Segmenter:
    """Segments texts with one model, loaded lazily once per process; pickles without the model.

    >>> segmenter = Segmenter(switch_cost=2.0)          # any Config field as an override
    >>> [doc.language for doc in segmenter.segment_batch(["Guten Morgen, wie geht es dir heute?", "Dobrý den!"])]
    ['de', 'cs']
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
        name = knowledge_name(model)
        base = config or model_defaults(name)
        if config is None:  # the model's own values for decoding with a word reader, when one is asked for
            base = base.with_(**word_reader_defaults(name, overrides.get("word_reader", base.word_reader)))
        self.config = base.with_(**overrides)
        self._generic = name if config is None and not has_own_parameters(name) else None
        self._scorer = scorer
        self._resolved: ResolvedModel | None = None
        calibration = self.config.calibration
        self._calibrate = PiecewiseLinear(*calibration) if calibration is not None else None
        self._one_language = one_language_map(self.config.mixed_one_language)
        self._clauses: tuple[Scorer, ClauseSplitter | None] | None = None
        self._allowed: frozenset[str] | None = None  # the languages decoded over, when restricted

    @property
    def scorer(self) -> Scorer:
        """The model, loaded on first use (fetched into the cache first if it is a known model not yet there)."""
        if self._scorer is None:
            self._resolved = resolve(self.model)
            primary = FastTextScorer(self._resolved.path, self.config.top_k, self._resolved.label_overrides)
            if self._generic:
                announce_generic(self._generic)
            self._scorer = self._with_second_opinion(primary)
            allowed = self.allowed_languages  # read against every code the scorer can give
            if allowed is not None:
                self._scorer = self._with_second_opinion(primary.restricted(sorted(allowed & primary.languages)))
        return self._scorer

    def check_word_reader(self) -> None:
        """Load the configured word reader now, so that a missing package is one clear error before any
        input is read (`WordReaderMissing`), not a failure in the middle of a corpus."""
        if self.config.word_reader:
            load_identifier(self.config.word_reader)

    def _with_second_opinion(self, primary: FastTextScorer) -> Scorer:
        return WithSecondOpinion.from_config(primary, self.config) if self.config.second_opinion else primary

    @property
    def model_path(self) -> str | None:
        """The file of the model in use (None for an injected scorer)."""
        if self._resolved is None and self._scorer is None:
            self.scorer  # noqa: B018 - resolves the model
        return str(self._resolved.path) if self._resolved else None

    @property
    def label_overrides(self) -> dict[str, str] | None:
        """The model's own codes that mean something else (from its manifest entry), after loading."""
        self.scorer  # noqa: B018 - resolves the model
        return dict(self._resolved.label_overrides) if self._resolved else None

    @property
    def model_name(self) -> str:
        """The manifest name (or file name) of the model in use; "custom" for an injected scorer."""
        if self._resolved is None and self._scorer is None:
            self.scorer  # noqa: B018 - resolves the model
        return self._resolved.name if self._resolved else "custom"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_clauses"] = None
        if isinstance(state["_scorer"], (FastTextScorer, WithSecondOpinion)):
            state["_scorer"] = None  # reloaded lazily in the receiving process
            state["_resolved"] = None
        return state

    def segment(self, text: str, id: str | None = None) -> Document:
        """Segment one text into language spans."""
        if not isinstance(text, str):
            raise TypeError(f"segment takes a str, not {type(text).__name__}")
        return self.segment_batch([text], [id])[0]

    def records(self, texts: Sequence[str], ids: Sequence[str | None] | None = None) -> list[dict[str, Any]]:
        """The output records (`Document.to_dict()`) of many texts: what `langseg tag` writes for them."""
        return [document.to_dict() for document in self.segment_batch(texts, ids)]

    def extract(self, text: str, lang: str | None = None, min_share: float = 0.0) -> str | None:
        """`text` reduced to the spans of `lang` (default: its main language), with their original
        separators; None when that language holds less than `min_share` of it.

        >>> banner = "Utilizamos cookies propias y de terceros para mejorar nuestros servicios."
        >>> Segmenter().extract(banner + "\\nThe story starts here, and it goes on for a good while.", "en")
        'The story starts here, and it goes on for a good while.'
        """
        return keep_language(text, self.segment(text), self.language_code(lang), min_share)

    def language_code(self, lang: str | None) -> str | None:
        """`lang` as the records spell it (`deu`, `DE` and `German` are `de`), checked against the languages
        the model can produce (`langseg.codes.UnknownLanguage` names the closest); None stays None."""
        if lang is None:
            return None
        overrides = self.label_overrides
        return parse_language(lang, getattr(self.scorer, "codes", ()), overrides)

    def segment_batch(self, texts: Sequence[str], ids: Sequence[str | None] | None = None) -> list[Document]:
        """Segment many texts with one model call per batch of units (the fast path for pipelines).

        Raises TypeError for a text that is not a str (or for one str passed as the batch, which would
        otherwise be taken character by character) and ValueError when `ids` and `texts` differ in
        length: no document is dropped or invented silently.
        """
        _check_batch(texts, ids)
        with _one_blas_thread():  # the products here are small: threads only compete with worker processes
            return self._segment_batch(texts, ids if ids is not None else [None] * len(texts))

    def explain(self, text: str) -> Explanation:
        """`segment(text)` with, for each unit, the evidence that decided its language and which step did
        (its own reading, the second opinion, its context, a split inside it): `--explain` in the CLI."""
        if not isinstance(text, str):
            raise TypeError(f"explain takes a str, not {type(text).__name__}")
        trace: dict[str, Any] = {}
        with _one_blas_thread():
            document = self._segment_batch([text], [None], trace)[0]
        return explanation(self, text, document, trace)

    def _segment_batch(self, texts: Sequence[str], ids: Sequence[str | None],
                       trace: dict[str, Any] | None = None) -> list[Document]:
        unit_starts, unit_ends, unit_lines = array("q"), array("q"), array("q")  # the batch's units, in order
        counts: list[int] = []
        pieces: list[str] = []
        for text in texts:
            first = len(unit_starts)
            add_units(text, unit_starts, unit_ends, unit_lines)
            counts.append(len(unit_starts) - first)
            pieces += map(text.__getitem__, map(slice, unit_starts[first:], unit_ends[first:]))
        starts, ends, lines = (np.frombuffer(column, dtype=np.int64) for column in (unit_starts, unit_ends, unit_lines))
        doc_of = np.repeat(np.arange(len(texts)), counts)
        scored = np.flatnonzero(np.fromiter(map(has_language, pieces), dtype=bool, count=len(pieces)))
        labelled = UnitLabeller(self.config, self._evidence).label(pieces, scored, doc_of[scored], lines[scored])
        codes, scored = labelled.codes, labelled.scored
        if trace is not None:  # what `explain` shows: the units, what the model read and what decided each
            trace.update(pieces=pieces, starts=starts, ends=ends, labelled=labelled)
        labels = np.full(len(pieces), -1, dtype=np.int64)  # a column of the codes; -1: und
        labels[scored] = labelled.labels
        confidences = np.zeros(len(pieces))
        confidences[scored] = labelled.confidences
        units = Units(starts, ends, doc_of, labels, confidences)
        splitter = self._splitter
        if splitter is not None and len(scored):
            units = split_clauses(splitter, pieces, labelled, units)
        if trace is not None:
            trace.update(clause_starts=units.starts, clause_ends=units.ends, clause_labels=units.labels)
        spans = spans_of_documents(units.starts, units.ends, units.labels, units.confidences,
                                   units.counts(len(texts)), codes, self._calibrate)
        if self.config.min_score > 0:
            spans = [below_floor_as_und(document_spans, self.config.min_score) for document_spans in spans]
        return [self._document(text, text_spans, doc_id) for text, text_spans, doc_id in zip(texts, spans, ids)]

    @property
    def _splitter(self) -> ClauseSplitter | None:
        """The clause splitter, made once per loaded model."""
        if self._clauses is None or self._clauses[0] is not self.scorer:
            self._clauses = (self.scorer, self._clause_splitter())
        return self._clauses[1]

    def _clause_splitter(self) -> ClauseSplitter | None:
        """The splitter of units into clauses, when enabled and the model scores token ranges."""
        if not self.config.clause_split:
            return None
        primary = getattr(self.scorer, "primary", self.scorer)
        if not isinstance(primary, FastTextScorer):
            return None
        config = self.config
        scorer: Any = primary
        if config.word_reader:
            scorer = PooledScorer(primary, load_reader(config.word_reader, primary.codes), config.word_reader_weight)
        return ClauseSplitter(scorer, ClauseParams(
            radius=config.clause_radius, switch_cost=config.clause_switch_cost, margin=config.clause_margin,
            min_chars=config.clause_min_chars, floor=config.floor, new_margin=config.clause_new_margin,
            min_prob=config.clause_min_prob, own_reading=config.clause_own_reading,
            reference_words=config.clause_reference_words, chunk_words=config.clause_chunk_words,
            whole_reading=bool(config.word_reader), content_words=config.clause_content_words),
            getattr(self.scorer, "codes", ()), config.mixed_one_language)

    def _evidence(self, pieces: list[str]) -> Evidence:
        """The model's evidence for every piece, one model call per `batch_size` pieces."""
        scorer = self.scorer
        size = self.config.batch_size
        chunks = [evidence_of(scorer, pieces[first:first + size]) for first in range(0, len(pieces), size)]
        evidence = Evidence.stacked(chunks) if chunks else evidence_of(scorer, [])
        allowed = self.allowed_languages
        return evidence.only(allowed) if allowed is not None else evidence

    @property
    def allowed_languages(self) -> frozenset[str] | None:
        """The languages decoded over (`Config.languages` as record codes), None for all the model knows."""
        if self.config.languages and self._allowed is None:
            scorer = self.scorer
            overrides = self._resolved.label_overrides if self._resolved else None
            self._allowed = frozenset(parse_languages(",".join(self.config.languages), getattr(scorer, "codes", ()),
                                                      overrides))
        return self._allowed

    def _document(self, text: str, spans: tuple[Span, ...], doc_id: str | None) -> Document:
        """The record of one text from its spans: main language, shares and the mixed flag."""
        if len(spans) == 1:  # one language (most short documents): its share is 1 and nothing is mixed
            return Document(id=doc_id, length=len(text), language=spans[0].lang, mixed=False,
                            languages={spans[0].lang: 1.0}, spans=spans)
        config = self.config
        return Document(
            id=doc_id,
            length=len(text),
            language=dominant_language(spans),
            mixed=is_mixed(spans, config.mixed_min_share, config.mixed_min_chars, config.mixed_min_score,
                           self._one_language),
            languages=language_shares(spans),
            spans=spans,
        )


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread():
    """A context in which NumPy's BLAS runs on one thread (langseg's products are a few thousand rows by
    16 or so: threads cost more than they give, and they oversubscribe the cores of worker processes)."""
    return _blas().limit(limits=1, user_api="blas")


def _check_batch(texts: Sequence[str], ids: Sequence[str | None] | None, first: int = 0) -> None:
    """A clear error, naming the text (counted from `first`), for what would otherwise fail deep inside
    or pass silently."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("segment_batch takes a sequence of texts, not one text: use segment() for one")
    if ids is not None and len(ids) != len(texts):
        raise ValueError(f"segment_batch got {len(texts)} texts but {len(ids)} ids")
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            named = f" (id {ids[position]})" if ids is not None and ids[position] is not None else ""
            raise TypeError(f"text {first + position}{named} is {type(text).__name__}, not str")


_DEFAULT: Segmenter | None = None


def default_segmenter() -> Segmenter:
    """The process-wide Segmenter on the default model (created on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Segmenter()
    return _DEFAULT


def segment(text: str, id: str | None = None, **overrides: Any) -> Document:
    """Segment one text with the default model (loaded once per process).

    >>> segment("Nuestro sitio usa cookies para todo.").languages
    {'es': 1.0}
    """
    segmenter = Segmenter(**overrides) if overrides else default_segmenter()
    return segmenter.segment(text, id)


def segment_many(texts: Iterable[str], batch: int = 256, **overrides: Any) -> Iterable[Document]:
    """Segment a stream of texts lazily, `batch` documents per model call."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("segment_many takes an iterable of texts, not one text: use segment() for one")
    segmenter = Segmenter(**overrides) if overrides else default_segmenter()
    done = 0
    for chunk in batched(texts, batch):
        _check_batch(chunk, None, done)  # so that an error counts the texts from the stream's start
        yield from segmenter.segment_batch(chunk)
        done += len(chunk)

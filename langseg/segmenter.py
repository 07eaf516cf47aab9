"""The orchestrator: text -> units -> distributions -> labels -> spans -> Document. It only wires the steps."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from .config import Config, tuned_defaults
from .decode import candidate_languages, unit_weight, viterbi
from .models import ResolvedModel, resolve
from .scoring import Distribution, FastTextScorer, Scorer
from .scripts import language_scripts, script_shares
from .spans import dominant_language, is_mixed, language_shares, merge_spans
from .types import UND, Document, Unit
from .units import has_language, paragraph_units, sentence_units


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
        all_units: list[list[Unit]] = []
        all_lines: list[list[int]] = []
        pieces: list[str] = []
        for text in texts:
            units: list[Unit] = []
            lines: list[int] = []
            for line_number, line in enumerate(paragraph_units(text)):
                for unit in sentence_units(text, line):
                    units.append(unit)
                    lines.append(line_number)
            all_units.append(units)
            all_lines.append(lines)
            pieces.extend(text[u.start:u.end] for u in units)
        dists = self._score(pieces)
        documents = []
        position = 0
        for text, units, lines, doc_id in zip(texts, all_units, all_lines, ids):
            doc_dists = dists[position:position + len(units)]
            doc_pieces = pieces[position:position + len(units)]
            position += len(units)
            documents.append(self._decode(text, units, lines, doc_pieces, doc_dists, doc_id))
        return documents

    def _score(self, pieces: list[str]) -> list[Distribution | None]:
        """Each piece's distribution, None for a piece with no letters; one model call per batch."""
        with_language = [i for i, piece in enumerate(pieces) if has_language(piece)]
        dists: list[Distribution | None] = [None] * len(pieces)
        size = self.config.batch_size
        scorer = self.scorer
        for first in range(0, len(with_language), size):
            chunk = with_language[first:first + size]
            for i, dist in zip(chunk, scorer.score([pieces[i] for i in chunk])):
                dists[i] = dist or None  # fastText finds no token in some letter-only strings
        return dists

    def _decode(self, text: str, units: list[Unit], lines: list[int], pieces: list[str],
                dists: list[Distribution | None], doc_id: str | None) -> Document:
        config = self.config
        scored = [i for i, dist in enumerate(dists) if dist is not None]
        scored_dists: list[Distribution] = [dists[i] for i in scored]  # type: ignore[misc]
        best = [max(dist, key=dist.__getitem__) for dist in scored_dists]
        if len(set(best)) <= 1:
            decoded = best  # every unit's own evidence agrees: no context can change it
        else:
            weights = [
                unit_weight(len(pieces[i]) - pieces[i].count(" "), config.full_weight_chars, config.min_weight)
                for i in scored
            ]
            costs = [
                config.sentence_switch_cost if lines[before] == lines[after] else config.switch_cost
                for before, after in zip(scored, scored[1:])
            ]
            penalties = script_penalties([pieces[i] for i in scored], scored_dists, weights, config.script_cost)
            decoded = viterbi(scored_dists, weights, costs, config.floor, penalties)
        labels = [UND] * len(units)
        confidences = [0.0] * len(units)
        for i, lang, dist in zip(scored, decoded, scored_dists):
            labels[i] = lang
            confidences[i] = dist.get(lang, 0.0)
        spans = merge_spans(units, labels, confidences)
        return Document(
            id=doc_id,
            length=len(text),
            language=dominant_language(spans),
            mixed=is_mixed(spans, config.mixed_min_share, config.mixed_min_chars),
            languages=language_shares(spans),
            spans=spans,
        )


def script_penalties(
    pieces: Sequence[str], dists: Sequence[Distribution], weights: Sequence[float], script_cost: float
) -> list[dict[str, float]] | None:
    """Per short unit, a cost for each candidate language in proportion to its letters not in that script.

    Only when the candidates are written in more than one script, and only for units shorter than full
    weight (a long unit's own evidence already rules out a language of another script).
    """
    candidates = candidate_languages(dists)
    scripts_of = {lang: language_scripts(lang) for lang in candidates}
    if len({s for s in scripts_of.values() if s}) < 2:
        return None
    all_scripts = sorted({script for scripts in scripts_of.values() for script in scripts})
    no_penalty: dict[str, float] = {}
    penalties = []
    for piece, weight in zip(pieces, weights):
        if weight >= 1.0:
            penalties.append(no_penalty)
            continue
        shares = script_shares(piece, all_scripts)
        penalties.append({
            lang: script_cost * (1.0 - sum(shares[s] for s in scripts))
            for lang, scripts in scripts_of.items() if scripts
        })
    return penalties


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

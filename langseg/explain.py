"""Why each unit came out as it did: the model's reading, the evidence after the second opinion, the decoded
language and which step decided it (`Segmenter.explain`, `langseg detect --explain`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .types import UND, Document
from .rewrites import model_input, rewrites_for
from .second_opinion import RULES, Opinion
from .units import has_language

if TYPE_CHECKING:
    from .segmenter import Segmenter

_SHOWN = 3  # languages listed per reading


@dataclass(frozen=True)
class UnitExplanation:
    """One unit (a sentence of a line): its offsets and text, what the model read (names left out in a
    short unit), the model's own top languages, the evidence after the second opinion, the language
    decided with its probability, why, and the pieces a split inside it made."""

    start: int
    end: int
    text: str
    read_as: str
    model: tuple[tuple[str, float], ...]
    evidence: tuple[tuple[str, float], ...]
    language: str
    probability: float
    because: str
    pieces: tuple[tuple[int, int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "read_as": self.read_as,
                "model": [[lang, round(p, 4)] for lang, p in self.model],
                "evidence": [[lang, round(p, 4)] for lang, p in self.evidence],
                "language": self.language, "probability": round(self.probability, 4), "because": self.because,
                "pieces": [list(piece) for piece in self.pieces]}


@dataclass(frozen=True)
class Explanation:
    """A document's record and the explanation of each of its units, in order."""

    document: Document
    units: tuple[UnitExplanation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.document.to_dict(), "units": [unit.to_dict() for unit in self.units]}

    def format(self) -> str:
        """A plain-text table, one unit per block."""
        lines = []
        for unit in self.units:
            readings = ", ".join(f"{lang} {p:.2f}" for lang, p in unit.model) or "nothing"
            lines.append(f"{unit.start}-{unit.end}  {unit.language}  {_clip(unit.text)}")
            lines.append(f"    model: {readings}" + (f"   (read as {_clip(unit.read_as, 40)!r})"
                                                      if unit.read_as != unit.text else ""))
            if unit.evidence != unit.model:
                lines.append("    with the second opinion: " + ", ".join(f"{lang} {p:.2f}" for lang, p in unit.evidence))
            lines.append(f"    decided by {unit.because}")
            for start, end, lang in unit.pieces:
                lines.append(f"      {start}-{end}  {lang}")
        return "\n".join(lines)


def explanation(segmenter: Segmenter, text: str, document: Document, trace: dict[str, Any]) -> Explanation:
    """The explanation of `document` (segmented from `text`) from what `_segment_batch` traced."""
    labelled = trace["labelled"]
    codes, evidence = labelled.codes, labelled.evidence
    scored_rows = {int(unit): row for row, unit in enumerate(labelled.scored.tolist())}
    pieces, starts, ends = trace["pieces"], trace["starts"].tolist(), trace["ends"].tolist()
    steps = rewrites_for(segmenter.config)
    read = [model_input(piece, steps) for piece in pieces]
    for unit, text in zip(labelled.scored.tolist(), labelled.read):
        read[unit] = text  # the reading the model was given (names kept where it read surer with them)
    primary = getattr(segmenter.scorer, "primary", segmenter.scorer)
    model_evidence = primary.evidence(read) if hasattr(primary, "evidence") and read else None
    opinions = (segmenter.scorer.opinions(list(labelled.read))
                if hasattr(segmenter.scorer, "opinions") and len(labelled.read) else [None] * len(labelled.read))
    clause_starts = trace.get("clause_starts", trace["starts"])  # clauses in order, inside their units
    clause_ends = trace.get("clause_ends", trace["ends"]).tolist()
    clause_labels = trace.get("clause_labels", np.full(len(pieces), -1)).tolist()
    first_clause = np.searchsorted(clause_starts, trace["starts"]).tolist() + [len(clause_starts)]
    units = []
    for unit, piece in enumerate(pieces):
        model = _top(model_evidence, unit) if model_evidence is not None else ()
        row = scored_rows.get(unit)
        start, end = starts[unit], ends[unit]
        inside = tuple((int(clause_starts[j]), clause_ends[j], codes[clause_labels[j]] if clause_labels[j] >= 0
                        else UND) for j in range(first_clause[unit], first_clause[unit + 1]))
        if row is None:
            because = ("no letters: it joins its neighbours' span" if not has_language(piece)
                       else "nothing: the model reads no word of it, so it joins its neighbours' span")
            units.append(UnitExplanation(start, end, piece, read[unit], model, (), UND, 0.0, because))
            continue
        shown = _top(evidence, row)
        label = int(labelled.labels[row])
        language = codes[label] if label >= 0 else UND
        probability = float(labelled.confidences[row])
        because = _because(language, model, shown, opinions[row])
        if len(inside) > 1:
            reader = segmenter.config.word_reader
            because += ("; then split inside, where its words read as another language"
                        + (f" (to the model and {reader} together)" if reader else ""))
        units.append(UnitExplanation(start, end, piece, read[unit], model, shown, language, probability, because,
                                     inside if len(inside) > 1 else ()))
    return Explanation(document, tuple(units))


def _top(evidence: Any, row: int) -> tuple[tuple[str, float], ...]:
    ids, probs = evidence.ids[row], evidence.probs[row]
    return tuple((evidence.codes[i], float(p)) for i, p in zip(ids.tolist(), probs.tolist()) if i >= 0 and p > 0)[:_SHOWN]


def _because(language: str, model: tuple[tuple[str, float], ...], evidence: tuple[tuple[str, float], ...],
             opinion: Opinion | None = None) -> str:
    """Which step decided a unit's language (and, for the second opinion, which of its rules let it in)."""
    own = model[0][0] if model else None
    best = evidence[0][0] if evidence else None
    if language == best == own:
        return f"its own reading ({model[0][1]:.2f})"
    if language == best:
        rule = f": {RULES[opinion.rule]}" if opinion is not None and opinion.language == language else ""
        return f"the second opinion (CLD2), which names {language} where the model read {own or 'nothing'}{rule}"
    where = f"{best} {evidence[0][1]:.2f}" if evidence else "nothing"
    return f"its context: the neighbouring units outweigh its own reading ({where})"


def _clip(text: str, size: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[:size - 1] + "…"

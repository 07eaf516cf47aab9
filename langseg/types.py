"""Result types: frozen records that carry code-point offsets into the input text, never substrings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UND = "und"
"""The label of text with no language: numbers, punctuation, URLs alone."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A piece of text that is scored as a whole: `text[start:end]`, trimmed, on one line."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Span:
    """A maximal run of one language: `text[start:end]`, starting and ending on non-whitespace."""

    start: int
    end: int
    lang: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "lang": self.lang, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Document:
    """One document's segmentation; `to_dict()` is the record of the output contract."""

    length: int
    language: str
    mixed: bool
    languages: dict[str, float]
    spans: tuple[Span, ...]
    id: str | None = None
    error: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The output record: id, length, language, mixed, languages, spans (and error/notes if any)."""
        record: dict[str, Any] = {
            "id": self.id,
            "length": self.length,
            "language": self.language,
            "mixed": self.mixed,
            "languages": rounded_shares(self.languages),
            "spans": [span.to_dict() for span in self.spans],
        }
        if self.error is not None:
            record["error"] = self.error
        if self.notes:
            record["notes"] = list(self.notes)
        return record


def rounded_shares(shares: dict[str, float], digits: int = 4) -> dict[str, float]:
    """Round shares for output so that they still sum to exactly 1 (the largest absorbs the rest)."""
    if len(shares) <= 1:
        return dict.fromkeys(shares, 1.0)  # one language holds it all (most documents)
    rounded = {lang: round(share, digits) for lang, share in shares.items()}
    largest = max(rounded, key=rounded.__getitem__)
    rounded[largest] = round(1.0 - sum(v for k, v in rounded.items() if k != largest), digits)
    return rounded

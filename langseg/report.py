"""A corpus at a glance: the aggregates and a stratified sample of tagged records, gathered in one pass with
bounded memory, rendered as one self-contained HTML page (Jinja2, escaped by default)."""

from __future__ import annotations

import base64
import hashlib
import heapq
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from importlib import resources
from itertools import combinations
from typing import Any

from .colours import assign_colours, hex_colour
from .errors import LangsegError
from .stats import CorpusStats
from .types import UND

SCORE_BINS = 10
SWITCH_BINS = 10  # 0..9 switches, then "10 or more"
UNSURE = 0.9
"""A span scored below this (calibrated: about one character in ten wrong) makes its document a candidate
for the sample's lowest-scoring stratum."""
SHOWN_CHARS = 4000
"""A sampled document's text is kept up to this many characters (its spans clipped there)."""


@dataclass(frozen=True)
class ShownSpan:
    """One span of a sampled document as the page shows it."""

    start: int
    end: int
    lang: str
    score: float
    text: str
    colour: str
    gap: str
    """The text between the previous span (or the document's start) and this one."""


@dataclass(frozen=True)
class ShownDocument:
    """A sampled document: its record's summary, its spans with their text, and why it was sampled."""

    number: int
    id: str
    length: int
    language: str
    mixed: bool
    languages: tuple[tuple[str, float], ...]
    spans: tuple[ShownSpan, ...]
    legend: tuple[tuple[str, str], ...]
    tail: str
    has_text: bool
    truncated: bool
    reasons: tuple[str, ...] = ()


@dataclass
class _Reservoir:
    """A uniform sample of `size` items from a stream, the same for the same stream (seeded)."""

    size: int
    rng: random.Random
    seen: int = 0
    items: list[tuple[int, ShownDocument]] = field(default_factory=list)

    def offer(self, number: int, make: Any) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append((number, make()))
            return
        slot = self.rng.randrange(self.seen)
        if slot < self.size:
            self.items[slot] = (number, make())


class ReportBuilder:
    """`add` one record (and its text, when known) at a time; memory grows with the languages met, never
    with the documents: aggregates are counters, the sample a reservoir per stratum (mixed documents,
    monolingual documents of each language) plus the documents with the lowest-scoring spans (under
    `UNSURE`)."""

    def __init__(self, per_language: int = 3, mixed: int = 12, lowest: int = 8, seed: int = 0) -> None:
        self.stats = CorpusStats()
        self.score_bins: dict[str, list[int]] = {}
        self.switch_bins = [0] * (SWITCH_BINS + 1)
        self.pairs: Counter[tuple[str, str]] = Counter()
        self._per_language = per_language
        self._strata: dict[str, _Reservoir] = {"mixed": _Reservoir(mixed, random.Random(seed))}
        self._seed = seed
        self._lowest: list[tuple[float, int, ShownDocument]] = []  # a max-heap on score, by negation
        self._lowest_size = lowest
        self._number = 0

    def add(self, record: dict[str, Any], text: str | None) -> None:
        self._number += 1
        number = self._number
        switches = self.stats.add(record)
        if record.get("error"):
            return
        spans = record.get("spans") or []
        scored = [span for span in spans if span["lang"] != UND]
        for span in scored:
            bins = self.score_bins.setdefault(span["lang"], [0] * SCORE_BINS)
            bins[min(int(span["score"] * SCORE_BINS), SCORE_BINS - 1)] += 1
        self.switch_bins[min(switches, SWITCH_BINS)] += 1
        if record.get("mixed"):
            present = sorted(lang for lang in record.get("languages", {}) if lang != UND)
            self.pairs.update(combinations(present, 2))

        def shown() -> ShownDocument:
            return shown_document(number, record, text)

        key = "mixed" if record.get("mixed") else f"mono:{record.get('language', UND)}"
        if key not in self._strata:
            self._strata[key] = _Reservoir(self._per_language, random.Random(f"{self._seed}:{key}"))
        self._strata[key].offer(number, shown)
        lowest = min((span["score"] for span in scored), default=UNSURE)
        if lowest < UNSURE:  # the heap keeps the lowest; its top is the least low of them
            if len(self._lowest) < self._lowest_size:
                heapq.heappush(self._lowest, (-lowest, -number, shown()))
            elif (-lowest, -number) > self._lowest[0][:2]:
                heapq.heapreplace(self._lowest, (-lowest, -number, shown()))

    def sample(self) -> list[ShownDocument]:
        """The sampled documents in corpus order, each once, with the reasons it was chosen."""
        reasons: dict[int, list[str]] = {}
        documents: dict[int, ShownDocument] = {}
        for key, reservoir in self._strata.items():
            reason = "mixed" if key == "mixed" else f"monolingual {key.split(':', 1)[1]}"
            for number, document in reservoir.items:
                documents[number] = document
                reasons.setdefault(number, []).append(reason)
        for _negated, negated_number, document in self._lowest:
            documents[-negated_number] = document
            reasons.setdefault(-negated_number, []).append("among the lowest-scoring spans")
        return [replace(documents[n], reasons=tuple(reasons[n])) for n in sorted(documents)]

    def context(self, title: str) -> dict[str, Any]:
        """Everything the page shows."""
        summary = self.stats.summary()
        by_chars = summary["languages_by_characters"]
        by_docs = summary["languages_by_documents"]
        top = sorted(self.score_bins, key=lambda lang: -by_chars.get(lang, 0.0))[:30]
        sample = self.sample()
        languages = sorted({lang for doc in sample for lang, _ in doc.legend if lang != UND})
        return {
            "title": title,
            "summary": summary,
            "by_chars": list(by_chars.items())[:30],
            "by_docs": list(by_docs.items())[:30],
            "more_languages": max(len(by_chars), len(by_docs)) - 30,
            "max_chars": max(by_chars.values(), default=0.0) or 1.0,
            "max_docs": max(by_docs.values(), default=0) or 1,
            "score_bins": [(lang, self.score_bins[lang], max(self.score_bins[lang]) or 1) for lang in top],
            "switch_bins": self.switch_bins,
            "max_switch_bin": max(self.switch_bins) or 1,
            "pairs": self.pairs.most_common(15),
            "sample": sample,
            "sample_languages": languages,
            "shown_chars": SHOWN_CHARS,
            "unsure": UNSURE,
        }


def shown_document(number: int, record: dict[str, Any], text: str | None) -> ShownDocument:
    """A record and its text as the page shows them: text up to `SHOWN_CHARS`, each span with its colour
    (assigned in the document's own order, so its languages never share one) and the gap before it."""
    spans = record.get("spans") or []
    colours = assign_colours(span["lang"] for span in spans)
    has_text = text is not None and len(text) == record.get("length", len(text))
    shown: list[ShownSpan] = []
    cursor = 0
    body = text[:SHOWN_CHARS] if has_text and text is not None else ""
    for span in spans:
        start, end = span["start"], span["end"]
        if has_text and start >= SHOWN_CHARS:
            break
        shown.append(ShownSpan(start, end, span["lang"], float(span["score"]),
                               body[start:min(end, SHOWN_CHARS)] if has_text else "",
                               hex_colour(colours[span["lang"]]), body[cursor:start] if has_text else ""))
        cursor = min(end, SHOWN_CHARS)
    return ShownDocument(
        number=number, id=str(record.get("id", "")), length=int(record.get("length", 0)),
        language=str(record.get("language", UND)), mixed=bool(record.get("mixed")),
        languages=tuple(sorted(record.get("languages", {}).items(), key=lambda item: -item[1])),
        spans=tuple(shown), legend=tuple((lang, hex_colour(rgb)) for lang, rgb in colours.items()),
        tail=body[cursor:] if has_text else "", has_text=has_text,
        truncated=has_text and text is not None and len(text) > SHOWN_CHARS)


def render(builder: ReportBuilder, title: str = "langseg report") -> str:
    """The page: one HTML file with its CSS and script inline, no network, escaped throughout. The
    script runs only because the page's content security policy names its hash."""
    try:
        import jinja2
    except ImportError:
        raise LangsegError("langseg report needs Jinja2: pip install -e '.[report]'") from None
    folder = resources.files("langseg") / "templates"
    script = (folder / "report.js").read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True)
    template = environment.from_string((folder / "report.html.j2").read_text(encoding="utf-8"))
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    # the script is the package's own file, not data: it goes in as written (and its hash must match)
    return template.render(**builder.context(title), script=jinja2.utils.markupsafe.Markup(script),
                           script_hash=f"sha256-{digest}")

"""Units + labels -> merged spans, language shares and the mixed flag. Pure.

Units whose label is `und` (no letters: numbers, URLs, punctuation) never break a span: they join the
span before them (or, at the start of a document, the one after). A document with no language at all
gets one `und` span over its units.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .types import UND, Span


def spans_of_documents(starts: np.ndarray, ends: np.ndarray, labels: np.ndarray, confidences: np.ndarray,
                       counts: Sequence[int], codes: Sequence[str], calibrate: Callable[[float], float] | None = None
                       ) -> list[tuple[Span, ...]]:
    """Neighbouring units of one language merged into spans, for the units of many documents at once,
    given as arrays (a span's score is its units' length-weighted confidence, through `calibrate` when
    given): their starts and ends, their
    labels as columns of `codes` (-1: `und`) and their confidences, `counts[d]` units for document d.

    The merging is done on the arrays for the whole batch, not unit by unit nor document by document;
    Python only makes the spans.
    """
    score = calibrate or _unchanged
    total = len(labels)
    counts = np.asarray(counts, dtype=np.int64)
    doc_firsts = np.cumsum(counts) - counts
    if not total:
        return [() for _ in counts]
    doc_of = np.repeat(np.arange(len(counts)), counts)
    known = labels >= 0
    positions = np.arange(total)
    # Each unit's span is that of the last unit with a language before it in its document, or its own;
    # before a document's first language, the first language's. A document without one is one und span.
    before = np.maximum.accumulate(np.where(known, positions, -1))
    after = np.minimum.accumulate(np.where(known, positions, total)[::-1])[::-1]
    from_before = before >= doc_firsts[doc_of]
    in_a_language = from_before | (after < (doc_firsts + counts)[doc_of])
    owner = np.where(from_before, before, np.minimum(after, total - 1))
    spanned = np.where(in_a_language, labels[owner], -1)
    firsts = np.flatnonzero(np.r_[True, (spanned[1:] != spanned[:-1]) | (doc_of[1:] != doc_of[:-1])])
    lasts = np.r_[firsts[1:], total] - 1
    sizes = np.where(known, ends - starts, 0)
    weighted = np.add.reduceat(confidences * sizes, firsts).tolist()
    weights = np.add.reduceat(sizes, firsts).tolist()
    spans = [Span(start, end, codes[lang], score(part / weight if weight else 0.0)) if lang >= 0
             else Span(start, end, UND, score(1.0))
             for start, end, lang, part, weight in zip(starts[firsts].tolist(), ends[lasts].tolist(),
                                                       spanned[firsts].tolist(), weighted, weights)]
    bounds = np.searchsorted(firsts, np.r_[doc_firsts, total]).tolist()
    return [tuple(spans[first:last]) for first, last in pairwise(bounds)]


def below_floor_as_und(spans: Sequence[Span], min_score: float) -> tuple[Span, ...]:
    """`spans` with each span scored under `min_score` turned `und` (neighbouring `und` spans joined, their
    score the length-weighted mean): no language is better than an unsure one.

    >>> below_floor_as_und([Span(0, 11, "en", 0.32), Span(12, 20, "und", 1.0), Span(21, 30, "de", 0.9)], 0.5)
    (Span(start=0, end=20, lang='und', score=0.6063), Span(start=21, end=30, lang='de', score=0.9))
    """
    out: list[Span] = []
    for span in spans:
        if span.score < min_score and span.lang != UND:
            span = Span(span.start, span.end, UND, span.score)
        if out and span.lang == UND and out[-1].lang == UND:
            last = out.pop()
            sizes = (last.end - last.start, span.end - span.start)
            score = (last.score * sizes[0] + span.score * sizes[1]) / sum(sizes)
            span = Span(last.start, span.end, UND, round(score, 4))
        out.append(span)
    return tuple(out)


def _unchanged(score: float) -> float:
    return score


@dataclass(frozen=True)
class PiecewiseLinear:
    """The function through the knots (xs increasing), constant beyond them: `numpy.interp` for one value
    at a time, without an array round trip per document.

    >>> f = PiecewiseLinear((0.0, 0.5, 1.0), (0.2, 0.6, 1.0))
    >>> f(-1.0), f(0.25), f(0.5), f(2.0)
    (0.2, 0.4, 0.6, 1.0)
    """

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def __call__(self, x: float) -> float:
        xs, ys = self.xs, self.ys
        if x <= xs[0]:
            return ys[0]
        if x >= xs[-1]:
            return ys[-1]
        j = bisect_right(xs, x) - 1
        return (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]) * (x - xs[j]) + ys[j]


def language_shares(spans: Sequence[Span]) -> dict[str, float]:
    """Language -> share of the characters covered by spans (sums to 1; empty when there are no spans)."""
    sizes = language_sizes(spans)
    total = sum(sizes.values())
    return {lang: size / total for lang, size in sizes.items()} if total else {}


def language_sizes(spans: Sequence[Span], one_language: Mapping[str, str] | None = None) -> dict[str, int]:
    """Language -> characters in spans; a code `one_language` maps counts under the code it maps to."""
    sizes: dict[str, int] = {}
    for span in spans:
        lang = one_language.get(span.lang, span.lang) if one_language else span.lang
        sizes[lang] = sizes.get(lang, 0) + span.end - span.start
    return sizes


def dominant_language(spans: Sequence[Span]) -> str:
    """The language with the most characters in spans; `und` when no span has a language."""
    sizes = {lang: size for lang, size in language_sizes(spans).items() if lang != UND}
    return max(sizes, key=lambda lang: (sizes[lang], lang)) if sizes else UND


def is_mixed(spans: Sequence[Span], min_share: float, min_chars: int, min_score: float = 0.0,
             one_language: Mapping[str, str] | None = None) -> bool:
    """Mixed: at least two languages each hold `min_share` of the spanned characters and `min_chars`
    characters in spans scored at least `min_score`.

    The share rule ignores a stray foreign word in a long text; the character rule ignores a name or a
    one-word menu item in a very short one; the score rule ignores an unsure span of a close neighbour
    language inside a monolingual text. `one_language` maps codes counted as one language to one of them
    (Norwegian Bokmål and Nynorsk side by side do not make a page bilingual).

    >>> spans = [Span(0, 500, "nb", 0.9), Span(501, 900, "nn", 0.9)]
    >>> is_mixed(spans, 0.05, 20), is_mixed(spans, 0.05, 20, one_language={"nb": "no", "nn": "no"})
    (True, False)
    """
    total = sum(span.end - span.start for span in spans if span.lang != UND)
    if not total:
        return False
    sizes = language_sizes([span for span in spans if span.score >= min_score], one_language)
    sizes.pop(UND, None)
    meaningful = [lang for lang, size in sizes.items() if size >= min_chars and size / total >= min_share]
    return len(meaningful) >= 2


def one_language_map(groups: Sequence[Sequence[str]]) -> dict[str, str]:
    """Each code of each group -> the group's first code (for `is_mixed`).

    >>> one_language_map([("no", "nb", "nn")])
    {'no': 'no', 'nb': 'no', 'nn': 'no'}
    """
    return {code: group[0] for group in groups for code in group}

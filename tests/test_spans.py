"""Spans: merged, maximal, und never breaks a span; shares and the mixed rule."""

from __future__ import annotations

import numpy as np
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from langseg.spans import dominant_language, is_mixed, language_shares, one_language_map, spans_of_documents
from langseg.types import UND, Span, Unit, rounded_shares

from .reference import merge_spans


def test_neighbouring_units_of_one_language_merge() -> None:
    spans = merge_spans([Unit(0, 3), Unit(5, 9), Unit(10, 12)], ["es", "es", "en"], [1.0, 0.5, 0.9])
    assert [(s.start, s.end, s.lang) for s in spans] == [(0, 9, "es"), (10, 12, "en")]
    assert spans[0].score == pytest.approx((3 * 1.0 + 4 * 0.5) / 7)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["es", UND, "es"], [(0, 14, "es")]),
        ([UND, "es", "en"], [(0, 9, "es"), (10, 14, "en")]),
        (["es", "en", UND], [(0, 4, "es"), (5, 14, "en")]),
        (["es", UND, "en"], [(0, 9, "es"), (10, 14, "en")]),
        ([UND, UND, UND], [(0, 14, UND)]),
    ],
)
def test_und_units_join_a_neighbour(labels: list[str], expected: list) -> None:
    units = [Unit(0, 4), Unit(5, 9), Unit(10, 14)]
    spans = merge_spans(units, labels, [0.9, 0.9, 0.9])
    assert [(s.start, s.end, s.lang) for s in spans] == expected


def test_no_units_no_spans() -> None:
    assert merge_spans([], [], []) == ()


def _reference_spans(units: list[Unit], labels: list[str], confidences: list[float]) -> list[tuple]:
    """The merge rule written out unit by unit: und joins the span before it (at the start, the first one)."""
    known = [label for label in labels if label != UND]
    if not known:
        return [(units[0].start, units[-1].end, UND, 1.0)] if units else []
    spans: list[list] = []
    for unit, label, confidence in zip(units, labels, confidences):
        size = unit.end - unit.start if label != UND else 0
        lang = label if label != UND else (spans[-1][2] if spans else known[0])
        if spans and spans[-1][2] == lang:
            spans[-1][1] = unit.end
            spans[-1][3] += confidence * size
            spans[-1][4] += size
        else:
            spans.append([unit.start, unit.end, lang, confidence * size, size])
    return [(start, end, lang, total / weight if weight else 0.0) for start, end, lang, total, weight in spans]


DOCUMENT = st.lists(st.tuples(st.sampled_from(["es", "en", "pt", UND]), st.integers(1, 9),
                              st.floats(0.0, 1.0)), max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(DOCUMENT, min_size=1, max_size=6))
def test_a_batchs_spans_are_each_documents_own(documents: list) -> None:
    starts, ends, labels, confidences, counts = [], [], [], [], []
    expected = []
    for document in documents:
        units, position = [], 0
        for _label, size, _confidence in document:
            units.append(Unit(position, position + size))
            position += size + 1
        expected.append(_reference_spans(units, [label for label, _, _ in document],
                                         [confidence for _, _, confidence in document]))
        starts += [unit.start for unit in units]
        ends += [unit.end for unit in units]
        labels += [label for label, _, _ in document]
        confidences += [confidence for _, _, confidence in document]
        counts.append(len(document))
    codes = ("en", "es", "pt")
    columns = np.array([codes.index(label) if label != UND else -1 for label in labels], dtype=np.int64)
    found = spans_of_documents(np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), columns,
                               np.array(confidences), counts, codes)
    assert len(found) == len(documents)
    for spans, reference in zip(found, expected):
        assert [(s.start, s.end, s.lang) for s in spans] == [(start, end, lang) for start, end, lang, _ in reference]
        assert [s.score for s in spans] == pytest.approx([score for *_, score in reference])


def test_shares_sum_to_one_and_dominant_language() -> None:
    spans = [Span(0, 30, "en", 1.0), Span(31, 41, "es", 1.0), Span(42, 62, "en", 1.0)]
    shares = language_shares(spans)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["en"] == pytest.approx(50 / 60)
    assert dominant_language(spans) == "en"
    assert dominant_language([]) == UND


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 10**6), min_size=0, max_size=6))
def test_rounded_shares_sum_to_one_and_stay_near_the_shares(sizes: list[int]) -> None:
    shares = language_shares([Span(0, size, f"l{i}", 1.0) for i, size in enumerate(sizes)])
    rounded = rounded_shares(shares)
    assert list(rounded) == list(shares)
    if shares:
        assert sum(rounded.values()) == pytest.approx(1.0, abs=1e-12)
        assert all(abs(rounded[lang] - share) <= 1e-4 * len(shares) for lang, share in shares.items())


@pytest.mark.parametrize(
    ("sizes", "mixed"),
    [
        ({"en": 1000, "es": 200}, True),
        ({"en": 1000, "es": 30}, False),  # a stray phrase: under 5 %
        ({"en": 100, "es": 12}, False),  # a name: 10 % but under 20 characters
        ({"en": 100}, False),
        ({"en": 60, "de": 30, "fr": 25}, True),
    ],
)
def test_mixed_rule(sizes: dict[str, int], mixed: bool) -> None:
    spans, position = [], 0
    for lang, size in sizes.items():
        spans.append(Span(position, position + size, lang, 1.0))
        position += size + 1
    assert is_mixed(spans, min_share=0.05, min_chars=20) is mixed


@pytest.mark.parametrize(
    ("sizes", "mixed"),
    [
        ({"nb": 500, "nn": 400}, False),  # Bokmål and Nynorsk: one language, two written standards
        ({"no": 500, "nn": 400}, False),
        ({"nb": 500, "nn": 300, "da": 200}, True),  # Danish is another language
        ({"hr": 500, "sr": 400}, True),  # only the listed groups merge
    ],
)
def test_the_mixed_rule_counts_one_languages_written_standards_once(sizes: dict[str, int], mixed: bool) -> None:
    spans, position = [], 0
    for lang, size in sizes.items():
        spans.append(Span(position, position + size, lang, 1.0))
        position += size + 1
    norwegian = one_language_map([("no", "nb", "nn")])
    assert is_mixed(spans, min_share=0.05, min_chars=20, one_language=norwegian) is mixed

"""Spans: merged, maximal, und never breaks a span; shares and the mixed rule."""

from __future__ import annotations

import pytest

from langseg.spans import dominant_language, is_mixed, language_shares, merge_spans, one_language_map
from langseg.types import UND, Span, Unit


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


def test_shares_sum_to_one_and_dominant_language() -> None:
    spans = [Span(0, 30, "en", 1.0), Span(31, 41, "es", 1.0), Span(42, 62, "en", 1.0)]
    shares = language_shares(spans)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["en"] == pytest.approx(50 / 60)
    assert dominant_language(spans) == "en"
    assert dominant_language([]) == UND


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

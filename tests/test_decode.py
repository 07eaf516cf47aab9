"""Context decoding: short, unsure units follow their neighbours; strong evidence and real blocks switch."""

from __future__ import annotations

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

import numpy as np

from langseg.decode import DecodeParams, WindowContext, decode_evidence, settled_languages, unit_weights, windows
from langseg.scoring import PRUNED, Evidence

from .reference import candidate_languages, unlisted_probability, viterbi

ES = {"es": 0.95, "pt": 0.03}
EN = {"en": 0.95, "es": 0.01}
COST = 1.0


def decode(dists, weights, cost=COST):
    return viterbi(dists, weights, [cost] * (len(dists) - 1), floor=1e-3)


@pytest.mark.parametrize(
    "short_unit",
    [{"en": 0.55, "es": 0.3}, {"pt": 0.6, "es": 0.35}, {"it": 0.4, "pt": 0.2, "es": 0.1}],
    ids=["byline-looks-english", "byline-looks-portuguese", "byline-unknown"],
)
def test_short_unsure_unit_between_spanish_lines_is_spanish(short_unit: dict) -> None:
    assert decode([ES, short_unit, ES], [1.0, 0.3, 1.0]) == ["es", "es", "es"]


def test_long_confident_unit_switches_even_alone() -> None:
    assert decode([ES, EN, ES], [1.0, 1.0, 1.0]) == ["es", "en", "es"]


def test_a_block_of_short_lines_switches_together() -> None:
    headline = {"en": 0.8, "es": 0.1}
    labels = decode([ES, *[headline] * 5, ES], [1.0, *[0.4] * 5, 1.0])
    assert labels == ["es", "en", "en", "en", "en", "en", "es"]


def test_higher_switch_cost_smooths_more() -> None:
    middle = {"en": 0.7, "es": 0.2}
    assert decode([ES, middle, ES], [1.0, 1.0, 1.0], cost=0.1)[1] == "en"
    assert decode([ES, middle, ES], [1.0, 1.0, 1.0], cost=5.0)[1] == "es"


def test_penalty_overrules_weak_evidence() -> None:
    ru = {"ru": 0.95}
    unsure_latin = {"ru": 0.5, "fi": 0.4}
    labels = viterbi([ru, unsure_latin, ru], [1.0, 0.2, 1.0], [1.0, 1.0], 1e-3,
                     penalties=[{}, {"ru": 8.0}, {}])
    assert labels == ["ru", "fi", "ru"]


BANNER_PT = {"pt": 0.97, "es": 0.02}
HEADING_PT = {"pt": 0.8, "es": 0.15}
HEADING_IT = {"it": 0.8, "es": 0.15}


@pytest.mark.parametrize("factor, expected", [(1.0, "es"), (0.4, "pt")])
def test_a_heading_in_a_language_the_page_settled_keeps_it_more_easily(factor: float, expected: str) -> None:
    """A Portuguese cookie banner settles Portuguese: with a factor below 1 a short Portuguese heading
    between Spanish paragraphs pays less to be Portuguese than a heading in a language seen nowhere else."""
    dists = [BANNER_PT, ES, HEADING_PT, HEADING_PT, ES]
    weights = [1.0, 1.0, 0.4, 0.4, 1.0]
    labels = viterbi(dists, weights, [1.5] * 4, 1e-3, settled_switch_factor=factor, settled_min_prob=0.9)
    assert labels == ["pt", "es", expected, expected, "es"]


def test_a_language_seen_nowhere_else_gets_no_discount() -> None:
    dists = [BANNER_PT, ES, HEADING_IT, HEADING_IT, ES]
    labels = viterbi(dists, [1.0, 1.0, 0.4, 0.4, 1.0], [1.5] * 4, 1e-3, settled_switch_factor=0.4,
                     settled_min_prob=0.9)
    assert labels == ["pt", "es", "es", "es", "es"]


def test_only_full_length_confident_units_settle_a_language() -> None:
    evidence = Evidence.from_distributions([BANNER_PT, HEADING_IT, {"de": 0.6, "en": 0.3}])
    marks = settled_languages(evidence, np.array([1.0, 0.3, 1.0]), 0.9)
    assert [code for code, mark in zip(evidence.codes, marks) if mark] == ["pt"]


def test_empty_and_single() -> None:
    assert viterbi([], [], [], 1e-3) == []
    assert decode([EN], [0.1]) == ["en"]


def test_unit_weight_grows_with_length_and_caps() -> None:
    weights = unit_weights(np.array([0, 3, 30, 60, 600]), 60, 0.05).tolist()
    assert weights == sorted(weights) and weights[0] == 0.05 and weights[-1] == 1.0


def test_unlisted_probability_is_small_only_for_confident_units() -> None:
    assert unlisted_probability({"en": 0.999}, 1e-4) == pytest.approx(1e-3)
    assert unlisted_probability({"tl": 0.2, "it": 0.1}, 1e-4) == 0.1


@pytest.mark.parametrize("tail, expected", [
    ([PRUNED, PRUNED, PRUNED], "x"),  # the cut languages are below the floor: "y" is too, and x stands
    ([-1, -1, -1], "y"),  # a model with no more languages to list: "y" may hold the 0.002 left over
])
def test_a_pruned_entry_stands_for_a_probability_below_the_floor(tail: list, expected: str) -> None:
    # x, y, z: a short unit sure of x between two of y; two changes cost 3.4, against its 0.5 * log(0.99 / 0.0005)
    # = 3.8 when y is below the floor, and 0.5 * log(0.99 / 0.002) = 3.1 when y may hold all that is left.
    ids = np.array([[1, 2, -1, -1, -1], [0, 2, *tail], [1, 2, -1, -1, -1]], dtype=np.int32)
    probs = np.array([[0.99, 0.01, 0, 0, 0], [0.99, 0.008, 0, 0, 0], [0.99, 0.01, 0, 0, 0]])
    labels, _ = decode_evidence(Evidence(("x", "y", "z"), ids, probs), np.zeros(3, dtype=np.int64),
                                np.array([1.0, 0.5, 1.0]), np.full(3, 1.7), DecodeParams(floor=0.0005))
    assert [("x", "y", "z")[label] for label in labels] == ["y", expected, "y"]


def test_candidates_include_each_units_best() -> None:
    assert candidate_languages([{"en": 0.9, "de": 0.05}, {"fr": 0.15, "it": 0.1}]) == ["en", "fr"]


LANGS = ["en", "es", "pt", "de", "ru"]
distributions = st.dictionaries(st.sampled_from(LANGS), st.floats(0.0005, 1.0), min_size=1, max_size=4).map(
    lambda d: {k: v / max(1.0, sum(d.values())) for k, v in d.items()})
documents = st.lists(
    st.tuples(distributions, st.one_of(st.just(1.0), st.floats(0.05, 1.0)), st.sampled_from([0.5, 1.0, 3.0])),
    min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(documents, min_size=1, max_size=6), st.sampled_from([1.0, 0.4]))
def test_batch_decoding_equals_one_document_at_a_time(docs: list, factor: float) -> None:
    """The vectorised decoder over many documents gives what `viterbi` gives each one alone."""
    settle = {"settled_switch_factor": factor, "settled_min_prob": 0.6}
    expected = []
    flat_dists, doc_index, weights, costs = [], [], [], []
    for d, units in enumerate(docs):
        dists = [u[0] for u in units]
        expected += viterbi(dists, [u[1] for u in units], [u[2] for u in units][1:], 1e-3, **settle)
        flat_dists += dists
        doc_index += [d] * len(units)
        weights += [u[1] for u in units]
        costs += [u[2] for u in units]
    evidence = Evidence.from_distributions(flat_dists)
    chosen, probs = decode_evidence(evidence, np.array(doc_index), np.array(weights), np.array(costs),
                                    DecodeParams(1e-3, **settle))
    assert [evidence.codes[j] for j in chosen] == expected
    assert probs.tolist() == [dist.get(lang, 0.0) for dist, lang in zip(flat_dists, expected)]


@settings(max_examples=300, deadline=None)
@given(st.lists(documents, min_size=2, max_size=6), st.sampled_from([0.2, 1.0]), st.sampled_from([0.0, 0.25]))
def test_a_documents_labels_never_depend_on_the_other_documents_of_its_batch(docs: list, prior_weight: float,
                                                                              power: float) -> None:
    """With the document prior on too: each document's prior is over its own candidate languages."""
    options = {"prior_weight": prior_weight, "confidence_power": power, "settled_switch_factor": 0.5,
               "settled_min_prob": 0.6}
    codes = tuple(sorted(LANGS))

    def decoded(units: list, index: list[int]) -> list[str]:
        evidence = Evidence.from_distributions([u[0] for u in units], codes)
        chosen, _ = decode_evidence(evidence, np.array(index), np.array([u[1] for u in units]),
                                    np.array([u[2] for u in units]), DecodeParams(1e-3, **options))
        return [codes[j] for j in chosen]

    alone = [label for units in docs for label in decoded(units, [0] * len(units))]
    together = decoded([u for units in docs for u in units], [d for d, units in enumerate(docs) for _ in units])
    assert together == alone


settled_unit = st.sampled_from(["en", "es"]).map(
    lambda lang: ({lang: 0.998, ("es" if lang == "en" else "en"): 0.001}, 1.0))
# Both languages stay candidates of every unsure unit (so of every window), and no two paths tie.
unsure_unit = st.tuples(st.floats(0.25, 0.75).filter(lambda p: abs(p - 0.5) > 1e-6),
                        st.floats(0.05, 0.99)).map(
    lambda pw: ({"en": pw[0], "es": 1.0 - pw[0]}, pw[1]))
long_documents = st.lists(st.tuples(st.one_of(settled_unit, unsure_unit), st.sampled_from([0.5, 1.0])),
                          min_size=2, max_size=80)


@settings(max_examples=300, deadline=None)
@given(long_documents, st.sampled_from([0.0, 0.2]), st.integers(1, 8), st.sampled_from([1.0, 0.5]))
def test_a_long_document_decoded_in_windows_equals_one_pass(units: list, prior_weight: float, size: int,
                                                            factor: float) -> None:
    """Windows end at settled units, so decoding them side by side changes nothing on the best path
    (when every window has the document's candidate languages among its own, as here)."""
    dists = [dist for (dist, _), _ in units]
    weights = np.array([weight for (_, weight), _ in units])
    costs = np.array([cost for _, cost in units])
    evidence = Evidence.from_distributions(dists)
    settle = {"settled_switch_factor": factor, "settled_min_prob": 0.9}
    params = DecodeParams(1e-3, prior_weight=prior_weight, **settle)
    whole, _ = decode_evidence(evidence, np.zeros(len(units), dtype=np.int64), weights, costs, params)
    window, entry, mass = windows(evidence, weights, costs, params, size)
    assert (np.diff(window) >= 0).all() and window[0] == 0
    context = WindowContext(mass, entry, settled_languages(evidence, weights, 0.9))
    parts, _ = decode_evidence(evidence, window, weights, costs, params, window=context)
    assert parts.tolist() == whole.tolist()


@settings(max_examples=200, deadline=None)
@given(long_documents, st.integers(1, 8), st.integers(1, 20))
def test_no_window_grows_past_the_longest_allowed(units: list, size: int, longest: int) -> None:
    dists = [dist for (dist, _), _ in units]
    weights = np.array([weight for (_, weight), _ in units])
    costs = np.array([cost for _, cost in units])
    window, entry, _ = windows(Evidence.from_distributions(dists), weights, costs, DecodeParams(1e-3), size, longest)
    assert (np.diff(window) >= 0).all() and window[0] == 0
    assert np.bincount(window).max() <= max(size, longest)
    assert len(entry) == window[-1] + 1


def test_a_stretch_that_settles_nothing_is_cut_after_its_surest_unit() -> None:
    """A word list settles no unit (none is full-length); with `longest` it is cut all the same, after the
    unit whose evidence is the strongest within reach."""
    unsure, surer = {"en": 0.6, "es": 0.4}, {"en": 0.9, "es": 0.1}
    dists = [unsure] * 7 + [surer] + [unsure] * 12
    evidence = Evidence.from_distributions(dists)
    weights = np.full(len(dists), 0.3)
    window, entry, _ = windows(evidence, weights, np.full(len(dists), 1.0), DecodeParams(1e-3), size=4, longest=10)
    assert window.tolist()[:9] == [0] * 8 + [1]  # cut after the surer unit (index 7), not at 10 units
    assert np.bincount(window).max() <= 10
    assert evidence.codes[entry[1]] == "en"
    unbounded, _, _ = windows(evidence, weights, np.full(len(dists), 1.0), DecodeParams(1e-3), size=4)
    assert unbounded.tolist() == [0] * len(dists)  # without `longest`, nothing settled, nothing cut


def test_windows_cut_only_after_settled_units() -> None:
    sure_en, sure_es, unsure = {"en": 0.998, "es": 0.001}, {"es": 0.998, "en": 0.001}, {"en": 0.5, "es": 0.5}
    dists = [sure_en, unsure, unsure, sure_es, unsure, sure_en]
    evidence = Evidence.from_distributions(dists)
    weights = np.array([1.0, 0.3, 0.3, 1.0, 0.3, 1.0])
    window, entry, _ = windows(evidence, weights, np.full(6, 1.0), DecodeParams(1e-3), size=1)
    assert window.tolist() == [0, 1, 1, 1, 2, 2]
    assert [evidence.codes[j] if j >= 0 else None for j in entry.tolist()] == [None, "en", "es"]

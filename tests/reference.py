"""Plain-Python reference implementations the tests hold the vectorised code to: a Viterbi pass over
one document's units and span merging unit by unit. Written for clarity, not speed."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from langseg.scoring import Distribution
from langseg.spans import spans_of_documents
from langseg.types import UND, Span, Unit


def candidate_languages(dists: Sequence[Distribution], min_prob: float = 0.2) -> list[str]:
    """The states worth decoding: every unit's best language and any language a unit gives `min_prob`."""
    states: set[str] = set()
    for dist in dists:
        if dist:
            states.add(min(dist, key=lambda lang: (-dist[lang], lang)))  # ties: alphabetical, as in Evidence
            states.update(lang for lang, prob in dist.items() if prob >= min_prob)
    return sorted(states)


def unlisted_probability(dist: Distribution, floor: float) -> float:
    """The probability to assume for a language outside a unit's top-k.

    It can be no larger than the smallest listed probability nor than the mass the top-k leave over, so a
    confident unit rules the others out and an unsure one (a language the model does not know) hardly does.

    >>> unlisted_probability({"en": 0.99, "de": 0.004}, 1e-3), unlisted_probability({"tl": 0.2, "it": 0.15}, 1e-3)
    (0.004, 0.15)
    """
    if not dist:
        return 1.0
    rest = 1.0 - sum(dist.values())
    return max(floor, min(min(dist.values()), rest))


def viterbi(
    dists: Sequence[Distribution],
    weights: Sequence[float],
    switch_costs: Sequence[float],
    floor: float,
    penalties: Sequence[Mapping[str, float]] | None = None,
    settled_switch_factor: float = 1.0,
    settled_min_prob: float = 1.0,
) -> list[str]:
    """The most probable language sequence under length-weighted emissions and switch costs.

    `switch_costs[i]` is the cost of a change between unit i and unit i + 1; `penalties[i][lang]`, when
    given, is subtracted from unit i's emission for `lang` whatever the unit's length (a script mismatch).
    A change into a language some full-weight unit gives at least `settled_min_prob` costs
    `settled_switch_factor` times as much.

    >>> es, en = {"es": 0.9, "en": 0.05}, {"en": 0.9, "es": 0.05}
    >>> byline = {"en": 0.6, "es": 0.3}
    >>> viterbi([es, byline, es], [1.0, 0.2, 1.0], [3.0, 3.0], floor=1e-3)
    ['es', 'es', 'es']
    """
    if not dists:
        return []
    states = candidate_languages(dists)

    no_penalty: Mapping[str, float] = {}
    penalties = penalties or [no_penalty] * len(dists)
    settled = {min(dist, key=lambda lang: (-dist[lang], lang)) for dist, weight in zip(dists, weights)
               if dist and weight >= 1.0 and max(dist.values()) >= settled_min_prob}
    factor = [settled_switch_factor if s in settled else 1.0 for s in states]

    def emissions(dist: Distribution, weight: float, penalty: Mapping[str, float]) -> list[float]:
        unlisted = math.log(unlisted_probability(dist, floor))
        return [
            weight * (math.log(p) if (p := dist.get(s, 0.0)) > floor else unlisted) - penalty.get(s, 0.0)
            for s in states
        ]

    score = emissions(dists[0], weights[0], penalties[0])
    back: list[list[int]] = []
    for dist, weight, switch_cost, penalty in zip(dists[1:], weights[1:], switch_costs, penalties[1:]):
        best = max(range(len(states)), key=score.__getitem__)
        pointers = []
        new_score = []
        for s, (stay, emit) in enumerate(zip(score, emissions(dist, weight, penalty))):
            switched = score[best] - switch_cost * factor[s]
            if stay >= switched:
                pointers.append(s)
                new_score.append(stay + emit)
            else:
                pointers.append(best)
                new_score.append(switched + emit)
        back.append(pointers)
        score = new_score
    state = max(range(len(states)), key=score.__getitem__)
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return [states[s] for s in path]


def merge_spans(units: Sequence[Unit], labels: Sequence[str], confidences: Sequence[float],
                calibrate: Callable[[float], float] | None = None) -> tuple[Span, ...]:
    """Merge neighbouring units of one language into spans; a span's score is its units' length-weighted
    confidence (passed through `calibrate` when given).

    >>> units = [Unit(0, 4), Unit(5, 7), Unit(8, 12), Unit(13, 17)]
    >>> [(s.start, s.end, s.lang) for s in merge_spans(units, ["es", "und", "es", "en"], [0.9, 0.0, 0.7, 0.8])]
    [(0, 12, 'es'), (13, 17, 'en')]
    """
    codes = tuple(sorted(set(labels) - {UND}))
    column = {code: j for j, code in enumerate(codes)}
    return spans_of_documents(np.array([unit.start for unit in units], dtype=np.int64),
                              np.array([unit.end for unit in units], dtype=np.int64),
                              np.array([column.get(label, -1) for label in labels], dtype=np.int64),
                              np.asarray(confidences, dtype=np.float64), [len(units)], codes, calibrate)[0]

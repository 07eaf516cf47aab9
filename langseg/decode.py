"""Context decoding: one language per unit from the units' distributions and their neighbours. Pure.

A Viterbi pass over the units of a document: each unit emits `weight * log p(lang)` (the weight grows
with the unit's length, so a headline or a byline says little and a paragraph says a lot), and every
change of language between neighbours costs `switch_cost`. A short, ambiguous unit therefore takes the
language its neighbours support unless its own evidence is strong enough to pay for two switches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .scoring import Distribution


def unit_weight(letters: int, full_weight_chars: int, min_weight: float) -> float:
    """How much a unit's own evidence counts: in proportion to its length, capped at 1.

    >>> unit_weight(120, 60, 0.05), unit_weight(15, 60, 0.05), unit_weight(1, 60, 0.05)
    (1.0, 0.25, 0.05)
    """
    return max(min_weight, min(1.0, letters / full_weight_chars))


def candidate_languages(dists: Sequence[Distribution], min_prob: float = 0.2) -> list[str]:
    """The states worth decoding: every unit's best language and any language a unit gives `min_prob`."""
    states: set[str] = set()
    for dist in dists:
        if dist:
            states.add(max(dist, key=dist.__getitem__))
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
) -> list[str]:
    """The most probable language sequence under length-weighted emissions and switch costs.

    `switch_costs[i]` is the cost of a change between unit i and unit i + 1; `penalties[i][lang]`, when
    given, is subtracted from unit i's emission for `lang` whatever the unit's length (a script mismatch).

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
        switched = score[best] - switch_cost
        pointers = []
        new_score = []
        for s, (stay, emit) in enumerate(zip(score, emissions(dist, weight, penalty))):
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

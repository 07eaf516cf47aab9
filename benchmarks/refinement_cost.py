"""What the segmentation's refinements cost: the library's documents/s with every unit a sentence (the
default) against every unit a whole line, and without name masking or the settled-language rule.

Issue #3 allows each refinement at most 20 % of the pipeline's time. Sentence units cost more than
that: a line of k sentences is k model calls and k units to decode instead of one (see the model card
for why they stay: scoring lines first and splitting only unsure ones loses the in-paragraph switches).
The line-units variant swaps the unit splitter for this measurement only; its records are not what
langseg writes. The bare model is also timed on both kinds of unit: what sentence units cost in model
calls alone, a floor no work around the model can lower. Runs alternate so that a noisy neighbour hits
all alike; the best of --repeat is kept.

    python benchmarks/refinement_cost.py
"""

from __future__ import annotations

from array import array
from unittest import mock

from alternating import (
    bare_model,
    best_alternating,
    cost_arguments,
    dev_texts,
    model_inputs,
    segment_all,
    warm_up,
)

import langseg.segmenter as segmenter_module
from langseg import Segmenter
from langseg.units import add_lines


def line_units(text: str, starts: array, ends: array, lines: array) -> None:
    """Every line one unit: `add_units` without its sentence split."""
    first = len(starts)
    add_lines(text, starts, ends)
    lines.extend(range(len(starts) - first))


def with_line_units(segmenter: Segmenter, texts: list[str]) -> None:
    """`segment_all` with the unit splitter swapped for `line_units` (for this measurement only)."""
    with mock.patch.object(segmenter_module, "add_units", line_units):
        segment_all(segmenter, texts)


def main() -> None:
    args = cost_arguments(__doc__.splitlines()[0], repeat=5)
    texts = dev_texts(args.dev, args.copies)
    default, unmasked, unsettled = Segmenter(), Segmenter(mask_names=False), Segmenter(settled_switch_factor=1.0)
    warm_up((default, unmasked, unsettled), texts)
    sentence_inputs = model_inputs(default, texts)
    line_inputs = model_inputs(default, texts, line_units)
    best = best_alternating({
        "default (sentence units)": lambda: segment_all(default, texts),
        "line units": lambda: with_line_units(default, texts),
        "without name masking": lambda: segment_all(unmasked, texts),
        "without the settled-language rule": lambda: segment_all(unsettled, texts),
        "bare model, sentence units": lambda: bare_model(default, sentence_inputs),
        "bare model, line units": lambda: bare_model(default, line_inputs),
    }, args.repeat)
    for name, seconds in best.items():
        print(f"{name:>34}: {seconds:6.2f} s  {len(texts) / seconds:8,.0f} documents/s")
    sentences, lines, no_masking, no_rule, bare_sentences, bare_lines = best.values()
    print(f"sentence units cost {sentences / lines - 1:+.1%} time over line units; name masking "
          f"{sentences / no_masking - 1:+.1%}; the settled-language rule {sentences / no_rule - 1:+.1%}")
    print(f"model calls alone: {len(sentence_inputs):,} sentence units against {len(line_inputs):,} line units, "
          f"{bare_sentences - bare_lines:+.2f} s, {(bare_sentences - bare_lines) / lines:+.1%} of the line-units "
          f"library time")


if __name__ == "__main__":
    main()

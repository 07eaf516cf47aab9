"""What the CLD2 second opinion costs: the library's documents/s with and without it (and without the
units its reliably-lacking rule or its close-call rule asks about, and with the reliably-lacking rule
asking up to 0.99 instead of the model's own limit), in one run.

Both segmenters use the same decoding parameters and the same documents (the dev set, repeated);
the runs alternate so that a noisy neighbour on the machine hits both alike, and the best of
--repeat runs of each is reported.

    python benchmarks/second_opinion_cost.py
"""

from __future__ import annotations

from alternating import (
    best_alternating,
    cost_arguments,
    dev_texts,
    segment_all,
    warm_up,
)

from langseg import Segmenter


def main() -> None:
    args = cost_arguments(__doc__.splitlines()[0], repeat=3)
    texts = dev_texts(args.dev, args.copies)
    segmenters = {"second opinion": Segmenter(),
                  "reliably-lacking rule up to 0.99": Segmenter(second_opinion_lacking_below=0.99),
                  "without its reliably-lacking rule": Segmenter(second_opinion_lacking_below=0.0),
                  "without its close-call rule": Segmenter(second_opinion_referee=False),
                  "no second opinion": Segmenter(second_opinion=False)}
    warm_up(segmenters.values(), texts)
    best = best_alternating({name: lambda s=segmenter: segment_all(s, texts)
                             for name, segmenter in segmenters.items()}, args.repeat)
    for name, seconds in best.items():
        print(f"{name:>32}: {len(texts) / seconds:8,.0f} documents/s")
    whole, wider, no_lacking, no_referee, none = best.values()
    print(f"cost of the second opinion: {whole / none - 1:+.1%} time (its reliably-lacking rule: "
          f"{whole / no_lacking - 1:+.1%}, or {wider / no_lacking - 1:+.1%} up to 0.99; its close-call rule: "
          f"{whole / no_referee - 1:+.1%})")


if __name__ == "__main__":
    main()

"""What the segmentation's refinements cost: the library's documents/s with every unit a sentence (the
default) against every unit a whole line, and without name masking or the settled-language rule.

Issue #3 allows each refinement at most 20 % of the pipeline's time. Sentence units cost more than
that: a line of k sentences is k model calls and k units to decode instead of one (see the model card
for why they stay: scoring lines first and splitting only unsure ones loses the in-paragraph switches).
The line-units variant swaps the unit splitter for this measurement only; its records are not what
langseg writes. Runs alternate so that a noisy neighbour hits all alike; the best of --repeat is kept.

    python benchmarks/refinement_cost.py
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import langseg.segmenter as segmenter_module
from langseg import Segmenter
from langseg.types import Unit
from langseg.units import paragraph_units

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "bench" / "dev.jsonl"


def line_units(text: str) -> tuple[list[Unit], list[int]]:
    """Every line one unit: `document_units` without its sentence split."""
    units = paragraph_units(text)
    return units, list(range(len(units)))


@contextlib.contextmanager
def as_is() -> Iterator[None]:
    yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--copies", type=int, default=10, help="times the dev set is repeated")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    texts = [json.loads(line)["text"] for line in args.dev.open(encoding="utf-8")] * args.copies
    variants = {
        "default (sentence units)": (Segmenter(), as_is),
        "line units": (Segmenter(), lambda: mock.patch.object(segmenter_module, "document_units", line_units)),
        "without name masking": (Segmenter(mask_names=False), as_is),
        "without the settled-language rule": (Segmenter(settled_switch_factor=1.0), as_is),
    }
    for segmenter, _ in variants.values():
        segmenter.segment_batch(texts[:300])  # model loaded, tables built
    best = {name: float("inf") for name in variants}
    for _ in range(args.repeat):
        for name, (segmenter, context) in variants.items():
            with context():
                started = time.perf_counter()
                for first in range(0, len(texts), 256):
                    segmenter.segment_batch(texts[first:first + 256])
                best[name] = min(best[name], time.perf_counter() - started)
    for name, seconds in best.items():
        print(f"{name:>34}: {seconds:6.2f} s  {len(texts) / seconds:8,.0f} documents/s")
    default, lines, unmasked, unsettled = best.values()
    print(f"sentence units cost {default / lines - 1:+.1%} time over line units; name masking "
          f"{default / unmasked - 1:+.1%}; the settled-language rule {default / unsettled - 1:+.1%}")


if __name__ == "__main__":
    main()

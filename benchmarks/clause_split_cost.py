"""What the clause split costs, beside the naive per-line script's whole run on the same documents.

    python benchmarks/clause_split_cost.py --docs 2000 --repeat 3

The library's time with and without the clause split (in process, 256 documents a call), and the naive
script (`naive_per_line.py`: fastText on each line, no context) as a process reading and writing JSONL,
model load included. Runs alternate; medians. If the split alone takes longer than the naive script's
whole run, `langseg tag` cannot reach the naive script's time whatever the rest costs.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alternating import resampled_arguments, resampled_texts, segment_all

from langseg import Segmenter
from langseg.models import resolve

NAIVE = Path(__file__).resolve().parent / "naive_per_line.py"


def library_seconds(segmenter: Segmenter, texts: list[str]) -> float:
    start = time.perf_counter()
    segment_all(segmenter, texts)
    return time.perf_counter() - start


def naive_seconds(corpus: Path, output: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(NAIVE), str(resolve(None).path), str(corpus), str(output)], check=True)
    return time.perf_counter() - start


def main() -> None:
    args = resampled_arguments(__doc__.splitlines()[0])
    texts = resampled_texts(args.dev, args.docs)
    splitting, whole = Segmenter(), Segmenter(clause_split=False)
    splitting.segment_batch(texts[:5])
    whole.segment_batch(texts[:5])
    with tempfile.TemporaryDirectory(prefix="langseg-split-") as folder:
        corpus, output = Path(folder) / "corpus.jsonl", Path(folder) / "naive.jsonl"
        with open(corpus, "w", encoding="utf-8") as out:
            for number, text in enumerate(texts):
                out.write(json.dumps({"id": number, "text": text}, ensure_ascii=False) + "\n")
        timings: dict[str, list[float]] = {"with": [], "without": [], "naive": []}
        for _ in range(args.repeat):
            timings["with"].append(library_seconds(splitting, texts))
            timings["without"].append(library_seconds(whole, texts))
            timings["naive"].append(naive_seconds(corpus, output))
    median = {name: statistics.median(values) for name, values in timings.items()}
    split = median["with"] - median["without"]
    print(f"{args.docs} documents resampled from the dev set, {args.repeat} alternating runs (medians)")
    print(f"library with the clause split:    {median['with']:6.2f} s")
    print(f"library without it:               {median['without']:6.2f} s")
    print(f"the clause split alone:           {split:6.2f} s")
    print(f"naive per-line script, whole run: {median['naive']:6.2f} s  (split / naive: {split / median['naive']:.2f}x)")


if __name__ == "__main__":
    main()

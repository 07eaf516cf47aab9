"""What the word reader (heliport) costs: the library's rate with and without it, alternating, in one run.

    python benchmarks/word_reader_cost.py --docs 2000 --repeat 3

Documents are resampled from the dev set (words repeat, as in a crawl). The first pass with the reader
also reads every new word with heliport; later passes find them kept. Memory is the process's peak RSS
before and after the reader is loaded (heliport's own model is most of it).
"""

from __future__ import annotations

import resource
import statistics
import time

from alternating import resampled_arguments, resampled_texts, segment_all

from langseg import Segmenter


def rate(segmenter: Segmenter, texts: list[str]) -> float:
    """Documents per second for one pass over `texts`, 256 at a time."""
    start = time.perf_counter()
    segment_all(segmenter, texts)
    return len(texts) / (time.perf_counter() - start)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = resampled_arguments(__doc__.splitlines()[0])
    texts = resampled_texts(args.dev, args.docs)
    plain, reading = Segmenter(), Segmenter(word_reader="heliport")
    plain.segment_batch(texts[:10])
    before = peak_mb()
    start = time.perf_counter()
    reading.segment_batch(texts[:10])
    loading = time.perf_counter() - start
    after = peak_mb()
    first = rate(reading, texts)
    plain_rates, reading_rates = [], []
    for _ in range(args.repeat):  # alternating, so that a busy moment of the machine hits both
        plain_rates.append(rate(plain, texts))
        reading_rates.append(rate(reading, texts))
    plain_rate, reading_rate = statistics.median(plain_rates), statistics.median(reading_rates)
    print(f"{args.docs} documents resampled from the dev set, {args.repeat} alternating passes (medians)")
    print(f"without the reader:           {plain_rate:8.0f} documents/s")
    print(f"with heliport, first pass:    {first:8.0f} documents/s  ({first / plain_rate:.2f}x)")
    print(f"with heliport, words known:   {reading_rate:8.0f} documents/s  ({reading_rate / plain_rate:.2f}x)")
    print(f"loading heliport: {loading:.1f} s; peak RSS {before:.0f} MB before, {after:.0f} MB after")


if __name__ == "__main__":
    main()

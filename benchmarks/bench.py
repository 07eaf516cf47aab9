"""langseg's speed and memory, measured against the bare model and a naive per-line script in one run.

Builds its corpus from the shared dev set (resampled to --docs documents, plus single documents from
1 kB to 50 MB), then measures, each --repeat times (medians reported):

  bare      fastText's low-level batch call over exactly the units langseg scores (model loaded)
  library   Segmenter.segment_batch over the same texts (model loaded)
  naive     benchmarks/naive_per_line.py: JSONL in, JSONL out, per-line fastText, a whole process
  cli       `langseg tag IN -o OUT`, a whole process, model load included; also with --workers 2
  rss       peak RSS of `langseg tag` on --rss-docs corpora of two sizes
  size      characters/s of the library on single documents of growing size (below 1 MB, averaged over
            1 MB of different documents of that size), and peak RSS of `langseg tag` on those of 1 MB and up
  short     the naive script and `langseg tag` on --short-docs documents of one dev-set line each, where
            the per-document work (records, spans, JSON) weighs most

Ratios compare figures of the same run: the machines are shared and noisy.

    python benchmarks/bench.py                       # the full run (several minutes)
    python benchmarks/bench.py --docs 5000 --repeat 1 --rss-docs 2000,20000 --max-doc-mb 5   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from alternating import DEV_SET, bare_model, model_inputs, segment_all

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rss-docs", default="10000,200000")
    parser.add_argument("--max-doc-mb", type=float, default=50)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--short-docs", type=int, default=200_000)
    args = parser.parse_args()

    from langseg import Segmenter
    from langseg.models import resolve

    segmenter = Segmenter()
    segmenter.scorer  # noqa: B018
    model_path = str(resolve(None).path)
    dev_texts = [json.loads(line)["text"] for line in args.dev.open(encoding="utf-8")]
    rng = random.Random(20261124)
    texts = [rng.choice(dev_texts) for _ in range(args.docs)]
    characters = sum(map(len, texts))
    with tempfile.TemporaryDirectory(prefix="langseg-bench-") as temporary:  # its corpora take ~200 MB
        work = Path(temporary)
        corpus = work / "corpus.jsonl"
        write_corpus(corpus, texts)
        print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; model {model_path}")
        print(f"corpus: {len(texts):,} documents resampled from {args.dev.name}, {characters / 1e6:.1f} M characters, "
              f"{corpus.stat().st_size / 2**20:.0f} MB JSONL")

        units = model_inputs(segmenter, texts)

        def bare() -> None:
            bare_model(segmenter, units)

        def library() -> None:
            segment_all(segmenter, texts, args.batch_size)

        out = work / "out.jsonl"
        langseg = tag_command(corpus, out)
        naive = naive_command(model_path, corpus, out)
        results = {
            "bare": median_time(bare, args.repeat),
            "library": median_time(library, args.repeat),
            "naive": median_run(naive, args.repeat)[0],
            "cli": median_run(langseg, args.repeat)[0],
            "cli2": median_run(langseg + ["--workers", "2"], args.repeat)[0],
        }
        docs = len(texts)
        print(f"\nunits scored: {len(units):,} ({sum(map(len, units)) / 1e6:.1f} M characters)\n")
        print(f"{'measure':<36} {'seconds':>8} {'docs/s':>9} {'M chars/s':>10}")
        labels = {
            "bare": "bare model, same units (in process)",
            "library": "Segmenter.segment_batch (in process)",
            "naive": "naive per-line script (process)",
            "cli": "langseg tag (process)",
            "cli2": "langseg tag --workers 2 (process)",
        }
        for key, label in labels.items():
            seconds = results[key]
            print(f"{label:<36} {seconds:>8.2f} {docs / seconds:>9,.0f} {characters / seconds / 1e6:>10.2f}")
        print("\nratios (targets in brackets)")
        print(f"  library time / bare model time       {results['library'] / results['bare']:6.2f}   [<= 1.5]")
        print(f"  langseg tag time / naive script time {results['cli'] / results['naive']:6.2f}   [<= 1.0]")
        print(f"  --workers 2 docs/s / --workers 1     {results['cli'] / results['cli2']:6.2f}   [>= 1.8]")

        print("\npeak RSS of `langseg tag` (one process)")
        rss_sizes = [int(n) for n in args.rss_docs.split(",") if n]
        for size in rss_sizes:
            path = work / f"rss-{size}.jsonl"
            write_corpus(path, (rng.choice(dev_texts) for _ in range(size)))
            seconds, rss = median_run(tag_command(path, out), 1)
            print(f"  {size:>9,} documents  {rss / 2**20:7.1f} MB  ({size / seconds:,.0f} docs/s)   [<= 100 MB, flat]")
            path.unlink()

        print("\nsingle documents of growing size (library, in process; below 1 MB, 1 MB of different such")
        print("documents, each segmented alone, so that the rate is not that of one draw's languages)")
        base_rate = None
        peaks: dict[int, int] = {}
        size_bytes = 1000
        while size_bytes <= args.max_doc_mb * 1e6:
            sample = [big_document(dev_texts, size_bytes, rng) for _ in range(max(1, int(1e6 // size_bytes)))]
            seconds = median_time(lambda sample=sample: [segmenter.segment(text) for text in sample],
                                  1 if size_bytes > 1e6 else args.repeat)
            rate = sum(map(len, sample)) / seconds
            base_rate = base_rate or (rate if size_bytes >= 10_000 else None)
            note = f"  {base_rate / rate:5.2f}x the 10 kB time per character [<= 1.2]" if base_rate and size_bytes > 10_000 else ""
            print(f"  {len(sample[0]) / 1e6:9.3f} M chars x {len(sample):>4}  {seconds:8.3f} s  {rate / 1e6:6.2f} M chars/s{note}")
            if size_bytes >= 1_000_000:
                peaks[len(sample[0])] = document_peak_rss(sample[0], work, out)
            size_bytes *= 10 if size_bytes < 10_000_000 else 5
        if peaks:
            print("\npeak RSS of `langseg tag` on one such document (a text file, one process)")
            (smallest, low), *_ = peaks.items()
            for size, peak in peaks.items():
                slope = f"  {(peak - low) / (size - smallest):5.1f} bytes per character above the smallest" if size > smallest else ""
                print(f"  {size / 1e6:9.3f} M chars  {peak / 2**20:7.1f} MB{slope}")
        if args.short_docs:
            short_documents(dev_texts, args.short_docs, work, model_path, args.repeat)
        print(f"\ncommand: python benchmarks/bench.py {' '.join(sys.argv[1:])}".rstrip())


def short_documents(dev_texts: list[str], count: int, work: Path, model_path: str, repeat: int) -> None:
    """The naive script and `langseg tag` on documents of one line each, drawn from the dev set's lines."""
    rng = random.Random(20261125)
    lines = [line.strip() for text in dev_texts for line in text.splitlines() if line.strip()]
    texts = [rng.choice(lines) for _ in range(count)]
    corpus, out = work / "short.jsonl", work / "short-out.jsonl"
    write_corpus(corpus, texts)
    naive = median_run(naive_command(model_path, corpus, out), repeat)[0]
    cli = median_run(tag_command(corpus, out), repeat)[0]
    print(f"\none-line documents: {count:,}, {sum(map(len, texts)) / count:.0f} characters each on average (process)")
    print(f"  naive per-line script  {naive:8.2f} s  {count / naive:9,.0f} docs/s")
    print(f"  langseg tag            {cli:8.2f} s  {count / cli:9,.0f} docs/s   {cli / naive:.2f}x the naive script's time")


def document_peak_rss(text: str, work: Path, out: Path) -> int:
    """Peak RSS of `langseg tag` on `text` as a one-document text file (memory should grow linearly)."""
    path = work / "document.txt"
    path.write_text(text, encoding="utf-8")
    try:
        return median_run(tag_command(path, out), 1)[1]
    finally:
        path.unlink()


def tag_command(source: Path, out: Path) -> list[str]:
    """`langseg tag SOURCE -o OUT --quiet` as a command for `median_run`."""
    return [sys.executable, "-m", "langseg", "tag", str(source), "-o", str(out), "--quiet"]


def naive_command(model_path: str, source: Path, out: Path) -> list[str]:
    """The naive per-line script on SOURCE, written to OUT, as a command for `median_run`."""
    return [sys.executable, str(HERE / "naive_per_line.py"), model_path, str(source), str(out)]


def write_corpus(path: Path, texts) -> None:
    with path.open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts):
            out.write(json.dumps({"id": f"doc-{number}", "text": text}, ensure_ascii=False) + "\n")


def big_document(dev_texts: list[str], size: int, rng: random.Random) -> str:
    """One document of about `size` characters: dev documents one after another, blank-line separated."""
    parts, total = [], 0
    while total < size:
        part = rng.choice(dev_texts)
        parts.append(part)
        total += len(part) + 2
    return "\n\n".join(parts)[:size]


def median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# Run a Python script or module and report the process's own peak RSS (VmHWM) on exit. The rusage of a
# child would count the pages it shared with this (large) benchmark process between fork and exec.
_PEAK_RSS = """
import atexit, runpy, sys
def report():
    with open('/proc/self/status') as status:
        peak = next(line.split()[1] for line in status if line.startswith('VmHWM'))
    sys.stderr.write(f'\\nVmHWM {peak}\\n')
atexit.register(report)
target, sys.argv = sys.argv[1], sys.argv[1:]
if target == '-m':
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)
else:
    runpy.run_path(target, run_name='__main__')
"""


def median_run(command: list[str], repeat: int) -> tuple[float, int]:
    """Median wall time of a whole process, and its peak RSS in bytes."""
    assert command[0] == sys.executable
    times, peaks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _PEAK_RSS, *command[1:]], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
        peaks.append(int(done.stderr.rsplit("VmHWM", 1)[1].split()[0]) * 1024)
    return statistics.median(times), max(peaks)


if __name__ == "__main__":
    main()

"""`langseg report`'s time, page size and peak RSS on corpora of growing size: memory must not grow with the
number of documents (the aggregates are counters, the sample a reservoir per language).

Tags the dev set once (`--keep-fields`, so the records hold their text), resamples the records to each
size and runs `langseg report` on them, a whole process each; then, for the raw path, the report over
raw JSONL of the smallest size (tagging as it goes).

    python benchmarks/report_memory.py --docs 10000,200000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from alternating import DEV_SET
from bench import median_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="10000,200000", help="corpus sizes, comma-separated")
    args = parser.parse_args()
    sizes = [int(size) for size in args.docs.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        tagged = work / "dev-tagged.jsonl"
        median_run([sys.executable, "-m", "langseg", "tag", str(DEV_SET), "--keep-fields", "--quiet",
                    "-o", str(tagged)], 1)
        records = tagged.read_text(encoding="utf-8").splitlines()
        rng = random.Random(0)
        print(f"{'input':<34} {'documents':>10} {'seconds':>8} {'docs/s':>8} {'page kB':>8} {'peak RSS':>9}")
        peaks = {}
        for size in sizes:
            corpus = work / f"tagged-{size}.jsonl"
            with corpus.open("w", encoding="utf-8") as out:
                for number in range(size):
                    record = json.loads(rng.choice(records))
                    record["id"] = f"doc-{number}"
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            page = work / f"report-{size}.html"
            seconds, peak = median_run([sys.executable, "-m", "langseg", "report", str(corpus), "--quiet",
                                        "-o", str(page)], 1)
            peaks[size] = peak
            print(f"{'tagged records (--keep-fields)':<34} {size:>10,} {seconds:>8.1f} {size / seconds:>8,.0f} "
                  f"{page.stat().st_size / 1024:>8,.0f} {peak / 2**20:>7.1f} MB")
        raw = work / "raw.jsonl"
        with raw.open("w", encoding="utf-8") as out:
            for number in range(sizes[0]):
                record = json.loads(rng.choice(records))
                out.write(json.dumps({"id": f"doc-{number}", "text": record["text"]}, ensure_ascii=False) + "\n")
        seconds, peak = median_run([sys.executable, "-m", "langseg", "report", str(raw), "--quiet",
                                    "-o", str(work / "raw.html")], 1)
        print(f"{'raw JSONL (tagged as it goes)':<34} {sizes[0]:>10,} {seconds:>8.1f} {sizes[0] / seconds:>8,.0f} "
              f"{(work / 'raw.html').stat().st_size / 1024:>8,.0f} {peak / 2**20:>7.1f} MB")
        if len(sizes) > 1:
            print(f"\npeak RSS at {sizes[-1]:,} / at {sizes[0]:,} documents: {peaks[sizes[-1]] / peaks[sizes[0]]:.2f}"
                  "   [<= 1.0 within noise: flat]")
        print(f"\ncommand: python benchmarks/report_memory.py --docs {args.docs}")


if __name__ == "__main__":
    main()

"""Documents/s of `langseg ray` on a local Ray cluster against `langseg tag --workers 2`, in one run.

    python benchmarks/ray_vs_workers.py --docs 20000

The Ray figure is taken on a warm cluster (started and used once before timing); the cluster gets one
logical CPU more than the machine's cores, so that two tagging actors leave room for reading and writing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "bench" / "dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="langseg-ray-"))
    corpus = work / "corpus.jsonl"
    texts = [json.loads(line)["text"] for line in args.dev.open(encoding="utf-8")]
    rng = random.Random(7)
    with corpus.open("w", encoding="utf-8") as out:
        for n in range(args.docs):
            out.write(json.dumps({"id": f"doc-{n}", "text": rng.choice(texts)}, ensure_ascii=False) + "\n")

    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "langseg", "tag", str(corpus), "--workers", "2", "--quiet",
                    "-o", str(work / "workers.jsonl")], check=True)
    workers_seconds = time.perf_counter() - start

    import ray

    from langseg.integrations import ray as ray_integration

    cores = os.cpu_count() or 2
    ray.init(num_cpus=cores + 1, include_dashboard=False, log_to_driver=False)
    ray_integration.run([str(corpus)], str(work / "warm-up"), concurrency=cores)
    start = time.perf_counter()
    ray_integration.run([str(corpus)], str(work / "ray"), concurrency=cores)
    ray_seconds = time.perf_counter() - start
    print(f"{args.docs:,} documents on {cores} cores")
    print(f"langseg tag --workers 2 (whole process)   {args.docs / workers_seconds:8,.0f} docs/s")
    print(f"langseg ray, local cluster, {cores} actors (warm) {args.docs / ray_seconds:8,.0f} docs/s")


if __name__ == "__main__":
    main()

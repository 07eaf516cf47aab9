"""Shared by the cost benchmarks: the dev set's texts, and the best time of variants run in turn.

Variants alternate within each repetition, so that a noisy neighbour on the shared machine hits all of
them alike; the best of the repetitions is each variant's time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from langseg import Segmenter

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "bench" / "dev.jsonl"


def dev_texts(path: Path, copies: int) -> list[str]:
    """The texts of the dev set at `path`, repeated `copies` times."""
    return [json.loads(line)["text"] for line in path.open(encoding="utf-8")] * copies


def segment_all(segmenter: Segmenter, texts: list[str], batch: int = 256) -> None:
    """Segment `texts` as a pipeline would, `batch` documents per call."""
    for first in range(0, len(texts), batch):
        segmenter.segment_batch(texts[first:first + batch])


def best_alternating(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Each run's best time in seconds over `repeat` rounds, the runs taking turns within a round."""
    best = {name: float("inf") for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return best

"""Shared by the benchmarks: the cost scripts' options, the dev set's texts, the best time of variants
run in turn, and the bare fastText call over the units the library scores.

Variants alternate within each repetition, so that a noisy neighbour on the shared machine hits all of
them alike; the best of the repetitions is each variant's time.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from functools import lru_cache
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path

from langseg import Segmenter
from langseg.units import add_units, has_language, without_names

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "bench" / "dev.jsonl"


def cost_arguments(description: str, repeat: int) -> argparse.Namespace:
    """The options of a cost benchmark: the dev set, how many times it is repeated, how many rounds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--copies", type=int, default=10, help="times the dev set is repeated")
    parser.add_argument("--repeat", type=int, default=repeat)
    return parser.parse_args()


def warm_up(segmenters: Iterable[Segmenter], texts: list[str]) -> None:
    """Load each segmenter's model and build its tables before anything is timed."""
    for segmenter in segmenters:
        segmenter.segment_batch(texts[:300])


def dev_texts(path: Path, copies: int) -> list[str]:
    """The texts of the dev set at `path`, repeated `copies` times."""
    return [json.loads(line)["text"] for line in path.open(encoding="utf-8")] * copies


def resampled_arguments(description: str) -> argparse.Namespace:
    """The options of a benchmark over documents resampled from the dev set: how many, how many rounds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def resampled_texts(path: Path, count: int, seed: int = 20261206) -> list[str]:
    """`count` texts drawn from the dev set at `path` with replacement: words repeat, as in a crawl."""
    pool = dev_texts(path, 1)
    rng = random.Random(seed)
    return [rng.choice(pool) for _ in range(count)]


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


def model_inputs(segmenter: Segmenter, texts: list[str],
                 add: Callable[[str, array, array, array], None] = add_units) -> list[str]:
    """What the library gives the model for every unit `add` finds (`add_units`, or a stand-in with its
    signature): units with letters, names masked."""
    pieces = []
    for text in texts:
        starts, ends, lines = array("q"), array("q"), array("q")
        add(text, starts, ends, lines)
        pieces += [text[start:end] for start, end in zip(starts, ends)]
    mask = segmenter.config.mask_names
    return [without_names(piece) if mask else piece for piece in pieces if has_language(piece)]


def bare_model(segmenter: Segmenter, inputs: list[str]) -> None:
    """The official fastText's compiled batch call over `inputs`, top k as the library weighs, with nothing
    of langseg around it (the model langseg reads itself, loaded once into fastText)."""
    model = _fasttext_model(str(segmenter.model_path))
    for first in range(0, len(inputs), 2048):
        model.multilinePredict(inputs[first:first + 2048], segmenter.config.top_k, 0.0, "replace")


@lru_cache(maxsize=2)
def _fasttext_model(path: str):
    import fasttext_pybind

    model = fasttext_pybind.fasttext()
    model.loadModel(path)
    return model
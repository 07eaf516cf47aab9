"""Shared helpers of the tuning and oracle scripts: the dev set, the shared scorer, a caching model."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

from langseg.scoring import Evidence, FastTextScorer

SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
SHORT_TEXTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "short_mixed.txt"


def load_dev(path: Path | None = None) -> list[dict]:
    with open(path or SHARED_BENCH / "dev.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_short_texts(path: Path | None = None) -> list[dict]:
    """langseg's own short texts (`tests/data/short_mixed.txt`: sentences of one or several languages on
    one line, as peer detectors' test cases and README examples are) as records of the shared bench's
    format, one span per run of sentences of one language, for `score.py` and `score_sets.py`."""
    records = []
    with open(path or SHORT_TEXTS, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in handle if line.strip() and not line.startswith("#")]
    for number, line in enumerate(lines):
        text, spans = "", []
        for sentence in line.split(" || "):
            code, words = sentence.split(": ", 1)
            start = len(text) + (1 if text else 0)
            text = f"{text} {words}" if text else words
            if spans and spans[-1]["lang"] == code:
                spans[-1]["end"] = len(text)
            else:
                spans.append({"start": start, "end": len(text), "lang": code})
        records.append({"id": f"short-{number:03d}", "text": text,
                        "category": "mixed" if len(spans) > 1 else "mono", "spans": spans})
    return records


def load_scorer_module(path: Path | None = None) -> ModuleType:
    """The shared `score.py`, imported as a module (its `score(gold, pred)` returns every metric)."""
    spec = importlib.util.spec_from_file_location("shared_score", path or SHARED_BENCH / "score.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def folds(docs: Sequence[dict], count: int = 2) -> list[list[int]]:
    """Document indices split into `count` folds, stratified by category, by a stable hash of the id."""
    out: list[list[int]] = [[] for _ in range(count)]
    by_category: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        by_category.setdefault(doc.get("category", ""), []).append(index)
    for members in by_category.values():
        members.sort(key=lambda i: hashlib.sha1(str(docs[i]["id"]).encode()).hexdigest())
        for position, index in enumerate(members):
            out[position % count].append(index)
    return [sorted(fold) for fold in out]


class CachingScorer:
    """A model wrapper that scores each distinct text once: tuning decodes the same units many times."""

    def __init__(self, scorer: FastTextScorer) -> None:
        self.inner = scorer
        self.codes = scorer.codes
        self.languages = scorer.languages
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def score(self, texts):  # the plain Scorer protocol, for completeness
        return self.inner.score(texts)

    def evidence(self, texts: Sequence[str]) -> Evidence:
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            fresh = self.inner.evidence(missing)
            for text, ids, probs in zip(missing, fresh.ids, fresh.probs):
                self._cache[text] = (ids, probs)
        rows = [self._cache[text] for text in texts]
        k = max((len(ids) for ids, _ in rows), default=1)
        ids = np.full((len(rows), k), -1, dtype=np.int32)
        probs = np.zeros((len(rows), k))
        for i, (row_ids, row_probs) in enumerate(rows):
            ids[i, :len(row_ids)] = row_ids
            probs[i, :len(row_probs)] = row_probs
        return Evidence(self.codes, ids, probs)


class CachingOpinion:
    """A second opinion that asks CLD2 about each distinct text once."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.languages = inner.languages
        self.all_languages = inner.all_languages
        self.over_the_model = inner.over_the_model
        self._cache: dict[str, object] = {}

    def answer(self, text: str):
        if text not in self._cache:
            self._cache[text] = self.inner.answer(text)
        return self._cache[text]

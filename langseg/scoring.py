"""Units -> language distributions from a fastText LID model, batched around the model call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from .errors import ModelError
from .labels import normalise_label

Distribution = dict[str, float]
"""Language code -> probability for one unit (the model's top-k; absent languages are improbable)."""


class Scorer(Protocol):
    """Anything that gives each text a language distribution (the real model, or a fake one in tests)."""

    def score(self, texts: Sequence[str]) -> list[Distribution]: ...


class FastTextScorer:
    """A fastText language-ID model, called through its low-level batch API.

    `fasttext.FastText.predict` raises under NumPy 2 (it calls `np.array(..., copy=False)`), so this
    goes straight to the compiled `multilinePredict`. Texts must not contain newlines: fastText would
    stop reading at the first one, so the units given here never hold one.
    """

    def __init__(self, path: Path, top_k: int = 5, label_overrides: Mapping[str, str] | None = None) -> None:
        try:
            import fasttext_pybind
        except ImportError as exc:  # pragma: no cover - fasttext is a hard dependency
            raise ModelError("the fasttext package is not installed: run `pip install fasttext`") from exc
        model = fasttext_pybind.fasttext()
        try:
            model.loadModel(str(path))
        except (ValueError, RuntimeError, MemoryError) as exc:
            raise ModelError(f"cannot load {path} as a fastText model ({exc}): fetch it again or pass another --model") from exc
        raw_labels, _counts = model.getLabels("replace")
        if not raw_labels or not all(label.startswith("__label__") for label in raw_labels):
            raise ModelError(f"{path} is a fastText model without __label__ classes, not a language-ID model")
        self._model = model
        self._top_k = top_k
        self._codes = {label: normalise_label(label, label_overrides) for label in raw_labels}
        self.languages = frozenset(self._codes.values())

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        if not texts:
            return []
        batch = list(texts)
        try:
            labels_per_text, probs_per_text = self._model.multilinePredict(batch, self._top_k, 0.0, "replace")
        except (UnicodeEncodeError, TypeError):  # lone surrogates (from JSON escapes) cannot cross into C++
            batch = [_without_surrogates(text) for text in batch]
            labels_per_text, probs_per_text = self._model.multilinePredict(batch, self._top_k, 0.0, "replace")
        codes = self._codes
        out: list[Distribution] = []
        for labels, probs in zip(labels_per_text, probs_per_text):
            dist: Distribution = {}
            for label, prob in zip(labels, probs.tolist()):
                code = codes[label]
                dist[code] = dist.get(code, 0.0) + min(prob, 1.0)
            out.append(dist)
        return out


def _without_surrogates(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")

"""Hugging Face `datasets`: a function for `Dataset.map(batched=True)` that adds langseg's fields to each row.

>>> from datasets import Dataset
>>> from langseg.integrations.hf import tag_batch
>>> rows = Dataset.from_dict({"id": ["a"], "text": ["Hola a todos, bienvenidos a la reunión de hoy."]})
>>> tagged = rows.map(tag_batch(), batched=True)
>>> tagged[0]["language"], tagged[0]["mixed"], tagged[0]["languages"]
('es', False, [{'lang': 'es', 'share': 1.0}])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..extract import keep_language
from ..segmenter import Segmenter
from . import missing

try:
    import datasets  # noqa: F401 - the engine these map functions are for
except ImportError as exc:
    raise missing("datasets", "hf") from exc

FIELDS = ("language", "mixed", "languages", "spans")


def tag_batch(segmenter: Segmenter | None = None, text_column: str = "text", prefix: str = ""
              ) -> Callable[[dict[str, list[Any]]], dict[str, list[Any]]]:
    """A batched map function: the rows keep every column and gain `language`, `mixed`, `languages`, `spans`.

    `languages` becomes a list of {"lang", "share"} pairs (Arrow columns need the same keys in every row);
    `prefix` names the new columns (`prefix + "language"`, ...) when they would clash with existing ones.
    The Segmenter pickles without its model, so `num_proc` works: each process loads the model once.
    """
    tagger = segmenter or Segmenter()

    def tag(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        records = tagger.records(batch[text_column])
        out = dict(batch)
        out[prefix + "language"] = [r["language"] for r in records]
        out[prefix + "mixed"] = [r["mixed"] for r in records]
        out[prefix + "languages"] = [[{"lang": k, "share": v} for k, v in r["languages"].items()] for r in records]
        out[prefix + "spans"] = [r["spans"] for r in records]
        return out

    return tag


def extract_batch(lang: str | None = None, min_share: float = 0.0, segmenter: Segmenter | None = None,
                  text_column: str = "text") -> Callable[[dict[str, list[Any]]], dict[str, list[Any]]]:
    """A batched map function that reduces each text to one language's spans and drops the rows below
    `min_share` (a batched map may return fewer rows)."""
    tagger = segmenter or Segmenter()
    code = tagger.language_code(lang)  # as written (deu, German); an unknown one fails here, not per batch

    def extract(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        documents = tagger.segment_batch(batch[text_column])
        reduced = [keep_language(text, doc, code, min_share) for text, doc in zip(batch[text_column], documents)]
        keep = [i for i, text in enumerate(reduced) if text is not None]
        out = {column: [values[i] for i in keep] for column, values in batch.items()}
        out[text_column] = [reduced[i] for i in keep]
        return out

    return extract

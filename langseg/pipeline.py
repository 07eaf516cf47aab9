"""Streams of input documents -> records, in input order, one record per document whatever happens to it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from .io import InputDoc, batched
from .segmenter import Segmenter
from .types import UND, Document


def error_document(doc_id: str, error: str, length: int = 0) -> Document:
    """The record of a document that could not be processed: no spans, and `error` says why."""
    return Document(id=doc_id, length=length, language=UND, mixed=False, languages={}, spans=(), error=error)


def tag_documents(
    segmenter: Segmenter, docs: Iterable[InputDoc], batch_size: int = 256
) -> Iterator[tuple[InputDoc, Document]]:
    """Segment a stream of documents batch by batch; unreadable ones pass through as error records."""
    for chunk in batched(docs, batch_size):
        readable = [doc for doc in chunk if doc.error is None]
        results = iter(segmenter.segment_batch([d.text for d in readable], [d.id for d in readable]))
        for doc in chunk:
            if doc.error is not None:
                yield doc, error_document(doc.id, doc.error)
            else:
                result = next(results)
                if doc.notes:
                    result = replace(result, notes=doc.notes)
                yield doc, result


def output_record(doc: InputDoc, result: Document, keep_fields: bool = False, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The output record, with the input record's own fields first when `keep_fields` is set."""
    record = result.to_dict()
    if extra:
        record.update(extra)
    if keep_fields and doc.fields:
        return {**doc.fields, **record}
    return record

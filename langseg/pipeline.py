"""Streams of input documents -> records, in input order, one record per document whatever happens to it.

With several workers, batches go to worker processes (each loads the model once) through a bounded
window, so memory stays flat whatever the corpus size and records still come out in input order.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from typing import Any

from .io import InputDoc, batched
from .segmenter import Segmenter
from .types import UND, Document


def error_document(doc_id: str, error: str, length: int = 0) -> Document:
    """The record of a document that could not be processed: no spans, and `error` says why."""
    return Document(id=doc_id, length=length, language=UND, mixed=False, languages={}, spans=(), error=error)


def tag_documents(
    segmenter: Segmenter, docs: Iterable[InputDoc], batch_size: int = 256, workers: int = 1
) -> Iterator[tuple[InputDoc, Document]]:
    """Segment a stream of documents batch by batch; unreadable ones pass through as error records."""
    batches = batched(docs, batch_size)
    if workers <= 1:
        for chunk in batches:
            yield from _joined(chunk, _segment_readable(segmenter, chunk))
        return
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(segmenter,))
    pending: deque[tuple[list[InputDoc], Future[list[Document]]]] = deque()
    try:
        for chunk in batches:
            readable = [doc for doc in chunk if doc.error is None]
            pending.append((chunk, pool.submit(_worker_segment, [d.text for d in readable], [d.id for d in readable])))
            if len(pending) > 2 * workers:
                done_chunk, future = pending.popleft()
                yield from _joined(done_chunk, future.result())
        while pending:
            done_chunk, future = pending.popleft()
            yield from _joined(done_chunk, future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _segment_readable(segmenter: Segmenter, chunk: Sequence[InputDoc]) -> list[Document]:
    readable = [doc for doc in chunk if doc.error is None]
    return segmenter.segment_batch([d.text for d in readable], [d.id for d in readable])


def _joined(chunk: Sequence[InputDoc], results: Sequence[Document]) -> Iterator[tuple[InputDoc, Document]]:
    """Pair each document with its result, error records in their places, input notes carried over."""
    found = iter(results)
    for doc in chunk:
        if doc.error is not None:
            yield doc, error_document(doc.id, doc.error)
            continue
        result = next(found)
        yield doc, (replace(result, notes=doc.notes) if doc.notes else result)


_WORKER_SEGMENTER: Segmenter | None = None


def _start_worker(segmenter: Segmenter) -> None:
    """In each worker: keep Ctrl-C for the parent (which stops the pool) and load the model once."""
    global _WORKER_SEGMENTER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_SEGMENTER = segmenter
    segmenter.scorer  # noqa: B018


def _worker_segment(texts: list[str], ids: list[str]) -> list[Document]:
    assert _WORKER_SEGMENTER is not None
    return _WORKER_SEGMENTER.segment_batch(texts, ids)


def output_record(doc: InputDoc, result: Document, keep_fields: bool = False, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The output record, with the input record's own fields first when `keep_fields` is set."""
    record = result.to_dict()
    if extra:
        record.update(extra)
    if keep_fields and doc.fields:
        return {**doc.fields, **record}
    return record

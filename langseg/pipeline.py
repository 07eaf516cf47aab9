"""Streams of input documents -> records, in input order, one record per document whatever happens to it.

With several workers, batches go to worker processes (each loads the model once) through a bounded
window, so memory stays flat whatever the corpus size and records still come out in input order.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import orjson

from .io import InputDoc, batched, dumps_record
from .segmenter import Segmenter
from .types import UND, Document


def error_document(doc_id: str, error: str, length: int = 0) -> Document:
    """The record of a document that could not be processed: no spans, and `error` says why."""
    return Document(id=doc_id, length=length, language=UND, mixed=False, languages={}, spans=(), error=error)


def tag_documents(
    segmenter: Segmenter, docs: Iterable[InputDoc], batch_size: int = 256, workers: int = 1
) -> Iterator[tuple[InputDoc, Document]]:
    """Segment a stream of documents batch by batch; unreadable ones pass through as error records."""
    for chunk, results in _batches(segmenter, docs, batch_size, workers, _segment):
        for doc, result in _in_place(chunk, results):
            if result is None:
                yield doc, error_document(doc.id, doc.error or "")
            else:
                yield doc, (replace(result, notes=doc.notes) if doc.notes else result)


def tag_records(
    segmenter: Segmenter, docs: Iterable[InputDoc], batch_size: int = 256, workers: int = 1
) -> Iterator[tuple[InputDoc, bytes, str | None]]:
    """Like `tag_documents`, but each result arrives as its JSON line (and its error, if any).

    With workers the records are encoded in the workers, so the parent process only reads and writes:
    on two cores that is what lets two workers run at full speed.
    """
    for chunk, lines in _batches(segmenter, docs, batch_size, workers, _encode):
        for doc, line in _in_place(chunk, lines):
            if line is None:
                yield doc, dumps_record(error_document(doc.id, doc.error or "").to_dict()), doc.error
            else:
                yield doc, (dumps_record({**orjson.loads(line), "notes": list(doc.notes)}) if doc.notes else line), None


def _batches(segmenter: Segmenter, docs: Iterable[InputDoc], batch_size: int, workers: int,
             task: Callable[[Segmenter, list[str], list[str]], list[Any]]
             ) -> Iterator[tuple[list[InputDoc], list[Any]]]:
    """(batch, results of its readable documents) in input order, computed here or in worker processes."""
    batches = batched(docs, batch_size)
    if workers <= 1:
        for chunk in batches:
            readable = [doc for doc in chunk if doc.error is None]
            yield chunk, task(segmenter, [d.text for d in readable], [d.id for d in readable])
        return
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(segmenter,))
    pending: deque[tuple[list[InputDoc], Future[list[Any]]]] = deque()
    try:
        for chunk in batches:
            readable = [doc for doc in chunk if doc.error is None]
            pending.append((chunk, pool.submit(_in_worker, task, [d.text for d in readable], [d.id for d in readable])))
            if len(pending) > 2 * workers:
                done_chunk, future = pending.popleft()
                yield done_chunk, future.result()
        while pending:
            done_chunk, future = pending.popleft()
            yield done_chunk, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _in_place(chunk: Sequence[InputDoc], results: Sequence[Any]) -> Iterator[tuple[InputDoc, Any | None]]:
    """Each document of a batch with its result; None for an unreadable one (it was not processed)."""
    found = iter(results)
    for doc in chunk:
        yield doc, (None if doc.error is not None else next(found))


_WORKER_SEGMENTER: Segmenter | None = None


def _start_worker(segmenter: Segmenter) -> None:
    """In each worker: keep Ctrl-C for the parent (which stops the pool), die with the parent, and load the
    model once."""
    global _WORKER_SEGMENTER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):  # not the parent's clean-up handlers: a worker just ends
        signal.signal(signum, signal.SIG_DFL)
    _die_with_parent()
    _WORKER_SEGMENTER = segmenter
    segmenter.scorer  # noqa: B018


def _die_with_parent() -> None:
    """End this worker when its parent ends, however it ends (a SIGKILL included): on Linux the kernel
    sends SIGTERM at the parent's death (prctl PR_SET_PDEATHSIG); elsewhere a thread watches the parent."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)
        threading.Thread(target=watch, daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _in_worker(task: Callable[[Segmenter, list[str], list[str]], list[Any]], texts: list[str], ids: list[str]
               ) -> list[Any]:
    assert _WORKER_SEGMENTER is not None, "the pool initializer sets the worker's segmenter"
    return task(_WORKER_SEGMENTER, texts, ids)


def _segment(segmenter: Segmenter, texts: list[str], ids: list[str]) -> list[Document]:
    return segmenter.segment_batch(texts, ids)


def _encode(segmenter: Segmenter, texts: list[str], ids: list[str]) -> list[bytes]:
    return [dumps_record(document.to_dict()) for document in segmenter.segment_batch(texts, ids)]


def output_record(doc: InputDoc, result: Document, keep_fields: bool = False
                  ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The output record, with the input record's own fields first when `keep_fields` is set, and the
    input fields renamed because the record has a field of that name (`language` -> `input_language`;
    the id is the record's, read from the input)."""
    record = result.to_dict()
    if not (keep_fields and doc.fields):
        return record, []
    kept: dict[str, Any] = {}
    renamed: list[tuple[str, str]] = []
    for name, value in doc.fields.items():
        new = name
        while (new != "id" and new in record) or (new != name and new in doc.fields):
            new = f"input_{new}"
        if new != name:
            renamed.append((name, new))
        kept[new] = value
    return {**kept, **record}, renamed

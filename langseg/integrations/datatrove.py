"""DataTrove pipeline steps: annotate each Document with its langseg record, or keep one language's spans.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from langseg.integrations.datatrove import LangsegAnnotator, LangsegLanguageFilter

    LocalPipelineExecutor(pipeline=[
        JsonlReader("crawl/"),
        LangsegAnnotator(),                          # metadata["langseg"] = the record of `langseg tag`
        LangsegLanguageFilter("en", min_share=0.2),  # text reduced to its English spans, others dropped
        JsonlWriter("english/"),
    ], tasks=4).run()

The steps hold a Segmenter, which pickles without its model: each worker loads the model once, lazily.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from ..extract import keep_language
from ..io import batched
from ..segmenter import Segmenter
from ..types import Document, Span
from . import missing

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
except ImportError as exc:
    raise missing("datatrove", "datatrove") from exc

METADATA_KEY = "langseg"


class LangsegAnnotator(PipelineStep):
    """Adds `metadata["langseg"]`: the document's record, exactly as `langseg tag` writes it."""

    name = "🌐 langseg"
    type = "🏷 - ANNOTATOR"

    def __init__(self, model: str | None = None, batch_size: int = 256, metadata_key: str = METADATA_KEY,
                 **overrides: Any) -> None:
        super().__init__()
        self.segmenter = Segmenter(model, **overrides)
        self.batch_size = batch_size
        self.metadata_key = metadata_key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> Iterator[DatatroveDocument]:
        for chunk in batched(data or (), self.batch_size):
            with self.track_time(unit="batch"):
                records = self.segmenter.records([doc.text for doc in chunk], [str(doc.id) for doc in chunk])
            for doc, record in zip(chunk, records):
                doc.metadata[self.metadata_key] = record
                self.stat_update("mixed" if record["mixed"] else "single_language")
                self.stat_update(f"language_{record['language']}")
                yield doc


class LangsegLanguageFilter(PipelineStep):
    """Rewrites each text to the spans of one language (or its main one) and drops documents below a share.

    It reads the record an earlier `LangsegAnnotator` left in the metadata, else segments the text itself.
    """

    name = "🌐 langseg language filter"
    type = "🔻 - FILTER"

    def __init__(self, lang: str | None = None, min_share: float = 0.0, keep_spans: bool = True,
                 model: str | None = None, batch_size: int = 256, metadata_key: str = METADATA_KEY,
                 **overrides: Any) -> None:
        super().__init__()
        self.lang = lang
        self.min_share = min_share
        self.keep_spans = keep_spans
        self.segmenter = Segmenter(model, **overrides)
        self.batch_size = batch_size
        self.metadata_key = metadata_key

    @cached_property
    def _code(self) -> str | None:
        """The language as records spell it (`deu` and `German` are `de`), read once in the worker."""
        return self.segmenter.language_code(self.lang)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> Iterator[DatatroveDocument]:
        for chunk in batched(data or (), self.batch_size):
            missing = [doc for doc in chunk if self.metadata_key not in doc.metadata]
            fresh = iter(self.segmenter.segment_batch([doc.text for doc in missing], [str(d.id) for d in missing]))
            for doc in chunk:
                record = doc.metadata.get(self.metadata_key)
                result = _document(record) if record is not None else next(fresh)
                reduced = keep_language(doc.text, result, self._code, self.min_share)
                if reduced is None:
                    self.stat_update("dropped")
                    continue
                if self.keep_spans:
                    doc.text = reduced
                    doc.metadata.pop(self.metadata_key, None)  # its offsets referred to the old text
                self.stat_update("kept")
                yield doc


def _document(record: dict[str, Any]) -> Document:
    """A record (as stored in metadata) back into a Document."""
    return Document(
        id=record.get("id"), length=record["length"], language=record["language"], mixed=record["mixed"],
        languages=dict(record["languages"]), spans=tuple(Span(**span) for span in record["spans"]),
        error=record.get("error"),
    )

"""Ray Data: tag a corpus on a cluster with one model per actor, and write the same records as `langseg tag`.

    import ray
    from langseg.integrations.ray import LangsegTagger

    ray.init()
    ds = ray.data.read_json("s3://bucket/crawl/")                 # JSONL with "id" and "text"
    tagged = ds.map_batches(LangsegTagger, concurrency=8, batch_size=256)
    tagged.write_parquet("s3://bucket/tagged/")

or from the shell, `langseg ray crawl/ -o tagged/ --address auto`. Rows must have a string text column
(the local `langseg tag` is the tool for messy files: it turns every bad line into an error record).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson

from ..parquet import record_rows, record_schema
from ..pipeline import error_document
from ..segmenter import Segmenter
from . import missing

try:
    import pyarrow as pa
    import ray
    from ray.data.block import BlockAccessor
    from ray.data.datasource import BlockBasedFileDatasink
except ImportError as exc:
    raise missing("ray", "ray") from exc

RECORD = "langseg_record"
"""The column holding each row's record as a JSON string (exactly a line of `langseg tag`'s output)."""


class LangsegTagger:
    """A callable class for `Dataset.map_batches`: each actor loads the model once.

    The rows keep their columns and gain `language`, `mixed` and `langseg_record` (the full record as
    JSON); with `records_only` the rows are replaced by the record's own fields.
    """

    def __init__(self, model: str | None = None, text_column: str = "text", id_column: str | None = "id",
                 records_only: bool = False, **overrides: Any) -> None:
        self.segmenter = Segmenter(model, **overrides)
        self.segmenter.scorer  # noqa: B018 - load once per actor, before the first batch
        self.text_column = text_column
        self.id_column = id_column
        self.records_only = records_only

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = list(batch[self.text_column]) if self.text_column in batch else [None] * _rows(batch)
        ids = ([None if value is None else str(value) for value in batch[self.id_column]]
               if self.id_column and self.id_column in batch else [None] * len(texts))
        records = tag_texts(self.segmenter, texts, ids, self.text_column)
        if self.records_only:
            return {RECORD: np.array([orjson.dumps(r).decode() for r in records], dtype=object)}
        out = dict(batch)
        out["language"] = np.array([r["language"] for r in records], dtype=object)
        out["mixed"] = np.array([r["mixed"] for r in records], dtype=bool)
        out[RECORD] = np.array([orjson.dumps(r).decode() for r in records], dtype=object)
        return out


def tag_texts(segmenter: Segmenter, texts: Sequence[Any], ids: Sequence[str | None], text_column: str
              ) -> list[dict[str, Any]]:
    """Records for a batch; a row whose text is missing or not a string gets an error record."""
    good = [i for i, text in enumerate(texts) if isinstance(text, str)]
    records: list[dict[str, Any]] = [{}] * len(texts)
    for i, record in zip(good, segmenter.records([texts[i] for i in good], [ids[i] for i in good])):
        records[i] = record
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            reason = f"no {text_column!r} field" if text is None else \
                f"field {text_column!r} is {type(text).__name__}, not a string"
            records[i] = error_document(ids[i] or "", reason).to_dict()
    return records


def _rows(batch: dict[str, np.ndarray]) -> int:
    return len(next(iter(batch.values()))) if batch else 0


class JsonlRecordSink(BlockBasedFileDatasink):
    """Writes the record column as JSON lines, one file per block, on the workers."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path, file_format="jsonl", **kwargs)

    def write_block_to_file(self, block: BlockAccessor, file: "pa.NativeFile") -> None:
        column = block.to_arrow().column(RECORD).to_pylist()
        file.write("".join(line + "\n" for line in column).encode("utf-8"))


def tag_dataset(dataset: "ray.data.Dataset", concurrency: int | None = None, batch_size: int = 256,
                **tagger_kwargs: Any) -> "ray.data.Dataset":
    """The dataset with one `langseg_record` column: each row's record, JSON-encoded.

    By default one actor per CPU of the cluster but one, which stays free for the read and write tasks
    (with every CPU held by an actor, nothing would read their input).
    """
    available = max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
    workers = min(concurrency or available, available)
    if concurrency and concurrency > available:  # more actors than CPUs: the readers starve and nothing moves
        print(f"langseg ray: --concurrency {concurrency} lowered to {available}: the cluster has "
              f"{available + 1} CPUs and one stays free to read and write", file=sys.stderr)
    return dataset.map_batches(LangsegTagger, fn_constructor_kwargs={**tagger_kwargs, "records_only": True},
                               compute=ray.data.ActorPoolStrategy(size=workers), batch_size=batch_size,
                               batch_format="numpy")


def run(inputs: Sequence[str], output: str, output_format: str = "jsonl", address: str | None = None,
        concurrency: int | None = None, batch_size: int = 256, **tagger_kwargs: Any) -> None:
    """Read JSONL or Parquet inputs with Ray Data, tag them on the cluster and write JSONL or Parquet."""
    if not ray.is_initialized():
        ray.init(**init_arguments(address))
    paths = [os.path.abspath(path) for path in inputs]
    parquet = all(path.endswith(".parquet") or os.path.isdir(path) and _has_parquet(path) for path in paths)
    dataset = ray.data.read_parquet(paths) if parquet else ray.data.read_json(paths)
    tagged = tag_dataset(dataset, concurrency, batch_size, **tagger_kwargs)
    if output_format == "parquet":
        tagged.map_batches(_record_columns, batch_format="pyarrow").write_parquet(output)
    else:
        tagged.write_datasink(JsonlRecordSink(output))


def init_arguments(address: str | None) -> dict[str, Any]:
    """How `run` starts or joins Ray: an existing cluster at `address`, or a local one that listens on the
    loopback interface only, without a dashboard (Ray 2.59 and later also ask a token of local clients)."""
    if address:
        return {"address": address, "ignore_reinit_error": True, "log_to_driver": False}
    return {"_node_ip_address": "127.0.0.1", "include_dashboard": False, "ignore_reinit_error": True,
            "log_to_driver": False}


def _has_parquet(folder: str) -> bool:
    return any(name.endswith(".parquet") for _root, _dirs, names in os.walk(folder) for name in names)


PARQUET_SCHEMA = record_schema()


def _record_columns(table: pa.Table) -> pa.Table:
    """Records as typed columns (`languages` an Arrow map, so each row keeps its own keys)."""
    records = [orjson.loads(line) for line in table.column(RECORD).to_pylist()]
    return pa.Table.from_pylist(record_rows(records), schema=PARQUET_SCHEMA)

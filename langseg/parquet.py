"""Parquet at the edge: documents read from Parquet row groups, records written as typed columns.

Needs pyarrow (`pip install -e '.[parquet]'`); a missing one is named in a one-line error.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Any

from .errors import LangsegError

PARQUET_MAGIC = b"PAR1"
_ROWS_PER_READ = 1024


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401 - the submodule must be loaded
    except ImportError:
        raise LangsegError("Parquet needs pyarrow: pip install -e '.[parquet]'") from None
    return pyarrow


@lru_cache(maxsize=1)
def record_schema() -> Any:
    """The columns of a record (`languages` an Arrow map, so each row keeps its own keys)."""
    pa = _pyarrow()
    span = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("lang", pa.string()), ("score", pa.float64())])
    return pa.schema([
        ("id", pa.string()), ("length", pa.int64()), ("language", pa.string()), ("mixed", pa.bool_()),
        ("languages", pa.map_(pa.string(), pa.float64())), ("spans", pa.list_(span)), ("error", pa.string()),
    ])


def record_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as rows of `record_schema()` (a map is a list of pairs; every row has an `error`)."""
    return [{**r, "languages": list(r["languages"].items()), "error": r.get("error")} for r in records]


def parquet_rows(path: str) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet file, a thousand at a time (memory bounded by a row group's read)."""
    pa = _pyarrow()
    with pa.parquet.ParquetFile(path) as handle:
        for batch in handle.iter_batches(batch_size=_ROWS_PER_READ):
            yield from batch.to_pylist()


class ParquetRecords:
    """Writes records as one Parquet file; a record's other fields (the input's own, with --keep-fields)
    become columns before the record's, typed from the first batch."""

    def __init__(self, out: IO[bytes]) -> None:
        self._pa = _pyarrow()
        self._out = out
        self._writer: Any = None
        self._extra: Any = None  # the schema of the other fields, fixed by the first batch

    def write(self, records: list[dict[str, Any]]) -> None:
        pa = self._pa
        own = record_schema()
        table = pa.Table.from_pylist(record_rows(records), schema=own)
        if self._extra is None:
            names = list(dict.fromkeys(k for r in records for k in r if k not in own.names))
            self._extra = pa.Table.from_pylist([{k: r.get(k) for k in names} for r in records]).schema if names \
                else pa.schema([])
        try:
            if len(self._extra):
                extra = pa.Table.from_pylist(records, schema=self._extra)
                table = pa.Table.from_arrays(extra.columns + table.columns,
                                             schema=pa.schema(list(self._extra) + list(own)))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise LangsegError(f"an input field changed type between records, which one Parquet column cannot "
                               f"hold ({str(exc).splitlines()[0]}); write JSONL instead") from None
        if self._writer is None:
            self._writer = pa.parquet.ParquetWriter(self._out, table.schema)
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is None:  # no record at all: still a valid, empty file
            self._writer = self._pa.parquet.ParquetWriter(self._out, record_schema())
        self._writer.close()

"""Readers and writers at the edge: text and JSONL inputs (compressed or not, files, folders, stdin) and records out.

Every input document becomes exactly one `InputDoc`, in input order: one that cannot be read carries an
`error` naming its place (file and line) instead of text, so the output keeps one record per document.
"""

from __future__ import annotations

import bz2
import contextlib
import errno
import gzip
import io
import json
import lzma
import math
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from glob import escape as glob_escape
from pathlib import Path
from typing import IO, Any

import orjson
import zstandard

from .parquet import PARQUET_MAGIC, parquet_rows

STDIN = "-"
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonlines")
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zstd")
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
_BINARY_SAMPLE = 8192
DEFAULT_MAX_CHARS = 100_000_000
"""The longest document read by default (about 1 GB of memory to segment at 10 bytes a character)."""
_BYTES_PER_CHAR = 8  # a line of JSON may spell a character as a 6-byte escape: more bytes than this is too long
_PIECE = 1 << 20


@dataclass(frozen=True)
class InputDoc:
    """One input document: its id and text, or the reason it could not be read; `fields` is the input record."""

    id: str
    text: str
    error: str | None = None
    fields: dict[str, Any] | None = None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class InputOptions:
    """How to read inputs: `format` is auto (by name, then by content), text, jsonl, lines or parquet."""

    format: str = "auto"
    text_field: str = "text"
    id_field: str | None = "id"
    glob: str = "*"
    max_chars: int = DEFAULT_MAX_CHARS
    """A document longer than this is an error record, read past in bounded pieces and never held whole."""
    notice: Callable[[str], None] | None = field(default=None, compare=False)
    """Told once per file when a reading choice was made from its content (a JSONL file not named so)."""


def expand_inputs(paths: Sequence[str], glob: str = "*") -> Iterator[str]:
    """Files as given, folders walked recursively (sorted, matching `glob`), and `-` for stdin."""
    for path in paths or [STDIN]:
        if path != STDIN and Path(path).is_dir():
            yield from sorted(str(found) for found in _folder_files(Path(path), glob))
        else:
            yield path


def empty_folders(paths: Sequence[str], glob: str = "*") -> list[str]:
    """The folders among `paths` that hold no file matching `glob` (a mistyped pattern reads nothing)."""
    return [path for path in paths
            if path != STDIN and Path(path).is_dir() and next(_folder_files(Path(path), glob), None) is None]


def _folder_files(folder: Path, glob: str) -> Iterator[Path]:
    return (found for found in folder.rglob(glob) if found.is_file() and not found.name.startswith("."))


class ReadProgress:
    """How far reading has come through inputs of known size: bytes of finished files plus the position
    in the open one (its file's own, before decompression). `total` is None when an input has no size
    (stdin, a pipe)."""

    def __init__(self, files: Sequence[str]) -> None:
        """`files`: the inputs as `expand_inputs` gives them (folders already walked)."""
        self.total: int | None = 0
        for path in files:
            try:
                info = os.stat(path) if path != STDIN else None
            except OSError:
                continue  # an unreadable file is an error record; it adds nothing to read
            if info is None or not stat.S_ISREG(info.st_mode):  # stdin, a pipe, a device: no size to go by
                self.total = None
                break
            self.total += info.st_size  # type: ignore[operator]
        self._finished = 0
        self._fd: int | None = None

    def opened(self, stream: IO[bytes]) -> None:
        try:
            self._fd = stream.fileno()
        except (OSError, ValueError, AttributeError):
            self._fd = None

    def closed(self, path: str) -> None:
        self._fd = None
        with contextlib.suppress(OSError):
            self._finished += os.stat(path).st_size

    def position(self) -> int:
        """Bytes read so far (the operating system's position in the open file, so approximate)."""
        if self._fd is None:
            return self._finished
        try:
            return self._finished + os.lseek(self._fd, 0, os.SEEK_CUR)
        except OSError:
            return self._finished


def read_inputs(paths: Sequence[str], options: InputOptions, progress: ReadProgress | None = None
                ) -> Iterator[InputDoc]:
    """Every document of every input, in order (telling `progress` where reading is)."""
    return read_files(expand_inputs(paths, options.glob), options, progress)


def read_files(files: Iterable[str], options: InputOptions, progress: ReadProgress | None = None
               ) -> Iterator[InputDoc]:
    """Every document of inputs already expanded (`expand_inputs`: no folder among them), in order."""
    for path in files:
        yield from read_input(path, options, progress)


def read_input(path: str, options: InputOptions, progress: ReadProgress | None = None) -> Iterator[InputDoc]:
    """The documents of one input; a file that cannot be opened yields one error record."""
    shown = shown_path(path)
    if options.format in ("auto", "parquet") and path != STDIN and _is_parquet(path, options.format):
        yield from _parquet_docs(path, shown, options)
        return
    try:
        stream = open_binary(path)
    except OSError as exc:
        yield InputDoc(id=shown, text="", error=f"{shown}: cannot read: {exc.strerror or exc}")
        return
    if progress is not None and path != STDIN:
        progress.opened(stream)
    with stream:
        fmt = options.format
        if fmt == "auto":
            fmt = _guess_format(path, stream)
            if fmt == "jsonl" and path != STDIN and not _named_jsonl(path) and options.notice:
                options.notice(f"{shown}: its lines are JSON objects, so it is read as JSONL "
                               "(--input-format text reads it as one text)")
        if fmt == "jsonl":
            docs: Iterable[InputDoc] = _jsonl_docs(shown, stream, options)
        elif fmt == "lines":
            docs = _line_docs(shown, stream, options.max_chars)
        else:
            docs = [_text_doc(shown, stream, options.max_chars)]
        for doc in docs:
            yield replace(doc, notes=doc.notes + (_ESCAPED_NAME,)) if shown != path else doc
    if progress is not None and path != STDIN:
        progress.closed(path)


_ESCAPED_NAME = "file name is not UTF-8: its undecodable bytes are written as \\xNN"


def shown_path(path: str) -> str:
    """`path` as it can be written in UTF-8 JSON: bytes of a file name that are not UTF-8 (which Python
    keeps as lone surrogates) written as `\\xNN` instead, so that strict parsers accept the ids."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def open_binary(path: str) -> IO[bytes]:
    """A binary stream over a file or stdin, decompressed when its first bytes say gzip, bz2, xz or zstd."""
    if path == STDIN and sys.stdin is None:
        raise OSError(errno.EBADF, "standard input is closed")
    raw: IO[bytes] = sys.stdin.buffer if path == STDIN else open(path, "rb")
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    head = buffered.peek(6)[:6]
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return _decompressor(kind, buffered)
    return buffered


def _decompressor(kind: str, stream: IO[bytes]) -> IO[bytes]:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(stream, "rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(stream, "rb")  # type: ignore[return-value]
    return io.BufferedReader(_ZstdReader(stream))


class _ZstdFrameWatch(io.RawIOBase):
    """A compressed zstd stream passed through unchanged while its frames are followed (headers and block
    sizes only, nothing decompressed), so that `truncated` says, at its end, whether it ended inside a
    frame: zstandard's own reader ends quietly there."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.truncated = False
        self._buffer = bytearray()  # bytes seen but not yet walked past
        self._skip = 0  # bytes of block content (or a skippable frame) still to pass
        self._state = "magic"
        self._checksum = False
        self._finished = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self._stream.read(len(buffer))
        if not data:
            self.truncated = self._state != "magic" or bool(self._buffer) or self._skip > 0
            return 0
        buffer[:len(data)] = data
        self._walk(data)
        return len(data)

    def _walk(self, data: bytes) -> None:
        if self._skip:
            passed = min(self._skip, len(data))
            self._skip -= passed
            data = data[passed:]
        self._buffer += data
        while not self._skip and self._step():
            pass

    def _step(self) -> bool:
        """Walk one header or block header if the buffer holds all of it; False when it needs more."""
        buf = self._buffer
        if self._state == "magic":
            if len(buf) < 4:
                return False
            magic = int.from_bytes(buf[:4], "little")
            if 0x184D2A50 <= magic <= 0x184D2A5F:  # a skippable frame: its size, then that many bytes
                if len(buf) < 8:
                    return False
                self._consume(8, skip=int.from_bytes(buf[4:8], "little"))
                return True
            if magic != _ZSTD_MAGIC:
                raise zstandard.ZstdError("not a zstd frame")
            if len(buf) < 5:
                return False
            descriptor = buf[4]
            single = bool(descriptor & 0x20)
            size = (4 + 1 + (0 if single else 1) + (0, 1, 2, 4)[descriptor & 3]
                    + ((1 if single else 0), 2, 4, 8)[descriptor >> 6])
            if len(buf) < size:
                return False
            self._checksum = bool(descriptor & 0x04)
            self._state = "block"
            self._consume(size)
            return True
        if self._state == "block":
            if len(buf) < 3:
                return False
            header = int.from_bytes(buf[:3], "little")
            kind, length = (header >> 1) & 3, header >> 3
            if header & 1:  # the last block: then the checksum, if any, ends the frame
                self._state = "checksum" if self._checksum else "magic"
            self._consume(3, skip=1 if kind == 1 else length)
            return True
        if len(buf) < 4:  # the frame's checksum
            return False
        self._state = "magic"
        self._consume(4)
        return True

    def _consume(self, size: int, skip: int = 0) -> None:
        """Drop `size` walked bytes, then `skip` more (block content) from the buffer and the stream."""
        del self._buffer[:size]
        passed = min(skip, len(self._buffer))
        del self._buffer[:passed]
        self._skip = skip - passed

    def close(self) -> None:
        self._stream.close()
        super().close()


_ZSTD_MAGIC = 0xFD2FB528


class _ZstdReader(io.RawIOBase):
    """zstandard's stream reader, raising EOFError after the last whole block of a stream cut inside a
    frame, as gzip, bz2 and xz readers do."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._watch = _ZstdFrameWatch(stream)
        self._source = stream
        self._reader = zstandard.ZstdDecompressor().stream_reader(io.BufferedReader(self._watch),
                                                                  read_across_frames=True, closefd=True)

    def fileno(self) -> int:
        """The compressed file's descriptor (for progress through it)."""
        return self._source.fileno()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        size = self._reader.readinto(buffer)
        if not size and self._watch.truncated:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        return size

    def close(self) -> None:
        self._reader.close()
        super().close()


def _is_parquet(path: str, fmt: str) -> bool:
    """A Parquet file: asked for, or starting with Parquet's magic bytes."""
    if fmt == "parquet":
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == PARQUET_MAGIC
    except OSError:
        return False


def _parquet_docs(path: str, shown: str, options: InputOptions) -> Iterator[InputDoc]:
    """One document per row: the text column as the text, the id column as the id, the row as the fields."""
    try:
        for number, row in enumerate(parquet_rows(path), 1):
            place = f"{shown}:row {number}"
            yield _within(_record_doc(row, place, options, kind="column"), place, options.max_chars)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        yield InputDoc(id=shown, text="", error=f"{shown}: cannot read as Parquet: {_first_line(exc)}")


def _named_jsonl(path: str) -> bool:
    name = path.lower()
    for suffix in _COMPRESSED_SUFFIXES:
        name = name.removesuffix(suffix)
    return name.endswith(_JSONL_SUFFIXES)


def _guess_format(path: str, stream: IO[bytes]) -> str:
    """JSONL for a JSONL name, for stdin starting with '{', and for a file whose first line is a JSON
    object (or that opens a JSON array of objects, which the JSONL reader then refuses in one error)."""
    if _named_jsonl(path):
        return "jsonl"
    head = _head(stream)
    if path == STDIN:
        return "jsonl" if head.startswith(b"{") else "text"
    if head.startswith(b"[") and head[1:].lstrip().startswith(b"{"):
        return "jsonl"
    if not head.startswith(b"{"):
        return "text"
    line, newline, _rest = head.partition(b"\n")
    if not newline:  # a first line longer than the peek: an opening brace and a quoted key say JSON
        return "jsonl" if line[1:].lstrip().startswith(b'"') else "text"
    try:
        return "jsonl" if isinstance(orjson.loads(line), dict) else "text"
    except orjson.JSONDecodeError:
        return "text"


def _head(stream: IO[bytes]) -> bytes:
    """The first bytes of a stream without consuming them (BOM and leading whitespace dropped)."""
    peek = getattr(stream, "peek", None)
    return peek(_SNIFF)[:_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n") if peek else b""


_SNIFF = 65536


def decode_utf8(data: bytes) -> tuple[str, tuple[str, ...]]:
    """UTF-8 text with invalid bytes replaced by U+FFFD (and a note saying so); a leading BOM is dropped."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), ("invalid UTF-8 replaced by U+FFFD",)


def looks_binary(data: bytes) -> bool:
    """A NUL byte together with invalid UTF-8 or many control bytes in the first 8 kB: not a text file."""
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" not in sample:
        return False
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return True
    return controls > len(sample) // 10


def _text_doc(path: str, stream: IO[bytes], max_chars: int = DEFAULT_MAX_CHARS) -> InputDoc:
    name = "<stdin>" if path == STDIN else path
    limit = max_chars * 4  # UTF-8 spends at most 4 bytes a character
    try:
        data = stream.read(limit + 1)
    except (OSError, EOFError, zstandard.ZstdError) as exc:
        return InputDoc(id=name, text="", error=f"{name}: cannot read: {exc}")
    if len(data) > limit:
        return InputDoc(id=name, text="", error=f"{name}: over {limit:,} bytes, longer than --max-chars "
                                                 f"{max_chars:,}; not read")
    if looks_binary(data):
        return InputDoc(id=name, text="", error=f"{name}: binary file, not text")
    text, notes = decode_utf8(data)
    if len(text) > max_chars:
        return InputDoc(id=name, text="", error=f"{name}: {len(text):,} characters, longer than --max-chars "
                                                 f"{max_chars:,}")
    return InputDoc(id=name, text=text, notes=notes)


def _numbered_lines(path: str, stream: IO[bytes], max_bytes: int
                    ) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(line number, bytes without the newline, None) for each line; a line over `max_bytes` is read past
    in bounded pieces and given as (number, None, why); a read failure ends with (n, None, reason)."""
    number = 0
    try:
        while True:
            line = stream.readline(max_bytes + 1)
            if not line:
                return
            number += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                size = len(line) + _skip_line(stream)
                yield number, None, f"{path}:{number}: a line of {size:,} bytes, longer than --max-chars allows"
                continue
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            yield number, line.rstrip(b"\r\n"), None
    except (OSError, EOFError, zstandard.ZstdError) as exc:
        yield number + 1, None, f"{path}:{number + 1}: cannot read: {exc}"


def _skip_line(stream: IO[bytes]) -> int:
    """Read past the rest of a line a piece at a time; how many bytes that was."""
    skipped = 0
    while True:
        piece = stream.readline(_PIECE)
        skipped += len(piece)
        if not piece or piece.endswith(b"\n"):
            return skipped


def _line_docs(path: str, stream: IO[bytes], max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[InputDoc]:
    name = "<stdin>" if path == STDIN else path
    for number, line, failure in _numbered_lines(name, stream, max_chars * 4):
        if line is None:
            yield InputDoc(id=f"{name}:{number}", text="", error=failure)  # a read failure ends the lines
            continue
        text, notes = decode_utf8(line)
        yield _within(InputDoc(id=f"{name}:{number}", text=text, notes=notes), f"{name}:{number}", max_chars)


def _jsonl_docs(path: str, stream: IO[bytes], options: InputOptions) -> Iterator[InputDoc]:
    name = "<stdin>" if path == STDIN else path
    if _head(stream).startswith(b"["):
        yield InputDoc(id=name, text="", error=f"{name}: a JSON array, not JSON Lines (one object per line); "
                                               f"convert it with: jq -c '.[]' {name}")
        return
    for number, line, failure in _numbered_lines(name, stream, options.max_chars * _BYTES_PER_CHAR):
        place = f"{name}:{number}"
        if line is None:
            yield InputDoc(id=place, text="", error=failure)  # a read failure ends the lines
            continue
        if not line.strip():
            continue
        yield _within(_json_doc(line, place, options), place, options.max_chars)


def _has_lossy_number(value: Any, depth: int = 0) -> bool:
    """Whether a parsed record holds a number a double cannot keep: orjson reads integers past 64 bits as
    floats and numbers past a double's range as infinities."""
    if isinstance(value, float):
        return not math.isfinite(value) or (value.is_integer() and abs(value) >= 2**53)
    if depth > 64:
        return False
    if isinstance(value, dict):
        return any(_has_lossy_number(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(_has_lossy_number(item, depth + 1) for item in value)
    return False


class ExactNumber:
    """A JSON number kept as the text it is written as (its `str`), written back unchanged."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"ExactNumber({self.text!r})"


def _exact_numbers(line: bytes) -> Any:
    """A JSON line read with every number kept as the text it is written as, so that neither an id nor a
    field written back with --keep-fields changes."""
    text, _notes = decode_utf8(line)
    return json.loads(text, parse_int=ExactNumber, parse_float=ExactNumber, parse_constant=ExactNumber)


def _as_written(value: Any) -> Any:
    """orjson's fallback for an `ExactNumber`: its own text, as raw JSON."""
    if isinstance(value, ExactNumber):
        return orjson.Fragment(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _number_value(value: Any) -> Any:
    """The standard library's fallback for an `ExactNumber` (only for records orjson refuses)."""
    if isinstance(value, ExactNumber):
        text = value.text.lstrip("-")
        return int(value.text) if text.isdigit() else float(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _within(doc: InputDoc, place: str, max_chars: int) -> InputDoc:
    """`doc`, or an error record in its place when its text is longer than `max_chars`."""
    if doc.error is None and len(doc.text) > max_chars:
        return replace(doc, text="", error=f"{place}: {len(doc.text):,} characters, longer than --max-chars "
                                            f"{max_chars:,}")
    return doc


def _json_doc(line: bytes, place: str, options: InputOptions) -> InputDoc:
    notes: tuple[str, ...] = ()
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        # The standard library accepts what orjson refuses: lone surrogates in escapes, invalid UTF-8 bytes.
        text, notes = decode_utf8(line)
        try:
            record = json.loads(text)
        except ValueError as exc:
            return InputDoc(id=place, text="", error=f"{place}: malformed JSON ({_first_line(exc)})")
        except RecursionError:
            return InputDoc(id=place, text="", error=f"{place}: malformed JSON (nested too deeply to read)")
    if not isinstance(record, dict):
        return InputDoc(id=place, text="", error=f"{place}: a JSON line must be an object, not {type(record).__name__}")
    if _has_lossy_number(record):  # kept as written, so that --keep-fields writes back what it read
        record = _exact_numbers(line)
    return _record_doc(record, place, options, notes)


def _record_doc(record: dict[str, Any], place: str, options: InputOptions, notes: tuple[str, ...] = (),
                kind: str = "field") -> InputDoc:
    """The document of a JSON record or a Parquet row (`kind`: what its keys are called in messages):
    its id and text fields, or an error naming the place and the keys the record does have."""
    doc_id = place
    if options.id_field:
        found = get_field(record, options.id_field)
        if found is not None and not isinstance(found, (dict, list)):
            doc_id = str(found)
    text = get_field(record, options.text_field, _ABSENT)
    if text is _ABSENT:
        keys = ", ".join(map(repr, list(record)[:12])) + (", ..." if len(record) > 12 else "")
        return InputDoc(id=doc_id, text="", error=f"{place}: no {options.text_field!r} {kind} (it has: "
                                                  f"{keys or f'no {kind}'}; see --text-field)", fields=record)
    if not isinstance(text, str):
        found_kind = "null" if text is None else type(text).__name__
        return InputDoc(id=doc_id, text="", error=f"{place}: {kind} {options.text_field!r} is {found_kind}, not a "
                                                  "string", fields=record)
    return InputDoc(id=doc_id, text=text, fields=record, notes=notes)


_ABSENT = object()


def get_field(record: dict[str, Any], dotted: str, default: Any = None) -> Any:
    """`record["meta"]["id"]` for "meta.id" (a key that itself holds dots wins); `default` when absent."""
    if dotted in record:
        return record[dotted]
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return default
        value = value[part]
    return value


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def dumps_record(record: dict[str, Any]) -> bytes:
    """One JSON line (with its newline); falls back to the standard library for text orjson refuses."""
    try:
        return orjson.dumps(record, default=_as_written, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (json.dumps(record, ensure_ascii=True, default=_number_value) + "\n").encode("ascii")


@contextmanager
def atomic_output(path: str | None) -> Iterator[IO[bytes]]:
    """stdout, or a file written under a temporary name and renamed into place only when complete.

    A `.gz`/`.bz2`/`.xz`/`.zst` name compresses. On any error or interruption the temporary file is removed.
    A symbolic link is followed (its target is written atomically, the link stays); a device, a FIFO or a
    socket is written to as it is, since renaming a file over it would replace it. A new file gets the
    mode the umask allows, an existing one keeps its own. Temporary files that a killed run left beside
    the same output (`.NAME.PID.XXXX.part`, PID no longer running) are removed.
    """
    if path is None or path == STDIN:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "standard output is closed")
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file() and not target.is_dir():
        with open(target, "wb") as raw, _compressor(target.name, raw) as out:
            yield out
        return
    directory = target.parent
    _remove_stale_parts(target)
    mode = target.stat().st_mode & 0o7777 if target.is_file() else 0o666 & ~_umask()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, path) from None  # name the output, not its temporary file
    try:
        with os.fdopen(handle, "wb") as raw, _compressor(target.name, raw) as out:
            yield out
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, path) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale_parts(target: Path) -> None:
    """Remove `.NAME.PID.XXXX.part` files beside `target` whose process is gone (a SIGKILL leaves them)."""
    for part in target.parent.glob(f".{glob_escape(target.name)}.*.part"):
        pid = part.name[len(target.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            part.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _compressor(name: str, raw: IO[bytes]) -> Iterator[IO[bytes]]:
    lower = name.lower()
    if lower.endswith(".gz"):
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out:
            yield out  # type: ignore[misc]
    elif lower.endswith(".bz2"):
        with bz2.BZ2File(raw, "wb") as out:
            yield out  # type: ignore[misc]
    elif lower.endswith(".xz"):
        with lzma.LZMAFile(raw, "wb") as out:
            yield out  # type: ignore[misc]
    elif lower.endswith((".zst", ".zstd")):
        with zstandard.ZstdCompressor().stream_writer(raw, closefd=False) as out:
            yield out  # type: ignore[misc]
    else:
        yield raw


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of `size` items (the last one shorter): bounded memory whatever the input size."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


__all__ = ["InputDoc", "InputOptions", "atomic_output", "batched", "dumps_record", "read_inputs"]

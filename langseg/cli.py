"""The `langseg` command: a thin click layer over the library. Records go to stdout, everything else to stderr.

Exit statuses: 0 done (documents that could not be read still get an error record); 1 a bad input with
--strict, a missing or corrupt model, or an unwritable output; 2 a usage error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import errno
import functools
import json
import os
import signal
import sys
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import IO, Any

import click

from . import __version__
from .config import tuned_defaults
from .errors import LangsegError
from .extract import keep_language
from .io import (DEFAULT_MAX_CHARS, InputDoc, InputOptions, atomic_output, batched, dumps_record, empty_folders,
                 read_inputs)
from .models import cache_dir, cached_models, fetch, manifest
from .pipeline import output_record, tag_documents, tag_records
from .segmenter import Segmenter
from .stats import CorpusStats, format_summary
from .types import Document


def _examples(*commands: str) -> str:
    """An epilog that ends a command's --help with runnable examples."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


class _StrictStop(LangsegError):
    """--strict met a document that could not be processed."""


@dataclass(frozen=True)
class _Job:
    """What every corpus command shares: the inputs, how to read them, and the segmenter that tags them."""

    inputs: list[str]
    options: InputOptions
    segmenter: Segmenter
    batch_size: int
    workers: int
    quiet: bool
    strict: bool

    def tagged(self, dropped: bool = False) -> Iterator[tuple[InputDoc, Document]]:
        """(input document, result) pairs in input order; raises on the first error record under --strict.
        `dropped`: the command leaves unreadable documents out (the stderr warnings say so)."""
        return self._stream(tag_documents, lambda item: item[1].error, dropped)

    def records(self) -> Iterator[tuple[InputDoc, bytes]]:
        """(input document, its record as a JSON line) in input order: the fast path of `tag`."""
        return ((doc, line) for doc, line, _error in self._stream(tag_records, lambda item: item[2]))

    def _stream(self, tagger: Callable[..., Iterator[Any]], error_of: Callable[[Any], str | None],
                dropped: bool = False) -> Iterator[Any]:
        self.segmenter.scorer  # noqa: B018 - load (and if need be fetch) the model before any output opens
        docs = read_inputs(self.inputs, self.options)
        seen = failed = 0
        with _progress(self.quiet) as advance:
            for item in tagger(self.segmenter, docs, self.batch_size, self.workers):
                seen += 1
                error = error_of(item)
                if error is not None:
                    if self.strict:
                        raise _StrictStop(f"{_with_id(error, item[0].id)}; stopped by --strict")
                    failed += 1
                    outcome = "dropped" if dropped else "its record carries the error"
                    _warn_unreadable(failed, error, item[0].id, outcome)
                yield item
                advance()
        if failed:
            fate = "they are left out" if dropped else 'their records carry "error"'
            click.echo(f"langseg: {failed:,} of {seen:,} documents could not be processed; {fate} "
                       "(--strict stops at the first)", err=True)


_LISTED_ERRORS = 10
"""Unreadable documents named one per line on stderr; any more are only counted, so a corpus with many
bad lines does not bury the terminal."""


def _warn_unreadable(number: int, error: str, doc_id: str, fate: str) -> None:
    """Name the `number`-th unreadable document on stderr (the first `_LISTED_ERRORS` of them) and say
    what became of it (`fate`)."""
    if number <= _LISTED_ERRORS:
        click.echo(f"langseg: warning: {_with_id(error, doc_id)}; {fate}", err=True)
    if number == _LISTED_ERRORS:
        click.echo("langseg: warning: further unreadable documents are counted, not listed", err=True)


def _with_id(error: str, doc_id: str) -> str:
    """An error message that also names the document's id, unless the id is the place it already names."""
    return error if error.startswith(f"{doc_id}:") else f"{error} (id {doc_id})"


def _model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    defaults = tuned_defaults()
    decorators = [
        click.option("--model", "-m", default=None, metavar="NAME|PATH",
                     help="A known model (see `langseg models list`) or the path to any fastText LID model. "
                          "Default: lid.176.ftz, fetched and cached on first use."),
        click.option("--mixed-min-share", type=click.FloatRange(0, 1), default=defaults.mixed_min_share,
                     show_default=True,
                     help="`mixed` needs two languages that each hold at least this share of the spanned "
                          "characters ..."),
        click.option("--mixed-min-chars", type=click.IntRange(0), default=defaults.mixed_min_chars,
                     show_default=True, help="... and at least this many characters."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _corpus_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The input, model and scale options of tag, extract and stats; hands the command a ready `_Job`."""
    decorators = [
        click.argument("inputs", nargs=-1, metavar="[INPUT]..."),
        click.option("--input-format", type=click.Choice(["auto", "text", "jsonl", "lines"]), default="auto",
                     show_default=True,
                     help="auto: JSONL for .jsonl/.ndjson/.json names (and stdin starting with '{'), else one "
                          "text document per file; lines: one document per line."),
        click.option("--lines", "lines_mode", is_flag=True, help="Same as --input-format lines."),
        click.option("--text-field", default="text", show_default=True,
                     help="JSONL field holding the text (dotted path: meta.body)."),
        click.option("--id-field", default="id", show_default=True,
                     help="JSONL field holding the id (dotted path: meta.id)."),
        click.option("--glob", "glob_pattern", default="*", show_default=True, help="Files to take from folders."),
        click.option("--strict", is_flag=True, help="Stop with status 1 at the first document that cannot be processed."),
        click.option("--workers", "-j", type=click.IntRange(1), default=1, show_default=True,
                     help="Worker processes, each loading the model once; output stays in input order."),
        click.option("--batch-size", type=click.IntRange(1), default=256, show_default=True,
                     help="Documents per model call (and per task sent to a worker)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar (there is none unless stderr is a terminal)."),
        click.option("--max-chars", type=click.IntRange(1), default=DEFAULT_MAX_CHARS, show_default=True,
                     help="A longer document becomes an error record, read past without being held in memory."),
    ]

    @functools.wraps(command)
    def wrapper(inputs: tuple[str, ...], input_format: str, lines_mode: bool, text_field: str, id_field: str,
                glob_pattern: str, strict: bool, workers: int, batch_size: int, quiet: bool, max_chars: int,
                model: str | None, mixed_min_share: float, mixed_min_chars: int, **rest: Any) -> Any:
        for path in inputs:
            if path != "-" and not os.path.exists(path):
                raise click.BadParameter(f"no such file or folder: {path}", param_hint="INPUT")
        for folder in empty_folders(inputs, glob_pattern):
            click.echo(f"langseg: warning: no file in {folder} matches --glob {glob_pattern!r}", err=True)
        options = InputOptions(format="lines" if lines_mode else input_format, text_field=text_field,
                               id_field=id_field or None, glob=glob_pattern, max_chars=max_chars)
        segmenter = Segmenter(model, mixed_min_share=mixed_min_share, mixed_min_chars=mixed_min_chars)
        job = _Job(list(inputs), options, segmenter, batch_size, workers, quiet, strict)
        return command(job, **rest)

    wrapped: Callable[..., Any] = _model_options(wrapper)
    for decorator in reversed(decorators):
        wrapped = decorator(wrapped)
    return wrapped


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=_examples(
    "langseg tag docs/example.txt",
    "langseg tag corpus.jsonl.gz --text-field text --id-field id -o tagged.jsonl",
    'langseg detect "Por Ana Pérez. The article begins here."',
))
@click.version_option(__version__, prog_name="langseg")
def main() -> None:
    """Find the language of every paragraph and split mixed-language documents into language spans.

    \b
    Exit statuses:
      0    done; unreadable documents still get a record with "error"
      1    a bad input with --strict, a missing or corrupt model, an unwritable output
      2    a usage error (unknown option, missing file argument)
      130  interrupted (Ctrl-C); no partial -o file is left behind
    """


@main.command(epilog=_examples(
    "langseg tag docs/example.txt",
    "langseg tag dev.jsonl --text-field text --id-field id -o tagged.jsonl",
    "langseg tag crawl/ --glob '*.jsonl.zst' --keep-fields --workers 2 -o tagged.jsonl.zst",
    "cat page.txt | langseg tag -",
    "langseg tag notes.txt --lines --format tsv",
))
@_corpus_options
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write here (atomically; .gz/.bz2/.xz/.zst compress) instead of stdout.")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "tsv"]), default="jsonl", show_default=True,
              help="jsonl: one record per document; tsv: one row per span (id, start, end, lang, score).")
@click.option("--keep-fields", "--keep-input", "keep_fields", is_flag=True,
              help="Copy the input record's fields into each output record (a tagged corpus stays one file).")
def tag(job: _Job, output: str | None, output_format: str, keep_fields: bool) -> None:
    """Tag documents: one JSON record per input document, in input order.

    INPUT is a text file (one document), a JSONL file, a folder (searched recursively) or - for stdin
    (the default). Compressed inputs (gzip, bz2, xz, zstd) are recognised by their content.

    \b
    Exit statuses:
      0    done; unreadable documents still get a record with "error"
      1    a bad input with --strict, a missing or corrupt model, an unwritable output
      2    a usage error (unknown option, missing file argument)
      130  interrupted (Ctrl-C); no partial -o file is left behind
    """
    def body() -> None:
        with atomic_output(output) as out:
            if output_format == "tsv":
                out.write(b"id\tstart\tend\tlang\tscore\n")
                for _doc, result in job.tagged():
                    _write_tsv(out, result)
            elif keep_fields:
                for doc, result in job.tagged():
                    out.write(dumps_record(output_record(doc, result, keep_fields=True)))
            else:
                for _doc, line in job.records():
                    out.write(line)

    _run(body)


def _write_tsv(out: IO[bytes], result: Document) -> None:
    doc_id = (result.id or "").replace("\t", " ").replace("\n", " ")
    rows = [f"{doc_id}\t{s.start}\t{s.end}\t{s.lang}\t{s.score:.4f}\n" for s in result.spans]
    if not rows and result.error is not None:
        rows = [f"{doc_id}\t\t\t\t\n"]  # the document still has its row: nothing is lost
    out.write("".join(rows).encode("utf-8", "surrogateescape"))


@main.command(epilog=_examples(
    "langseg extract crawl.jsonl.gz --lang en -o english.jsonl.gz",
    "langseg extract crawl.jsonl --lang zu --min-share 0.3",
    "langseg extract pages/ --dominant --glob '*.txt'",
))
@_corpus_options
@click.option("--lang", "lang", default=None, metavar="CODE", help="Keep the spans of this language (ISO 639-1/3).")
@click.option("--dominant", is_flag=True, help="Keep each document's own main language instead of a fixed one.")
@click.option("--min-share", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Drop documents where the language holds less than this share of the text.")
@click.option("-o", "--output", default=None, metavar="FILE", help="Write here (atomically) instead of stdout.")
def extract(job: _Job, lang: str | None, dominant: bool, min_share: float, output: str | None) -> None:
    """Write each input record with its text reduced to the spans of one language.

    The separators between kept spans are the original ones. JSONL records keep all their other fields;
    text inputs become {"id", "text"} records. Documents below --min-share, empty results and unreadable
    documents are dropped and counted on stderr.
    """
    if (lang is None) == (not dominant):
        raise click.UsageError("give exactly one of --lang CODE and --dominant")

    def body() -> None:
        dropped = 0
        with atomic_output(output) as out:
            for doc, result in job.tagged(dropped=True):
                reduced = keep_language(doc.text, result, None if dominant else lang, min_share)
                if reduced is None:
                    dropped += 1
                    continue
                record = dict(doc.fields) if doc.fields else {"id": doc.id}
                _set_field(record, job.options.text_field if doc.fields else "text", reduced)
                out.write(dumps_record(record))
        if dropped and not job.quiet:
            click.echo(f"langseg extract: {dropped} documents dropped (no such language, under --min-share, "
                       "or unreadable)", err=True)

    _run(body)


def _set_field(record: dict[str, Any], dotted: str, value: Any) -> None:
    if dotted in record or "." not in dotted:
        record[dotted] = value
        return
    *parents, last = dotted.split(".")
    target = record
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


@main.command(epilog=_examples(
    "langseg stats crawl.jsonl.gz",
    "langseg tag crawl.jsonl -o tagged.jsonl && langseg stats tagged.jsonl --json",
))
@_corpus_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def stats(job: _Job, as_json: bool) -> None:
    """Summarise a corpus: documents, share mixed, languages by characters and by documents, switches.

    INPUT may be raw documents (they are tagged first) or `langseg tag` output (records with "spans" are
    read as they are).
    """
    def body() -> None:
        accumulator = CorpusStats()
        for record in _records_for_stats(job):
            accumulator.add(record)
        summary = accumulator.summary()
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1) if as_json else format_summary(summary))

    _run(body)


def _records_for_stats(job: _Job) -> Iterator[dict[str, Any]]:
    """Records already tagged pass through; anything else is tagged on the fly, batch by batch, in order."""
    job.segmenter.scorer  # noqa: B018 - a missing model fails before any reading
    for chunk in batched(read_inputs(job.inputs, job.options), job.batch_size):
        untagged = [doc for doc in chunk if not _is_tagged(doc)]
        results = iter(tag_documents(job.segmenter, untagged, job.batch_size))
        for doc in chunk:
            yield doc.fields if _is_tagged(doc) else next(results)[1].to_dict()  # type: ignore[misc]


def _is_tagged(doc: InputDoc) -> bool:
    return bool(doc.fields) and isinstance(doc.fields.get("spans"), list) and "language" in doc.fields  # type: ignore[union-attr]


@main.command("ray", epilog=_examples(
    "langseg ray crawl/ -o tagged/ --address auto",
    "langseg ray shards/*.parquet -o tagged-parquet/ --format parquet --concurrency 16",
))
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", required=True, metavar="DIR", help="Output folder (one file per block).")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "parquet"]), default="jsonl",
              show_default=True, help="jsonl: the records of `langseg tag`; parquet: the same fields as columns.")
@click.option("--address", default=None, help="Ray cluster address (default: start a local one; 'auto' joins one).")
@click.option("--concurrency", type=click.IntRange(1), default=None,
              help="Tagging actors (default: one per CPU of the cluster), each loading the model once.")
@click.option("--batch-size", type=click.IntRange(1), default=256, show_default=True)
@click.option("--text-field", default="text", show_default=True, help="Column holding the text.")
@click.option("--id-field", default="id", show_default=True, help="Column holding the id.")
@_model_options
def ray_command(inputs: tuple[str, ...], output: str, output_format: str, address: str | None,
                concurrency: int | None, batch_size: int, text_field: str, id_field: str, model: str | None,
                mixed_min_share: float, mixed_min_chars: int) -> None:
    """Tag JSONL or Parquet inputs on a Ray cluster: the same record per document as `langseg tag`.

    Needs the ray extra: pip install 'langseg[ray]'.
    """
    try:
        from .integrations import ray as ray_integration
    except ImportError as exc:
        raise click.ClickException(str(exc)) from None
    _run(lambda: ray_integration.run(
        list(inputs), output, output_format, address, concurrency, batch_size, model=model,
        text_column=text_field, id_column=id_field, mixed_min_share=mixed_min_share,
        mixed_min_chars=mixed_min_chars))


class _progress:
    """A tqdm bar with documents/s on stderr, only when stderr is a terminal and not --quiet."""

    def __init__(self, quiet: bool) -> None:
        self._bar: Any = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(unit=" docs", file=sys.stderr, mininterval=0.5, dynamic_ncols=True)

    def __enter__(self) -> Callable[[], None]:
        return self._bar.update if self._bar is not None else (lambda: None)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


_PALETTE = ("cyan", "yellow", "green", "magenta", "blue", "red", "bright_cyan", "bright_yellow", "bright_green",
            "bright_magenta", "bright_blue", "bright_red")


@main.command(epilog=_examples(
    'langseg detect "Hola a todos. This is the English part of the text."',
    "langseg detect < page.txt",
))
@click.argument("text", required=False)
@_model_options
def detect(text: str | None, model: str | None, mixed_min_share: float, mixed_min_chars: int) -> None:
    """Show one text's language spans, coloured by language in a terminal. Reads stdin without TEXT."""
    if text is None:
        text = sys.stdin.read()
    segmenter = Segmenter(model, mixed_min_share=mixed_min_share, mixed_min_chars=mixed_min_chars)
    _run(lambda: _show(str(text), segmenter.segment(str(text))))


def _show(text: str, document: Document) -> None:
    shares = ", ".join(f"{lang} {share:.0%}" for lang, share in sorted(document.languages.items(),
                                                                       key=lambda item: -item[1]))
    click.echo(f"language: {document.language}   mixed: {'yes' if document.mixed else 'no'}   ({shares})")
    for span in document.spans:
        colour = _PALETTE[zlib.crc32(span.lang.encode()) % len(_PALETTE)]
        click.echo(click.style(f"[{span.lang} {span.score:.2f}] {span.start}-{span.end}", fg=colour, bold=True))
        click.echo(click.style(text[span.start:span.end], fg=colour))


@main.group(epilog=_examples("langseg models list", "langseg models fetch lid.176.ftz"))
def models() -> None:
    """List and fetch language-ID models."""


@models.command("list", epilog=_examples(
    "langseg models list", "LANGSEG_CACHE_DIR=/data/models langseg models list"))
def models_list() -> None:
    """Show the known models and which of them are cached."""
    click.echo(f"cache: {cache_dir()}  (set LANGSEG_CACHE_DIR to move it)")
    for info, path in cached_models():
        state = f"cached {path}" if path else "not fetched"
        size = f"{info.size / 2**20:.1f} MB" if info.size else "size unknown"
        click.echo(f"{info.name:<14} {size:>13}  {info.license:<14} {state}")
        click.echo(f"{'':<14} {info.description}")


@models.command("fetch", epilog=_examples(
    "langseg models fetch lid.176.ftz", "langseg models fetch lid.176.ftz --force",
    "langseg models fetch openlid-v2 --sha256 HEX"))
@click.argument("name")
@click.option("--force", is_flag=True, help="Download again even if the file is cached.")
@click.option("--sha256", "sha256", metavar="HEX", default=None,
              help="The checksum to verify a model against when the manifest pins none.")
@click.option("--trust-source", is_flag=True,
              help="For a model without a pinned checksum: keep what the source serves, print and record its hash.")
def models_fetch(name: str, force: bool, sha256: str | None, trust_source: bool) -> None:
    """Download a known model into the cache and verify its checksum."""
    known = manifest()
    if name not in known:
        raise click.BadParameter(f"unknown model {name!r}; known: {', '.join(sorted(known))}", param_hint="NAME")
    if sha256 is not None and (len(sha256) != 64 or any(c not in "0123456789abcdefABCDEF" for c in sha256)):
        raise click.BadParameter("a sha256 is 64 hexadecimal digits", param_hint="--sha256")
    _run(lambda: click.echo(str(fetch(known[name], force=force, sha256=sha256, trust_source=trust_source))))


class _Stopped(BaseException):
    """SIGTERM or SIGHUP: the run ends as Ctrl-C does (no partial output), with status 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_on_signal(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def _run(action: Callable[[], None]) -> None:
    """Run a command body: library errors become one-line messages, a closed pipe and Ctrl-C end quietly;
    SIGTERM and SIGHUP clean up as Ctrl-C does and end with 143 and 129."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    try:
        action()
    except _Stopped as stop:
        click.echo(f"langseg: stopped by {signal.Signals(stop.signum).name}", err=True)
        sys.exit(128 + stop.signum)
    except BrokenProcessPool as exc:
        raise click.ClickException(f"a worker process died ({exc}); run again, or with --workers 1") from None
    except LangsegError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("langseg: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            _silence_stdout()
            sys.exit(0)
        raise click.ClickException(f"{exc.filename or 'output'}: {exc.strerror or exc}") from None


def _silence_stdout() -> None:
    """After the reader closed the pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())

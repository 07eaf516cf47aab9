"""The `langseg` command: a thin click layer over the library. Records go to stdout, everything else to stderr.

Exit statuses: 0 done (documents that could not be read still get an error record); 1 a bad input with
--strict, a missing or corrupt model, or an unwritable output; 2 a usage error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

from . import __version__
from .codes import UnknownLanguage
from .colours import assign_colours, use_colour
from .config import tuned_defaults
from .errors import LangsegError
from .extract import keep_language
from .io import (DEFAULT_MAX_CHARS, STDIN, InputDoc, InputOptions, ReadProgress, atomic_output, batched,
                 dumps_record, empty_folders, expand_inputs, get_field, read_files, read_input)
from .models import cache_dir, cached_models, fetch, manifest
from .parquet import ParquetRecords
from .pipeline import output_record, tag_documents, tag_records
from .segmenter import Segmenter
from .stats import CorpusStats, format_summary, rich_summary
from .types import Document


def _examples(*commands: str) -> str:
    """An epilog that ends a command's --help with runnable examples."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


class _StrictStop(LangsegError):
    """--strict met a document that could not be processed."""


@dataclass
class _Tally:
    """What a run met: documents seen and failed, and the first failure (for the hint when all failed)."""

    seen: int = 0
    failed: int = 0
    first_error: str | None = None

    def count(self, doc_id: str, error: str | None) -> None:
        """One more document, and its error if it could not be processed."""
        self.seen += 1
        if error is not None:
            self.failed += 1
            self.first_error = self.first_error or _with_id(error, doc_id)

    def nothing_read(self) -> str | None:
        """The one-line hint when documents came and none could be processed (wrong field, wrong format)."""
        if self.seen and self.failed == self.seen:
            return (f"none of the {self.seen:,} documents could be processed; the first: {self.first_error}")
        return None


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
    tally: _Tally = field(default_factory=lambda: _Tally())

    def tagged(self, dropped: bool = False) -> Iterator[tuple[InputDoc, Document]]:
        """(input document, result) pairs in input order; raises on the first error record under --strict.
        `dropped`: the command leaves unreadable documents out (the stderr warnings say so)."""
        return self._stream(tag_documents, lambda item: item[1].error, dropped)

    def records(self) -> Iterator[tuple[InputDoc, bytes]]:
        """(input document, its record as a JSON line) in input order: the fast path of `tag`."""
        return ((doc, line) for doc, line, _error in self._stream(tag_records, lambda item: item[2]))

    @contextmanager
    def reading(self) -> Iterator[tuple[Iterator[InputDoc], Callable[[], None]]]:
        """The input documents, in order, and the progress bar's step: the model is loaded (and if need be
        fetched) first, before any output opens; folders are walked once."""
        self.segmenter.scorer  # noqa: B018
        _say_stdin(self.inputs)
        files = list(expand_inputs(self.inputs, self.options.glob))
        progress = ReadProgress(files)
        with _progress(self.quiet, progress) as advance:
            yield read_files(files, self.options, progress), advance

    def _stream(self, tagger: Callable[..., Iterator[Any]], error_of: Callable[[Any], str | None],
                dropped: bool = False) -> Iterator[Any]:
        tally = self.tally
        with self.reading() as (docs, advance):
            for item in tagger(self.segmenter, docs, self.batch_size, self.workers):
                error = error_of(item)
                if error is not None and self.strict:
                    raise _StrictStop(f"{_with_id(error, item[0].id)}; stopped by --strict")
                tally.count(item[0].id, error)
                if error is not None:
                    outcome = "dropped" if dropped else "its record carries the error"
                    _warn_unreadable(tally.failed, error, item[0].id, outcome)
                yield item
                advance()
        seen, failed = tally.seen, tally.failed
        if failed and failed < seen:
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
        click.option("--mixed-min-share", type=click.FloatRange(0, 1), default=None,
                     help="`mixed` needs two languages that each hold at least this share of the spanned "
                          f"characters ... [default: the model's own; {defaults.mixed_min_share:g} for the default "
                          "model]"),
        click.option("--mixed-min-chars", type=click.IntRange(0), default=None,
                     help=f"... and at least this many characters. [default: the model's own; "
                          f"{defaults.mixed_min_chars} for the default model]"),
        click.option("--languages", default=None, metavar="LIST",
                     help="Decode over these languages only: comma-separated ISO 639-1/3 codes, BCP 47 tags or "
                          "English names (en,deu,Spanish)."),
        click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True,
                     help="A span scored below this becomes und (no language) instead of an unsure one."),
        click.option("--word-reader", type=click.Choice(["heliport"]), default=None,
                     help="Read every clause with heliport too, pooled with the model: finds more short switches "
                          "(a phrase, a clause). Needs the heliport extra (GPL-3.0, about 0.9 GB of memory)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _segmenter(model: str | None, mixed_min_share: float | None, mixed_min_chars: int | None,
               languages: str | None, min_score: float, word_reader: str | None = None) -> Segmenter:
    """The segmenter the model options describe (the model's own values where an option is not given); a
    language list is checked against the model at once, so that a code it cannot produce is a usage
    error before any input is read."""
    try:
        segmenter = Segmenter(model, languages=languages or (), min_score=min_score,
                              **_given(mixed_min_share=mixed_min_share, mixed_min_chars=mixed_min_chars,
                                       word_reader=word_reader))
        if word_reader:
            segmenter.check_word_reader()
    except LangsegError as exc:
        raise click.ClickException(str(exc)) from None
    if languages:
        try:
            segmenter.allowed_languages  # noqa: B018 - loads the model and reads the list
        except UnknownLanguage as exc:
            raise click.BadParameter(str(exc), param_hint="--languages") from None
        except LangsegError as exc:
            raise click.ClickException(str(exc)) from None
    return segmenter


def _given(**options: Any) -> dict[str, Any]:
    """The model options given on the command line; the model's own values stand for the others (None)."""
    return {name: value for name, value in options.items() if value is not None}


def _language(segmenter: Segmenter, text: str, option: str) -> str:
    """A language option (`--lang deu`) as the record code, or a usage error naming the closest known ones."""
    try:
        return segmenter.language_code(text)  # type: ignore[return-value]
    except UnknownLanguage as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    except LangsegError as exc:
        raise click.ClickException(str(exc)) from None


def _corpus_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The input, model and scale options of tag, extract and stats; hands the command a ready `_Job`."""
    decorators = [
        click.argument("inputs", nargs=-1, metavar="[INPUT]..."),
        click.option("--input-format", type=click.Choice(["auto", "text", "jsonl", "lines", "parquet"]),
                     default="auto", show_default=True,
                     help="auto: Parquet and JSONL recognised by name or content, else one text document per "
                          "file; lines: one document per line; parquet: one document per row (--text-field "
                          "and --id-field name columns)."),
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
                model: str | None, mixed_min_share: float, mixed_min_chars: int, languages: str | None,
                min_score: float, word_reader: str | None, **rest: Any) -> Any:
        for path in inputs:
            if path != "-" and not os.path.exists(path):
                raise click.BadParameter(f"no such file or folder: {path}", param_hint="INPUT")
        for folder in empty_folders(inputs, glob_pattern):
            click.echo(f"langseg: warning: no file in {folder} matches --glob {glob_pattern!r}", err=True)
        options = InputOptions(format="lines" if lines_mode else input_format, text_field=text_field,
                               id_field=id_field or None, glob=glob_pattern, max_chars=max_chars,
                               notice=lambda message: click.echo(f"langseg: {message}", err=True))
        segmenter = _segmenter(model, mixed_min_share, mixed_min_chars, languages, min_score, word_reader)
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
    "langseg tag crawl/ --glob '*.jsonl.zst' --text-field content --keep-fields --workers 2 -o tagged.jsonl.zst",
    "cat page.txt | langseg tag -",
    "langseg tag notes.txt --lines --format tsv",
    "langseg tag shards/ --glob '*.parquet' --keep-fields --format parquet -o tagged.parquet",
))
@_corpus_options
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write here (atomically; .gz/.bz2/.xz/.zst compress) instead of stdout.")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "tsv", "parquet"]), default="jsonl",
              show_default=True,
              help="jsonl: one record per document; tsv: one row per span (id, start, end, lang, score); "
                   "parquet: the record's fields as columns (with --keep-fields, the input's before them; "
                   "needs -o).")
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
    if output_format == "parquet" and output is None:
        raise click.UsageError("--format parquet writes a file: give -o FILE")

    def body() -> None:
        with atomic_output(output) as out:
            if output_format == "parquet":
                _write_parquet(out, job, keep_fields)
            elif output_format == "tsv":
                out.write(b"id\tstart\tend\tlang\tscore\n")
                for _doc, result in job.tagged():
                    _write_tsv(out, result)
            elif keep_fields:
                warned = False
                for doc, result in job.tagged():
                    record, renamed = output_record(doc, result, keep_fields=True)
                    if renamed and not warned:
                        warned = True
                        click.echo("langseg: warning: input fields that are also record fields are kept renamed: "
                                   + ", ".join(f"{old} -> {new}" for old, new in renamed), err=True)
                    out.write(dumps_record(record))
            else:
                for _doc, line in job.records():
                    out.write(line)

    _run(body, job)


def _write_parquet(out: IO[bytes], job: _Job, keep_fields: bool) -> None:
    writer = ParquetRecords(out)
    for chunk in batched(job.tagged(), 4096):
        writer.write([output_record(doc, result, keep_fields)[0] for doc, result in chunk])
    writer.close()


def _write_tsv(out: IO[bytes], result: Document) -> None:
    doc_id = (result.id or "").replace("\t", " ").replace("\n", " ")
    rows = [f"{doc_id}\t{s.start}\t{s.end}\t{s.lang}\t{s.score:.4f}\n" for s in result.spans]
    if not rows and result.error is not None:
        rows = [f"{doc_id}\t\t\t\t\n"]  # the document still has its row: nothing is lost
    out.write("".join(rows).encode("utf-8", "surrogateescape"))


@main.command(epilog=_examples(
    "langseg extract crawl.jsonl.gz --lang en -o english.jsonl.gz",
    "langseg extract crawl.jsonl --lang German --min-share 0.3",
    "langseg extract crawl.jsonl --split 'by-language/{lang}.jsonl.zst'",
    "langseg extract pages/ --dominant --glob '*.txt'",
))
@_corpus_options
@click.option("--lang", "lang", default=None, metavar="LANGUAGE",
              help="Keep the spans of this language (ISO 639-1/3 code, BCP 47 tag or English name).")
@click.option("--dominant", is_flag=True, help="Keep each document's own main language instead of a fixed one.")
@click.option("--split", "split", default=None, metavar="TEMPLATE",
              help="Write every language's part of each document to its own file, named by TEMPLATE with "
                   "{lang} in it (by-language/{lang}.jsonl.gz), in one pass.")
@click.option("--min-share", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Drop documents where the language holds less than this share of the text.")
@click.option("-o", "--output", default=None, metavar="FILE", help="Write here (atomically) instead of stdout.")
def extract(job: _Job, lang: str | None, dominant: bool, split: str | None, min_share: float,
            output: str | None) -> None:
    """Write each input record with its text reduced to the spans of one language (or, with --split, of
    each language to its own file).

    The separators between kept spans are the original ones. JSONL records keep all their other fields;
    text inputs become {"id", "text"} records. Documents below --min-share, empty results and unreadable
    documents are dropped and counted on stderr.
    """
    if sum((lang is not None, dominant, split is not None)) != 1:
        raise click.UsageError("give exactly one of --lang LANGUAGE, --dominant and --split TEMPLATE")
    if split is not None and (output is not None or "{lang}" not in split):
        raise click.UsageError("--split writes the files its TEMPLATE names (with {lang} in it), not -o")
    code = _language(job.segmenter, lang, "--lang") if lang is not None else None

    def reduced_record(doc: InputDoc, text: str) -> bytes:
        record = dict(doc.fields) if doc.fields else {"id": doc.id}
        _set_field(record, job.options.text_field if doc.fields else "text", text)
        return dumps_record(record)

    def body() -> None:
        dropped = 0
        if split is not None:
            written = _write_split(job, split, min_share, reduced_record)
            click.echo(f"langseg extract: wrote {len(written)} files: "
                       + ", ".join(f"{name} ({count:,})" for name, count in sorted(written.items())), err=True)
            return
        with atomic_output(output) as out:
            for doc, result in job.tagged(dropped=True):
                reduced = keep_language(doc.text, result, code, min_share)
                if reduced is None:
                    dropped += 1
                    continue
                out.write(reduced_record(doc, reduced))
        if dropped and not job.quiet:
            click.echo(f"langseg extract: {dropped} documents dropped (no such language, under --min-share, "
                       "or unreadable)", err=True)

    _run(body, job)


def _write_split(job: _Job, template: str, min_share: float, reduced_record: Callable[[InputDoc, str], bytes]
                 ) -> dict[str, int]:
    """Each document's part in each of its languages, appended to that language's file (opened on first
    use, all committed together at the end, none if the run fails); documents written per file."""
    written: dict[str, int] = {}
    with contextlib.ExitStack() as files:
        outputs: dict[str, IO[bytes]] = {}
        for doc, result in job.tagged(dropped=True):
            for language in result.languages:
                reduced = keep_language(doc.text, result, language, min_share)
                if reduced is None:
                    continue
                name = template.replace("{lang}", language)
                if language not in outputs:
                    Path(name).parent.mkdir(parents=True, exist_ok=True)
                    outputs[language] = files.enter_context(atomic_output(name))
                outputs[language].write(reduced_record(doc, reduced))
                written[name] = written.get(name, 0) + 1
    return written


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
        for _doc, record in _records_for_stats(job):
            accumulator.add(record)
        summary = accumulator.summary()
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False, indent=1))
        elif use_colour(None, sys.stdout) and _has_rich():  # bars on a terminal; plain text anywhere else
            from rich.console import Console

            Console(highlight=False).print(rich_summary(summary))
        else:
            click.echo(format_summary(summary))

    _run(body, job)


def _records_for_stats(job: _Job) -> Iterator[tuple[InputDoc, dict[str, Any]]]:
    """(input document, record): records already tagged pass through; anything else is tagged on the fly,
    batch by batch, in order."""
    with job.reading() as (docs, advance):
        for chunk in batched(docs, job.batch_size):
            untagged = [doc for doc in chunk if not _is_tagged(doc)]
            results = iter(tag_documents(job.segmenter, untagged, job.batch_size))
            for doc in chunk:
                record: dict[str, Any] = doc.fields if _is_tagged(doc) else next(results)[1].to_dict()  # type: ignore[assignment]
                error = record.get("error")
                job.tally.count(doc.id, None if error is None else str(error))
                yield doc, record
                advance()


@main.command(epilog=_examples(
    "langseg report crawl.jsonl -o report.html",
    "langseg tag crawl.jsonl --keep-fields -o tagged.jsonl && langseg report tagged.jsonl -o report.html",
))
@_corpus_options
@click.option("-o", "--output", required=True, metavar="FILE", help="The HTML file to write (atomically).")
@click.option("--title", default=None, help="The page's title (default: the inputs' names).")
@click.option("--per-language", type=click.IntRange(1, 50), default=3, show_default=True,
              help="Monolingual documents sampled per language (mixed ones: four times as many).")
def report(job: _Job, output: str, title: str | None, per_language: int) -> None:
    """Write one self-contained HTML page that shows a corpus at a glance: its summary (the numbers of
    `langseg stats`), languages by characters and documents, span scores per language, switches, the
    language pairs of mixed documents, and a sample of documents coloured by span language.

    INPUT is raw documents (tagged as they are read) or `langseg tag` output; keep the text in tagged
    records with `tag --keep-fields` for the sample to show it. One pass, memory bounded whatever the
    corpus size; the page opens from disk and fetches nothing.
    """
    from .report import ReportBuilder, render

    def body() -> None:
        builder = ReportBuilder(per_language=per_language, mixed=4 * per_language)
        for doc, record in _records_for_stats(job):
            text = doc.text if not _is_tagged(doc) else get_field(doc.fields or {}, job.options.text_field)
            builder.add(record, text if isinstance(text, str) else None)
        page = render(builder, title or "langseg report: " + (", ".join(job.inputs) or "stdin"))
        with atomic_output(output) as out:
            out.write(page.encode("utf-8"))
        click.echo(f"langseg report: {output} ({builder.stats.documents:,} documents, "
                   f"{len(page.encode('utf-8')) / 1024:,.0f} kB)", err=True)

    _run(body, job)


def _has_rich() -> bool:
    import importlib.util

    return importlib.util.find_spec("rich") is not None


def _is_tagged(doc: InputDoc) -> bool:
    return bool(doc.fields) and isinstance(doc.fields.get("spans"), list) and "language" in doc.fields  # type: ignore[union-attr]


@main.command("ray", epilog=_examples(
    "langseg ray crawl/ -o tagged/ --address auto",
    "langseg ray shards/*.parquet -o tagged-parquet/ --format parquet --concurrency 2",
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
                mixed_min_share: float, mixed_min_chars: int, languages: str | None, min_score: float,
                word_reader: str | None) -> None:
    """Tag JSONL or Parquet inputs on a Ray cluster: the same record per document as `langseg tag`.

    Needs the ray extra: pip install 'langseg[ray]'.
    """
    try:
        from .integrations import ray as ray_integration
    except ImportError as exc:
        raise click.ClickException(str(exc)) from None
    _run(lambda: ray_integration.run(
        list(inputs), output, output_format, address, concurrency, batch_size, model=model,
        text_column=text_field, id_column=id_field, languages=languages or (), min_score=min_score,
        **_given(mixed_min_share=mixed_min_share, mixed_min_chars=mixed_min_chars, word_reader=word_reader)))


class _progress:
    """A tqdm bar on stderr, only when stderr is a terminal and not --quiet: through inputs of known size it
    counts bytes (with a total and an ETA) and shows documents beside them; else it counts documents."""

    def __init__(self, quiet: bool, reading: ReadProgress | None = None) -> None:
        self._bar: Any = None
        self._reading = reading if reading is not None and reading.total else None
        self._docs = 0
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            if self._reading is not None:
                self._bar = tqdm(total=self._reading.total, unit="B", unit_scale=True, unit_divisor=1024,
                                 file=sys.stderr, mininterval=0.5, dynamic_ncols=True)
            else:
                self._bar = tqdm(unit=" docs", file=sys.stderr, mininterval=0.5, dynamic_ncols=True)

    def __enter__(self) -> Callable[[], None]:
        if self._bar is None:
            return lambda: None
        if self._reading is None:
            return self._bar.update  # type: ignore[no-any-return]
        return self._advance

    def _advance(self) -> None:
        self._docs += 1
        position = min(self._reading.position(), self._bar.total)  # type: ignore[union-attr]
        if position > self._bar.n:
            self._bar.update(position - self._bar.n)
        if self._docs % 256 == 0:
            self._bar.set_postfix_str(f"{self._docs:,} docs", refresh=False)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            if self._reading is not None and exc[0] is None:
                self._bar.update(self._bar.total - self._bar.n)
                self._bar.set_postfix_str(f"{self._docs:,} docs", refresh=False)
            self._bar.close()


def _say_stdin(inputs: list[str]) -> None:
    """Reading documents from a terminal would look like a hang: say so, and how to end it."""
    if all(path == STDIN for path in inputs or [STDIN]) and sys.stdin is not None and sys.stdin.isatty():
        click.echo("langseg: reading from standard input (type or paste, then Ctrl-D; or give a file)", err=True)


@main.command(epilog=_examples(
    'langseg detect "Hola a todos. This is the English part of the text."',
    'langseg detect --explain "Por Ana Pérez. The article begins here."',
    "langseg detect page.txt",
    "langseg detect < page.txt",
))
@click.argument("text", required=False)
@click.option("--color/--no-color", "colour", default=None,
              help="Colour the spans (default: on a terminal, unless NO_COLOR is set).")
@click.option("--explain", is_flag=True,
              help="Also say, per unit, what the model read, the evidence and which step decided its language.")
@_model_options
def detect(text: str | None, colour: bool | None, explain: bool, model: str | None, mixed_min_share: float | None,
           mixed_min_chars: int | None, languages: str | None, min_score: float, word_reader: str | None) -> None:
    """Show one text's language spans, coloured by language in a terminal.

    TEXT is the text itself, or the name of a file to read; without it, stdin is read.
    """
    segmenter = _segmenter(model, mixed_min_share, mixed_min_chars, languages, min_score, word_reader)

    def body() -> None:
        source = text
        if source is None:
            _say_stdin([])
            source = sys.stdin.read() if sys.stdin is not None else ""
        elif "\n" not in source and len(source) < 4096 and os.path.isfile(source):
            click.echo(f"langseg: reading the file {source} (it exists; quote other text to tag it)", err=True)
            source = next(iter(read_input(source, InputOptions(format="text")))).text
        if explain:
            explained = segmenter.explain(source)
            _show(source, explained.document, use_colour(colour, sys.stdout))
            click.echo("\nunits:\n" + explained.format())
        else:
            _show(source, segmenter.segment(source), use_colour(colour, sys.stdout))

    _run(body)


def _show(text: str, document: Document, coloured: bool) -> None:
    shares = ", ".join(f"{lang} {share:.0%}" for lang, share in sorted(document.languages.items(),
                                                                       key=lambda item: -item[1]))
    click.echo(f"language: {document.language}   mixed: {'yes' if document.mixed else 'no'}   ({shares})")
    colours = assign_colours(span.lang for span in document.spans)
    for span in document.spans:
        rgb = colours[span.lang]
        click.echo(click.style(f"[{span.lang} {span.score:.2f}] {span.start}-{span.end}", fg=rgb, bold=True),
                   color=coloured)
        click.echo(click.style(text[span.start:span.end], fg=rgb), color=coloured)


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


def _run(action: Callable[[], None], job: _Job | None = None) -> None:
    """Run a command body: library errors become one-line messages, a closed pipe and Ctrl-C end quietly;
    SIGTERM and SIGHUP clean up as Ctrl-C does and end with 143 and 129. A corpus run in which no document
    could be processed (a wrong --text-field, a wrong format) ends with status 1 and the first reason."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    try:
        action()
        failure = job.tally.nothing_read() if job is not None else None
        if failure:
            raise click.ClickException(failure)
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

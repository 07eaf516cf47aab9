"""The `langseg` command: a thin click layer over the library. Records go to stdout, everything else to stderr.

Exit statuses: 0 done (documents that could not be read still get an error record); 1 a bad input with
--strict, a missing or corrupt model, or an unwritable output; 2 a usage error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import errno
import os
import sys
import zlib
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .config import tuned_defaults
from .errors import LangsegError
from .io import InputOptions, atomic_output, dumps_record, read_inputs
from .models import cache_dir, cached_models, fetch, manifest
from .pipeline import output_record, tag_documents
from .segmenter import Segmenter
from .types import Document

def _examples(*commands: str) -> str:
    """An epilog that ends a command's --help with runnable examples."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)




class _StrictStop(LangsegError):
    """--strict met a document that could not be processed."""


def _model_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--model", "-m", default=None, metavar="NAME|PATH",
        help="A known model name (see `langseg models list`) or the path to any fastText LID model file. "
             "Default: lid.176.ftz, fetched and cached on first use.",
    )(command)


def _mixed_option(command: Callable[..., Any]) -> Callable[..., Any]:
    defaults = tuned_defaults()
    command = click.option(
        "--mixed-min-chars", type=click.IntRange(0), default=defaults.mixed_min_chars, show_default=True,
        help="... and holds at least this many characters.",
    )(command)
    return click.option(
        "--mixed-min-share", type=click.FloatRange(0, 1), default=defaults.mixed_min_share, show_default=True,
        help="`mixed` needs two languages that each hold at least this share of the spanned characters ...",
    )(command)


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
    "cat page.txt | langseg tag -",
    "langseg tag notes/ --glob '*.md' --lines -o lines.jsonl.gz",
))
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write records here (atomically; .gz/.bz2/.xz/.zst compress) instead of stdout.")
@click.option("--input-format", type=click.Choice(["auto", "text", "jsonl", "lines"]), default="auto",
              show_default=True,
              help="auto: JSONL for .jsonl/.ndjson/.json names (and stdin starting with '{'), else one text "
                   "document per file; lines: one document per line.")
@click.option("--lines", "lines_mode", is_flag=True, help="Same as --input-format lines.")
@click.option("--text-field", default="text", show_default=True, help="JSONL field holding the text (dotted path).")
@click.option("--id-field", default="id", show_default=True, help="JSONL field holding the id (dotted path).")
@click.option("--glob", "glob_pattern", default="*", show_default=True, help="Files to take from folders.")
@click.option("--keep-fields", "--keep-input", "keep_fields", is_flag=True,
              help="Copy the input record's fields into each output record.")
@click.option("--strict", is_flag=True, help="Stop with status 1 at the first document that cannot be processed.")
@click.option("--batch-size", type=click.IntRange(1), default=256, show_default=True, help="Documents per model call.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_model_option
@_mixed_option
def tag(inputs: tuple[str, ...], output: str | None, input_format: str, lines_mode: bool, text_field: str,
        id_field: str, glob_pattern: str, keep_fields: bool, strict: bool, batch_size: int, quiet: bool,
        model: str | None, mixed_min_share: float, mixed_min_chars: int) -> None:
    """Tag documents: one JSON record per input document, in input order.

    INPUT is a text file (one document), a JSONL file, a folder (searched recursively) or - for stdin
    (the default). Compressed inputs (gzip, bz2, xz, zstd) are recognised by their content.

    """
    options = InputOptions(format="lines" if lines_mode else input_format, text_field=text_field,
                           id_field=id_field or None, glob=glob_pattern)
    for path in inputs:
        if path != "-" and not os.path.exists(path):
            raise click.BadParameter(f"no such file or folder: {path}", param_hint="INPUT")
    segmenter = Segmenter(model, mixed_min_share=mixed_min_share, mixed_min_chars=mixed_min_chars)
    _run(lambda: _tag(segmenter, list(inputs), options, output, keep_fields, strict, batch_size, quiet))


def _tag(segmenter: Segmenter, inputs: list[str], options: InputOptions, output: str | None, keep_fields: bool,
         strict: bool, batch_size: int, quiet: bool) -> None:
    segmenter.scorer  # noqa: B018 - load (and if need be fetch) the model before any output is opened
    docs = read_inputs(inputs, options)
    with atomic_output(output) as out, _progress(quiet) as advance:
        for doc, result in tag_documents(segmenter, docs, batch_size):
            if strict and result.error is not None:
                raise _StrictStop(f"{result.error} (id {result.id}); stopped by --strict")
            out.write(dumps_record(output_record(doc, result, keep_fields)))
            advance()


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
@_model_option
@_mixed_option
def detect(text: str | None, model: str | None, mixed_min_share: float, mixed_min_chars: int) -> None:
    """Show one text's language spans, coloured by language in a terminal. Reads stdin without TEXT.

    """
    if text is None:
        text = sys.stdin.read()
    segmenter = Segmenter(model, mixed_min_share=mixed_min_share, mixed_min_chars=mixed_min_chars)
    _run(lambda: _show(text, segmenter.segment(text)))


def _show(text: str, document: Document) -> None:
    shares = ", ".join(f"{lang} {share:.0%}" for lang, share in sorted(document.languages.items(),
                                                                       key=lambda item: -item[1]))
    click.echo(f"language: {document.language}   mixed: {'yes' if document.mixed else 'no'}   ({shares})")
    for span in document.spans:
        colour = _PALETTE[zlib.crc32(span.lang.encode()) % len(_PALETTE)]
        head = click.style(f"[{span.lang} {span.score:.2f}] {span.start}-{span.end}", fg=colour, bold=True)
        click.echo(head)
        click.echo(click.style(text[span.start:span.end], fg=colour))


@main.group(epilog=_examples("langseg models list", "langseg models fetch lid.176.ftz"))
def models() -> None:
    """List and fetch language-ID models.

    """


@models.command("list", epilog=_examples(
    "langseg models list", "LANGSEG_CACHE_DIR=/data/models langseg models list"))
def models_list() -> None:
    """Show the known models and which of them are cached.

    """
    click.echo(f"cache: {cache_dir()}  (set LANGSEG_CACHE_DIR to move it)")
    for info, path in cached_models():
        state = f"cached {path}" if path else "not fetched"
        size = f"{info.size / 2**20:.1f} MB" if info.size else "size unknown"
        click.echo(f"{info.name:<14} {size:>13}  {info.license:<14} {state}")
        click.echo(f"{'':<14} {info.description}")


@models.command("fetch", epilog=_examples(
    "langseg models fetch lid.176.ftz", "langseg models fetch lid.176.ftz --force"))
@click.argument("name")
@click.option("--force", is_flag=True, help="Download again even if the file is cached.")
def models_fetch(name: str, force: bool) -> None:
    """Download a known model into the cache and verify its checksum.

    """
    known = manifest()
    if name not in known:
        raise click.BadParameter(f"unknown model {name!r}; known: {', '.join(sorted(known))}", param_hint="NAME")
    _run(lambda: click.echo(str(fetch(known[name], force=force))))


def _run(action: Callable[[], None]) -> None:
    """Run a command body: library errors become one-line messages, a closed pipe and Ctrl-C end quietly."""
    try:
        action()
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

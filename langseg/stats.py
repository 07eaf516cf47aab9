"""Corpus statistics over records: documents, share mixed, languages by characters and by documents, switches."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .types import UND


@dataclass
class CorpusStats:
    """An accumulator: `add` one output record at a time (constant memory per language), then `summary()`."""

    documents: int = 0
    errors: int = 0
    mixed: int = 0
    characters: int = 0
    switches: int = 0
    chars_by_language: Counter[str] = field(default_factory=Counter)
    docs_by_language: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> int:
        """Count one record; returns its switches (0 for an error record)."""
        self.documents += 1
        if record.get("error"):
            self.errors += 1
            return 0
        self.mixed += bool(record.get("mixed"))
        self.docs_by_language[record.get("language", UND)] += 1
        previous = None
        switches = 0
        for span in record.get("spans", []):
            size = span["end"] - span["start"]
            self.characters += size
            self.chars_by_language[span["lang"]] += size
            if span["lang"] != UND:
                switches += previous is not None and span["lang"] != previous
                previous = span["lang"]
        self.switches += switches
        return switches

    def summary(self) -> dict[str, Any]:
        processed = self.documents - self.errors
        return {
            "documents": self.documents,
            "errors": self.errors,
            "mixed": self.mixed,
            "mixed_share": self.mixed / processed if processed else 0.0,
            "switches_per_document": self.switches / processed if processed else 0.0,
            "characters_in_spans": self.characters,
            "languages_by_characters": {
                lang: round(size / self.characters, 6) for lang, size in self.chars_by_language.most_common()
            } if self.characters else {},
            "languages_by_documents": dict(self.docs_by_language.most_common()),
        }


def _head(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The summary's counts as (label, value, note) rows, shared by the plain and the rich view."""
    return [
        ("documents", f"{summary['documents']:,}", ""),
        ("  with errors", f"{summary['errors']:,}", ""),
        ("  mixed", f"{summary['mixed']:,}", f"({summary['mixed_share']:.1%} of processed)"),
        ("switches / document", f"{summary['switches_per_document']:.2f}", ""),
        ("characters in spans", f"{summary['characters_in_spans']:,}", ""),
    ]


def _languages(summary: dict[str, Any], top: int) -> tuple[list[tuple[str, float, int]], str | None]:
    """The `top` languages by characters as (code, character share, documents as main language), and a
    line saying how many more there are (None when none)."""
    by_chars = summary["languages_by_characters"]
    by_docs = summary["languages_by_documents"]
    ranked = sorted(set(by_chars) | set(by_docs), key=lambda lang: (-by_chars.get(lang, 0.0), lang))
    rows = [(lang, by_chars.get(lang, 0.0), by_docs.get(lang, 0)) for lang in ranked[:top]]
    more = f"... and {len(ranked) - top} more languages (--json lists all)" if len(ranked) > top else None
    return rows, more


def rich_summary(summary: dict[str, Any], top: int = 20) -> Any:
    """The summary as a rich renderable with bars, for a terminal (`format_summary` is the plain text)."""
    from rich.bar import Bar
    from rich.console import Group
    from rich.table import Table

    head = Table.grid(padding=(0, 2))
    for label, value, note in _head(summary):
        head.add_row(label, f"{value}  {note}" if note else value)
    rows, more = _languages(summary, top)
    most_chars = max(summary["languages_by_characters"].values(), default=0.0) or 1.0
    most_docs = max(summary["languages_by_documents"].values(), default=0) or 1
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for name, justify in (("language", "left"), ("chars share", "right"), ("", "left"),
                          ("main lang of docs", "right"), (" ", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for lang, share, docs in rows:
        table.add_row(lang, f"{share:.2%}", Bar(most_chars, 0, share, width=24, color="blue"),
                      f"{docs:,}", Bar(most_docs, 0, docs, width=16, color="cyan"))
    return Group(head, "", table, *([more] if more else []))


def format_summary(summary: dict[str, Any], top: int = 20) -> str:
    """A readable table of `CorpusStats.summary()`."""
    lines = []
    for label, value, note in _head(summary):
        lines.append(f"{label:<20} {value:>12}" + (f"  {note}" if note else ""))
    lines += ["", f"{'language':<10} {'chars share':>12} {'main lang of docs':>18}"]
    rows, more = _languages(summary, top)
    lines += [f"{lang:<10} {share:>12.2%} {docs:>18,}" for lang, share, docs in rows]
    return "\n".join(lines + ([more] if more else []))

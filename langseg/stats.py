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

    def add(self, record: dict[str, Any]) -> None:
        self.documents += 1
        if record.get("error"):
            self.errors += 1
            return
        self.mixed += bool(record.get("mixed"))
        self.docs_by_language[record.get("language", UND)] += 1
        previous = None
        for span in record.get("spans", []):
            size = span["end"] - span["start"]
            self.characters += size
            self.chars_by_language[span["lang"]] += size
            if span["lang"] != UND:
                self.switches += previous is not None and span["lang"] != previous
                previous = span["lang"]

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


def rich_summary(summary: dict[str, Any], top: int = 20) -> Any:
    """The summary as a rich renderable with bars, for a terminal (`format_summary` is the plain text)."""
    from rich.bar import Bar
    from rich.console import Group
    from rich.table import Table

    head = Table.grid(padding=(0, 2))
    head.add_row("documents", f"{summary['documents']:,}")
    head.add_row("  with errors", f"{summary['errors']:,}")
    head.add_row("  mixed", f"{summary['mixed']:,}  ({summary['mixed_share']:.1%} of processed)")
    head.add_row("switches / document", f"{summary['switches_per_document']:.2f}")
    head.add_row("characters in spans", f"{summary['characters_in_spans']:,}")
    by_chars = summary["languages_by_characters"]
    by_docs = summary["languages_by_documents"]
    ranked = sorted(set(by_chars) | set(by_docs), key=lambda lang: (-by_chars.get(lang, 0.0), lang))
    most_chars = max(by_chars.values(), default=0.0) or 1.0
    most_docs = max(by_docs.values(), default=0) or 1
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for name, justify in (("language", "left"), ("chars share", "right"), ("", "left"),
                          ("main lang of docs", "right"), (" ", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for lang in ranked[:top]:
        share, docs = by_chars.get(lang, 0.0), by_docs.get(lang, 0)
        table.add_row(lang, f"{share:.2%}", Bar(most_chars, 0, share, width=24, color="blue"),
                      f"{docs:,}", Bar(most_docs, 0, docs, width=16, color="cyan"))
    parts: list[Any] = [head, "", table]
    if len(ranked) > top:
        parts.append(f"... and {len(ranked) - top} more languages (--json lists all)")
    return Group(*parts)


def format_summary(summary: dict[str, Any], top: int = 20) -> str:
    """A readable table of `CorpusStats.summary()`."""
    lines = [
        f"documents            {summary['documents']:>12,}",
        f"  with errors        {summary['errors']:>12,}",
        f"  mixed              {summary['mixed']:>12,}  ({summary['mixed_share']:.1%} of processed)",
        f"switches / document  {summary['switches_per_document']:>12.2f}",
        f"characters in spans  {summary['characters_in_spans']:>12,}",
        "",
        f"{'language':<10} {'chars share':>12} {'main lang of docs':>18}",
    ]
    by_chars = summary["languages_by_characters"]
    by_docs = summary["languages_by_documents"]
    ranked = sorted(set(by_chars) | set(by_docs), key=lambda lang: (-by_chars.get(lang, 0.0), lang))
    for lang in ranked[:top]:
        lines.append(f"{lang:<10} {by_chars.get(lang, 0.0):>12.2%} {by_docs.get(lang, 0):>18,}")
    if len(ranked) > top:
        lines.append(f"... and {len(ranked) - top} more languages (--json lists all)")
    return "\n".join(lines)

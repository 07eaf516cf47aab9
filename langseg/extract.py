"""Reduce a text to the spans of one language: the step that strips foreign chrome from a corpus. Pure."""

from __future__ import annotations

from .types import Document


def extract_text(text: str, document: Document, lang: str) -> str:
    """`text` reduced to its `lang` spans, each pair joined by the separator that followed the first of them.

    >>> from langseg.types import Span
    >>> text = "Hola.\\n\\nHello there.\\nAdiós.\\n\\nBye now."
    >>> spans = (Span(0, 5, "es", 1.0), Span(7, 19, "en", 1.0), Span(20, 26, "es", 1.0), Span(28, 36, "en", 1.0))
    >>> extract_text(text, Document(len(text), "en", True, {}, spans), "en")
    'Hello there.\\nBye now.'
    """
    spans = document.spans
    pieces: list[str] = []
    separator = ""  # what followed the last kept span in the original text
    for index, span in enumerate(spans):
        if span.lang != lang:
            continue
        if pieces:
            pieces.append(separator)
        pieces.append(text[span.start:span.end])
        following = spans[index + 1].start if index + 1 < len(spans) else len(text)
        separator = text[span.end:following]
    return "".join(pieces)


def language_share(document: Document, lang: str) -> float:
    """The share of the document's spanned characters in `lang` (0.0 when absent)."""
    return document.languages.get(lang, 0.0)


def keep_language(text: str, document: Document, lang: str | None = None, min_share: float = 0.0) -> str | None:
    """`text` reduced to one language (`lang`, or the document's main language when None), or None when
    that language holds less than `min_share` of the document (or is absent): the map step of a pipeline.
    """
    target = document.language if lang is None else lang
    if document.error is not None or language_share(document, target) < max(min_share, 1e-12):
        return None
    return extract_text(text, document, target)

r"""langseg: find the language of every paragraph and split mixed-language documents into exact language spans.

>>> from langseg import segment
>>> text = "Utilizamos cookies para mejorar su experiencia.\n\nThe article itself is written in English, from start to end."
>>> doc = segment(text)
>>> [(span.lang, text[span.start:span.end]) for span in doc.spans]
[('es', 'Utilizamos cookies para mejorar su experiencia.'), ('en', 'The article itself is written in English, from start to end.')]
>>> doc.language, doc.mixed
('en', True)
"""

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public names load on first use, so that `langseg --help` and Ctrl-C at start-up stay quick.
_EXPORTS = {
    "UND": ".types", "Document": ".types", "Span": ".types", "Unit": ".types",
    "Config": ".config",
    "LangsegError": ".errors", "ModelError": ".errors",
    "Segmenter": ".segmenter", "segment": ".segmenter", "segment_many": ".segmenter",
}

__all__ = [
    "UND", "Config", "Document", "LangsegError", "ModelError", "Segmenter", "Span", "Unit",
    "__version__", "segment", "segment_many",
]

if TYPE_CHECKING:
    from .config import Config
    from .errors import LangsegError, ModelError
    from .segmenter import Segmenter, segment, segment_many
    from .types import UND, Document, Span, Unit


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module 'langseg' has no attribute {name!r}")

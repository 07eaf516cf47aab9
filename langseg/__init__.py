r"""langseg: find the language of every paragraph and split mixed-language documents into exact language spans.

>>> from langseg import segment
>>> text = "Utilizamos cookies para mejorar su experiencia.\n\nThe article itself is written in English, from start to end."
>>> doc = segment(text)
>>> [(span.lang, text[span.start:span.end]) for span in doc.spans]
[('es', 'Utilizamos cookies para mejorar su experiencia.'), ('en', 'The article itself is written in English, from start to end.')]
>>> doc.language, doc.mixed
('en', True)
"""

from .config import Config
from .errors import InputError, LangsegError, ModelError
from .segmenter import Segmenter, segment, segment_many
from .types import UND, Document, Span, Unit

__version__ = "0.1.0"

__all__ = [
    "UND",
    "Config",
    "Document",
    "InputError",
    "LangsegError",
    "ModelError",
    "Segmenter",
    "Span",
    "Unit",
    "__version__",
    "segment",
    "segment_many",
]

"""langseg: find the language of every paragraph and split mixed-language documents into exact language spans.

>>> from langseg import segment                       # doctest: +SKIP
>>> segment("Por Ana Pérez\nThe article begins here.").to_dict()["spans"]  # doctest: +SKIP
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

"""Colours for languages, shared by every view: assigned per document in order of appearance, from a
colour-blind-safe palette (Okabe and Ito's), so the languages of one document never share a colour."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import IO

from .types import UND

PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 114, 178),  # blue
    (230, 159, 0),  # orange
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (86, 180, 233),  # sky blue
    (213, 94, 0),  # vermillion
    (240, 228, 66),  # yellow
)
"""Seven colours told apart with any common colour-vision deficiency; a document with more languages
reuses them in order (every span also carries its code as text)."""
NO_LANGUAGE = (128, 128, 128)
"""`und`: grey."""


def assign_colours(languages: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """Each language its colour, in order of first appearance (`und` always grey).

    >>> assign_colours(["ru", "uk", "und", "ru"])
    {'ru': (0, 114, 178), 'uk': (230, 159, 0), 'und': (128, 128, 128)}
    """
    colours: dict[str, tuple[int, int, int]] = {}
    for lang in languages:
        if lang not in colours:
            count = sum(1 for code in colours if code != UND)
            colours[lang] = NO_LANGUAGE if lang == UND else PALETTE[count % len(PALETTE)]
    return colours


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def use_colour(choice: bool | None, stream: IO[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to colour output: as the user chose (`--color/--no-color`), else only on a terminal and
    when `NO_COLOR` is unset or empty (no-color.org)."""
    if choice is not None:
        return choice
    if environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())

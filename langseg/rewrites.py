"""The model's input: each unit's text rewritten, once, by small named steps before it is scored. Only
what the model reads changes; every offset stays the text's own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .config import Config
from .homoglyphs import repair_homoglyphs
from .units import without_names


@dataclass(frozen=True)
class Rewrite:
    """One step: its name (a `Config` switch turns it on) and the `str -> str` function it applies."""

    name: str
    apply: Callable[[str], str]


REWRITES = (
    Rewrite("mask_names", without_names),  # a short unit read without its capitalised non-initial words
    Rewrite("repair_homoglyphs", repair_homoglyphs),  # Latin/Cyrillic lookalikes put back in each word's script
)
"""Every step, in the order applied."""


def rewrites_for(config: Config) -> tuple[Rewrite, ...]:
    """The steps `config` turns on."""
    return tuple(step for step in REWRITES if getattr(config, step.name))


def model_input(text: str, steps: Sequence[Rewrite]) -> str:
    """`text` as the model reads it after `steps`.

    >>> steps = rewrites_for(Config())
    >>> model_input("Por Isabella Nguyen", steps), model_input("декiлька iнших", steps)
    ('Por', 'декілька інших')
    """
    for step in steps:
        text = step.apply(text)
    return text

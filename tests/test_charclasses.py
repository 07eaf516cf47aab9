"""The category classes that let `re` run the patterns over every unit: exactly regex's categories."""

from __future__ import annotations

import re

import pytest
import regex

from langseg.charclasses import category_classes


@pytest.mark.parametrize("category", ["L", "Ll", "Lu"])
def test_a_class_holds_every_character_of_its_category_and_no_other(category: str) -> None:
    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    body, = category_classes(category)
    assert re.findall(f"[{body}]", every) == regex.findall(rf"\p{{{category}}}", every)

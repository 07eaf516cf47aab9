"""How many letters of each script a piece of text holds, counted for many pieces at once."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import langseg.scripts as scripts_module
from langseg.scripts import script_counts

SCRIPTS = ("Latn", "Cyrl", "Hani", "Hira", "Arab", "Deva")
pieces = st.lists(st.text(alphabet=st.sampled_from(list("Ab é Жд 東京 ひら سلام नम 1.,!\u0301")), max_size=30),
                  max_size=12)


@settings(max_examples=200, deadline=None)
@given(pieces, st.integers(1, 40))
def test_counts_are_each_pieces_letters_per_script_however_the_text_is_chunked(texts: list[str],
                                                                               chunk: int) -> None:
    expected = [[len(regex.findall(rf"\p{{sc={script}}}", text)) for script in SCRIPTS] for text in texts]
    saved = scripts_module._CHUNK_CHARACTERS
    scripts_module._CHUNK_CHARACTERS = chunk  # a long document's pieces are counted a chunk at a time
    try:
        counts = script_counts(texts, SCRIPTS)
    finally:
        scripts_module._CHUNK_CHARACTERS = saved
    assert counts.shape == (len(texts), len(SCRIPTS))
    assert counts.tolist() == expected


def test_a_piece_longer_than_a_chunk_is_counted_whole(monkeypatch) -> None:
    monkeypatch.setattr(scripts_module, "_CHUNK_CHARACTERS", 4)
    counts = script_counts(["Hello Привет", "", "東京"], ("Latn", "Cyrl", "Hani"))
    assert counts.tolist() == [[5, 6, 0], [0, 0, 0], [0, 0, 2]]


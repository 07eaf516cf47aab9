"""The Segmenter wires the steps: records keep the contract on any text, and the model loads once, lazily."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

from hypothesis import example, given, settings
from hypothesis import strategies as st

import langseg.scripts as scripts_module
import langseg.unit_labels as unit_labels_module
from langseg.decode import chunks_by_document
from langseg import Document, Segmenter, segment_many
from langseg.scoring import Evidence
from langseg.script_context import script_context
from langseg.spans import dominant_language, is_mixed, language_shares, one_language_map
from langseg.types import UND

from .conftest import KeywordScorer


class TableScorer:
    """A fake model that knows each text's distribution by heart."""

    def __init__(self, table: dict[str, dict[str, float]]) -> None:
        self.table = table

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        return [self.table[text] for text in texts]


WORDS = ["the", "house", "is", "el", "agua", "de", "la", "maison", "est", "das", "Haus", "42", "—", "x"]
SEPARATORS = ["\n", "\n\n", "\r\n", "\n \n", "\n• ", "\n  - ", "\t", ". ", "。", " "]


def check_record(text: str, document: Document) -> None:
    record = document.to_dict()
    assert record["length"] == len(text)
    previous_end = 0
    previous_lang = None
    for span in record["spans"]:
        piece = text[span["start"]:span["end"]]
        assert previous_end <= span["start"] < span["end"] <= len(text)
        assert piece == piece.strip(), "a span begins and ends on non-whitespace"
        assert span["lang"] != previous_lang, "neighbouring spans never share a language"
        assert 0.0 <= span["score"] <= 1.0
        previous_end, previous_lang = span["end"], span["lang"]
    if record["spans"]:
        assert abs(sum(record["languages"].values()) - 1.0) < 1e-9
    else:
        assert record["languages"] == {} and record["language"] == UND
    if record["spans"]:
        assert record["languages"][record["language"]] == max(record["languages"].values())


documents = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(SEPARATORS), st.text(max_size=5)),
                     max_size=60).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_records_keep_the_contract_on_any_text(text: str) -> None:
    check_record(text, Segmenter(scorer=KeywordScorer()).segment(text))


@settings(max_examples=50, deadline=None)
@given(st.lists(documents, max_size=8))
def test_units_scored_a_few_at_a_time_read_as_scored_together(texts: list[str]) -> None:
    # a plain scorer names only the languages of the units it is given: each call's columns differ
    few, all_at_once = Segmenter(scorer=KeywordScorer(), batch_size=2), Segmenter(scorer=KeywordScorer())
    assert few.segment_batch(texts) == all_at_once.segment_batch(texts)


@settings(max_examples=50, deadline=None)
@given(st.lists(documents, max_size=8))
@example(["the \t the", "the \n el das Haus"])  # a short unit read again without its name, by a plain scorer
def test_batch_equals_one_by_one(texts: list[str]) -> None:
    segmenter = Segmenter(scorer=KeywordScorer())
    assert segmenter.segment_batch(texts) == [segmenter.segment(text) for text in texts]


@settings(max_examples=100, deadline=None)
@given(documents)
def test_the_summary_of_a_record_is_that_of_its_spans(text: str) -> None:
    """One-span documents take a shortcut past the share counting; it must give what the counting gives."""
    segmenter = Segmenter(scorer=KeywordScorer())
    document = segmenter.segment(text)
    config = segmenter.config
    assert document.language == dominant_language(document.spans)
    assert document.languages == language_shares(document.spans)
    assert document.mixed == is_mixed(document.spans, config.mixed_min_share, config.mixed_min_chars,
                                      config.mixed_min_score, one_language_map(config.mixed_one_language))


def test_every_non_space_character_of_a_lettered_line_is_covered(fake_segmenter: Segmenter) -> None:
    text = ("El agua de la casa es para la gente de la casa y el agua.\n\n"
            "  • The house is in the water and the people of the house.\r\n"
            "Das Haus ist nicht mit der Leute und das Wasser ist nicht das Haus.")
    document = fake_segmenter.segment(text)
    assert [(text[s.start:s.end][:10], s.lang) for s in document.spans] == [
        ("El agua de", "es"), ("The house ", "en"), ("Das Haus i", "de")]
    assert document.mixed


def test_numbers_and_urls_do_not_break_a_span(fake_segmenter: Segmenter) -> None:
    text = "The house is in the water and the people.\n2024\nhttps://example.org\nThe article is of the people."
    document = fake_segmenter.segment(text)
    assert [(s.start, s.end, s.lang) for s in document.spans] == [(0, len(text), "en")]


def test_text_without_letters_is_und(fake_segmenter: Segmenter) -> None:
    document = fake_segmenter.segment("  12 345\n\n%%  ")
    assert [(s.lang, s.start, s.end) for s in document.spans] == [(UND, 2, 12)]
    assert document.language == UND and not document.mixed


def test_empty_text(fake_segmenter: Segmenter) -> None:
    assert fake_segmenter.segment("").to_dict() == {
        "id": None, "length": 0, "language": UND, "mixed": False, "languages": {}, "spans": []}


def test_an_empty_batch(real_segmenter: Segmenter) -> None:
    assert real_segmenter.segment_batch([]) == []
    assert [d.spans for d in real_segmenter.segment_batch(["", "  \n"])] == [(), ()]


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda s: s.segment(None), TypeError, "segment takes a str, not NoneType"),
    (lambda s: s.segment_batch(["Hola.", b"Hello."], ["a", "b"]), TypeError, "text 1 (id b) is bytes, not str"),
    (lambda s: s.segment_batch("Hola, amigos."), TypeError, "not one text"),
    (lambda s: list(segment_many("Hola, amigos.")), TypeError, "not one text"),
    (lambda s: list(segment_many(["Hola."] * 5 + [None], batch=2, scorer=KeywordScorer())), TypeError,
     "text 5 is NoneType"),
    (lambda s: s.segment_batch(["Hola.", "Hello."], ["only-one"]), ValueError, "2 texts but 1 ids"),
], ids=["None to segment", "bytes in a batch", "one str as a batch", "one str to segment_many", "None in a stream",
        "fewer ids"])
def test_a_wrong_batch_is_refused_with_a_clear_error_not_cut_or_split(fake_segmenter: Segmenter, call, error,
                                                                       message: str) -> None:
    """zip() would drop the texts past the last id, and one str would be taken letter by letter."""
    with pytest.raises(error, match=re.escape(message)):
        call(fake_segmenter)


def test_one_model_call_per_batch(fake_scorer: KeywordScorer) -> None:
    segmenter = Segmenter(scorer=fake_scorer)
    segmenter.segment_batch(["The house.\nEl agua.", "La maison est.", "Das Haus."])
    assert len(fake_scorer.calls) == 1 and len(fake_scorer.calls[0]) == 4


def test_overrides_reach_the_config() -> None:
    segmenter = Segmenter(scorer=KeywordScorer(), switch_cost=7.5, mixed_min_chars=3)
    assert segmenter.config.switch_cost == 7.5 and segmenter.config.mixed_min_chars == 3


@pytest.mark.parametrize("name", ["switch_cost", "clause_switch_cost", "clause_margin", "prior_weight"])
def test_a_whole_number_given_for_a_cost_is_kept_as_a_float(name: str) -> None:
    # a JSON parameter file or a caller writes 4 for 4.0; an int there would make the decoders' arrays ints
    config = Segmenter(scorer=KeywordScorer(), **{name: 1}).config
    assert isinstance(getattr(config, name), float) and getattr(config, name) == 1.0


@pytest.mark.parametrize(("override", "error", "message"), [
    ({"switch_cost": "3"}, TypeError, "switch_cost must be a number >= 0, not '3'"),
    ({"sentence_switch_cost": -1.0}, ValueError, "sentence_switch_cost must be a number >= 0"),
    ({"mixed_min_share": 5}, ValueError, "mixed_min_share must be a number from 0 to 1"),
    ({"floor": float("nan")}, ValueError, "floor must be a number"),
    ({"top_k": 2.5}, TypeError, "top_k must be a whole number >= 1"),
    ({"batch_size": 0}, ValueError, "batch_size must be a whole number >= 1"),
    ({"second_opinion": "off"}, TypeError, "second_opinion must be True or False"),
])
def test_a_value_the_pipeline_would_misuse_is_refused_when_the_segmenter_is_made(override: dict, error: type,
                                                                                  message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        Segmenter(scorer=KeywordScorer(), **override)


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(TypeError, match="switch_costs"):
        Segmenter(scorer=KeywordScorer(), switch_costs=2.0)


def test_pickles_without_the_model_and_reloads_lazily(real_segmenter: Segmenter) -> None:
    blob = pickle.dumps(real_segmenter)
    assert len(blob) < 10_000, "the model must not travel with the pickle"
    clone = pickle.loads(blob)
    assert clone._scorer is None
    text = "Nuestro sitio web utiliza cookies para mejorar su experiencia.\n\nThe rest of this page is in English."
    assert clone.segment(text) == real_segmenter.segment(text)


def test_a_long_document_decodes_in_windows_as_in_one_pass(fake_scorer: KeywordScorer, monkeypatch) -> None:
    lines = ["The house and the water of the people.", "La casa de la gente y el agua.",
             "Das Haus und das Wasser der Leute.", "the", "la", "Une maison pour les gens avec de l'eau."]
    text = "\n".join(lines[(i * 7) % len(lines)] for i in range(400))
    # Costs low enough for the fake model's confident lines to settle the path (windows end there).
    segmenter = Segmenter(scorer=fake_scorer, switch_cost=0.5, sentence_switch_cost=0.5, full_weight_chars=20)
    one_pass = segmenter.segment(text)
    assert len(one_pass.languages) == 4
    monkeypatch.setattr(unit_labels_module, "_DECODE_CHUNK", 16)  # the same text is now a long document
    assert segmenter.segment(text) == one_pass


def test_a_long_word_list_decodes_in_bounded_windows_and_keeps_its_blocks(fake_scorer: KeywordScorer,
                                                                          monkeypatch) -> None:
    """No line of a word list is full-length, so none settles the path; its windows are cut anyway, and the
    list's blocks of languages still come out whole."""
    blocks = [("en", ["the house", "the water", "people"]), ("es", ["la casa", "el agua", "la gente"]),
              ("en", ["the people", "water", "the house"])]
    lines = [words[i % 3] for _, words in blocks for i in range(120)]
    text = "\n".join(lines)
    monkeypatch.setattr(unit_labels_module, "_DECODE_CHUNK", 16)
    monkeypatch.setattr(unit_labels_module, "_LONGEST_WINDOW", 40)
    monkeypatch.setattr(unit_labels_module, "_WINDOWS_TOGETHER", 64)
    document = Segmenter(scorer=fake_scorer).segment(text)
    assert [span.lang for span in document.spans] == [lang for lang, _ in blocks]
    first_spanish = len("\n".join(lines[:120])) + 1
    assert document.spans[1].start == first_spanish


BOKMAL = ("Vi skal ikke reise på ferie i år, fordi bilen er på verksted og billettene til fjellet ble altfor "
          "dyre. Hva synes du om å bli hjemme og male huset i stedet?")
NYNORSK = ("Me skal ikkje reise på ferie i år, fordi bilen står på verkstaden og billettane til fjellet vart "
           "altfor dyre. Kva synest du om å bli heime og måle huset i staden?")


def test_bokmal_beside_nynorsk_keeps_both_codes_but_is_not_mixed(real_segmenter: Segmenter) -> None:
    document = real_segmenter.segment(f"{BOKMAL}\n\n{NYNORSK}")
    assert [span.lang for span in document.spans] == ["no", "nn"]
    assert not document.mixed
    assert Segmenter(mixed_one_language=()).segment(f"{BOKMAL}\n\n{NYNORSK}").mixed


# A site's chrome in one language (a cookie banner) around an article in another, with a heading in the
# chrome's language between the article's paragraphs. All written for these tests.
CHROME_PAGES = {
    "portuguese site, spanish article": (
        "Utilizamos cookies para melhorar a sua experiência de navegação e para mostrar publicidade personalizada.",
        ("El ayuntamiento aprobó ayer el nuevo plan de movilidad, que reducirá el tráfico en el centro de la "
         "ciudad durante los próximos años."),
        "Leia também",
        ("Los vecinos del barrio celebraron la decisión, aunque algunos comerciantes temen perder clientes por "
         "las nuevas restricciones."),
        ["pt", "es", "pt", "es"]),
    "vietnamese site, german article": (
        "Chúng tôi sử dụng cookie để cải thiện trải nghiệm của bạn trên trang web này.",
        ("Der Stadtrat hat gestern den neuen Verkehrsplan beschlossen, der den Autoverkehr in der Innenstadt in "
         "den nächsten Jahren deutlich verringern soll."),
        "Bài viết mới nhất",
        ("Die Anwohner begrüßten die Entscheidung, doch einige Geschäftsleute fürchten, wegen der neuen Regeln "
         "Kunden zu verlieren."),
        ["vi", "de", "vi", "de"]),
}


@pytest.mark.parametrize("page", CHROME_PAGES.values(), ids=list(CHROME_PAGES))
def test_a_heading_in_the_chromes_language_keeps_it_between_article_paragraphs(
        real_segmenter: Segmenter, page: tuple) -> None:
    *blocks, expected = page
    text = "\n\n".join(blocks)
    assert [span.lang for span in real_segmenter.segment(text).spans] == expected
    # The settled-language rule is what lets the short heading pay for its two switches.
    without_rule = Segmenter(settled_switch_factor=1.0, clause_split=False).segment(text)
    assert [span.lang for span in without_rule.spans] == expected[:2]


def _evidence(best: list[str], codes: tuple[str, ...] = ("en", "hr", "ja", "ru", "sr", "zh")) -> Evidence:
    return Evidence.from_distributions([{lang: 0.9} for lang in best], codes)


@pytest.mark.parametrize(
    ("pieces", "best", "changes"),
    [
        # Cyrillic to Latin and back.
        (["Добар дан свима.", "Dobar dan svima.", "Хвала."], ["sr", "hr", "sr"], [False, True, True]),
        # Digits and punctuation have no script: no change across them.
        (["Привет всем.", "2024 — 12:00", "Пока."], ["ru", "en", "ru"], [False, False, False]),
        # Kana and Han count as one script: Japanese lines vary between them.
        (["東京都の人口。", "ひらがなだけです", "Hello there"], ["ja", "zh", "en"], [False, False, True]),
    ],
)
def test_a_change_of_main_script_is_found_between_units(pieces: list[str], best: list[str],
                                                         changes: list[bool]) -> None:
    evidence = _evidence(best)
    docs = np.zeros(len(pieces), dtype=np.int64)
    _penalty, found = script_context(evidence, pieces, docs, np.ones(len(pieces)), cost=5.0)
    assert found.tolist() == changes


def test_script_changes_count_only_where_the_candidates_use_several_scripts() -> None:
    # Both documents alternate scripts, but the first one's candidates are all written in Latin letters.
    pieces = ["Dobar dan.", "Добар дан.", "Hello.", "Добар дан.", "Dobar dan."]
    evidence = _evidence(["hr", "hr", "en", "sr", "hr"])
    docs = np.array([0, 0, 0, 1, 1])
    _penalty, found = script_context(evidence, pieces, docs, np.ones(len(pieces)), cost=5.0)
    assert found.tolist() == [False, False, False, False, True]


def _dense_shares(penalty) -> np.ndarray:
    """Each unit's script shares over every script (zeros for a unit that does not pay)."""
    dense = np.zeros((len(penalty.row_of), penalty.membership.shape[1]))
    paying = penalty.applies
    dense[np.flatnonzero(paying)[:, None], penalty.scripts] = penalty.shares[penalty.row_of[paying]]
    return dense


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Dobar dan.", "Добар дан.", "Hi", "Да", "東京", "2024", "Ok да"]), min_size=1,
                max_size=12),
       st.data())
def test_the_script_penalty_of_some_units_is_theirs_in_the_whole(pieces: list[str], data) -> None:
    best = ["sr" if any("а" <= c <= "я" for c in piece) else "ja" if "東" in piece else "hr" for piece in pieces]
    weights = np.array([0.5 if len(piece) < 6 else 1.0 for piece in pieces])
    penalty, _ = script_context(_evidence(best), pieces, np.zeros(len(pieces), dtype=np.int64), weights, cost=5.0)
    if penalty is None:
        return
    rows = np.array(sorted(data.draw(st.sets(st.integers(0, len(pieces) - 1)))), dtype=np.int64)
    part = penalty.take(rows)
    assert part.applies.tolist() == penalty.applies[rows].tolist()
    assert np.array_equal(_dense_shares(part), _dense_shares(penalty)[rows])
    assert len(part.shares) == int(penalty.applies[rows].sum())  # shares are kept for paying units only


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Dobar dan.", "Добар дан свима, како сте данас?", "Hi", "Да", "東京",
                                           "2024", "Ok да"]), st.integers(0, 2)), min_size=1, max_size=12),
       st.integers(1, 30))
def test_the_script_context_is_the_same_however_the_units_are_counted_in_chunks(units: list, chunk: int) -> None:
    """A long document's units are counted a chunk of characters at a time, keeping only what is needed."""
    units.sort(key=lambda unit: unit[1])  # units come in document order
    pieces, docs = [piece for piece, _ in units], np.array([doc for _, doc in units], dtype=np.int64)
    best = ["sr" if any("а" <= c <= "я" for c in piece) else "ja" if "東" in piece else "hr" for piece in pieces]
    weights = np.array([0.5 if len(piece) < 6 else 1.0 for piece in pieces])
    whole, whole_changes = script_context(_evidence(best), pieces, docs, weights, cost=5.0)
    saved = scripts_module._CHUNK_CHARACTERS
    scripts_module._CHUNK_CHARACTERS = chunk
    try:
        chunked, chunked_changes = script_context(_evidence(best), pieces, docs, weights, cost=5.0)
    finally:
        scripts_module._CHUNK_CHARACTERS = saved
    assert chunked_changes.tolist() == whole_changes.tolist()
    assert (chunked is None) == (whole is None)
    if whole is not None:
        assert np.array_equal(_dense_shares(chunked), _dense_shares(whole))


def test_script_change_factor_lowers_the_switch_cost_at_a_change_of_script() -> None:
    # The Latin unit leans Croatian: at full cost the page stays Serbian, and with the switch free where the
    # script changes, the Latin unit takes its own evidence (no script mismatch cost here, to see the factor alone).
    pieces = ["Добар дан свима, како сте данас?", "Dobar dan svima, kako ste danas?", "Хвала, добро смо."]
    dists = [{"sr": 0.9, "hr": 0.1}, {"hr": 0.55, "sr": 0.45}, {"sr": 0.9, "hr": 0.1}]
    scorer = TableScorer(dict(zip(pieces, dists)))
    text = "\n".join(pieces)
    labels = {}
    for factor in (1.0, 0.0):
        segmenter = Segmenter(scorer=scorer, script_change_factor=factor, switch_cost=1.0, prior_weight=0.0,
                              script_cost=0.0, mask_names=False, second_opinion=False)
        labels[factor] = [span.lang for span in segmenter.segment(text).spans]
    assert labels == {1.0: ["sr"], 0.0: ["sr", "hr", "sr"]}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=40), st.integers(1, 40), st.integers(1, 40))
def test_decoding_chunks_hold_whole_documents_in_order(lengths: list[int], size: int, alone: int) -> None:
    """The batch's documents are decoded a chunk at a time: every unit once, in order, no document cut;
    a chunk of several documents stays within `size` units, and a document longer than `alone` goes alone."""
    docs = np.repeat(np.arange(len(lengths)), lengths)
    rows = np.arange(len(docs)) * 3  # any increasing row numbers
    chunks = chunks_by_document(rows, docs, size, alone)
    assert np.concatenate(chunks).tolist() == rows.tolist()
    for chunk in chunks:
        held = np.unique(docs[chunk // 3])
        assert sum(lengths[d] for d in held) == len(chunk)  # whole documents only
        if len(held) > 1:
            assert len(chunk) <= size and all(lengths[d] <= alone for d in held)

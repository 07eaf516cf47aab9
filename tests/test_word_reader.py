"""The optional word reader (heliport) pooled into the clause split: its arithmetic, its switches, its errors."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from langseg import Segmenter
from langseg.cli import main
from langseg.config import ParameterFileError, _config_from, word_reader_defaults
from langseg.word_reader import PooledScorer, WordReaderMissing, load_identifier, load_reader

from .test_clauses import ONE_LANGUAGE


@pytest.fixture(scope="module")
def pooled(real_segmenter: Segmenter) -> PooledScorer:
    pytest.importorskip("heliport", reason="the heliport extra is not installed")
    model = real_segmenter.scorer.primary
    return PooledScorer(model, load_reader("heliport", model.codes), 0.5)


WORDS = st.sampled_from("Ich habe das gestern gesehen ama çok pahalıydı baina ez dakit noiz 2024 !!".split())


@settings(max_examples=60)
@given(st.lists(WORDS, min_size=1, max_size=12), st.data())
def test_a_range_pools_the_model_with_the_sum_of_its_words_readings(pooled: PooledScorer, words: list[str],
                                                                     data: st.DataObject) -> None:
    text = " ".join(words)
    tokens = pooled.tokens([text])
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    got = pooled.range_log_probs(tokens, np.array([start]), np.array([end]))[0]
    model = pooled.model.range_log_probs(tokens, np.array([start]), np.array([end]))[0]
    if not np.isfinite(model).any():  # no word the model knows: nothing, as the model alone says
        assert not np.isfinite(got).any()
        return
    reader = pooled.reader.log_likelihoods(words[start:end]).sum(axis=0).astype(np.float64)
    known = pooled.reader.known
    reader -= reader[known].max()
    reader[~known] = np.log(np.exp(reader[known]).mean())
    expected = np.where(np.isfinite(model), model, -1e9) + 0.5 * reader
    expected -= np.logaddexp.reduce(expected)
    assert np.allclose(got, expected, atol=1e-4)
    assert np.isclose(np.logaddexp.reduce(got), 0.0, atol=1e-6)


def test_with_no_weight_the_pool_is_the_model_alone(pooled: PooledScorer) -> None:
    alone = PooledScorer(pooled.model, pooled.reader, 0.0)
    tokens = alone.tokens(["Ich habe das gestern gesehen, ama çok pahalıydı."])
    starts, ends = np.array([0, 2, 5]), np.array([8, 5, 8])
    model = pooled.model.range_log_probs(tokens, starts, ends)  # the model's own sum to 1 within 2e-4
    assert np.allclose(alone.range_log_probs(tokens, starts, ends), model, atol=1e-3)


def test_macrolanguage_readings_say_nothing_between_their_members(pooled: PooledScorer) -> None:
    """heliport reads Malay and Indonesian as one (msa), Bosnian, Croatian and Serbian as one (hbs)."""
    codes = pooled.codes
    rows = pooled.reader.log_likelihoods(["pemandangan", "događaje"])
    assert rows[0, codes.index("ms")] == rows[0, codes.index("id")]
    assert rows[1, codes.index("hr")] == rows[1, codes.index("bs")] == rows[1, codes.index("sr")]


@pytest.fixture(scope="module")
def reading() -> Segmenter:
    pytest.importorskip("heliport", reason="the heliport extra is not installed")
    return Segmenter(word_reader="heliport")


@pytest.mark.parametrize(("text", "languages"), [
    ("Parlez-vous français? Ich spreche Französisch nur ein bisschen. A little bit is better than nothing.",
     ["fr", "de", "en"]),
    ("Hola a todos. This is the English part of the text.", ["es", "en"]),
    ("Ich habe das gestern gesehen, ama çok pahalıydı.", ["de", "tr"]),
    ("Das Meeting ist um drei, and please bring the slides with you.", ["de", "en"]),
    ("Je suis arrivé hier soir, and the hotel was already full.", ["fr", "en"]),
    # clauses lid.176 alone reads at 0.77-0.89, under its minimum for a piece (strict xfails in test_clauses)
    ("The menu offers three dishes today: 牛肉麵、餃子和炒飯，都很好吃。", ["en", "zh"]),
    ("Ich finde den Film ziemlich langweilig, aber the soundtrack is absolutely amazing and worth listening to.",
     ["de", "en"]),
    ("Kurze Frage: does anyone know if the update fixes the battery drain? Bei mir hält der Akku nur noch einen "
     "halben Tag.", ["de", "en", "de"]),
])
def test_short_switches_come_out_with_the_reader(reading: Segmenter, text: str, languages: list[str]) -> None:
    assert [span.lang for span in reading.segment(text).spans] == languages


@pytest.mark.parametrize("text", ONE_LANGUAGE)
def test_one_language_stays_one_with_the_reader(reading: Segmenter, text: str) -> None:
    assert len(reading.segment(text).spans) == 1


def test_a_segmenter_with_a_reader_pickles_without_it(reading: Segmenter) -> None:
    reading.segment("Ich habe das gestern gesehen, ama çok pahalıydı.")
    copy = pickle.loads(pickle.dumps(reading))
    assert copy._clauses is None and copy.config.word_reader == "heliport"
    assert copy.segment("Das Meeting ist um drei, and please bring the slides with you.").mixed is not None


def test_the_model_folder_s_values_for_the_reader_apply_and_the_user_s_win() -> None:
    own = word_reader_defaults(None, "heliport")
    assert own, "lid.176.ftz's params.json holds values tuned with heliport"
    segmenter = Segmenter(word_reader="heliport")
    assert all(getattr(segmenter.config, name) == value for name, value in own.items())
    assert Segmenter(word_reader="heliport", clause_margin=1.5).config.clause_margin == 1.5
    assert Segmenter().config.word_reader == ""


def test_an_unknown_reader_is_refused_where_it_is_named() -> None:
    with pytest.raises(ValueError, match="word_reader must be one of 'heliport'"):
        Segmenter(word_reader="lingua")
    with pytest.raises(ParameterFileError, match="unknown word reader 'lingua'"):
        _config_from({"params": {}, "word_readers": {"lingua": {}}}, "models/x/params.json")


def test_a_missing_reader_package_is_one_clear_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "heliport", None)  # import heliport now fails
    load_identifier.cache_clear()
    try:
        with pytest.raises(WordReaderMissing, match=r"pip install -e '\.\[heliport\]'"):
            load_identifier("heliport")
        result = CliRunner().invoke(main, ["detect", "--word-reader", "heliport", "Hola a todos."])
        assert result.exit_code == 1 and "needs the heliport package" in result.output
    finally:
        load_identifier.cache_clear()


def test_explain_says_the_reader_had_a_say_in_a_split(reading: Segmenter) -> None:
    units = reading.explain("Ich habe das gestern gesehen, ama çok pahalıydı.").units
    assert any(unit.pieces and "heliport" in unit.because for unit in units)

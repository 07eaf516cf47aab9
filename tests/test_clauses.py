"""Switches inside a line: clauses, quotes and script runs keep their own language; one-language
sentences are not cut."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from langseg import Segmenter
from langseg.clauses import viterbi_runs


def languages_in_order(segmenter: Segmenter, text: str) -> list[str]:
    return [span.lang for span in segmenter.segment(text).spans if span.lang != "und"]


UNIT_DECODER_ABSORBS = pytest.mark.xfail(strict=True, reason=(
    "a three-word sentence beside a long one in another language: the unit decoder's sentence switch cost "
    "(3.0, still the best held-out value with the real sets in the search) outweighs its evidence"))
BELOW_MIN_PROB = pytest.mark.xfail(strict=True, reason=(
    "the clause reads as its language at 0.77-0.89 on its own, under the tuned minimum (0.9) for a piece: "
    "lid.176 is seldom surer of a clause of eight to ten words, and rescuing such pieces cost the dev set "
    "0.04 of switch F1 (docs/decisions.md)"))


@pytest.mark.model
def test_a_sentence_between_sentences_of_another_language_keeps_its_own(real_segmenter: Segmenter) -> None:
    text = ("We spent the whole weekend at my aunt's house in Manila. Ang sarap ng pagkain at ang saya ng lahat "
            "ng tao doon. Then on Monday we flew back home to Toronto.")
    assert languages_in_order(real_segmenter, text) == ["en", "tl", "en"]


@pytest.mark.model
@pytest.mark.parametrize("text, expected", [
    ("Est-ce que tu viens demain? Ich wollte dich eigentlich fragen, ob wir zusammen zum Bahnhof fahren.",
     ["fr", "de"]),
    ("Kannst du mir sagen, wo der nächste Supermarkt ist? Sorry, I don't speak German very well.", ["de", "en"]),
])
def test_a_short_question_before_a_sentence_of_another_language(real_segmenter: Segmenter, text: str,
                                                                  expected: list[str]) -> None:
    assert languages_in_order(real_segmenter, text) == expected


@pytest.mark.model
@pytest.mark.parametrize("text, expected", [
    pytest.param("Por Ana Pérez. The article begins here.", ["es", "en"], marks=UNIT_DECODER_ABSORBS),
    pytest.param("Hola a todos. This is the English part of the text.", ["es", "en"], marks=UNIT_DECODER_ABSORBS),
    ("Utilizamos cookies propias y de terceros.\n\nThe article starts here and goes on for a while.", ["es", "en"]),
])
def test_the_readme_examples_hold_both_languages(real_segmenter: Segmenter, text: str, expected: list[str]) -> None:
    assert languages_in_order(real_segmenter, text) == expected


@pytest.mark.model
@pytest.mark.parametrize("text, expected", [
    ("Wir haben gestern lange darüber gesprochen, ama sonunda hiçbir karar veremedik ve eve döndük.",
     ["de", "tr"]),
    ("Gestern war ich im Kino und dann he said that the whole movie was a complete waste of time.",
     ["de", "en"]),
    ('Mein Chef meinte nur: "we need to ship this by Friday, no matter what". Das fand ich ziemlich frech.',
     ["de", "en", "de"]),
    ("My grandmother always told us this old proverb: Хто рано встає, тому Бог дає, and she was right.",
     ["en", "uk", "en"]),
    ("We have this old saying in our family, and my father repeats it often: الصبر مفتاح الفرج", ["en", "ar"]),
    ("We have this old saying in germany الله أكبر", ["en", "ar"]),
    pytest.param("The menu offers three dishes today: 牛肉麵、餃子和炒飯，都很好吃。", ["en", "zh"],
                 marks=BELOW_MIN_PROB),
    pytest.param("Ich finde den Film ziemlich langweilig, aber the soundtrack is absolutely amazing and worth "
                 "listening to.", ["de", "en"], marks=BELOW_MIN_PROB),
    pytest.param("Kurze Frage: does anyone know if the update fixes the battery drain? Bei mir hält der Akku nur "
                 "noch einen halben Tag.", ["de", "en", "de"], marks=BELOW_MIN_PROB),
    # a clause of a language the sentence as a whole does not even list among its top three
    ('Er sagte nur "I will be back before the end of the week, I promise" und ging dann nach Hause.',
     ["de", "en", "de"]),
    ('Sie schrieb mir gestern "this is honestly the best thing that happened to me all year" und lachte.',
     ["de", "en", "de"]),
    # a short unit of names that changes script
    ("English German French - Английский язык", ["en", "ru"]),
    ("Italiano Spagnolo Tedesco - Итальянский язык", ["it", "ru"]),
])
def test_a_switch_inside_a_sentence_is_found(real_segmenter: Segmenter, text: str, expected: list[str]) -> None:
    assert languages_in_order(real_segmenter, text) == expected


ONE_LANGUAGE = [
    "The committee met on Tuesday and agreed, after a long and sometimes heated debate, to postpone the vote.",
    "Der Ausschuss hat sich am Dienstag getroffen und nach langer Diskussion die Abstimmung verschoben.",
    "El comité se reunió el martes y, tras un largo debate, acordó aplazar la votación hasta la primavera.",
    "Komite Salı günü toplandı ve uzun bir tartışmanın ardından oylamayı bahara ertelemeye karar verdi.",
    "Комитет собрался во вторник и после долгого обсуждения решил отложить голосование до весны.",
    "Batzordea asteartean bildu zen eta eztabaida luze baten ondoren bozketa udaberrira atzeratzea erabaki zuen.",
]


@pytest.mark.model
@pytest.mark.parametrize("text, kept, lang", [
    ("Han var född i en liten by i norr och flyttade senare till staden, där han dog 1 December 1979 i Umeå.",
     "December 1979", "sv"),
    ("Kemarin kami menginap di Filio Studios & Apartments. Tempatnya bersih dan murah sekali.", "Apartments", "id"),
])
def test_a_date_or_a_name_does_not_split_off_as_another_language(real_segmenter: Segmenter, text: str, kept: str,
                                                                   lang: str) -> None:
    # without its capitalised words and numbers, what is left of the piece ("i", "&") prefers nothing
    at = text.index(kept)
    [span] = [span for span in real_segmenter.segment(text).spans if span.start <= at < span.end]
    assert span.lang == lang


@pytest.mark.model
@pytest.mark.parametrize("text", ONE_LANGUAGE)
def test_a_sentence_in_one_language_is_not_cut(real_segmenter: Segmenter, text: str) -> None:
    assert len(real_segmenter.segment(text).spans) == 1


@pytest.mark.model
def test_clause_spans_keep_exact_offsets(real_segmenter: Segmenter) -> None:
    text = "  Ich habe das gestern gesehen, ama çok pahalıydı ve ben almadım.  \n"
    spans = real_segmenter.segment(text).spans
    assert [span.lang for span in spans] == ["de", "tr"]
    assert text[spans[0].start:spans[0].end] == "Ich habe das gestern gesehen,"
    assert text[spans[1].start:spans[1].end] == "ama çok pahalıydı ve ben almadım."


@pytest.mark.model
def test_the_split_can_be_turned_off(real_segmenter: Segmenter) -> None:
    whole = Segmenter(config=real_segmenter.config.with_(clause_split=False))
    text = "Wir haben gestern lange darüber gesprochen, ama sonunda hiçbir karar veremedik ve eve döndük."
    assert len(whole.segment(text).spans) == 1


@given(columns=st.lists(st.lists(st.integers(0, 2), min_size=1, max_size=12), min_size=1, max_size=6),
       cost=st.floats(0.0, 5.0))
def test_token_viterbi_finds_the_best_path_of_each_unit(columns: list[list[int]], cost: float) -> None:
    """Against brute force: each unit's path maximises its emissions minus the switches (a start outside
    column 0 counts as one)."""
    rng = np.random.default_rng(len(columns))
    counts = np.array([len(unit) for unit in columns])
    emissions = rng.normal(size=(int(counts.sum()), 3))
    path = viterbi_runs(emissions, counts, cost)
    first = 0
    for count in counts.tolist():
        block = emissions[first:first + count]
        chosen = path[first:first + count]

        def value(cols) -> float:
            switches = int(cols[0] != 0) + sum(a != b for a, b in zip(cols, cols[1:]))
            return float(block[np.arange(count), cols].sum()) - cost * switches

        best = max(value(np.array(cols)) for cols in np.ndindex(*(3,) * count)) if count <= 6 else None
        if best is not None:
            assert value(chosen) == pytest.approx(best)
        first += count

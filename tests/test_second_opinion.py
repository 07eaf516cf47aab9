"""The second opinion: languages lid.176 has no label for are found, and the languages it knows stay its own."""

from __future__ import annotations

from typing import Any

import pytest

from langseg import Document, Segmenter
from langseg.scoring import Evidence
from langseg.second_opinion import RULES, Cld2Opinion, Reading, WithSecondOpinion

MISSING_FROM_LID176 = ["st", "tn", "ts", "lg", "sn", "xh", "zu", "mi"]


def needs_the_error(erring: bool, what: str) -> None:
    """A rule's test needs the model's error the rule mends; a model (or CLD2) version that no longer makes
    it leaves nothing to mend, so the test skips instead of asserting a third-party model's mistake."""
    if not erring:
        pytest.skip(f"nothing to mend: {what} no longer happens")


def spans_of(dev_docs: list[dict], lang: str) -> list[str]:
    """Real paragraphs of `lang` from the shared dev set (read at test time, never copied here)."""
    texts = []
    for doc in dev_docs:
        if doc.get("category") in ("mono", "bilingual", "multi"):
            for span in doc["spans"]:
                if span["lang"] == lang and span["end"] - span["start"] > 200:
                    texts.append(doc["text"][span["start"]:span["end"]])
    return texts[:3]


@pytest.mark.parametrize("lang", MISSING_FROM_LID176)
def test_a_language_lid176_lacks_is_found(lang: str, dev_docs: list[dict], real_segmenter: Segmenter) -> None:
    texts = spans_of(dev_docs, lang)
    if not texts:
        pytest.skip(f"no long {lang} span in the dev set")
    assert lang not in real_segmenter.scorer.primary.languages  # type: ignore[attr-defined]
    for text in texts:
        document = real_segmenter.segment(text)
        assert document.language == lang, text[:80]


def test_such_a_language_inside_english_chrome(dev_docs: list[dict], real_segmenter: Segmenter) -> None:
    [zulu, *_] = spans_of(dev_docs, "zu")
    chrome = "We use cookies to improve your experience on our website and to show you relevant content."
    text = f"{chrome}\n\n{zulu}\n\nThanks for reading, and see you again tomorrow morning."
    document = real_segmenter.segment(text)
    langs = [span.lang for span in document.spans]
    assert langs[0] == "en" and langs[-1] == "en"
    assert "zu" in langs and set(langs[1:-1]) <= {"zu", "xh"}  # Nguni neighbours: a sentence may read as Xhosa
    assert document.mixed


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Der Wetterbericht für morgen sagt Regen in den Bergen und Sonne an der Küste voraus.", "de"),
        ("Il treno per Milano parte alle otto e mezza dal binario numero tre.", "it"),
        ("Pociąg do Krakowa odjeżdża o wpół do dziewiątej z peronu trzeciego.", "pl"),
    ],
)
def test_known_languages_stay_with_fasttext(text: str, lang: str, real_segmenter: Segmenter) -> None:
    without = Segmenter(second_opinion=False)
    assert real_segmenter.segment(text).spans == without.segment(text).spans


def right_characters(doc: dict, document: Document, lang: str) -> int:
    """The non-space characters of `doc`'s gold `lang` spans that `document` also labels `lang`."""
    labels = [None] * len(doc["text"])
    for span in document.spans:
        labels[span.start:span.end] = [span.lang] * (span.end - span.start)
    return sum(labels[i] == lang and not doc["text"][i].isspace()
               for gold in doc["spans"] if gold["lang"] == lang for i in range(gold["start"], gold["end"]))


@pytest.mark.parametrize("lang", ["hi", pytest.param("mr", marks=pytest.mark.xfail(strict=True, reason=(
    "CLD2 tells the two apart no better than fastText: as referee it turns a Marathi line of a Hindi/Marathi "
    "page Hindi (33 characters of dev-bilingual-028). A rule keeping the pair from the referee earned less "
    "than the tuning spread and was removed")))])
def test_hindi_and_marathi_close_calls_stay_with_fasttext(lang: str, dev_docs: list[dict],
                                                          real_segmenter: Segmenter) -> None:
    # On every dev page holding either, lid.176's own right characters stand with the second opinion.
    alone = Segmenter(second_opinion=False)
    pages = [doc for doc in dev_docs if any(span["lang"] == lang for span in doc["spans"])]
    assert pages
    for doc in pages:
        with_second = right_characters(doc, real_segmenter.segment(doc["text"]), lang)
        assert with_second >= right_characters(doc, alone.segment(doc["text"]), lang), doc["id"]


def test_a_word_fasttext_says_nothing_about_gets_cld2s_language(real_segmenter: Segmenter) -> None:
    """The quantised lid.176 pruned the character n-grams of many short CJK words: it returns no label."""
    heading = "概览"
    needs_the_error(real_segmenter.scorer.primary.evidence([heading]).ids[0, 0] < 0,  # type: ignore[attr-defined]
                    "the model returning no label for the heading")
    text = ("Друзья встретились вечером у старого моста и долго говорили о будущем.\n"
            f"{heading}\n"
            "Потом они пошли домой по тихой улице, где уже горели фонари.")
    document = real_segmenter.segment(text)
    assert [span.lang for span in document.spans] == ["ru", "zh", "ru"]


def with_cld2(known: set[str]) -> WithSecondOpinion:
    """The admission rule over real CLD2, for a stand-in model that knows `known` (limits as lid.176's
    are about: unsure below 0.5, failing below 0.45)."""
    class Known:
        codes = tuple(sorted(known))
        languages = frozenset(known)

    model: Any = Known()
    return WithSecondOpinion(model, below=0.5, weight=0.7, second=Cld2Opinion(frozenset(known)), known_below=0.45,
                             lacking_below=0.9, referee=True)


SILENT = Reading(best=0.0, probability={}, close_call_with=None, long_enough=False)


@pytest.mark.parametrize("text", ["3.1.4 de Software.", "Version 2.0 del Manual.", "Sprawdź Windows Update."])
def test_cld2s_best_effort_english_never_overrules_fasttext(text: str) -> None:
    """CLD2 calls these English, reliably; a language fastText knows may come from CLD2, but not English."""
    scorer = with_cld2({"en", "es", "pl", "tl"})
    answer = scorer.second.answer(text)
    needs_the_error(answer is not None and answer[0] == "en" and answer[2], "CLD2 calling it English, reliably")
    failing = Reading(best=0.3, probability={"es": 0.3, "pl": 0.2}, close_call_with=None, long_enough=False)
    assert scorer.admitted(answer, failing) is None
    entered = scorer.admitted(answer, SILENT)  # fastText had nothing: any language CLD2 names will do
    assert entered is not None and (entered.language, entered.rule) == ("en", "silent")


@pytest.mark.parametrize("text, lang", [
    ("La condición a<b se cumple siempre que el valor de b sea mayor, dijo la profesora.", "es"),
    ("Ich hab dich <3 so lieb, und morgen fahren wir endlich zusammen an den See.", "de"),
])
def test_cld2_reads_a_less_than_sign_as_text_not_as_the_start_of_an_html_tag(text: str, lang: str) -> None:
    """Units are plain text: CLD2's HTML mode would skip what follows a "<" and misread the rest."""
    answer = Cld2Opinion(known=frozenset({"en"})).answer(text)
    assert answer is not None and answer[0] == lang and answer[1] > 0.95


def test_cld2s_pseudo_languages_are_never_an_answer() -> None:
    """Klingon is the one CLD2 pseudo-language with a language code: it is never named."""
    scorer = with_cld2({"en"})
    assert "tlh" not in scorer.second.all_languages
    assert not any(code.startswith(("xx", "zz")) for code in scorer.second.all_languages)
    assert scorer.admitted(scorer.second.answer("tlhIngan Hol Dajatlh'a'?"), SILENT) is None


@pytest.mark.parametrize("best, rule", [(0.3, "failing"), (0.8, None)])
def test_a_reliable_cld2_answer_may_name_a_language_fasttext_knows_where_fasttext_fails(best: float,
                                                                                       rule: str | None) -> None:
    scorer = with_cld2({"en", "tl"})
    answer = scorer.second.answer("Bumili si Carmela ng bagong bisikleta para sa kanyang anak.")
    assert answer is not None and answer[0] == "tl" and answer[2]
    entered = scorer.admitted(answer, Reading(best=best, probability={"en": best}, close_call_with=None,
                                              long_enough=True))
    assert (entered.rule if entered else None) == rule


class TablePrimary:
    """A stand-in for fastText: fixed evidence per text, over two languages it knows."""

    codes = ("en", "lv")
    languages = frozenset(codes)

    def __init__(self, table: dict[str, dict[str, float]]) -> None:
        self.table = table

    def evidence(self, texts: list[str]) -> Evidence:
        return Evidence.from_distributions([self.table[text] for text in texts], self.codes, 2)


class TableOpinion:
    """A stand-in for CLD2 that knows Māori and Zulu besides the primary's languages."""

    languages = frozenset({"mi", "zu"})
    all_languages = frozenset({"en", "lv", "mi", "zu"})
    over_the_model = frozenset({"lv", "mi", "zu"})
    reliable_from_letters = 20

    def __init__(self, table: dict[str, tuple[str, float]]) -> None:
        self.table = table

    def answer(self, text: str) -> tuple[str, float, bool] | None:
        found = self.table.get(text)  # (language, share) is a reliable answer; a third item says otherwise
        return (*found, True) if found and len(found) == 2 else found


def best_languages(evidence: Evidence) -> list[str]:
    return [evidence.codes[row[0]] for row in evidence.ids.tolist()]


LACKING_TEXTS = {
    "unsure, really Maori": ({"en": 0.4, "lv": 0.3}, ("mi", 0.95)),
    "fairly sure Latvian, really Maori": ({"lv": 0.8, "en": 0.1}, ("mi", 0.95)),
    "fairly sure Latvian, CLD2 unsure of Maori": ({"lv": 0.8, "en": 0.1}, ("mi", 0.95, False)),
    "fairly sure English, CLD2 says Latvian": ({"en": 0.8, "lv": 0.1}, ("lv", 0.9)),
    "certain English": ({"en": 0.995, "lv": 0.005}, ("mi", 0.9)),
    "short, Maori": ({"lv": 0.8, "en": 0.1}, ("mi", 0.95)),
}


def table_scorer(texts: dict[str, tuple[dict[str, float], tuple]], **rounds: object) -> WithSecondOpinion:
    """The second opinion over fake models that know `texts` by heart: text -> (fastText's distribution,
    CLD2's answer); `rounds` sets the optional rounds' limits."""
    primary = TablePrimary({text: dist for text, (dist, _) in texts.items()})
    opinion = TableOpinion({text: answer for text, (_, answer) in texts.items()})
    return WithSecondOpinion(primary, below=0.5, weight=0.9, second=opinion, **rounds)  # type: ignore[arg-type]


def test_a_fairly_sure_unit_takes_a_language_the_model_lacks_when_cld2_names_it_reliably() -> None:
    texts = list(LACKING_TEXTS)
    assert best_languages(table_scorer(LACKING_TEXTS).evidence(texts)) == ["mi", "lv", "lv", "en", "en", "lv"]
    # Up to 0.99, a reliable answer naming a language the model lacks enters; an unreliable one, one
    # naming a language the model knows, or one about a text too short to trust it does not; a unit
    # surer than the limit is not asked.
    widened = table_scorer(LACKING_TEXTS, lacking_below=0.99).evidence(texts)
    assert best_languages(widened) == ["mi", "mi", "lv", "en", "en", "lv"]


def test_the_lacking_round_brings_back_maori_fasttext_reads_as_another_language(dev_docs: list[dict],
                                                                                real_segmenter: Segmenter) -> None:
    """Real Māori paragraphs from the dev set: fastText reads some sentences as English or Latvian
    (macrons) with fair confidence, where CLD2 reliably reads Māori."""
    texts = spans_of(dev_docs, "mi") + [t for doc in dev_docs if doc["category"] == "multi"
                                        for t in [doc["text"]] if any(s["lang"] == "mi" for s in doc["spans"])]
    without = Segmenter(second_opinion_lacking_below=0.0)

    def maori_characters(segmenter: Segmenter) -> int:
        return sum(span.end - span.start for text in texts for span in segmenter.segment(text).spans
                   if span.lang == "mi")

    assert maori_characters(real_segmenter) > maori_characters(without)


FAROESE = [
    "Tórshavn er høvuðsstaðurin í Føroyum, og har búgva fleiri fólk enn í nøkrum øðrum býi í landinum.",
    "Skipini sigla hvønn dag millum oyggjarnar, tá ið veðrið loyvir tí, og nógv ferðafólk eru við.",
]
ICELANDIC = [
    "Reykjavík er höfuðborg Íslands og stærsta borg landsins, þar sem flestir íbúarnir búa.",
    "Margir ferðamenn koma á veturna til að sjá norðurljósin yfir fjöllunum fyrir utan borgina.",
]


def test_faroese_which_lid176_reads_as_icelandic_is_found(real_segmenter: Segmenter) -> None:
    primary = real_segmenter.scorer.primary  # type: ignore[attr-defined]
    assert "fo" not in primary.languages
    chrome = "We use cookies to improve your experience on our website."
    document = real_segmenter.segment("\n\n".join([chrome, FAROESE[0], "Share this story with your friends."]))
    assert [span.lang for span in document.spans] == ["en", "fo", "en"]


@pytest.mark.parametrize("text, read_as, lang", [
    ("Aloha kākou, e komo mai i ko mākou hale, he hale kēia no nā keiki a pau.", "lv", "haw"),
    ("Ụlọ akwụkwọ anyị dị nso n'ahịa.", "vi", "ig"),
])
def test_a_language_lid176_lacks_and_reads_as_another_is_found(text: str, read_as: str, lang: str,
                                                               real_segmenter: Segmenter) -> None:
    needs_the_error(Segmenter(second_opinion_lacking_below=0.0).segment(text).language == read_as,
                    f"lid.176 reading it as {read_as}")
    assert real_segmenter.segment(text).language == lang


@pytest.mark.xfail(strict=True, reason="lid.176 reads these at 0.91 and 0.97, above lacking_below (0.9): asking "
                                       "CLD2 up to 0.99 finds them and scores the same on every set, but asks "
                                       "about half of all lines instead of a fifth (+11 % time)")
@pytest.mark.parametrize("text, lang", [(FAROESE[1], "fo"), ("ኣነ ካብ ኣስመራ እየ፣ ሕጂ ኣብ ዓዲ ጣልያን እነብር ኣለኹ።", "ti")])
def test_a_language_lid176_lacks_and_reads_surely_as_another_is_found(text: str, lang: str,
                                                                      real_segmenter: Segmenter) -> None:
    assert real_segmenter.segment(text).language == lang


@pytest.mark.parametrize("lang, sentences", [
    ("is", ICELANDIC),
    ("lv", ["Rīga ir Latvijas galvaspilsēta un lielākā pilsēta Baltijas valstīs.",
            "Vasarā daudzi cilvēki brauc uz jūru atpūsties un peldēties."]),
    ("am", ["እኔ ከአዲስ አበባ ነኝ፣ አሁን በጣሊያን እኖራለሁ።", "እንዴት ነህ? በጣም አመሰግናለሁ።"]),
])
def test_the_languages_such_text_is_read_as_stay_themselves(lang: str, sentences: list[str],
                                                            real_segmenter: Segmenter) -> None:
    assert real_segmenter.segment("\n".join(sentences)).languages == {lang: 1.0}


YORUBA = ["Ẹ kú àárọ̀, ṣé dáadáa ni?", "Mo fẹ́ jẹ ẹ̀wà àti dòdò lónìí."]
VIETNAMESE = ["Hôm nay trời đẹp, chúng tôi đi dạo ở công viên.", "Chị ấy đọc sách mỗi tối."]


@pytest.mark.xfail(strict=True, reason="lid.176 knows Yoruba yet reads it with its dotted letters as Irish or "
                                       "Catalan at 0.46-0.49, above the second opinion's known_below; no "
                                       "rule for marked letters earned its keep on the dev set")
def test_yoruba_with_its_dotted_letters_is_found(real_segmenter: Segmenter) -> None:
    assert [real_segmenter.segment(text).language for text in YORUBA] == ["yo", "yo"]


@pytest.mark.parametrize("text", VIETNAMESE)
def test_vietnamese_which_writes_the_same_letters_stays_vietnamese(text: str, real_segmenter: Segmenter) -> None:
    assert real_segmenter.segment(text).language == "vi"


REFEREE_TEXTS = {
    "close call, CLD2 picks the runner-up": ({"en": 0.5, "lv": 0.4}, ("lv", 0.95)),
    "close call, CLD2 unsure of the runner-up": ({"en": 0.5, "lv": 0.4}, ("lv", 0.95, False)),
    "close call, CLD2 names English": ({"lv": 0.5, "en": 0.4}, ("en", 0.95)),
    "close call, CLD2 names a third language": ({"en": 0.5, "lv": 0.4}, ("mi", 0.95)),
    "no close call": ({"en": 0.8, "lv": 0.1}, ("lv", 0.95)),
}


@pytest.mark.parametrize("referee, expected", [
    (False, ["en", "en", "lv", "en", "en"]),
    (True, ["lv", "en", "lv", "en", "en"]),
])
def test_cld2_referees_close_calls_when_it_reliably_names_the_runner_up(referee: bool, expected: list[str]) -> None:
    # English is CLD2's default guess and never wins a referee's call.
    scorer = table_scorer(REFEREE_TEXTS, referee=referee)
    assert best_languages(scorer.evidence(list(REFEREE_TEXTS))) == expected


def test_a_close_call_cld2_was_asked_about_already_is_not_asked_again() -> None:
    scorer = table_scorer({"unsure, close": ({"en": 0.45, "lv": 0.4}, ("lv", 0.95))}, referee=True)
    asked = []
    answer = scorer.second.answer
    scorer.second.answer = lambda text: asked.append(text) or answer(text)  # type: ignore[method-assign]
    assert best_languages(scorer.evidence(["unsure, close"])) == ["lv"]
    assert asked == ["unsure, close"]  # the first round (under 0.5) asked; the referee reused its answer


RULE_TEXTS = {
    "fastText reads nothing of it": ({}, ("en", 0.9, False), "silent"),
    "unsure, CLD2 unsure of Maori": ({"en": 0.4, "lv": 0.3}, ("mi", 0.95, False), "lacking"),
    "fairly sure Latvian, really Maori": ({"lv": 0.8, "en": 0.1}, ("mi", 0.95), "lacking, reliably"),
    "unsure English, surely Latvian": ({"en": 0.4, "lv": 0.05}, ("lv", 0.9), "failing"),
    "close call, CLD2 picks the runner-up": ({"en": 0.5, "lv": 0.4}, ("lv", 0.95), "close call"),
    "unsure English, CLD2 unsure of Latvian": ({"en": 0.4, "lv": 0.05}, ("lv", 0.9, False), None),
    "certain English": ({"en": 0.995, "lv": 0.005}, ("mi", 0.9), None),
}


@pytest.mark.parametrize("text", list(RULE_TEXTS))
def test_each_answer_that_enters_names_the_one_rule_that_let_it_in(text: str) -> None:
    scorer = table_scorer({key: value[:2] for key, value in RULE_TEXTS.items()},
                          known_below=0.45, lacking_below=0.99, referee=True)
    [opinion] = scorer.opinions([text])
    _, (language, *_), rule = RULE_TEXTS[text]
    if rule is None:
        assert opinion is None
    else:
        assert (opinion.rule, opinion.language) == (rule, language) and rule in RULES


def test_explain_says_which_rule_of_the_second_opinion_decided(real_segmenter: Segmenter) -> None:
    [unit] = real_segmenter.explain("Ons moet die huis skoonmaak voor die gaste kom.").units
    assert unit.language == "af" and unit.model[0][0] == "nl"
    assert unit.because.endswith(RULES["close call"])


@pytest.mark.parametrize("sentence, misread_as, lang", [
    ("Утре ще вали сняг.", "uk", "bg"),
    ("Ons moet die huis skoonmaak voor die gaste kom.", "nl", "af"),
    ("Ons eet vanaand by my ouers.", "en", "af"),
])
def test_a_sentence_lid176_misreads_by_a_close_call_gets_its_language_from_the_referee(
        sentence: str, misread_as: str, lang: str, real_segmenter: Segmenter) -> None:
    needs_the_error(Segmenter(second_opinion_referee=False).segment(sentence).language == misread_as,
                    f"lid.176 reading it as {misread_as}")
    assert real_segmenter.segment(sentence).language == lang

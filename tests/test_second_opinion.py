"""The second opinion: languages lid.176 has no label for are found, and the languages it knows stay its own."""

from __future__ import annotations

import pytest

from langseg import Segmenter

MISSING_FROM_LID176 = ["st", "tn", "ts", "lg", "sn", "xh", "zu", "mi"]


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


def test_a_word_fasttext_says_nothing_about_gets_cld2s_language(real_segmenter: Segmenter) -> None:
    """The quantised lid.176 pruned the character n-grams of many short CJK words: it returns no label."""
    heading = "概览"
    assert real_segmenter.scorer.primary.evidence([heading]).ids[0, 0] < 0  # type: ignore[attr-defined]
    text = ("Друзья встретились вечером у старого моста и долго говорили о будущем.\n"
            f"{heading}\n"
            "Потом они пошли домой по тихой улице, где уже горели фонари.")
    document = real_segmenter.segment(text)
    assert [span.lang for span in document.spans] == ["ru", "zh", "ru"]

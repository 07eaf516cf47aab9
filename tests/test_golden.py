"""Golden cases on the real default model: our own texts in several languages and layouts, spans pinned."""

from __future__ import annotations

import json

import pytest

from langseg import Segmenter

from .conftest import DATA

GOLDEN = json.loads((DATA / "golden.json").read_text("utf-8"))


@pytest.mark.parametrize("case", GOLDEN, ids=[case["name"] for case in GOLDEN])
def test_golden_case(case: dict, real_segmenter: Segmenter) -> None:
    text = case["text"]
    document = real_segmenter.segment(text)
    assert [[text[s.start:s.end], s.lang] for s in document.spans] == case["spans"]
    assert document.mixed is case["mixed"]


def test_byline_between_spanish_lines_is_spanish(real_segmenter: Segmenter) -> None:
    text = ("Las lluvias de esta semana han llenado los embalses de la región por primera vez en años.\n\n"
            "Por Isabella Nguyen\n\n"
            "Los agricultores esperan ahora una buena cosecha de trigo y de cebada en el otoño.")
    document = real_segmenter.segment(text)
    assert [(s.lang, s.start, s.end) for s in document.spans] == [("es", 0, len(text))]


def test_seed_page_gives_its_six_gold_spans(dev_docs: list[dict], real_segmenter: Segmenter) -> None:
    seed = next(doc for doc in dev_docs if doc["id"] == "seed-000")
    spans = real_segmenter.segment(seed["text"]).spans
    assert [{"start": s.start, "end": s.end, "lang": s.lang} for s in spans] == seed["spans"]

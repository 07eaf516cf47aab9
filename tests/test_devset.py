"""The shared dev set, scored by the shared scorer: the core's accuracy floor."""

from __future__ import annotations

import importlib.util
import json

import pytest

from langseg import Segmenter

from .conftest import SCORER_SCRIPT

FLOORS = {"char_acc_micro": 0.85, "switch_f1": 0.85, "mixed_f1": 0.95}


def load_scorer():
    spec = importlib.util.spec_from_file_location("langseg_dev_scorer", SCORER_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dev_result(dev_docs: list[dict], real_segmenter: Segmenter) -> dict:
    documents = real_segmenter.segment_batch([d["text"] for d in dev_docs], [d["id"] for d in dev_docs])
    records = [json.loads(json.dumps(doc.to_dict())) for doc in documents]
    return {"records": records, "score": load_scorer().score(dev_docs, records)}


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_dev_set_meets_the_floor(dev_result: dict, metric: str) -> None:
    value = dev_result["score"]["overall"][metric]
    assert value >= FLOORS[metric], f"{metric} {value:.3f} is below {FLOORS[metric]}"


def test_every_dev_record_keeps_the_contract(dev_docs: list[dict], dev_result: dict) -> None:
    from .test_segmenter import check_record

    assert [r["id"] for r in dev_result["records"]] == [d["id"] for d in dev_docs]
    assert dev_result["score"]["warnings"] == {}
    for doc, record in zip(dev_docs, dev_result["records"]):
        assert set(record) == {"id", "length", "language", "mixed", "languages", "spans"}
        check_record(doc["text"], _as_document(record))


def _as_document(record: dict):
    from langseg import Document, Span

    return Document(id=record["id"], length=record["length"], language=record["language"], mixed=record["mixed"],
                    languages=record["languages"], spans=tuple(Span(**s) for s in record["spans"]))


def test_the_whole_dev_set_as_one_document_keeps_its_languages(dev_docs: list[dict], real_segmenter: Segmenter,
                                                                monkeypatch) -> None:
    """Laid end to end, the dev set is one long document in 75 languages: it decodes in windows, and
    agrees with a single pass over it on all but a handful of characters."""
    import langseg.unit_labels as unit_labels_module

    text = "\n\n".join(doc["text"] for doc in dev_docs[:150])
    windowed = real_segmenter.segment(text)
    monkeypatch.setattr(unit_labels_module, "_DECODE_CHUNK", 10**9)  # one pass over every unit
    one_pass = real_segmenter.segment(text)

    def labels(document) -> list:
        out = [None] * len(text)
        for span in document.spans:
            out[span.start:span.end] = [span.lang] * (span.end - span.start)
        return out

    differing = sum(a != b for a, b in zip(labels(windowed), labels(one_pass)))
    assert differing <= len(text) // 1000
    def main_languages(document) -> set:
        return {lang for lang, share in document.languages.items() if share >= 0.002}

    assert main_languages(windowed) == main_languages(one_pass)

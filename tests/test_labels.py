"""Labels of lid.176, GlotLID, OpenLID and BCP 47 all become ISO 639-1 where one exists, else ISO 639-3."""

from __future__ import annotations

import pytest

from langseg.labels import normalise_label


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("__label__en", "en"), ("__label__ceb", "ceb"), ("__label__war", "war"), ("__label__iw", "he"),
        ("__label__eng_Latn", "en"), ("__label__spa_Latn", "es"), ("__label__cmn_Hani", "zh"),
        ("__label__zho_Hans", "zh"), ("__label__arb_Arab", "ar"), ("__label__pes_Arab", "fa"),
        ("__label__zsm_Latn", "ms"), ("__label__nob_Latn", "nb"), ("__label__nno_Latn", "nn"),
        ("__label__zul_Latn", "zu"), ("__label__sot_Latn", "st"), ("__label__lug_Latn", "lg"),
        ("__label__nso_Latn", "nso"), ("__label__tl", "tl"), ("pt-BR", "pt"), ("__label__und", "und"),
        ("__label__zxx_Zxxx", "und"),
    ],
)
def test_labels_normalise(label: str, code: str) -> None:
    assert normalise_label(label) == code


def test_model_overrides_win() -> None:
    assert normalise_label("__label__als", {"als": "gsw"}) == "gsw"
    assert normalise_label("__label__tgl_Latn", {"tgl": "tl"}) == "tl"

"""The model call: a threshold at the decoder's floor makes fastText faster and changes no decision."""

from __future__ import annotations

import numpy as np
import pytest

from langseg import Segmenter
from langseg.decode import decode_evidence
from langseg.models import ResolvedModel, resolve
from langseg.scoring import PRUNED, FastTextScorer
from langseg.second_opinion import WithSecondOpinion

FLOOR = 0.0005

UNITS = [
    "The committee met on Tuesday and agreed to postpone the vote until spring.",
    "El comité se reunió el martes y acordó aplazar la votación hasta la primavera.",
    "Der Ausschuss hat sich am Dienstag getroffen und die Abstimmung verschoben.",
    "Výbor se sešel v úterý a rozhodl se hlasování odložit až na jaro.",
    "委員会は火曜日に会合を開き、投票を春まで延期することにした。",
    "Mis acciones",
    "Inicio",
    "Storia",
    "Kamati ilikutana Jumanne na kukubaliana kuahirisha kura hadi masika.",
    "ok",
]


@pytest.fixture(scope="module")
def model(real_segmenter: Segmenter) -> ResolvedModel:
    return resolve("lid.176.ftz")


def scorer(model: ResolvedModel, threshold: float = 0.0) -> FastTextScorer:
    return FastTextScorer(model.path, 5, model.label_overrides, threshold=threshold)


def test_a_threshold_keeps_every_entry_above_it_and_marks_the_rest_as_pruned(model: ResolvedModel) -> None:
    full = scorer(model).evidence(UNITS)
    cut = scorer(model, FLOOR).evidence(UNITS)
    above = full.probs >= FLOOR
    assert (cut.ids[above] == full.ids[above]).all()
    assert (cut.probs[above] == full.probs[above]).all()
    assert (cut.ids[~above & (full.ids >= 0)] == PRUNED).all()
    assert (cut.ids[:, 0] == full.ids[:, 0]).all()  # a best language is never cut
    assert (cut.ids == PRUNED).any(), "these units should leave some language below the threshold"


@pytest.mark.parametrize("threshold, applied", [(FLOOR, FLOOR), (0.005, 0.005), (1 / 176, 0.0), (0.01, 0.0)])
def test_a_threshold_that_could_cut_a_best_language_is_not_applied(model: ResolvedModel, threshold: float,
                                                                   applied: float) -> None:
    # lid.176 has 176 labels: a best language has at least 1/176 of the mass.
    assert scorer(model, threshold).threshold == applied


@pytest.mark.parametrize("prior_weight", [0.0, 0.5])
@pytest.mark.parametrize("layout", ["one document", "one document a unit", "pairs"])
def test_pruned_entries_decode_as_the_probabilities_they_stand_for(model: ResolvedModel, layout: str,
                                                                   prior_weight: float) -> None:
    full = scorer(model).evidence(UNITS)
    cut = scorer(model, FLOOR).evidence(UNITS)
    count = len(UNITS)
    docs = {"one document": np.zeros(count), "one document a unit": np.arange(count),
            "pairs": np.arange(count) // 2}[layout].astype(np.int64)
    weights = np.linspace(0.3, 1.0, count)
    costs = np.full(count, 1.5)
    arguments = {"floor": FLOOR, "prior_weight": prior_weight, "settled_switch_factor": 0.6, "settled_min_prob": 0.9}
    labels_full, confidences_full = decode_evidence(full, docs, weights, costs, **arguments)
    labels_cut, confidences_cut = decode_evidence(cut, docs, weights, costs, **arguments)
    assert labels_cut.tolist() == labels_full.tolist()
    assert np.allclose(confidences_cut, confidences_full, rtol=0, atol=FLOOR)


def test_the_default_segmenter_asks_with_its_floor_and_writes_what_an_uncut_model_writes(
        real_segmenter: Segmenter, model: ResolvedModel) -> None:
    primary = real_segmenter.scorer.primary  # type: ignore[attr-defined]
    assert primary.threshold == real_segmenter.config.floor
    uncut = Segmenter(scorer=WithSecondOpinion.from_config(scorer(model),
                                                          real_segmenter.config))
    texts = ["\n".join(UNITS), "\n\n".join(UNITS[1::2]), "Inicio\nMis acciones\n" + UNITS[0] + " " + UNITS[1]]
    assert real_segmenter.records(texts) == uncut.records(texts)


def test_the_second_opinion_keeps_the_pruned_entries(real_segmenter: Segmenter) -> None:
    combined = real_segmenter.scorer
    assert isinstance(combined, WithSecondOpinion)
    pruned = (combined.primary.evidence(UNITS).ids == PRUNED).sum(axis=1)
    assert pruned.any()
    assert (combined.evidence(UNITS).ids == PRUNED).sum(axis=1).tolist() == pruned.tolist()


@pytest.fixture(scope="module")
def three_label_model(tmp_path_factory: pytest.TempPathFactory):
    """A tiny fastText model with three labels (fewer than the top 5 asked for), trained here."""
    import fasttext

    folder = tmp_path_factory.mktemp("tiny")
    lines = ["__label__en the house is big and the cat sleeps by the door",
             "__label__es la casa es grande y el gato duerme junto a la puerta",
             "__label__de das haus ist gross und die katze schlaeft an der tuer"] * 40
    (folder / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = fasttext.train_supervised(input=str(folder / "train.txt"), loss="hs", dim=8, epoch=5, minn=2,
                                      maxn=3, seed=1, thread=1, verbose=0)
    model.save_model(str(folder / "tiny.bin"))
    return folder / "tiny.bin"


@pytest.mark.parametrize("threshold", [0.0, 0.3])
def test_a_model_with_fewer_labels_than_asked_for_marks_only_what_the_threshold_cut(three_label_model,
                                                                                    threshold: float) -> None:
    evidence = FastTextScorer(three_label_model, top_k=5, threshold=threshold).evidence(["the cat", "la casa"])
    assert (evidence.ids[:, 3:] == -1).all()  # there is no fourth or fifth language to list
    listed = evidence.ids[:, :3]
    assert ((listed >= 0) | (listed == PRUNED)).all()
    assert ((listed == PRUNED) == (threshold > 0) & (evidence.probs[:, :3] == 0)).all()
    assert ((evidence.probs[:, :3] >= threshold) | (listed == PRUNED)).all()

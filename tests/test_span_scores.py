"""Additive scoring: every label's probability for any span equals what the official fastText predicts.

The reference is the `fasttext` package itself (its compiled `multilinePredict`), on the default model
(quantised, hierarchical softmax) and on small models trained here: softmax with word bigrams, and
one-vs-all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langseg.errors import ModelError
from langseg.fasttext_file import read_model
from langseg.scoring import FastTextScorer
from langseg.span_scores import KEYED_LONGEST, SpanScorer, code_points, token_bounds, word_keys

from .conftest import DEV_SET

fasttext = pytest.importorskip("fasttext")

TOLERANCE = 2e-4

TRAINING = {
    "en": "the house is big and the cat sleeps by the door while the rain falls on the roof",
    "es": "la casa es grande y el gato duerme junto a la puerta mientras cae la lluvia",
    "de": "das haus ist gross und die katze schlaeft an der tuer waehrend der regen faellt",
    "fr": "la maison est grande et le chat dort pres de la porte pendant que la pluie tombe",
}

WRITTEN = [
    "The committee met on Tuesday and agreed to postpone the vote until spring.",
    "El comité se reunió el martes y acordó aplazar la votación hasta la primavera.",
    "Der Ausschuss hat sich am Dienstag getroffen und die Abstimmung verschoben.",
    "委員会は火曜日に会合を開き、投票を春まで延期することにした。",
    "Mis acciones", "Storia", "ok", "", "   ", "\t\x00\x0b", "!!! ???", "Ünïcödé wörds — «quoted» …",
    "la casa the house das Haus", "x" * 300, "emoji 🙂🙂 and ZWJ 👩‍🔬 text",
]


_TRAIN = """
import sys, json, fasttext
settings = json.loads(sys.argv[2])
for attempt in range(10):  # fastText 0.9.3 reports "Encountered NaN" on some tiny runs
    try:
        fasttext.train_supervised(input=sys.argv[1], **settings).save_model(sys.argv[3])
        break
    except RuntimeError:
        if attempt == 9:
            raise
"""


def train(folder: Path, name: str, **options) -> Path:
    """A small model trained by the official fastText, in a process of its own."""
    lines = []
    for round_ in range(500):
        for lang, sentence in TRAINING.items():
            words = sentence.split()
            lines.append(f"__label__{lang} " + " ".join(words[round_ % 5:] + words[:round_ % 5]))
    data = folder / f"{name}.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = {"dim": 8, "epoch": 10, "lr": 0.1, "minn": 2, "maxn": 4, "bucket": 20000, "seed": 1, "thread": 1,
                "verbose": 0, **options}
    path = folder / f"{name}.bin"
    subprocess.run([sys.executable, "-c", _TRAIN, str(data), json.dumps(settings), str(path)], check=True,
                   timeout=120)
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, real_segmenter) -> dict[str, Path]:
    from langseg.models import resolve

    folder = tmp_path_factory.mktemp("trained")
    return {
        "lid.176.ftz": resolve("lid.176.ftz").path,
        "softmax, word bigrams": train(folder, "softmax2", loss="softmax", wordNgrams=2),
        "softmax, word trigrams": train(folder, "softmax3", loss="softmax", wordNgrams=3),
        "one-vs-all": train(folder, "ova", loss="ova"),
        "hierarchical softmax, word bigrams": train(folder, "hs2", loss="hs", wordNgrams=2, minn=3, maxn=3),
    }


def reference(path: Path, texts: list[str]) -> tuple[list[list[str]], list[np.ndarray]]:
    import fasttext_pybind

    model = fasttext_pybind.fasttext()
    model.loadModel(str(path))
    labels = len(model.getLabels("replace")[0])
    return model.multilinePredict(texts, labels, 0.0, "replace")


def assert_matches_fasttext(path: Path, texts: list[str]) -> None:
    engine = SpanScorer(read_model(path))
    ours = np.exp(engine.score_texts(texts))
    column = {label: j for j, label in enumerate(engine.labels)}
    their_labels, their_probs = reference(path, texts)
    for text, row, labels, probs in zip(texts, ours, their_labels, their_probs):
        if not labels:  # fastText reads no word it has rows for: no evidence
            assert not row.any(), text
            continue
        assert np.abs(row[[column[label] for label in labels]] - probs).max() < TOLERANCE, text


def dev_lines(limit: int) -> list[str]:
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} is not beside this checkout")
    lines: list[str] = []
    with open(DEV_SET, encoding="utf-8") as handle:
        for line in handle:
            lines += [piece for piece in json.loads(line)["text"].splitlines() if piece.strip()]
    return lines[:limit]


MODELS = ["lid.176.ftz", "softmax, word bigrams", "softmax, word trigrams", "one-vs-all",
          "hierarchical softmax, word bigrams"]


@pytest.mark.model
@pytest.mark.parametrize("name", MODELS)
def test_every_label_matches_fasttext_on_written_texts(models: dict[str, Path], name: str) -> None:
    assert_matches_fasttext(models[name], WRITTEN)


@pytest.mark.model
@pytest.mark.parametrize("name", MODELS)
def test_every_label_matches_fasttext_on_thousands_of_dev_lines(models: dict[str, Path], name: str) -> None:
    assert_matches_fasttext(models[name], dev_lines(3000))


def fastText_text() -> st.SearchStrategy[str]:
    """Any Unicode text fastText reads as one line: no newline (fastText stops at it), no surrogates (they
    cannot cross into C++), no `</s>` or `__label__` tokens (fastText's own markers)."""
    alphabet = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n")
    words = st.text(alphabet, max_size=12).filter(lambda w: "</s>" not in w and "__label__" not in w)
    return st.lists(words, max_size=12).map(" ".join)


@pytest.mark.model
@given(texts=st.lists(fastText_text(), min_size=1, max_size=20))
def test_every_label_matches_fasttext_on_random_unicode(models: dict[str, Path], texts: list[str]) -> None:
    for name in ("lid.176.ftz", "softmax, word bigrams"):
        assert_matches_fasttext(models[name], texts)


@pytest.fixture(scope="module")
def engines(models: dict[str, Path]) -> dict[str, SpanScorer]:
    return {name: SpanScorer(read_model(path)) for name, path in models.items()}


@pytest.mark.model
@given(text=fastText_text(), cuts=st.lists(st.integers(0, 40), max_size=4), data=st.data())
def test_a_token_range_scores_as_its_text_predicted_whole(engines: dict[str, SpanScorer], text: str,
                                                         cuts: list[int], data) -> None:
    name = data.draw(st.sampled_from(["lid.176.ftz", "softmax, word trigrams", "one-vs-all"]))
    engine = engines[name]
    tokens = engine.tokens([text])
    bounds = sorted({0, len(tokens), *(min(cut, len(tokens)) for cut in cuts)})
    starts, ends = np.array(bounds[:-1]), np.array(bounds[1:])
    if not len(starts):
        return
    by_range = engine.log_probs(*engine.hidden(tokens, starts, ends))
    pieces = [text[tokens.starts[a]:tokens.ends[b - 1]] for a, b in zip(starts, ends)]
    whole = engine.score_texts(pieces)
    assert np.array_equal(np.isinf(by_range), np.isinf(whole))
    finite = np.isfinite(whole)
    assert np.allclose(by_range[finite], whole[finite], atol=1e-6)


@given(text=st.text(st.sampled_from("ab \t\x00\x0b\x0c\r\nç😀"), max_size=30))
def test_tokens_are_the_runs_between_fasttexts_separators(text: str) -> None:
    starts, ends = token_bounds(text)
    words = [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
    assert words == text.replace("\x00", " ").replace("\x0b", " ").replace("\x0c", " ").split()


@given(st.lists(st.text(st.sampled_from("abcé😀"), min_size=1, max_size=70), min_size=1, max_size=12))
def test_words_share_a_key_exactly_when_they_are_equal_and_long_words_have_none(words: list[str]) -> None:
    text = " ".join(words)
    starts, ends = token_bounds(text)
    keys = word_keys(code_points(text), starts, ends).tolist()
    for word, key in zip(words, keys):
        assert (key == 0) == (len(word) > KEYED_LONGEST)
    keyed = {(word, key) for word, key in zip(words, keys) if key}
    assert len({word for word, _ in keyed}) == len({key for _, key in keyed})


@pytest.mark.model
def test_the_word_table_stays_within_its_bound_and_scores_alike(models: dict[str, Path]) -> None:
    model = read_model(models["lid.176.ftz"])
    small, large = SpanScorer(model, max_words=50), SpanScorer(model)
    lines = dev_lines(400)
    for first in range(0, len(lines), 40):
        batch = lines[first:first + 40]
        assert np.allclose(small.score_texts(batch), large.score_texts(batch), equal_nan=True)
        assert len(small.table) <= 50


@pytest.mark.model
def test_a_word_too_long_to_keep_is_scored_each_time_and_never_kept(models: dict[str, Path]) -> None:
    engine = SpanScorer(read_model(models["lid.176.ftz"]))
    long_word = "Donaudampfschifffahrts" * 4
    assert len(long_word) > KEYED_LONGEST
    texts = [f"die {long_word} fährt heute", "die Fähre fährt heute"]
    first, again = engine.score_texts(texts), engine.score_texts(texts)
    assert np.array_equal(first, again)
    assert len(engine.table) == 4  # die, fährt, heute and Fähre: not the long word
    assert_matches_fasttext(models["lid.176.ftz"], texts)


@pytest.mark.model
def test_labels_that_share_a_code_add_up(models: dict[str, Path]) -> None:
    scorer = FastTextScorer(models["softmax, word bigrams"], label_overrides={"fr": "es"})
    probs = scorer.probabilities(["la casa es grande", "le chat dort"])
    assert scorer.codes == ("de", "en", "es")
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)


@pytest.mark.parametrize("damage", ["empty", "truncated", "wrong magic", "word vectors", "huge wordNgrams"])
def test_a_damaged_model_file_is_a_one_line_error(models: dict[str, Path], tmp_path: Path, damage: str) -> None:
    data = models["softmax, word bigrams"].read_bytes()
    broken = {"empty": b"", "truncated": data[: len(data) // 2], "wrong magic": b"\0\0\0\0" + data[4:],
              "word vectors": data[:8] + data[8:36] + (2).to_bytes(4, "little") + data[40:],
              "huge wordNgrams": data[:28] + (2**24).to_bytes(4, "little") + data[32:]}[damage]
    path = tmp_path / "model.bin"
    path.write_bytes(broken)
    with pytest.raises(ModelError) as error:
        read_model(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


@pytest.mark.model
@settings(max_examples=300)
@given(data=st.data())
def test_a_fuzzed_model_file_loads_or_is_a_model_error(models: dict[str, Path], tmp_path_factory, data) -> None:
    """Flipped bytes and cut files never crash, hang or exhaust the reader: they load, or raise ModelError."""
    name = data.draw(st.sampled_from(["softmax, word bigrams", "lid.176.ftz"]))
    original = bytearray(models[name].read_bytes())
    flips = data.draw(st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), min_size=1, max_size=6))
    for position, value in flips:
        original[position] = value
    cut = data.draw(st.one_of(st.just(len(original)), st.integers(0, len(original))))
    path = tmp_path_factory.mktemp("fuzz") / "model.bin"
    path.write_bytes(bytes(original[:cut]))
    try:
        model = read_model(path)
    except ModelError as error:
        assert "\n" not in str(error)
        return
    SpanScorer(model).score_texts(["la casa es grande", "the cat sleeps"])

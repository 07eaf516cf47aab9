"""Shared fixtures: a fake scorer for logic tests and the real default model for end-to-end ones."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import settings

from langseg import Segmenter
from langseg.scoring import Distribution

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_SET = SHARED / "bench" / "dev.jsonl"
SCORER_SCRIPT = SHARED / "bench" / "score.py"
DATA = Path(__file__).resolve().parent / "data"

# No test is timed: Hypothesis's per-example deadline would make a loaded machine fail a correct test.
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")


class KeywordScorer:
    """A tiny stand-in model: each known word votes for its language; unknown words vote for nothing.

    Confidence grows with the share of votes, so short or mixed texts come out unsure, like a real model.
    """

    VOCABULARY = {
        "en": "the and is of to in this that with article people house water",
        "es": "el la de que y en los por una para casa agua gente",
        "fr": "le les des est et une pour dans avec maison eau gens",
        "de": "der die das und ist nicht mit ein eine haus wasser leute",
    }

    def __init__(self) -> None:
        self.words = {word: lang for lang, words in self.VOCABULARY.items() for word in words.split()}
        self.calls: list[Sequence[str]] = []

    def score(self, texts: Sequence[str]) -> list[Distribution]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            assert "\n" not in text and "\r" not in text, "a newline must never reach the model"
            votes: dict[str, int] = {}
            for word in text.lower().replace(".", " ").replace(",", " ").split():
                if word in self.words:
                    votes[self.words[word]] = votes.get(self.words[word], 0) + 1
            total = sum(votes.values())
            if not total:
                out.append({"en": 0.3, "es": 0.25, "fr": 0.25, "de": 0.2})
                continue
            out.append({lang: 0.05 + 0.9 * count / total for lang, count in votes.items()})
        return out


@pytest.fixture
def fake_scorer() -> KeywordScorer:
    return KeywordScorer()


@pytest.fixture
def fake_segmenter(fake_scorer: KeywordScorer) -> Segmenter:
    return Segmenter(scorer=fake_scorer)


@pytest.fixture(scope="session")
def real_segmenter() -> Segmenter:
    """The default model (lid.176.ftz), fetched into the cache on first use."""
    segmenter = Segmenter()
    segmenter.scorer  # noqa: B018 - load once for the session
    return segmenter


@pytest.fixture(scope="session")
def dev_docs() -> list[dict]:
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} is not beside this checkout")
    with open(DEV_SET, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]

"""The scoring engine against fastText's own prediction, on the units langseg scores, and the whole
command against the naive per-line script, on two corpora: the dev set repeated (words repeat, as in a
crawl) and a fresh-vocabulary copy of it where almost no word repeats (each word's letters shuffled and
given a random tail), so that the engine's cold path -- hashing and looking up new words -- is measured.
The engine is timed twice a round: with a new word table (every word new to it once) and again with
the words it has just seen (a long run over a crawl, where words repeat).

    python benchmarks/span_scores.py            # prints times and ratios; variants alternate each round
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

import fasttext_pybind

from alternating import cost_arguments

from langseg.fasttext_file import read_model
from langseg.models import resolve
from langseg.span_scores import SpanScorer
from langseg.units import add_units, has_language

ROOT = Path(__file__).resolve().parents[1]


def units_of(texts: list[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        starts, ends, lines = array("q"), array("q"), array("q")
        add_units(text, starts, ends, lines)
        out += [text[a:b] for a, b in zip(starts, ends) if has_language(text[a:b])]
    return out


def fresh_words(text: str, rng: random.Random) -> str:
    """`text` with every word's letters shuffled and a random tail added: the same scripts and lengths,
    almost no word seen before."""
    def one(word: str) -> str:
        letters = list(word)
        rng.shuffle(letters)
        return "".join(letters) + rng.choice(word) + str(rng.randrange(1000))
    return "\n".join(" ".join(one(word) for word in line.split(" ") if word) for line in text.split("\n"))


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    args = cost_arguments(__doc__ or "", repeat=3)
    with open(args.dev, encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    rng = random.Random(0)
    corpora = {
        "resampled dev": [d["text"] for d in docs] * args.copies,
        "fresh vocabulary": [fresh_words(d["text"], rng) for d in docs * args.copies],
    }
    path = resolve(None).path
    model = read_model(path)
    reference = fasttext_pybind.fasttext()
    reference.loadModel(str(path))
    print(f"model {path.name}; {args.copies} copies of {args.dev.name}; best of {args.repeat} alternating rounds")
    with tempfile.TemporaryDirectory() as scratch:
        for name, texts in corpora.items():
            units = units_of(texts)
            best = {"engine, new word table": float("inf"), "engine, words known": float("inf"),
                    "fastText top 5": float("inf")}

            def engine_run(engine: SpanScorer) -> None:
                for i in range(0, len(units), 2048):
                    engine.score_texts(units[i:i + 2048])

            for _ in range(args.repeat):
                engine = SpanScorer(model)  # a new word table: every word is new to it once
                best["engine, new word table"] = min(best["engine, new word table"], timed(lambda: engine_run(engine)))
                best["engine, words known"] = min(best["engine, words known"], timed(lambda: engine_run(engine)))
                best["fastText top 5"] = min(best["fastText top 5"], timed(
                    lambda: [reference.multilinePredict(units[i:i + 2048], 5, 0.0, "replace")
                             for i in range(0, len(units), 2048)]))
            source = Path(scratch) / f"{name.replace(' ', '-')}.jsonl"
            with open(source, "w", encoding="utf-8") as out:
                for i, text in enumerate(texts):
                    out.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
            commands = {
                "naive per-line script": [sys.executable, str(ROOT / "benchmarks" / "naive_per_line.py"), str(path),
                                          str(source), str(Path(scratch) / "naive.jsonl")],
                "langseg tag": [sys.executable, "-m", "langseg", "tag", str(source), "--quiet",
                                "-o", str(Path(scratch) / "tagged.jsonl")],
            }
            for label in commands:
                best[label] = float("inf")
            for _ in range(args.repeat):
                for label, command in commands.items():
                    best[label] = min(best[label], timed(lambda: subprocess.run(command, check=True)))
            print(f"\n{name}: {len(texts):,} documents, {len(units):,} units, "
                  f"{sum(map(len, texts)) / 1e6:.1f} M characters")
            for label, seconds in best.items():
                print(f"  {label:28s} {seconds:8.2f} s")
            for label in ("engine, new word table", "engine, words known"):
                print(f"  {label} / fastText top 5 {best[label] / best['fastText top 5']:8.2f}")
            print(f"  langseg tag / naive script   {best['langseg tag'] / best['naive per-line script']:8.2f}")
    print("\ncommand: python benchmarks/span_scores.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

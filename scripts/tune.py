"""Tune the decoding parameters of a model on the dev set with cross-validation, and calibrate span scores.

Each fold's parameters are searched on the other folds only; the numbers reported are those of every
document decoded with parameters that never saw it (held-out numbers). The parameters written to
`models/lid.176.ftz/params.json` are then searched on the whole set, and the score calibration is fitted on the
held-out predictions.

    python scripts/tune.py                    # report held-out numbers, change nothing
    python scripts/tune.py --write            # also write models/lid.176.ftz/params.json
    python scripts/tune.py --model glotlid-v3 --params-out /tmp/glotlid-params.json --write
    python scripts/tune.py --flag-rule-only   # only the mixed-flag rule, on the shipped parameters
                                              # (the folds still run: the rule must hold on them too)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset import CachingOpinion, CachingScorer, folds, load_dev, load_scorer_module  # noqa: E402

from langseg import Config, Segmenter  # noqa: E402
from langseg.config import tuned_defaults  # noqa: E402
from langseg.models import knowledge_name  # noqa: E402
from langseg.scoring import FastTextScorer  # noqa: E402
from langseg.second_opinion import Cld2Opinion, WithSecondOpinion  # noqa: E402
from langseg.spans import is_mixed, one_language_map  # noqa: E402
from langseg.types import Span  # noqa: E402

MODELS = Path(__file__).resolve().parents[1] / "models"

# The search space: (low, high, log scale).
SPACE = {
    "switch_cost": (0.2, 4.0, True),
    "sentence_switch_cost": (0.3, 8.0, True),
    "full_weight_chars": (10, 300, True),
    "min_weight": (0.01, 0.5, True),
    "floor": (1e-4, 3e-2, True),
    "prior_weight": (0.0, 1.5, False),
    "confidence_power": (0.0, 2.0, False),
    "script_cost": (0.0, 12.0, False),
    "weight_power": (0.3, 1.5, False),
    "second_opinion_below": (0.2, 0.6, False),
    "second_opinion_known_below": (0.0, 0.5, False),
    "second_opinion_weight": (0.3, 1.0, False),
    "settled_switch_factor": (0.2, 1.0, False),
}
INTEGER = {"full_weight_chars"}
MONO_LIMIT = 0.02


def objective(result: dict) -> float:
    """What the search maximises: switch points (overall, and the hard inline and short layouts),
    characters, mixed documents (spurious switches in monolingual documents cost switch precision) and
    the language set at 5 % (issue #4's target, which the second opinion's parameters serve)."""
    overall, by = result["overall"], result["by_category"]
    return (0.4 * overall["switch_f1"]
            + 0.1 * by.get("inline", overall)["switch_f1"]
            + 0.1 * by.get("short", overall)["switch_f1"]
            + 0.2 * overall["char_acc_micro"]
            + 0.2 * overall["mixed_f1"]
            + 0.1 * overall["langset_thr_frac"])


def choose_mixed_rule(docs: list[dict], predictions: list[dict], score_module, calibration,
                      held_out: list[dict] | None = None) -> tuple[float, int, float, dict]:
    """The `mixed` flag rule (share, characters, span score) with the best flag F1 among those that flag
    at most 2 % of monolingual documents (the rule only reads spans: no decoding needed), on
    `predictions` and also on the `held_out` ones when given (spans decoded with parameters that never
    saw their documents: a rule at the edge of the limit in-sample crosses it there). Ties go to the
    rule flagging fewer monolingual documents, then to the larger character minimum."""
    gold_mixed = []
    for doc in docs:
        labels = score_module.label_array(doc["text"], doc["spans"])
        positions = [i for i, lab in enumerate(labels) if lab is not None and not doc["text"][i].isspace()]
        gold_mixed.append(score_module.is_mixed(score_module.shares(labels, positions), 0.05))
    mono = [i for i, doc in enumerate(docs) if doc.get("category") == "mono"]
    best: tuple = ((-1.0, 0.0, 0), 0.05, 20, 0.0, {})
    fallback = (2.0, -1.0, 0.05, 20, 0.0, {})  # the rule with the fewest flagged monolingual documents

    def calibrated(records: list[dict]) -> list[list[Span]]:
        return [[Span(s["start"], s["end"], s["lang"], float(np.interp(s["score"], *calibration)))
                 for s in record["spans"]] for record in records]

    spans = calibrated(predictions)
    held_out_spans = calibrated(held_out) if held_out is not None else None
    # Character minimums stay small: a short document (two headlines) must be able to be mixed, and 40
    # code points are already two sentences of Chinese (tests/data/golden.json).
    one_language = one_language_map(Config().mixed_one_language)
    for share, chars, min_score in itertools.product((0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.1, 0.15),
                                                     (0, 10, 20), (0.0, 0.5, 0.7, 0.8, 0.9, 0.95)):
        flags = [is_mixed(doc_spans, share, chars, min_score, one_language) for doc_spans in spans]
        tp = sum(f and g for f, g in zip(flags, gold_mixed))
        fp = sum(f and not g for f, g in zip(flags, gold_mixed))
        fn = sum(g and not f for f, g in zip(flags, gold_mixed))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        mono_rate = sum(flags[i] for i in mono) / len(mono) if mono else 0.0
        report = {"flag_f1": round(f1, 4), "mono_flagged": round(mono_rate, 4)}
        within = mono_rate <= MONO_LIMIT
        if within and held_out_spans is not None:
            held_out_rate = sum(is_mixed(held_out_spans[i], share, chars, min_score, one_language)
                                for i in mono) / len(mono)
            report["mono_flagged_held_out"] = round(held_out_rate, 4)
            within = held_out_rate <= MONO_LIMIT
        if within and (f1, -mono_rate, chars) > best[0]:
            best = ((f1, -mono_rate, chars), share, chars, min_score, report)
        if (mono_rate, -f1) < (fallback[0], -fallback[1]):
            fallback = (mono_rate, f1, share, chars, min_score, report)
    if best[0][0] < 0:
        return (*fallback[2:5], {**fallback[5], "note": "no rule flags at most 2 % of mono documents"})
    return best[1], best[2], best[3], best[4]


class Evaluator:
    def __init__(self, docs: list[dict], scorer: CachingScorer, score_module) -> None:
        self.docs = docs
        self.scorer = scorer
        self.opinion = CachingOpinion(Cld2Opinion(scorer.languages))
        self.score = score_module.score
        self.calls = 0

    def scorer_for(self, config: Config):
        if not config.second_opinion:
            return self.scorer
        return WithSecondOpinion.from_config(self.scorer, config, self.opinion)

    def predict(self, config: Config, indices: list[int]) -> list[dict]:
        segmenter = Segmenter(config=config, scorer=self.scorer_for(config))
        chosen = [self.docs[i] for i in indices]
        documents = segmenter.segment_batch([d["text"] for d in chosen], [d["id"] for d in chosen])
        return [document.to_dict() for document in documents]

    def evaluate(self, config: Config, indices: list[int]) -> tuple[float, dict]:
        self.calls += 1
        result = self.score([self.docs[i] for i in indices], self.predict(config, indices))
        return objective(result), result


MIN_GAIN = 0.001
"""A move is kept only if it raises the objective by this much: one switch point of a 200-document fold
is worth about 0.0007, and smaller gains are the fold's noise (chasing them sent one fold's search to a
second-opinion threshold that cost the other fold's monolingual pages)."""


def search(evaluator: Evaluator, start: Config, indices: list[int], rounds: int, seed: int) -> Config:
    """Coordinate search from `start`: each parameter in turn tries a few moves, keeping the ones that
    gain at least `MIN_GAIN`."""
    rng = np.random.default_rng(seed)
    best = start
    best_value, _ = evaluator.evaluate(best, indices)
    for round_number in range(rounds):
        names = list(SPACE)
        rng.shuffle(names)
        scale = 0.5 / (round_number + 1)
        for name in names:
            for candidate_value in _moves(getattr(best, name), name, scale):
                candidate = replace(best, **{name: candidate_value})
                value, _ = evaluator.evaluate(candidate, indices)
                if value > best_value + MIN_GAIN:
                    best, best_value = candidate, value
    return best


def _moves(value: float, name: str, scale: float) -> list[float]:
    low, high, log = SPACE[name]
    if log:
        points = [value * math.exp(step) for step in (-2 * scale, -scale, scale, 2 * scale)]
    else:
        span = (high - low) * scale
        points = [value - span, value - span / 2, value + span / 2, value + span]
    points = [min(high, max(low, p)) for p in points]
    if name in INTEGER:
        points = [float(round(p)) for p in points]
    return sorted({p for p in points if p != value})


def fit_calibration(raw: np.ndarray, correct: np.ndarray, weight: np.ndarray, bins: int = 20) -> tuple[list, list]:
    """A monotone map from raw span score to the share of correct characters: bins of equal width (the
    rare low scores keep their own bins), then pool-adjacent-violators."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    blocks = []
    for low, high in zip(edges, edges[1:]):
        inside = (raw >= low) & ((raw < high) if high < 1.0 else (raw <= high))
        if weight[inside].sum() > 0:
            blocks.append([float(np.average(raw[inside], weights=weight[inside])),
                           float(np.average(correct[inside], weights=weight[inside])),
                           float(weight[inside].sum())])
    merged: list[list[float]] = []
    for block in blocks:  # pool adjacent violators: the calibrated value never decreases
        merged.append(block)
        while len(merged) > 1 and merged[-2][1] > merged[-1][1]:
            right = merged.pop()
            left = merged.pop()
            total = left[2] + right[2]
            merged.append([(left[0] * left[2] + right[0] * right[2]) / total,
                           (left[1] * left[2] + right[1] * right[2]) / total, total])
    raw_knots = [0.0] + [round(b[0], 4) for b in merged] + [1.0]
    calibrated = [round(merged[0][1], 4)] + [round(b[1], 4) for b in merged] + [round(merged[-1][1], 4)]
    return raw_knots, calibrated


def span_outcomes(docs: list[dict], predictions: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every predicted span: its raw score, the share of its gold-covered characters it got right, and
    how many such characters it has."""
    raw, correct, weight = [], [], []
    for doc, record in zip(docs, predictions):
        gold = [None] * len(doc["text"])
        for span in doc["spans"]:
            for i in range(span["start"], span["end"]):
                gold[i] = span["lang"]
        for span in record["spans"]:
            labels = [gold[i] for i in range(span["start"], span["end"])
                      if gold[i] is not None and not doc["text"][i].isspace()]
            if labels:
                raw.append(span["score"])
                correct.append(sum(_same(label, span["lang"]) for label in labels) / len(labels))
                weight.append(len(labels))
    return np.array(raw), np.array(correct), np.array(weight, dtype=float)


def _same(gold: str, predicted: str) -> bool:
    norway = {"nb", "nn", "no"}
    return gold == predicted or (gold in norway and predicted in norway)


def reliability(raw: np.ndarray, correct: np.ndarray, weight: np.ndarray) -> tuple[float, list[str]]:
    """Expected calibration error (character-weighted) and a table by score bin."""
    rows, error = [], 0.0
    for low in np.arange(0.0, 1.0, 0.1):
        inside = (raw >= low) & (raw < low + 0.1 if low < 0.9 else raw <= 1.0)
        if weight[inside].sum():
            mean_score = np.average(raw[inside], weights=weight[inside])
            accuracy = np.average(correct[inside], weights=weight[inside])
            share = weight[inside].sum() / weight.sum()
            error += share * abs(mean_score - accuracy)
            rows.append(f"  {low:.1f}-{low + 0.1:.1f}  spans {inside.sum():5d}  chars {share:6.1%}  "
                        f"mean score {mean_score:.3f}  right {accuracy:.3f}")
    return error, rows


def held_out_predictions(evaluator: Evaluator, docs: list[dict], fold_count: int, rounds: int,
                         seed: int = 0) -> list[dict]:
    """Every document decoded with parameters searched on the other folds only (fold k's search is
    seeded with `seed + k`)."""
    # Each fold's search starts from the code's neutral defaults, never from the shipped parameters:
    # those were tuned on the whole set, the held-out fold included.
    neutral = Config()
    held_out: dict[int, dict] = {}
    split = folds(docs, fold_count)
    for number, test in enumerate(split):
        train = sorted(set(range(len(docs))) - set(test))
        tuned = search(evaluator, neutral, train, rounds, seed=seed + number)
        for index, record in zip(test, evaluator.predict(tuned, test)):
            held_out[index] = record
        moved = {name: round(getattr(tuned, name), 3) for name in SPACE
                 if getattr(tuned, name) != getattr(neutral, name)}
        print(f"fold {number + 1}/{len(split)}: tuned on {len(train)} documents, "
              f"{evaluator.calls} evaluations so far; moved from Config(): {moved}", file=sys.stderr)
    return [held_out[i] for i in range(len(docs))]


def choose_flag_rule_only(evaluator: Evaluator, docs: list[dict], score_module, args) -> None:
    """The mixed-flag rule chosen on the shipped parameters' spans (and held to the monolingual limit on
    the cross-validated ones), with the shipped calibration; nothing else is rewritten (for a change that
    only touches the flag)."""
    shipped = tuned_defaults()
    if shipped.calibration is None:
        raise SystemExit("the parameter file has no calibration: run the full search first")
    held_out = held_out_predictions(evaluator, docs, args.folds, args.rounds)
    predictions = evaluator.predict(replace(shipped, calibration=None), list(range(len(docs))))
    share, chars, min_score, report = choose_mixed_rule(docs, predictions, score_module, shipped.calibration,
                                                        held_out)
    print(f"mixed flag rule: a second language with at least {share:.0%} of the spanned characters and "
          f"{chars} characters in spans scored at least {min_score}: {report}")
    if args.write:
        document = json.loads(args.params_out.read_text("utf-8"))
        document["params"].update(mixed_min_share=share, mixed_min_chars=chars, mixed_min_score=min_score)
        args.params_out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"wrote the flag rule to {args.params_out}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model name or path (default: the default model)")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the folds' searches (the order they try parameters in); shows the search's spread")
    parser.add_argument("--write", action="store_true", help="write the parameters and calibration")
    parser.add_argument("--params-out", type=Path, default=None,
                        help="where --write writes (default: the model's folder, models/NAME/params.json)")
    parser.add_argument("--flag-rule-only", action="store_true",
                        help="only choose the mixed-flag rule, on the shipped parameters and calibration")
    args = parser.parse_args()
    if args.params_out is None:
        args.params_out = MODELS / knowledge_name(args.model) / "params.json"

    started = time.time()
    docs = load_dev()
    score_module = load_scorer_module()
    base = Segmenter(args.model)
    inner = base.scorer
    inner = getattr(inner, "primary", inner)
    assert isinstance(inner, FastTextScorer)
    evaluator = Evaluator(docs, CachingScorer(inner), score_module)
    if args.flag_rule_only:
        choose_flag_rule_only(evaluator, docs, score_module, args)
        return
    start = replace(tuned_defaults(), calibration=None)

    predictions = held_out_predictions(evaluator, docs, args.folds, args.rounds, args.seed)
    result = score_module.score(docs, predictions)
    print("Held-out (cross-validated) scores, default model:\n")
    print(score_module.fmt_table(result))

    raw, correct, weight = span_outcomes(docs, predictions)
    knots = fit_calibration(raw, correct, weight)
    before, _ = reliability(raw, correct, weight)
    calibrated = np.interp(raw, knots[0], knots[1])
    after, rows = reliability(calibrated, correct, weight)
    print(f"\nspan score calibration (held-out spans): expected calibration error {before:.3f} raw, "
          f"{after:.3f} calibrated (in-sample)")
    print("\n".join(rows))

    final = search(evaluator, start, list(range(len(docs))), args.rounds, seed=99)
    # The flag rule reads the final decoder's spans, so it is chosen on them (three coarse values).
    final_predictions = evaluator.predict(replace(final, calibration=None), list(range(len(docs))))
    share, chars, min_score, flag_result = choose_mixed_rule(docs, final_predictions, score_module, knots,
                                                             predictions)
    print(f"\nmixed flag rule: a second language with at least {share:.0%} of the spanned characters and "
          f"{chars} characters in spans scored at least {min_score}: {flag_result}")
    final = replace(final, calibration=(tuple(knots[0]), tuple(knots[1])))
    _, in_sample = evaluator.evaluate(final, list(range(len(docs))))
    print(f"\nparameters tuned on the whole set (in-sample overall: char acc "
          f"{in_sample['overall']['char_acc_micro']:.3f}, switch F1 {in_sample['overall']['switch_f1']:.3f}, "
          f"mixed F1 {in_sample['overall']['mixed_f1']:.3f}):")
    values = {f.name: getattr(final, f.name) for f in fields(Config) if f.name in SPACE}
    print(json.dumps(values, indent=1))
    print(f"\n{evaluator.calls} evaluations in {time.time() - started:.0f} s", file=sys.stderr)
    if args.write:
        previous = json.loads(args.params_out.read_text("utf-8")) if args.params_out.exists() else {}
        params = dict(previous.get("params", {}))
        params.update({name: round(value, 4) for name, value in values.items()})
        params.update(mixed_min_share=share, mixed_min_chars=chars, mixed_min_score=min_score)
        params["calibration"] = [list(knots[0]), list(knots[1])]
        document = {
            "comment": previous.get("comment", "Decoding parameters of this model, written by scripts/tune.py "
                                               "(cross-validated on ../shared/bench/dev.jsonl)."),
            "model": base.model_name,
            "held_out": {key: round(result["overall"][key], 4)
                         for key in ("char_acc_micro", "switch_f1", "mixed_f1", "langset_thr_frac")},
            "params": params,
            "rules": previous.get("rules", {}),  # the model's known mistakes are kept as they are
        }
        args.params_out.parent.mkdir(parents=True, exist_ok=True)
        args.params_out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.params_out}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Tune the clause split on the synthetic dev set and the real mixed sets together, cross-validated.

Every set is cut into two folds (SAGT by conversation, BaSCo by item, so a rewrite never lands beside
its original); each fold's parameters are chosen on the other fold, and the numbers reported are those
of documents scored with parameters that never saw them.

    python scripts/tune_clauses.py                 # held-out table per set, change nothing
    python scripts/tune_clauses.py --write         # also write the chosen values into models/lid.176.ftz/params.json
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset import SHARED_BENCH, load_scorer_module, load_short_texts  # noqa: E402

from langseg import Segmenter  # noqa: E402
from langseg.second_opinion import WithSecondOpinion  # noqa: E402

PARAMS_FILE = Path(__file__).resolve().parents[1] / "models" / "lid.176.ftz" / "params.json"
GRID = {
    "clause_switch_cost": [4.0, 6.0],
    "clause_margin": [3.0, 4.0, 6.0],
    "clause_new_margin": [6.0, 10.0, 30.0],
    "clause_min_chars": [8, 12],
    "clause_radius": [1, 2],
    "sentence_switch_cost": [1.0, 2.0, 3.0],
}


def load(name: str) -> list[dict]:
    with open(SHARED_BENCH / name, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def group_of(doc: dict) -> str:
    """What must stay in one fold: a SAGT conversation, a BaSCo item with its rewrites, a dev document."""
    ident = str(doc["id"])
    if ident.startswith("sagt-"):
        return ident.rsplit("-", 1)[0]
    if ident.startswith("basco-"):
        return ident.split("-")[1]
    return ident


SEED = 0


def fold_of(doc: dict) -> int:
    salt = f"{SEED}:" if SEED else ""  # seed 0 keeps the folds every figure so far was measured on
    return int(hashlib.sha1((salt + group_of(doc)).encode()).hexdigest(), 16) % 2


def score_sets_module():
    sys.path.insert(0, str(SHARED_BENCH))
    spec = importlib.util.spec_from_file_location("shared_score_sets", SHARED_BENCH / "score_sets.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


class Evaluator:
    def __init__(self, word_reader: str = "") -> None:
        self.sets = {"dev": load("dev.jsonl"), "sagt": load("real/sagt-coarse.jsonl"),
                     "basco": load("real/basco.jsonl"), "short": load_short_texts()}
        self.spans = load_scorer_module()
        self.langsets = score_sets_module()
        self.base = Segmenter(word_reader=word_reader)

    def predict(self, overrides: dict, docs: list[dict]) -> list[dict]:
        config = self.base.config.with_(**overrides)
        primary = getattr(self.base.scorer, "primary", self.base.scorer)  # the model, loaded once
        scorer = WithSecondOpinion.from_config(primary, config) if config.second_opinion else primary
        segmenter = Segmenter(config=config, scorer=scorer)
        out = []
        for first in range(0, len(docs), 256):
            chunk = docs[first:first + 256]
            out += segmenter.records([d["text"] for d in chunk], [d["id"] for d in chunk])
        return out

    def metrics(self, overrides: dict, fold: int | None) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, docs in self.sets.items():
            chosen = [d for d in docs if fold is None or fold_of(d) == fold]
            predictions = self.predict(overrides, chosen)
            if name == "basco":
                result = self.langsets.score(chosen, predictions)["by_category"]
                out["basco_cs"] = result["cs"]["set_acc"]
                out["basco_mono"] = result["mono"]["set_acc"]
                continue
            result = self.spans.score(chosen, predictions)
            overall = result["overall"]
            if name == "short":
                out["short_switch_f1"] = overall["switch_f1"]
                out["short_set"] = self.langsets.score(chosen, predictions)["overall"]["set_acc"]
                continue
            out[f"{name}_switch_f1"] = overall["switch_f1"]
            out[f"{name}_char_acc"] = overall["char_acc_micro"]
            out[f"{name}_set"] = overall["langset_thr_frac"]
            if name == "dev":
                out["dev_mixed_f1"] = overall["mixed_f1"]
                mono = result["by_category"].get("mono", {})
                out["dev_mono_flagged"] = 1.0 - mono.get("langset_thr_frac", 1.0)
        return out


def objective(m: dict[str, float]) -> float:
    """Every set counts: the synthetic switches and characters, the real switches, characters and
    language sets, and BaSCo's two sides (a split that finds Basque in every Spanish line is no gain).
    The short texts are reported, not optimised: 100 lines written for the tests are too few to tune on."""
    return (0.25 * m["dev_switch_f1"] + 0.15 * m["dev_char_acc"] + 0.1 * m["dev_mixed_f1"]
            + 0.2 * m["sagt_switch_f1"] + 0.1 * m["sagt_char_acc"] + 0.05 * m["sagt_set"]
            + 0.075 * m["basco_cs"] + 0.075 * m["basco_mono"])


def held_out_records(evaluator: Evaluator, chosen: list[dict]) -> dict[str, list[dict]]:
    """Each set's records in the set's order, every document decoded with the parameters chosen on the
    fold it is not in."""
    out = {}
    for name, docs in evaluator.sets.items():
        records: dict[str, dict] = {}
        for fold in (0, 1):
            members = [d for d in docs if fold_of(d) == fold]
            for record in evaluator.predict(chosen[fold], members):
                records[str(record["id"])] = record
        out[name] = [records[str(doc["id"])] for doc in docs]
    return out


def write_held_out(records: dict[str, list[dict]], folder: Path) -> None:
    """The held-out records as files for ../shared/bench/score.py and score_sets.py."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"dev": "dev.jsonl", "sagt": "sagt-coarse.jsonl", "basco": "basco.jsonl", "short": "short_mixed.jsonl"}
    for name, rows in records.items():
        with open(folder / files[name], "w", encoding="utf-8") as out:
            for record in rows:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    with open(folder / "short_mixed.gold.jsonl", "w", encoding="utf-8") as out:  # its gold is no file elsewhere
        for record in load_short_texts():
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print("held-out records in", folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the values chosen on all data to params.json")
    parser.add_argument("--grid", type=json.loads, default=GRID,
                        help='the values to try, as JSON: {"clause_margin": [4, 6], "sentence_switch_cost": [1, 3]}')
    parser.add_argument("--held-out-dir", type=Path,
                        help="write each set's held-out records here (each fold decoded with the other fold's "
                             "choice), for ../shared/bench/score.py and score_sets.py")
    parser.add_argument("--word-reader", default="", choices=["", "heliport"],
                        help="tune the decoding with this word reader (its values go to params.json's word_readers)")
    parser.add_argument("--seed", type=int, default=0,
                        help="draw other folds (the spread of the held-out figures across seeds is the search's own)")
    args = parser.parse_args()
    global SEED
    SEED = args.seed
    evaluator = Evaluator(args.word_reader)
    names = list(args.grid)
    candidates = [dict(zip(names, values)) for values in itertools.product(*args.grid.values())]
    table: dict[int, list[tuple[float, dict, dict]]] = {0: [], 1: []}
    for overrides in candidates:
        for fold in (0, 1):
            m = evaluator.metrics(overrides, fold)
            table[fold].append((objective(m), overrides, m))
        print(json.dumps(overrides), " ".join(f"{objective(m):.4f}" for m in (table[0][-1][2], table[1][-1][2])),
              file=sys.stderr)
    chosen_for = []
    held_out = {}
    for fold in (0, 1):
        best = max(table[1 - fold], key=lambda row: row[0])
        chosen_for.append(best[1])
        held_out[fold] = next(m for _, o, m in table[fold] if o == best[1])
    print("chosen for each fold (on the other):", json.dumps(chosen_for))
    print(f"{'metric':24s} {'fold 0':>8s} {'fold 1':>8s} {'mean':>8s}")
    for key in held_out[0]:
        values = [held_out[0][key], held_out[1][key]]
        print(f"{key:24s} {values[0]:8.3f} {values[1]:8.3f} {sum(values) / 2:8.3f}")
    records = held_out_records(evaluator, chosen_for) if args.held_out_dir or args.write else {}
    if args.held_out_dir:
        write_held_out(records, args.held_out_dir)
    if args.write:
        overall = max(candidates, key=lambda o: objective(evaluator.metrics(o, None)))
        data = json.loads(PARAMS_FILE.read_text(encoding="utf-8"))
        dev = evaluator.spans.score(evaluator.sets["dev"], records["dev"])["overall"]
        held_out = {key: round(dev[key], 4) for key in ("char_acc_micro", "switch_f1", "mixed_f1", "langset_thr_frac")}
        if args.word_reader:  # the values for decoding with the reader, beside the model's own
            section = data.setdefault("word_readers", {}).setdefault(args.word_reader, {"params": {}})
            section["params"].update(overall)
            section["held_out"] = held_out
        else:
            data["params"].update(overall)
            data["held_out"] = held_out
        PARAMS_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print("wrote", json.dumps(overall), "to", PARAMS_FILE)


if __name__ == "__main__":
    main()

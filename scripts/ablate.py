"""What each rule earns: every set's figures with one rule switched off, against the model's own parameters.

A rule stays only where switching it off costs more than chance: each difference comes with a 90 %
interval from a paired bootstrap over documents (SAGT resampled by conversation, BaSCo by item), so a
gain that one lucky document makes does not count.

    python scripts/ablate.py                  # every rule below, one table
    python scripts/ablate.py --rounds 400     # more bootstrap rounds
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tune_clauses import Evaluator, group_of, objective  # noqa: E402

ABLATIONS: dict[str, dict] = {
    "no second opinion (CLD2)": {"second_opinion": False},
    "  no close-call rule (referee)": {"second_opinion_referee": False},
    "  no reliably-lacking rule": {"second_opinion_lacking_below": 0.0},
    "  no failing rule (known languages)": {"second_opinion_known_below": 0.0},
    "no homoglyph repair": {"repair_homoglyphs": False},
    "no name masking": {"mask_names": False},
    "no clause split": {"clause_split": False},
    "  no chunk candidates": {"clause_chunk_words": 0},
    "  no own reading": {"clause_own_reading": False},
    "  pieces judged with their names": {"clause_content_words": False},
    "no free switch at a script change": {"script_change_factor": 1.0},
    "no cheaper switch at settled units": {"settled_switch_factor": 1.0},
}
METRICS = ("dev_switch_f1", "dev_char_acc", "dev_mixed_f1", "dev_set", "dev_mono_flagged", "sagt_switch_f1",
           "sagt_char_acc", "sagt_set", "basco_cs", "basco_mono")


def predictions(evaluator: Evaluator, overrides: dict) -> dict[str, list[dict]]:
    return {name: evaluator.predict(overrides, docs) for name, docs in evaluator.sets.items()}


class Tallies:
    """Each document's own counts under the shared scorers (their tallies add up over documents), so a
    bootstrap resample is scored by adding rows of counts instead of scoring every character again."""

    def __init__(self, evaluator: Evaluator, predictions: dict[str, list[dict]]) -> None:
        self.evaluator = evaluator
        self.groups: dict[str, np.ndarray] = {}
        self.categories: dict[str, np.ndarray] = {}
        self.counts: dict[str, np.ndarray] = {}  # documents x the tally's numeric fields
        self.fields: dict[str, list[str]] = {}
        for name, docs in evaluator.sets.items():
            records = {str(r["id"]): r for r in predictions[name]}
            tallies = []
            for doc in docs:
                record = records.get(str(doc["id"]))
                if name == "basco":
                    tally = evaluator.langsets.Acc()
                    tally.add(*evaluator.langsets.doc_sets(doc, record, 0.05))
                else:
                    tally = evaluator.spans.Acc()
                    evaluator.spans.score_doc(doc, record, 0.05, 10, [tally], defaultdict(int))
                tallies.append(tally)
            self.fields[name] = [key for key, value in vars(tallies[0]).items() if not isinstance(value, list)]
            self.counts[name] = np.array([[getattr(t, key) for key in self.fields[name]] for t in tallies], dtype=float)
            self.groups[name] = np.array([group_of(doc) for doc in docs])
            self.categories[name] = np.array([doc.get("category", "all") for doc in docs])

    def metrics(self, rows: dict[str, np.ndarray] | None = None) -> dict[str, float]:
        """The tuner's metrics over all documents, or over the document rows `rows[set]` (with repeats)."""
        out: dict[str, float] = {}
        for name in self.counts:
            chosen = rows[name] if rows is not None else np.arange(len(self.counts[name]))
            categories = self.categories[name][chosen]
            if name == "basco":
                out["basco_cs"] = self._result(name, chosen[categories == "cs"])["set_acc"]
                out["basco_mono"] = self._result(name, chosen[categories == "mono"])["set_acc"]
                continue
            overall = self._result(name, chosen)
            out[f"{name}_switch_f1"] = overall["switch_f1"]
            out[f"{name}_char_acc"] = overall["char_acc_micro"]
            out[f"{name}_set"] = overall["langset_thr_frac"]
            if name == "dev":
                out["dev_mixed_f1"] = overall["mixed_f1"]
                out["dev_mono_flagged"] = 1.0 - self._result(name, chosen[categories == "mono"])["langset_thr_frac"]
        return out

    def _result(self, name: str, rows: np.ndarray) -> dict:
        module = self.evaluator.langsets if name == "basco" else self.evaluator.spans
        tally = module.Acc()
        for key, value in zip(self.fields[name], self.counts[name][rows].sum(axis=0).tolist()):
            setattr(tally, key, value)
        return tally.result()

    def resampling(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Rows of each set drawn with replacement by group (a conversation, an item), the same for any run."""
        out = {}
        for name, groups in self.groups.items():
            names, group_index = np.unique(groups, return_inverse=True)
            drawn = np.bincount(rng.integers(0, len(names), len(names)), minlength=len(names))
            out[name] = np.repeat(np.arange(len(groups)), drawn[group_index])
        return out


def bootstrap(base: Tallies, other: Tallies, rounds: int, seed: int = 0) -> tuple[float, float]:
    """A 90 % interval of objective(other) - objective(base) over documents resampled by group."""
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(rounds):
        rows = base.resampling(rng)
        differences.append(objective(other.metrics(rows)) - objective(base.metrics(rows)))
    return float(np.quantile(differences, 0.05)), float(np.quantile(differences, 0.95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="bootstrap rounds per rule")
    parser.add_argument("--only", nargs="*", help="names of the rules to try (default: all)")
    args = parser.parse_args()
    evaluator = Evaluator()
    base = Tallies(evaluator, predictions(evaluator, {}))
    base_metrics = base.metrics()
    print(f"{'rule switched off':38s} {'objective':>9s} {'90% interval':>17s}  " + " ".join(f"{m[:14]:>14s}" for m in METRICS))
    print(f"{'(none)':38s} {objective(base_metrics):9.4f} {'':17s}  "
          + " ".join(f"{base_metrics[m]:14.3f}" for m in METRICS))
    for name, overrides in ABLATIONS.items():
        if args.only and name.strip() not in args.only:
            continue
        other = Tallies(evaluator, predictions(evaluator, overrides))
        m = other.metrics()
        low, high = bootstrap(base, other, args.rounds)
        print(f"{name:38s} {objective(m) - objective(base_metrics):+9.4f} [{low:+.4f}, {high:+.4f}]  "
              + " ".join(f"{m[k] - base_metrics[k]:+14.3f}" for k in METRICS), flush=True)


if __name__ == "__main__":
    main()

"""Character accuracy per gold language on the dev set, with and without the CLD2 second opinion.

Shows what the second opinion buys on the languages lid.176 lacks, and that the languages it covers
do not get worse.

    python scripts/per_language.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset import load_dev, load_scorer_module  # noqa: E402

from langseg import Segmenter  # noqa: E402


def per_language(docs: list[dict], predictions: list[dict], score_module) -> dict[str, tuple[int, int]]:
    """Gold language -> (right characters, characters), over non-space characters covered by gold spans."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc, record in zip(docs, predictions):
        gold = score_module.label_array(doc["text"], doc["spans"])
        predicted = score_module.label_array(doc["text"], record["spans"])
        for i, label in enumerate(gold):
            if label is not None and not doc["text"][i].isspace():
                counts[label][1] += 1
                counts[label][0] += (predicted[i] or "und") == label
    return {lang: (right, total) for lang, (right, total) in counts.items()}


def main() -> None:
    docs = load_dev()
    score_module = load_scorer_module()
    with_second = Segmenter()
    alone = Segmenter(second_opinion=False)
    known = with_second.scorer.primary.languages  # type: ignore[attr-defined]
    texts, ids = [d["text"] for d in docs], [d["id"] for d in docs]
    records_alone, records_with = alone.records(texts, ids), with_second.records(texts, ids)
    before = per_language(docs, records_alone, score_module)
    after = per_language(docs, records_with, score_module)
    print("| overall | char acc | switch F1 | mixed F1 | language set @5 % |\n| --- | --- | --- | --- | --- |")
    for name, records in (("lid.176 alone", records_alone), ("with CLD2 second opinion", records_with)):
        overall = score_module.score(docs, records)["overall"]
        print(f"| {name} | {overall['char_acc_micro']:.3f} | {overall['switch_f1']:.3f} | "
              f"{overall['mixed_f1']:.3f} | {overall['langset_thr_frac']:.3f} |")
    print()
    print("| language | lid.176 has it | characters | lid.176 alone | with CLD2 second opinion | change |")
    print("| --- | --- | --- | --- | --- | --- |")
    worse = []
    for lang in sorted(before, key=lambda l: (l in known, l)):
        right_before, total = before[lang]
        right_after = after[lang][0]
        change = (right_after - right_before) / total
        covered = lang in known or lang == "no"
        if covered and change < 0:
            worse.append(lang)
        print(f"| {lang} | {'yes' if covered else 'no'} | {total:,} | {right_before / total:.3f} | "
              f"{right_after / total:.3f} | {change:+.3f} |")
    print(f"\nlanguages lid.176 covers that got worse: {', '.join(worse) or 'none'}")


if __name__ == "__main__":
    main()

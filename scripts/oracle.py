"""The same-model oracle: every gold span of the dev set classified whole (perfect segmentation).

It bounds what any segmentation with this model can reach in character accuracy; issue targets are
stated as a share of it.

    python scripts/oracle.py                         # lid.176.ftz with the CLD2 second opinion (the default)
    python scripts/oracle.py --model lid.176.ftz --no-second-opinion
    python scripts/oracle.py --model /path/to/glotlid.bin
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset import load_dev, load_scorer_module  # noqa: E402

from langseg import Segmenter  # noqa: E402
from langseg.units import LINE_BREAKS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-second-opinion", action="store_true")
    args = parser.parse_args()
    segmenter = Segmenter(args.model, second_opinion=not args.no_second_opinion)
    docs = load_dev()
    score_module = load_scorer_module()
    pieces, owners = [], []
    for d, doc in enumerate(docs):
        for span in doc["spans"]:
            text = doc["text"][span["start"]:span["end"]]
            pieces.append(" ".join(text.translate({ord(c): " " for c in LINE_BREAKS}).split()))
            owners.append((d, span))
    dists = segmenter.scorer.score(pieces)
    predictions = [{"id": doc["id"], "spans": []} for doc in docs]
    for (d, span), dist in zip(owners, dists):
        lang = max(dist, key=dist.__getitem__) if dist else "und"
        predictions[d]["spans"].append({"start": span["start"], "end": span["end"], "lang": lang, "score": 1.0})
    result = score_module.score(docs, predictions)
    name = segmenter.model_name + ("" if args.no_second_opinion else " + CLD2 second opinion")
    print(f"oracle (gold spans classified whole) for {name}:")
    print(score_module.fmt_table(result))


if __name__ == "__main__":
    main()

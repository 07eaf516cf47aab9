"""The baseline langseg is measured against: fastText on each line, same-language lines merged, no context.

Reads JSONL (text, id) from a file, writes one record per document to another: the same I/O as
`langseg tag FILE -o OUT`. Deliberately plain, as a pipeline would write it.

    python benchmarks/naive_per_line.py MODEL IN.jsonl OUT.jsonl
"""

import json
import sys

import fasttext_pybind


def main(model_path: str, source: str, target: str) -> None:
    model = fasttext_pybind.fasttext()
    model.loadModel(model_path)
    with open(source, encoding="utf-8") as inp, open(target, "w", encoding="utf-8") as out:
        for line in inp:
            record = json.loads(line)
            text = record["text"]
            spans = []
            position = 0
            for piece in text.splitlines(keepends=True):
                content = piece.strip()
                if content:
                    start = position + piece.index(content[0])
                    predicted = model.predict(content, 1, 0.0, "replace")
                    prob, label = predicted[0] if predicted else (0.0, "__label__und")
                    lang = label[len("__label__"):]
                    if spans and spans[-1]["lang"] == lang:
                        spans[-1]["end"] = start + len(content)
                    else:
                        spans.append({"start": start, "end": start + len(content), "lang": lang, "score": prob})
                position += len(piece)
            out.write(json.dumps({"id": record.get("id"), "length": len(text), "spans": spans}) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""The pipeline integrations, run against the real libraries: records identical to the CLI's."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from langseg import Segmenter
from langseg.cli import main

SENTENCES = {
    "en": ["The council approved the new budget after a long debate on Tuesday evening.",
           "Most of the money will go to schools, roads and the public library."],
    "es": ["El ayuntamiento aprobó el nuevo presupuesto tras un largo debate el martes por la tarde.",
           "La mayor parte del dinero irá a las escuelas, las carreteras y la biblioteca pública."],
    "de": ["Der Stadtrat hat den neuen Haushalt nach einer langen Debatte am Dienstagabend beschlossen.",
           "Der größte Teil des Geldes fließt in Schulen, Straßen und die öffentliche Bibliothek."],
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred documents of one to three languages, as JSONL."""
    rng = random.Random(3)
    path = tmp_path_factory.mktemp("integrations") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(300):
            langs = rng.sample(sorted(SENTENCES), rng.randint(1, 3))
            text = "\n\n".join(" ".join(SENTENCES[lang]) for lang in langs)
            out.write(json.dumps({"id": f"doc-{n}", "text": text}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def cli_records(corpus: Path, real_segmenter: Segmenter) -> dict[str, dict]:
    result = CliRunner().invoke(main, ["tag", str(corpus)])
    return {record["id"]: record for record in map(json.loads, result.stdout.splitlines())}


def test_hf_datasets_map_adds_fields_and_keeps_columns(corpus: Path, cli_records: dict) -> None:
    pytest.importorskip("datasets", reason="the hf extra is not installed")
    from datasets import Dataset

    from langseg.integrations.hf import tag_batch

    rows = [json.loads(line) for line in corpus.read_text("utf-8").splitlines()]
    dataset = Dataset.from_list([{**row, "source": "unit-test"} for row in rows])
    tagged = dataset.map(tag_batch(), batched=True, batch_size=64)
    assert tagged.column_names == ["id", "text", "source", "language", "mixed", "languages", "spans"]
    for row in tagged:
        record = cli_records[row["id"]]
        assert row["source"] == "unit-test" and row["text"] == next(r["text"] for r in rows if r["id"] == row["id"])
        assert (row["language"], row["mixed"], row["spans"]) == (record["language"], record["mixed"], record["spans"])
        assert {pair["lang"]: pair["share"] for pair in row["languages"]} == record["languages"]


def test_hf_extract_keeps_one_language(corpus: Path) -> None:
    pytest.importorskip("datasets", reason="the hf extra is not installed")
    from datasets import Dataset

    from langseg.integrations.hf import extract_batch

    dataset = Dataset.from_list([json.loads(line) for line in corpus.read_text("utf-8").splitlines()])
    english = dataset.map(extract_batch("en", min_share=0.2), batched=True)
    assert 0 < len(english) < len(dataset)
    assert all(Segmenter().segment(row["text"]).language == "en" for row in english.select(range(10)))


def test_datatrove_pipeline_annotates_and_filters(corpus: Path, cli_records: dict, tmp_path: Path) -> None:
    pytest.importorskip("datatrove", reason="the datatrove extra is not installed")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from langseg.integrations.datatrove import LangsegAnnotator, LangsegLanguageFilter

    annotated, english = tmp_path / "annotated", tmp_path / "english"
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(corpus.parent), glob_pattern="*.jsonl"), LangsegAnnotator(),
                  JsonlWriter(str(annotated), compression=None)],
        tasks=2, workers=1, logging_dir=str(tmp_path / "logs-1"),
    ).run()
    written = [json.loads(line) for path in sorted(annotated.glob("*.jsonl")) for line in path.open()]
    assert len(written) == len(cli_records)
    for row in written:
        assert row["metadata"]["langseg"] == cli_records[row["id"]]

    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(annotated), glob_pattern="*.jsonl"), LangsegLanguageFilter("en", min_share=0.2),
                  JsonlWriter(str(english), compression=None)],
        tasks=1, logging_dir=str(tmp_path / "logs-2"),
    ).run()
    kept = [json.loads(line) for path in english.glob("*.jsonl") for line in path.open()]
    expected = [i for i, r in cli_records.items() if r["languages"].get("en", 0) >= 0.2]
    assert sorted(row["id"] for row in kept) == sorted(expected)
    for row in kept:
        assert all(sentence in SENTENCES["en"] for sentence in _sentences(row["text"]))


def _sentences(text: str) -> list[str]:
    pieces = [p for line in text.split("\n\n") for p in line.split(". ")]
    return [p if p.endswith(".") else p + "." for p in pieces]


def test_a_missing_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    import importlib
    import sys

    real_import = builtins.__import__

    def no_datatrove(name, *args, **kwargs):
        if name == "datatrove" or name.startswith("datatrove."):
            raise ImportError("No module named 'datatrove'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_datatrove)
    monkeypatch.delitem(sys.modules, "langseg.integrations.datatrove", raising=False)
    monkeypatch.delitem(sys.modules, "datatrove", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'langseg\[datatrove\]'"):
        importlib.import_module("langseg.integrations.datatrove")


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("output_format", ["jsonl", "parquet"])
def test_ray_gives_the_cli_records(local_ray, corpus: Path, cli_records: dict, tmp_path: Path,
                                   output_format: str) -> None:
    from langseg.integrations import ray as ray_integration

    target = tmp_path / "out"
    ray_integration.run([str(corpus)], str(target), output_format, concurrency=1, batch_size=64)
    if output_format == "jsonl":
        records = [json.loads(line) for path in sorted(target.glob("*.jsonl")) for line in path.open()]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(target).to_pylist()
        records = [{**{k: v for k, v in row.items() if k != "error" or v is not None},
                    "languages": dict(row["languages"])} for row in rows]
    assert sorted(r["id"] for r in records) == sorted(cli_records)
    for record in records:
        assert record == cli_records[record["id"]]


def test_ray_map_batches_keeps_columns(local_ray, cli_records: dict) -> None:
    from langseg.integrations.ray import RECORD, LangsegTagger

    rows = [{"id": i, "text": text, "extra": 1} for i, text in [("doc-0", "Hola a todos, bienvenidos.")]]
    dataset = local_ray.data.from_items(rows)
    out = dataset.map_batches(LangsegTagger, compute=local_ray.data.ActorPoolStrategy(size=1)).take_all()
    assert out[0]["extra"] == 1 and out[0]["language"] == "es" and json.loads(out[0][RECORD])["id"] == "doc-0"


def test_ray_reads_parquet_input(local_ray, corpus: Path, cli_records: dict, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from langseg.integrations import ray as ray_integration

    rows = [json.loads(line) for line in corpus.read_text("utf-8").splitlines()]
    source = tmp_path / "corpus.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source)
    target = tmp_path / "out"
    ray_integration.run([str(source)], str(target), "jsonl", concurrency=1, batch_size=64)
    records = [json.loads(line) for path in sorted(target.glob("*.jsonl")) for line in path.open()]
    assert {r["id"]: r for r in records} == cli_records

"""Corpus runs: every input document yields exactly one record, in order, whatever its format or flaws."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from langseg.cli import main

SENTENCES = {
    "en": "The river rose quickly after three days of heavy rain in the hills.",
    "es": "El río creció muy deprisa después de tres días de lluvia en las colinas.",
    "de": "Der Fluss stieg nach drei Tagen mit starkem Regen in den Hügeln schnell an.",
    "fr": "La rivière a monté très vite après trois jours de fortes pluies dans les collines.",
    "ru": "Река быстро поднялась после трёх дней сильных дождей в горах.",
}
COMPRESSORS = {
    "plain": lambda data: data,
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def make_corpus(count: int = 3000, seed: int = 7) -> tuple[bytes, list[str], set[str]]:
    """JSONL bytes with bad lines scattered through; the expected ids in order and which are errors."""
    rng = random.Random(seed)
    lines: list[bytes] = []
    ids: list[str] = []
    errors: set[str] = set()
    for n in range(count):
        line_no = len(lines) + 1
        doc_id = f"doc-{n}"
        kind = rng.random()
        if kind < 0.02:
            lines.append(b'{"id": "' + doc_id.encode() + b'", "text": "unterminated')
            ids.append(f"corpus:{line_no}")
            errors.add(ids[-1])
        elif kind < 0.04:
            lines.append(json.dumps({"id": doc_id, "body": "no text field"}).encode())
            ids.append(doc_id)
            errors.add(doc_id)
        elif kind < 0.06:
            lines.append(json.dumps({"id": doc_id, "text": ["not", "a", "string"]}).encode())
            ids.append(doc_id)
            errors.add(doc_id)
        elif kind < 0.08:
            lines.append(b'{"id": "' + doc_id.encode() + b'", "text": "caf\xe9 au lait \xff\xfe bien chaud"}')
            ids.append(doc_id)
        elif kind < 0.10:
            lines.append(b'{"id": "' + doc_id.encode() + b'", "text": "lone \\ud800 surrogate and \\u0000 NUL here"}')
            ids.append(doc_id)
        elif kind < 0.12:
            lines.append(json.dumps({"id": doc_id, "text": rng.choice(["", "\u200b\u200b", "   ", "\r\n\r\n"])}).encode())
            ids.append(doc_id)
        else:
            langs = rng.sample(sorted(SENTENCES), rng.randint(1, 3))
            separator = rng.choice(["\n\n", "\r\n", "\n• "])
            text = separator.join(SENTENCES[lang] for lang in langs)
            lines.append(json.dumps({"id": doc_id, "text": text, "meta": {"n": n}}, ensure_ascii=False).encode())
            ids.append(doc_id)
        if rng.random() < 0.01:
            lines.append(b"   ")  # blank lines are not documents
    data = b"\xef\xbb\xbf" + b"\r\n".join(lines) + b"\n"
    return data, ids, errors


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, real_segmenter) -> dict:
    folder = tmp_path_factory.mktemp("corpus")
    data, ids, errors = make_corpus()
    paths = {}
    for name, compress in COMPRESSORS.items():
        path = folder / name / "corpus"  # no suffix: the format is told by content, JSONL by --input-format
        path.parent.mkdir()
        path.write_bytes(compress(data))
        paths[name] = path
    return {"paths": paths, "ids": ids, "errors": errors, "folder": folder}


def tag(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, ["tag", "--input-format", "jsonl", *args], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def read_records(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.splitlines()]


def expected_ids(corpus: dict, name: str) -> list[str]:
    return [i.replace("corpus:", f"{corpus['paths'][name]}:") for i in corpus["ids"]]


@pytest.mark.parametrize("name", sorted(COMPRESSORS))
def test_one_record_per_document_in_every_format(corpus: dict, name: str) -> None:
    code, out, _ = tag(str(corpus["paths"][name]))
    records = read_records(out)
    assert code == 0
    assert [r["id"] for r in records] == expected_ids(corpus, name)
    errors = {i.replace("corpus:", f"{corpus['paths'][name]}:") for i in corpus["errors"]}
    assert {r["id"] for r in records if "error" in r} == errors
    replaced = [r for r in records if "notes" in r]
    assert replaced and all(r["notes"] == ["invalid UTF-8 replaced by U+FFFD"] for r in replaced)


def test_formats_give_the_same_records(corpus: dict) -> None:
    outputs = {}
    for name in COMPRESSORS:
        records = read_records(tag(str(corpus["paths"][name]))[1])
        for record in records:
            record["id"] = record["id"].replace(str(corpus["paths"][name]), "corpus")
            record.pop("error", None)
        outputs[name] = records
    assert all(records == outputs["plain"] for records in outputs.values())


def test_one_and_two_workers_are_byte_identical(corpus: dict) -> None:
    path = str(corpus["paths"]["zst"])
    one = tag(path, "--workers", "1", "--batch-size", "64")[1]
    two = tag(path, "--workers", "2", "--batch-size", "64")[1]
    assert one == two and len(read_records(one)) == len(corpus["ids"])


def test_strict_stops_with_status_1(corpus: dict) -> None:
    result = CliRunner().invoke(main, ["tag", "--input-format", "jsonl", "--strict", str(corpus["paths"]["gz"])])
    assert result.exit_code == 1 and "stopped by --strict" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_documents_are_named_on_stderr_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "Hola a todos."}\n[1, 2]\n{"id": "b", "text": 7}\n{"id": "c", "text"\n',
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["tag", str(path)])
    assert result.exit_code == 0 and len(read_records(result.stdout_bytes)) == 4
    assert result.stderr.splitlines() == [
        f"langseg: warning: {path}:2: a JSON line must be an object, not list; its record carries the error",
        f"langseg: warning: {path}:3: field 'text' is int, not a string (id b); its record carries the error",
        (f"langseg: warning: {path}:4: malformed JSON (Expecting ':' delimiter: line 1 column 19 (char 18)); "
         "its record carries the error"),
        'langseg: 3 of 4 documents could not be processed; their records carry "error" (--strict stops at the first)',
    ]


def test_extract_says_unreadable_documents_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "Hola a todos, buenos días."}\n{"id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", "--dominant", str(path)])
    assert result.exit_code == 0 and [r["id"] for r in read_records(result.stdout_bytes)] == ["a"]
    assert (f"langseg: warning: {path}:2: no 'text' field (it has: 'id'; see --text-field) (id b); dropped"
            in result.stderr.splitlines())
    assert "1 of 2 documents could not be processed; they are left out" in result.stderr


def test_many_unreadable_documents_are_counted_not_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "lists.jsonl"
    path.write_text('{"text": "Hallo Welt, wie geht es dir heute?"}\n' + "[1]\n" * 25, encoding="utf-8")
    result = CliRunner().invoke(main, ["tag", str(path)])
    warnings = result.stderr.splitlines()
    assert result.exit_code == 0 and len(read_records(result.stdout_bytes)) == 26
    assert len(warnings) == 12 and warnings[-2] == "langseg: warning: further unreadable documents are counted, not listed"
    assert warnings[-1].startswith("langseg: 25 of 26 documents could not be processed")


def test_keep_fields_and_tsv(corpus: dict) -> None:
    path = str(corpus["paths"]["plain"])
    kept = read_records(tag(path, "--keep-fields")[1])
    plain = next(r for r in kept if "meta" in r)
    assert plain["text"] and plain["meta"]["n"] >= 0 and plain["spans"]
    code, tsv, _ = tag(path, "--format", "tsv")
    rows = tsv.decode().splitlines()
    assert code == 0 and rows[0] == "id\tstart\tend\tlang\tscore"
    span_count = sum(max(1, len(r["spans"])) if "error" not in r else 1 for r in kept)
    empty_ok = sum(1 for r in kept if not r["spans"] and "error" not in r)
    assert len(rows) - 1 == span_count - empty_ok


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_output_file_compresses_by_name(corpus: dict, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"out.jsonl{suffix}"
    assert tag(str(corpus["paths"]["xz"]), "-o", str(target))[0] == 0
    raw = target.read_bytes()
    data = {"": lambda b: b, ".gz": gzip.decompress,
            ".zst": lambda b: zstandard.ZstdDecompressor().stream_reader(b).read()}[suffix](raw)
    assert len(read_records(data)) == len(corpus["ids"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_folders_globs_and_a_binary_file(tmp_path: Path, real_segmenter) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text(SENTENCES["de"], encoding="utf-8")
    (tmp_path / "a" / "two.txt").write_bytes(b"\xef\xbb\xbf" + SENTENCES["fr"].encode() + b"\r\n")
    (tmp_path / "a" / "image.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "a" / "skip.md").write_text("not matched", encoding="utf-8")
    result = CliRunner().invoke(main, ["tag", str(tmp_path), "--glob", "*.txt"])
    records = read_records(result.stdout_bytes)
    assert [Path(r["id"]).name for r in records] == ["image.txt", "one.txt", "two.txt"]
    assert records[0]["error"].endswith("binary file, not text") and records[0]["spans"] == []
    assert records[1]["language"] == "de" and records[2]["language"] == "fr"
    assert records[2]["length"] == len(SENTENCES["fr"]) + 2, "the BOM is dropped, the CRLF kept"


def test_lines_mode(tmp_path: Path, real_segmenter) -> None:
    path = tmp_path / "lines.txt"
    path.write_text(f"{SENTENCES['en']}\n{SENTENCES['es']}\n\n{SENTENCES['ru']}\n", encoding="utf-8")
    records = read_records(CliRunner().invoke(main, ["tag", "--lines", str(path)]).stdout_bytes)
    assert [r["id"] for r in records] == [f"{path}:{n}" for n in (1, 2, 3, 4)]
    assert [r["language"] for r in records] == ["en", "es", "und", "ru"]


def test_extract_keeps_one_language(tmp_path: Path, real_segmenter) -> None:
    path = tmp_path / "pages.jsonl"
    docs = [
        {"id": "mixed", "text": f"{SENTENCES['es']}\n\n{SENTENCES['en']}\n\n{SENTENCES['es']}\n\n{SENTENCES['en']}"},
        {"id": "spanish", "text": SENTENCES["es"]},
        {"id": "trace", "text": f"{SENTENCES['en']} {SENTENCES['en']} {SENTENCES['en']}\n{SENTENCES['es']}"},
    ]
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    runner = CliRunner()
    out = read_records(runner.invoke(main, ["extract", str(path), "--lang", "en"]).stdout_bytes)
    assert [r["id"] for r in out] == ["mixed", "trace"]
    assert out[0]["text"] == f"{SENTENCES['en']}\n\n{SENTENCES['en']}"
    out = read_records(runner.invoke(main, ["extract", str(path), "--lang", "es", "--min-share", "0.4"]).stdout_bytes)
    assert [r["id"] for r in out] == ["mixed", "spanish"]
    out = read_records(runner.invoke(main, ["extract", str(path), "--dominant"]).stdout_bytes)
    assert [r["text"] for r in out][1:] == [SENTENCES["es"], " ".join([SENTENCES["en"]] * 3)]


def test_stats_on_raw_and_tagged_input(corpus: dict, tmp_path: Path) -> None:
    raw = CliRunner().invoke(main, ["stats", "--input-format", "jsonl", "--json", str(corpus["paths"]["plain"])])
    summary = json.loads(raw.stdout)
    assert summary["documents"] == len(corpus["ids"]) and summary["errors"] == len(corpus["errors"])
    tagged = tmp_path / "tagged.jsonl"
    tag(str(corpus["paths"]["plain"]), "-o", str(tagged))
    again = json.loads(CliRunner().invoke(main, ["stats", "--json", str(tagged)]).stdout)
    assert again == summary
    table = CliRunner().invoke(main, ["stats", str(tagged)]).stdout
    assert "documents" in table and "mixed" in table and "switches / document" in table


def test_a_long_single_line_document(tmp_path: Path, real_segmenter) -> None:
    text = " ".join(([SENTENCES["en"]] * 3 + [SENTENCES["de"]] * 3) * 14_000)  # about 6 MB on one line
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"id": "long", "text": text}, ensure_ascii=False), encoding="utf-8")
    [record] = read_records(tag(str(path))[1])
    assert record["length"] == len(text) and record["mixed"]
    assert set(record["languages"]) == {"en", "de"}


def _langseg(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "langseg", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


def test_closed_pipe_is_quiet(corpus: dict) -> None:
    process = _langseg("tag", "--input-format", "jsonl", str(corpus["paths"]["plain"]))
    first = process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert json.loads(first)["id"] == "doc-0"
    assert b"Traceback" not in err
    assert all(line.startswith(b"langseg: warning: ") for line in err.splitlines())  # only the bad lines read


def test_ctrl_c_leaves_no_output_file(corpus: dict, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    plain = corpus["paths"]["plain"].read_bytes()
    big.write_bytes(plain * 100)
    target = tmp_path / "out.jsonl"
    process = _langseg("tag", str(big), "-o", str(target))
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until it is writing: the interruption must hit a half-written output
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert os.listdir(tmp_path) == ["big.jsonl"]


def _wait_for_heavy_imports(process: subprocess.Popen) -> None:
    """Wait until the command imports NumPy (its own start-up, after the interpreter's), so that Ctrl-C
    lands there however loaded the machine is: one sent before Python runs any of langseg's code gets
    Python's own handling, which no program can change."""
    maps = Path(f"/proc/{process.pid}/maps")
    if not maps.exists():  # no /proc: give the interpreter a generous second
        time.sleep(1.0)
        return
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if b"_multiarray_umath" in maps.read_bytes():
                return
        except OSError:
            return
        time.sleep(0.002)


def test_ctrl_c_at_start_up_is_quiet(tmp_path: Path) -> None:
    process = _langseg("tag", "-", stdin=subprocess.PIPE)  # an open, empty stdin: it waits for documents
    _wait_for_heavy_imports(process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and b"Traceback" not in err

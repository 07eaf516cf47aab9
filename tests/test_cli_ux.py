"""What a new user meets: codes as they write them, clear answers to mistakes, the options corpus users
reach for (issue #26's numbered problems, each pinned here)."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from langseg import Segmenter
from langseg.cli import main
from langseg.codes import UnknownLanguage, parse_language, parse_languages
from langseg.colours import PALETTE, assign_colours, use_colour

GERMAN = "Die Stadt plant neue Radwege entlang des Flusses, und die Arbeiten beginnen im Frühjahr."
FRENCH = "Le conseil municipal a voté hier soir le budget de la nouvelle médiathèque du quartier."
ENGLISH = "The museum will stay open late on Fridays during the whole summer season this year."


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=False)


def records(output: bytes) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    rows = [{"id": "de", "text": GERMAN}, {"id": "fr", "text": FRENCH}, {"id": "mix", "text": f"{GERMAN}\n\n{ENGLISH}"}]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


# 2. codes as users write them

KNOWN = {"de", "en", "es", "hbs", "no", "nb", "tl", "zh"}


@pytest.mark.parametrize("written, code", [
    ("de", "de"), ("deu", "de"), ("ger", "de"), ("DE", "de"), ("de-AT", "de"), ("German", "de"), ("german", "de"),
    ("eng", "en"), ("en_US", "en"), ("Spanish", "es"), ("zh-Hant", "zh"), ("fil", "tl"), ("Tagalog", "tl"),
    ("Serbo-Croatian", "hbs"), ("nob", "nb"),
])
def test_a_language_is_read_as_users_write_it(written: str, code: str) -> None:
    assert parse_language(written, KNOWN, {"sh": "hbs"}) == code


@pytest.mark.parametrize("written, says", [
    ("xx", "unknown language 'xx'"), ("Germn", "closest known: de (German)"),
    ("Klingon", "the model has no language 'Klingon' (Klingon, code tlh)"),
])
def test_an_unknown_language_names_the_closest_known(written: str, says: str) -> None:
    with pytest.raises(UnknownLanguage, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_language(written, KNOWN)


def test_a_language_list_keeps_order_and_drops_repeats() -> None:
    assert parse_languages("German, en,deu", KNOWN) == ("de", "en")


@pytest.mark.model
@pytest.mark.parametrize("written", ["de", "deu", "DE", "German"])
def test_extract_takes_the_language_as_written(corpus: Path, written: str) -> None:
    result = run("extract", str(corpus), "--lang", written)
    assert result.exit_code == 0
    assert [r["id"] for r in records(result.stdout_bytes)] == ["de", "mix"]


@pytest.mark.model
def test_extract_with_an_unknown_language_is_a_usage_error(corpus: Path) -> None:
    result = run("extract", str(corpus), "--lang", "xx")
    assert result.exit_code == 2 and "unknown language 'xx'" in result.stderr and not result.stdout


# 3. a run that reads nothing says why; JSON in files not named so

@pytest.mark.model
def test_a_run_where_no_document_has_the_field_exits_1_naming_the_fields(corpus: Path) -> None:
    result = run("tag", str(corpus), "--text-field", "body")
    assert result.exit_code == 1
    assert len(records(result.stdout_bytes)) == 3, "every document still has its record"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: none of the 3 documents could be processed") and "it has: 'id', 'text'" in last


def test_a_json_array_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "docs.json"
    path.write_text(json.dumps([{"id": "a", "text": GERMAN}, {"id": "b", "text": FRENCH}], indent=1))
    result = run("tag", str(path))
    [record] = records(result.stdout_bytes)
    assert result.exit_code == 1 and "a JSON array, not JSON Lines" in record["error"] and "jq -c" in record["error"]


@pytest.mark.model
@pytest.mark.parametrize("name, packed", [("part-00000", False), ("mystery.dat", True)])
def test_jsonl_without_a_jsonl_name_is_read_as_jsonl_and_said(tmp_path: Path, corpus: Path, name: str,
                                                              packed: bool) -> None:
    data = corpus.read_bytes()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if packed else data)
    result = run("tag", str(path))
    assert [r["id"] for r in records(result.stdout_bytes)] == ["de", "fr", "mix"]
    assert "read as JSONL" in result.stderr
    as_text = run("tag", str(path), "--input-format", "text")
    assert len(records(as_text.stdout_bytes)) == 1


@pytest.mark.model
def test_a_text_starting_with_a_brace_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("{ this is not JSON } " + ENGLISH)
    assert len(records(run("tag", str(path)).stdout_bytes)) == 1


# 4. --keep-fields never overwrites silently

@pytest.mark.model
def test_keep_fields_renames_input_fields_the_record_has(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "a", "text": GERMAN, "language": "xx", "spans": 3, "source": "web"}) + "\n")
    result = run("tag", str(path), "--keep-fields")
    [record] = records(result.stdout_bytes)
    assert record["language"] == "de" and record["input_language"] == "xx" and record["input_spans"] == 3
    assert record["source"] == "web" and record["id"] == "a"
    assert "language -> input_language, spans -> input_spans" in result.stderr


# 5. detect: files, stdin on a terminal, Ctrl-C, colours

@pytest.mark.model
def test_detect_reads_a_file_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(GERMAN)
    result = run("detect", str(path))
    assert result.stdout.startswith("language: de") and "reading the file" in result.stderr


def test_colours_differ_within_a_document_and_are_colour_blind_safe() -> None:
    colours = assign_colours(["ru", "uk", "fr", "pl", "und", "ru"])
    assert len({colours[code] for code in ("ru", "uk", "fr", "pl")}) == 4
    assert colours["und"] not in PALETTE and all(colours[code] in PALETTE for code in ("ru", "uk", "fr", "pl"))


class _Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("choice, environ, coloured", [
    (None, {}, True), (None, {"NO_COLOR": "1"}, False), (None, {"NO_COLOR": ""}, True),
    (True, {"NO_COLOR": "1"}, True), (False, {}, False),
])
def test_colour_follows_the_flag_then_no_color(choice: bool | None, environ: dict, coloured: bool) -> None:
    assert use_colour(choice, _Terminal(), environ) is coloured  # type: ignore[arg-type]


@pytest.mark.model
def test_detect_colours_only_when_asked_or_on_a_terminal() -> None:
    assert "\x1b[" in run("detect", "--color", f"{GERMAN} {ENGLISH}").stdout
    assert "\x1b[" not in run("detect", f"{GERMAN} {ENGLISH}").stdout  # not a terminal
    assert "\x1b[" not in run("detect", "--no-color", GERMAN).stdout


def _interrupted(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run langseg reading a pipe nobody writes to, interrupt it as Ctrl-C does, and return what it did."""
    process = subprocess.Popen([sys.executable, "-m", "langseg", *args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, text=True)
    time.sleep(4)  # past start-up and the model load
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, out, err)


@pytest.mark.model
@pytest.mark.parametrize("command", [["detect"], ["tag"], ["stats"], ["extract", "--dominant"]])
def test_ctrl_c_is_130_in_every_command(tmp_path: Path, command: list[str]) -> None:
    done = _interrupted(command, tmp_path)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "Aborted" not in done.stderr


# 7. the progress bar knows its total

@pytest.mark.model
def test_progress_through_files_counts_bytes_to_a_known_total(corpus: Path) -> None:
    from langseg.io import InputOptions, ReadProgress, read_inputs

    progress = ReadProgress([str(corpus)])
    assert progress.total == corpus.stat().st_size
    positions = [progress.position() for _doc in read_inputs([str(corpus)], InputOptions(), progress)]
    assert positions[-1] > 0 and progress.position() == progress.total


def test_progress_through_stdin_has_no_total() -> None:
    from langseg.io import ReadProgress

    assert ReadProgress(["-"]).total is None


# 8. codes are current

@pytest.mark.model
def test_serbo_croatian_is_hbs_not_the_withdrawn_sh(real_segmenter: Segmenter) -> None:
    scorer = real_segmenter.scorer
    assert "hbs" in scorer.codes and "sh" not in scorer.codes  # type: ignore[attr-defined]


# the options corpus users reach for

@pytest.mark.model
def test_min_score_turns_unsure_spans_into_und() -> None:
    unsure = Segmenter().segment("hello world")
    assert unsure.spans[0].lang == "en" and unsure.spans[0].score < 0.5
    floored = Segmenter(min_score=0.5).segment("hello world")
    assert [span.lang for span in floored.spans] == ["und"] and floored.language == "und"


@pytest.mark.model
@pytest.mark.parametrize("languages", ["en,es", "English,Spanish", ("eng", "spa")])
def test_languages_restrict_what_is_decoded(languages) -> None:
    text = "Hola a todos. This is the English part of the text, and it goes on for a while."
    document = Segmenter(languages=languages).segment(text)
    assert {span.lang for span in document.spans} <= {"en", "es"}
    german = Segmenter(languages=languages).segment(GERMAN)
    assert german.language in {"en", "es"}, "a language outside the list is never produced"


@pytest.mark.model
def test_languages_option_rejects_what_the_model_cannot_produce(corpus: Path) -> None:
    result = run("tag", str(corpus), "--languages", "en,Klingon")
    assert result.exit_code == 2 and "Klingon" in result.stderr


@pytest.mark.model
def test_extract_split_writes_one_file_per_language_in_one_pass(corpus: Path, tmp_path: Path) -> None:
    template = str(tmp_path / "by-language" / "{lang}.jsonl.gz")
    result = run("extract", str(corpus), "--split", template)
    assert result.exit_code == 0, result.stderr
    written = {path.name: [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
               for path in (tmp_path / "by-language").iterdir()}
    assert set(written) == {"de.jsonl.gz", "fr.jsonl.gz", "en.jsonl.gz"}
    assert [r["id"] for r in written["de.jsonl.gz"]] == ["de", "mix"]
    assert written["en.jsonl.gz"] == [{"id": "mix", "text": ENGLISH}]


def test_extract_split_needs_its_placeholder(corpus: Path) -> None:
    assert run("extract", str(corpus), "--split", "out.jsonl").exit_code == 2


def test_shell_completion_script_is_generated() -> None:
    env = {**os.environ, "_LANGSEG_COMPLETE": "bash_source"}
    done = subprocess.run([sys.executable, "-c", "from langseg.cli import main; main(prog_name='langseg')"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert "_langseg_completion" in done.stdout and "complete " in done.stdout


# Parquet in and out for the local tag

@pytest.mark.model
def test_parquet_in_and_out_keeps_the_input_columns(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="the parquet extra is not installed")
    import pyarrow.parquet as pq

    source = tmp_path / "shard"  # recognised by its magic bytes, whatever its name
    pq.write_table(pa.table({"doc_id": [7, 8, 9], "body": [GERMAN, f"{FRENCH}\n\n{ENGLISH}", None],
                             "source": ["a", "b", "c"]}), source)
    as_jsonl = run("tag", str(source), "--text-field", "body", "--id-field", "doc_id")
    assert [(r["id"], r["language"]) for r in records(as_jsonl.stdout_bytes)] == [("7", "de"), ("8", "fr"), ("9", "und")]
    assert "column 'body' is null" in records(as_jsonl.stdout_bytes)[2]["error"]
    out = tmp_path / "tagged.parquet"
    result = run("tag", str(source), "--text-field", "body", "--id-field", "doc_id", "--keep-fields",
                 "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out)
    assert table.column_names[:3] == ["doc_id", "body", "source"]
    rows = table.to_pylist()
    assert [row["source"] for row in rows] == ["a", "b", "c"] and rows[1]["mixed"] is True
    assert dict(rows[1]["languages"]).keys() == {"fr", "en"}
    assert rows[1]["spans"] == records(as_jsonl.stdout_bytes)[1]["spans"]


def test_parquet_output_needs_a_file(tmp_path: Path) -> None:
    assert run("tag", "-", "--format", "parquet", stdin="x").exit_code == 2


@pytest.mark.model
def test_the_library_and_pipelines_take_languages_as_written(real_segmenter: Segmenter) -> None:
    pytest.importorskip("datasets", reason="the hf extra is not installed")
    from langseg.integrations.hf import extract_batch

    text = f"{GERMAN}\n\n{ENGLISH}"
    assert real_segmenter.extract(text, "German") == real_segmenter.extract(text, "de") == GERMAN
    assert extract_batch("eng", segmenter=real_segmenter)({"text": [text]})["text"] == [ENGLISH]
    with pytest.raises(UnknownLanguage, match="closest known"):
        extract_batch("Germn", segmenter=real_segmenter)


def test_ray_never_starts_more_actors_than_the_cpus_leave_free(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    ray_module = pytest.importorskip("langseg.integrations.ray")
    monkeypatch.setattr(ray_module.ray, "cluster_resources", lambda: {"CPU": 2.0})
    sizes = []

    class Dataset:
        def map_batches(self, *args, compute, **kwargs):
            sizes.append(compute)
            return self

    monkeypatch.setattr(ray_module.ray.data, "ActorPoolStrategy", lambda size: size)
    ray_module.tag_dataset(Dataset(), concurrency=16)
    ray_module.tag_dataset(Dataset())
    assert sizes == [1, 1] and "--concurrency 16 lowered to 1" in capsys.readouterr().err


# --explain (issue #25): why each unit came out as it did

@pytest.mark.model
@pytest.mark.parametrize("text", [
    "Por Ana Pérez. The article begins here.\n\nIch habe das gestern gesehen, ama çok pahalıydı, maalesef alamadım.",
    "12345\nUmuzi wakwa Zulu uyakhula ngokushesha kakhulu emakhaya.\n\n" + ENGLISH,
    "",
])
def test_explain_gives_the_same_record_and_one_row_per_unit(real_segmenter: Segmenter, text: str) -> None:
    explained = real_segmenter.explain(text)
    assert explained.document == real_segmenter.segment(text)
    assert [(u.start, u.end) for u in explained.units] == sorted((u.start, u.end) for u in explained.units)
    for unit in explained.units:
        assert text[unit.start:unit.end] == unit.text and unit.because
        assert all(unit.start <= a < b <= unit.end for a, b, _lang in unit.pieces)
    json.dumps(explained.to_dict())


@pytest.mark.model
def test_explain_names_the_step_that_decided(real_segmenter: Segmenter) -> None:
    text = "Por Ana Pérez. The article begins here.\n12345\nUmuzi wakwa Zulu uyakhula ngokushesha kakhulu emakhaya."
    becauses = [unit.because for unit in real_segmenter.explain(text).units]
    assert becauses[0].startswith("its context") and becauses[1].startswith("its own reading")
    assert becauses[2].startswith("no letters") and becauses[3].startswith("the second opinion (CLD2)")


@pytest.mark.model
def test_detect_explain_prints_the_units() -> None:
    result = run("detect", "--explain", f"{GERMAN} {ENGLISH}")
    assert result.exit_code == 0 and "units:" in result.stdout and "decided by" in result.stdout


@pytest.mark.model
@pytest.mark.parametrize("text, read_as", [
    ("Die Stadt plant neue Radwege.", "Die Stadt plant neue Radwege."),  # German nouns say German: kept
    ("Por Isabella Nguyen", "Por"),  # a byline's names say nothing of its language: left out
])
def test_names_are_left_out_only_where_the_model_reads_surer_without_them(real_segmenter: Segmenter, text: str,
                                                                          read_as: str) -> None:
    [unit] = real_segmenter.explain(text).units
    assert unit.read_as == read_as

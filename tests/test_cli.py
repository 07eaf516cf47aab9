"""The command line, through click's CliRunner and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from langseg.cli import main

SPANISH_ENGLISH = (
    "Este sitio utiliza cookies para ofrecerle una mejor experiencia de navegación.\n\n"
    "The museum will stay open late on Fridays during the whole summer season.\n"
)


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(SPANISH_ENGLISH, encoding="utf-8")
    return path


def test_tag_a_text_file(page: Path) -> None:
    result = run("tag", str(page))
    assert result.exit_code == 0
    [record] = records(result.stdout)
    assert record["id"] == str(page)
    assert [span["lang"] for span in record["spans"]] == ["es", "en"]
    assert record["mixed"] is True and record["length"] == len(SPANISH_ENGLISH)


def test_tag_jsonl_with_nested_fields(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [{"meta": {"id": f"doc-{n}"}, "body": text} for n, text in enumerate(["Hola a todos.", SPANISH_ENGLISH])]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = run("tag", str(path), "--text-field", "body", "--id-field", "meta.id")
    assert [r["id"] for r in records(result.stdout)] == ["doc-0", "doc-1"]


def test_stdin_text_and_jsonl_are_told_apart() -> None:
    as_text = records(run("tag", "-", stdin=SPANISH_ENGLISH).stdout)
    as_jsonl = records(run("tag", stdin=json.dumps({"id": "x", "text": SPANISH_ENGLISH}) + "\n").stdout)
    assert as_text[0]["id"] == "<stdin>" and as_jsonl[0]["id"] == "x"
    assert as_text[0]["spans"] == as_jsonl[0]["spans"]


def test_bad_lines_become_error_records_in_order(tmp_path: Path) -> None:
    path = tmp_path / "mixed-quality.jsonl"
    path.write_text(
        '{"id": "a", "text": "Good morning, everyone here today."}\n'
        '{"id": "b", "text": \n'
        '{"id": "c", "body": "no text field"}\n'
        '{"id": "d", "text": 42}\n'
        '{"id": "f", "text": null}\n'
        '\n'
        '{"id": "e", "text": "Buenos días a todos los presentes."}\n',
        encoding="utf-8",
    )
    result = run("tag", str(path))
    assert result.exit_code == 0
    out = records(result.stdout)
    assert [r["id"] for r in out] == ["a", f"{path}:2", "c", "d", "f", "e"]
    assert [("error" in r) for r in out] == [False, True, True, True, True, False]
    assert out[1]["error"].startswith(f"{path}:2: malformed JSON")
    assert out[2]["error"] == f"{path}:3: no 'text' field (it has: 'id', 'body'; see --text-field)"
    assert out[3]["error"] == f"{path}:4: field 'text' is int, not a string"
    assert out[4]["error"] == f"{path}:5: field 'text' is null, not a string"
    assert out[1]["spans"] == [] and out[1]["language"] == "und"


def test_strict_stops_at_the_first_bad_document(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "Fine."}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["tag", str(path), "--strict"])
    assert result.exit_code == 1
    assert f"{path}:2: malformed JSON" in result.stderr and "--strict" in result.stderr
    assert "Traceback" not in result.output


def test_output_file_is_complete_or_absent(tmp_path: Path, page: Path) -> None:
    target = tmp_path / "out" / "tagged.jsonl"
    target.parent.mkdir()
    assert run("tag", str(page), "-o", str(target)).exit_code == 0
    assert len(records(target.read_text("utf-8"))) == 1
    assert [p.name for p in target.parent.iterdir()] == ["tagged.jsonl"]


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tag", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_a_folder_with_no_matching_file_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text("Buenos días a todos los presentes.", encoding="utf-8")
    result = CliRunner().invoke(main, ["tag", str(tmp_path), "--glob", "*.jsonl.zst"])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"langseg: warning: no file in {tmp_path} matches --glob '*.jsonl.zst'\n"
    assert "warning" not in CliRunner().invoke(main, ["tag", str(tmp_path), "--glob", "*.txt"]).stderr


def test_detect_shows_spans() -> None:
    result = run("detect", SPANISH_ENGLISH)
    assert result.exit_code == 0
    assert "mixed: yes" in result.stdout and "[es " in result.stdout and "[en " in result.stdout
    assert "\x1b[" not in result.stdout, "no colour codes when not writing to a terminal"


def test_detect_reads_stdin() -> None:
    assert "[en " in run("detect", stdin="The museum will stay open late on Fridays.").stdout


def test_models_list_shows_the_default_as_cached(real_segmenter) -> None:
    result = run("models", "list")
    assert "lid.176.ftz" in result.stdout and "cached" in result.stdout and "glotlid-v3" in result.stdout


def test_a_model_that_is_not_one_gives_one_line(tmp_path: Path, page: Path) -> None:
    junk = tmp_path / "junk.ftz"
    junk.write_bytes(b"junk")
    result = CliRunner().invoke(main, ["tag", str(page), "--model", str(junk)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: cannot load")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    yield prefix, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=lambda p: " ".join(p) or "langseg")
def test_every_help_ends_with_examples(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    tail = result.stdout.rstrip().split("Examples:")[-1]
    assert "Examples:" in result.stdout and all(line.strip().startswith(("langseg", "cat", "LANGSEG_"))
                                               for line in tail.strip().splitlines())


def test_real_process_round_trip(page: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "langseg", "tag", str(page)], capture_output=True, text=True,
                          check=True, timeout=120)
    [record] = records(done.stdout)
    assert [span["lang"] for span in record["spans"]] == ["es", "en"]
    assert done.stderr == ""

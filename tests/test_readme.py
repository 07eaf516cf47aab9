"""Every example of the README runs as written, so none can rot: its `sh` blocks line by line in one
folder of small example inputs (the names the README uses), its `python` blocks each in a subprocess
with a timeout, in README order (a later block reads what an earlier one wrote). Every command's
`--help` examples run too. `text` and `json` blocks are output listings."""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from langseg.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_TEST_COMMAND = "pip install -e '.[test,hf,datatrove,ray,heliport]' && python -m pytest -q"

GERMAN = "Die Stadt plant neue Radwege entlang des Flusses, und die Arbeiten beginnen im Frühjahr."
ENGLISH = "The museum will stay open late on Fridays during the whole summer season this year."
SPANISH = "Utilizamos cookies propias y de terceros para mejorar nuestros servicios y su experiencia."
FRENCH = "Le conseil municipal a voté hier soir le budget de la nouvelle médiathèque du quartier."
TEXTS = [f"{SPANISH}\n\n{ENGLISH}", GERMAN, FRENCH, f"{ENGLISH}\n{ENGLISH}", f"{GERMAN}\n\n{FRENCH}"]


def blocks() -> list[tuple[str, str]]:
    """(language, code) of every fenced block, in order."""
    return [(match.group(1), match.group(2)) for match in _FENCE.finditer(README.read_text(encoding="utf-8"))]


def shell_commands(code: str) -> list[str]:
    """The commands of an `sh` block: continuation lines joined; comments are the shell's to drop."""
    return [line.strip() for line in code.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding every input the README names, beside a link to `../shared` when there is one."""
    base = tmp_path_factory.mktemp("readme")
    work = base / "work"
    work.mkdir()
    if SHARED.is_dir():
        (base / "shared").symlink_to(SHARED)
    (work / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "example.txt", work / "docs" / "example.txt")
    rows = [{"id": f"doc-{i}", "text": text} for i, text in enumerate(TEXTS)]
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    (work / "corpus.jsonl").write_text(lines, encoding="utf-8")
    (work / "crawl.jsonl").write_text(lines, encoding="utf-8")
    (work / "page.txt").write_text(TEXTS[0], encoding="utf-8")
    (work / "notes").mkdir()
    (work / "notes" / "a.md").write_text(f"{GERMAN}\n{ENGLISH}\n", encoding="utf-8")
    crawl = work / "crawl"
    crawl.mkdir()
    for part in range(2):
        shard = [{"id": f"p{part}-{i}", "content": text, "meta": {"url": f"https://example.org/{part}/{i}"}}
                 for i, text in enumerate(TEXTS)]
        data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in shard).encode()
        (crawl / f"part-{part}.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        pass
    else:
        (work / "shards").mkdir()
        pq.write_table(pa.table({"id": [row["id"] for row in rows], "text": [row["text"] for row in rows]}),
                       work / "shards" / "part-0.parquet")
    return work


def _run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "NO_COLOR": "1"})


def test_the_readme_test_command_is_what_ci_runs() -> None:
    assert [code for lang, code in blocks() if lang == "sh"][1].strip() == _TEST_COMMAND
    assert _TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_block_says_what_it_is() -> None:
    assert all(lang in {"sh", "python", "text", "json"} for lang, _code in blocks())
    for page in (ROOT / "docs").glob("*.md"):
        assert all(match.group(1) in {"text", "json"}
                   for match in _FENCE.finditer(page.read_text(encoding="utf-8"))), page


def test_every_local_link_of_the_readme_leads_somewhere() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", text):
        assert (ROOT / target).exists() or (ROOT.parent / target.removeprefix("../")).exists(), target


@pytest.mark.model
def test_every_readme_example_runs(workspace: Path) -> None:
    """Blocks in order; `pip install ... &&` is what set-up does (this test runs where it was done), and
    the test command itself is not run again from inside the tests."""
    ran = 0
    for number, (lang, code) in enumerate(blocks()):
        if lang == "sh":
            for command in shell_commands(code):
                if command == _TEST_COMMAND:
                    continue
                command = re.sub(r"^pip install [^&]*&& ", "", command)
                if "../shared" in command and not SHARED.is_dir():
                    continue
                if (command.startswith("langseg ray") and not _has("ray")) or (
                        "parquet" in command and not _has("pyarrow")):
                    continue  # an extra's example, where the extra is not installed
                done = _run_shell(command, workspace)
                assert done.returncode == 0, f"README block {number}: {command}\n{done.stderr[-2000:]}"
                ran += 1
        elif lang == "python":
            needs = [name for name in ("datasets", "datatrove", "ray") if re.search(rf"\bimport {name}\b|from {name}\b",
                                                                                   code)]
            if not all(_has(name) for name in needs):
                continue
            script = workspace / f"readme_block_{number}.py"
            script.write_text(code, encoding="utf-8")
            done = subprocess.run([sys.executable, script.name], cwd=workspace, capture_output=True, text=True,
                                  timeout=600)
            assert done.returncode == 0, f"README block {number}:\n{code}\n{done.stderr[-3000:]}"
            ran += 1
    assert ran >= 20
    assert gzip.decompress((workspace / "by-language" / "de.jsonl.gz").read_bytes())
    if _has("datatrove"):
        assert any((workspace / "english").iterdir()), "the DataTrove example wrote its output"


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _help_examples() -> list[tuple[str, str]]:
    """(command path, example line) of every command's --help epilog."""
    import click

    found = []

    def walk(command: click.Command, path: str) -> None:
        for line in (command.epilog or "").split("Examples:", 1)[-1].splitlines():
            if line.startswith("  "):
                found.append((path, line.strip()))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}")

    walk(main, "langseg")
    return found


_SKIPPED_HELP = {
    "langseg models fetch openlid-v2 --sha256 HEX": "HEX stands for a checksum the user brings",
    "langseg models fetch lid.176.ftz --force": "downloads the model again",
    "LANGSEG_CACHE_DIR=/data/models langseg models list": "names a folder of the user's",
}


def test_help_examples_are_collected() -> None:
    commands = {path for path, _line in _help_examples()}
    assert {"langseg", "langseg tag", "langseg extract", "langseg stats", "langseg detect", "langseg ray",
            "langseg models list", "langseg models fetch"} <= commands


@pytest.mark.model
def test_every_help_example_runs(workspace: Path) -> None:
    # the names the help examples use, made from the README's inputs
    shutil.copy(workspace / "corpus.jsonl", workspace / "dev.jsonl")
    shutil.copytree(workspace / "docs", workspace / "pages", dirs_exist_ok=True)
    for name in ("crawl", "corpus"):
        with open(workspace / f"{name}.jsonl", "rb") as source, gzip.open(workspace / f"{name}.jsonl.gz", "wb") as out:
            out.write(source.read())
    (workspace / "notes.txt").write_text(f"{GERMAN}\n{ENGLISH}\n", encoding="utf-8")
    ran = 0
    for path, line in _help_examples():
        if line in _SKIPPED_HELP or (line.startswith("langseg ray") and not _has("ray")):
            continue
        if "parquet" in line and not _has("pyarrow"):
            continue
        if line.startswith("langseg ray") and "--address auto" in line:
            continue  # joins a running cluster, which a test machine has not got
        done = _run_shell(line, workspace)
        assert done.returncode == 0, f"{path} --help example: {line}\n{done.stderr[-2000:]}"
        ran += 1
    assert ran >= 15


def test_skipped_help_examples_still_exist() -> None:
    lines = {line for _path, line in _help_examples()}
    assert set(_SKIPPED_HELP) <= lines, "a skipped example that no longer exists should leave the list"


def test_shell_commands_join_continuation_lines() -> None:
    assert shell_commands("a \\\n  b\nc  # note\n") == ["a    b", "c  # note"]
    assert shlex.split("langseg tag x")[0] == "langseg"

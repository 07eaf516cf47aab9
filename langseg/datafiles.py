"""Access to the project's `models/` folder (manifest, tuned parameters), installed as `langseg._models`."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ParameterFileError


def read_models_file(name: str) -> str:
    """The text of `models/NAME`, from the installed package or, when run from a source checkout, the folder."""
    try:
        return resources.files("langseg._models").joinpath(name).read_text("utf-8")
    except ModuleNotFoundError:
        return (Path(__file__).resolve().parent.parent / "models" / name).read_text("utf-8")


@lru_cache(maxsize=8)
def models_json(name: str) -> Any:
    return json.loads(read_models_file(name))


def knowledge(name: str, keys: frozenset[str]) -> dict[str, Any]:
    """`models/NAME`, a JSON object of what langseg knows of a model, checked to hold exactly `keys`
    (and a free "comment"): a mistyped key is an error naming it and the file, not a silent default."""
    data = models_json(name)
    unknown = sorted(set(data) - keys - {"comment"})
    if unknown:
        raise ParameterFileError(f"models/{name}: unknown key {unknown[0]!r} (known: {', '.join(sorted(keys))})")
    missing = sorted(keys - set(data))
    if missing:
        raise ParameterFileError(f"models/{name}: missing key {missing[0]!r}")
    return data

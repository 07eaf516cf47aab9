"""A pytest plugin (loaded from pyproject's addopts): the doctests of an integration module are collected
only where its pipeline engine is installed, so `pip install -e '.[test]' && python -m pytest` passes
without the extras (their tests skip with `pytest.importorskip`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_ENGINES = {"hf.py": "datasets", "datatrove.py": "datatrove", "ray.py": "ray"}


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    engine = _ENGINES.get(collection_path.name)
    if engine and collection_path.parent.name == "integrations" and importlib.util.find_spec(engine) is None:
        return True
    return None

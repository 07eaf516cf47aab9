"""Adapters for data-pipeline engines: Hugging Face datasets, DataTrove and Ray Data.

Each module imports its engine on import and, when it is missing, raises an ImportError that names the
extra to install (`pip install 'langseg[hf]'`, `'langseg[datatrove]'`, `'langseg[ray]'`).
"""


def missing(package: str, extra: str) -> ImportError:
    """The error to raise when an integration's engine is not installed: it says what to install."""
    return ImportError(f"this langseg integration needs the {package!r} package: pip install 'langseg[{extra}]'")

"""The library's own exceptions: the CLI turns them into one-line messages, callers can catch them by kind."""


class LangsegError(Exception):
    """Base class of every error langseg raises on purpose."""


class ModelError(LangsegError):
    """A model is missing, corrupt, unknown or cannot be loaded; the message says what to run."""


class ParameterFileError(LangsegError, ValueError):
    """A model's parameter or knowledge file under `models/` names a key langseg does not have, lacks one
    it needs, or gives one a wrong value; the message names the key and the file."""

"""The console entry point: Ctrl-C during start-up ends quietly too, before the heavy imports are done."""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    signal.signal(signal.SIGINT, _interrupted_at_start)  # nothing is open yet: leave at once
    from .cli import main as cli

    signal.signal(signal.SIGINT, signal.default_int_handler)  # from here on the CLI cleans up on Ctrl-C
    cli()


def _interrupted_at_start(signum: int, frame: object) -> None:
    sys.stderr.write("langseg: interrupted\n")
    os._exit(130)

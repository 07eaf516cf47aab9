"""`python -m langseg` runs the command line."""

from .cli import main

main()

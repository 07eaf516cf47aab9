"""`python -m langseg` runs the command line."""

from ._entry import main

main()

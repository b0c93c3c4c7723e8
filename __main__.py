"""``python -m civicgraph``: the command line."""

from .cli import main

main()

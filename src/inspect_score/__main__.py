"""``python -m inspect_score`` runs the command line."""

from inspect_score.cli.main import main

main()

"""`python -m crawler` runs the `newsarchive` command."""

from .cli import cli

cli()

"""The command line: click commands over the Python API.

Takes: the user's arguments. Gives: a results folder and a short summary
on stdout, or one ``error: FILE: key.path: ...`` line per problem on stderr
with exit status 2 (bad input), or 1 for anything unexpected. ``app`` parses
options and prints; ``commands`` does the work that needs no click.
"""

from ketensim.cli.app import cli, main

__all__ = ["cli", "main"]

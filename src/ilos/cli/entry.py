"""The `ilos` script: builds the command tree with the group it runs only (`command_tree`)."""

from __future__ import annotations

import sys

from ilos.cli.command_tree import GROUPS, build_app


def run() -> None:
    """The named group only, or the whole tree when none is named (`ilos`, `ilos --help`, `ilos --version`,
    or a mistyped group, which the whole tree reports with the names it has)."""
    named = sys.argv[1] if len(sys.argv) > 1 else None
    build_app([named] if named in GROUPS else None)()

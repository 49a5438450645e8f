"""The `ilos` script builds the command tree with the group it runs only: each group reads as in the whole
tree, generic linking runs without the operational store's libraries, and a mistyped group is still
reported with the names the tree has."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilos.cli.command_tree import GROUPS, build_app
from ilos.cli.main import app

runner = CliRunner()
ILOS = str(Path(sys.executable).parent / "ilos")


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_a_group_built_alone_reads_as_in_the_whole_tree(group: str) -> None:
    alone = runner.invoke(build_app([group]), [group, "--help"])
    whole = runner.invoke(app, [group, "--help"])
    assert alone.exit_code == whole.exit_code == 0, alone.output
    assert alone.output == whole.output


def test_linking_commands_do_not_import_the_operational_store() -> None:
    probe = (
        "import sys\n"
        "from ilos.cli.command_tree import build_app\n"
        "build_app(['link'])\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'fastapi', 'uvicorn') if m in sys.modules))\n"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_the_script_imports_only_the_group_it_runs() -> None:
    probe = (
        "import sys\n"
        "from ilos.cli import entry\n"
        "sys.argv = ['ilos', 'synth', '--help']\n"
        "try:\n"
        "    entry.run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('ilos.cli.link', 'ilos.cli.worker', 'ilos.cli.serve') if m in sys.modules))\n"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "Usage: ilos synth" in found.stdout
    assert found.stdout.strip().splitlines()[-1] == "[]"


def test_the_script_reports_a_mistyped_group_with_the_names_it_has() -> None:
    typo = subprocess.run([ILOS, "lnk", "--help"], capture_output=True, text=True, check=False)
    assert typo.returncode == 2
    assert "No such command 'lnk'" in typo.stderr
    assert "link" in typo.stderr


def test_the_script_runs_the_named_group() -> None:
    shown = subprocess.run([ILOS, "link", "--help"], capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "Usage: ilos link" in shown.stdout

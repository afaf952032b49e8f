"""The CLI's help is its documentation: every command has it, and the README names them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example_and_exit_codes(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "Exit codes:" in result.output and "0  " in result.output
    for param in cli.commands[command].params:
        if param.param_type_name == "option":
            assert param.help, f"--{param.name} of {command} has no help"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_readme_documents_every_command(command: str) -> None:
    assert f"newsarchive {command}" in README.read_text(encoding="utf-8")


def test_bad_setting_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["crawl", "--setting", "NOEQUALS"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: Invalid value for --setting: 'NOEQUALS' is not KEY=VALUE"
    ]

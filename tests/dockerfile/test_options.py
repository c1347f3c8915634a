"""The pip/uv option table: up to date with the installed pip and the bundled uv, and read right."""

from __future__ import annotations

import optparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pip._internal.cli.main_parser import create_main_parser
from pip._internal.commands import create_command
from uv import find_uv_bin

from pinbox.datafiles import data_table
from pinbox.dockerfile.options import (
    OptionUse,
    canonical,
    flags_of,
    option_word,
    short_takes_value,
    takes_value,
    valued_of,
)

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "scripts" / "gen-pip-options"
TABLE = ROOT / "src" / "pinbox" / "data" / "pip_options.json"
PIP_COMMANDS = ("general", "install", "download", "wheel")
UV_COMMANDS = {
    "general": "",
    "install": "pip install",
    "sync": "pip sync",
    "compile": "pip compile",
    "add": "add",
}


def _pip_parser(command: str) -> Any:
    return create_main_parser() if command == "general" else create_command(command).parser


def _pip_options(command: str) -> list[Any]:
    parser = _pip_parser(command)
    return [*parser.option_list, *(o for g in parser.option_groups for o in g.option_list)]


def _uv_help(argv: str) -> dict[str, bool]:
    """The options `uv ARGV --help` lists -> whether each takes a value (`--name <VALUE>`)."""
    text = subprocess.run(
        [find_uv_bin(), *argv.split(), "--help"], capture_output=True, text=True, check=True
    ).stdout
    found: dict[str, bool] = {}
    for short, long, value in re.findall(r"(?m)^(?:  (-\w), |      )(--[\w-]+)( <)?", text):
        for name in (short, long):
            if name:
                found[name] = bool(value)
    return found


@pytest.mark.parametrize("command", PIP_COMMANDS)
def test_table_has_every_option_of_the_installed_pip(command: str) -> None:
    wanted = {name: o.takes_value() for o in _pip_options(command) for name in o._short_opts + o._long_opts}
    assert valued_of("pip", command) == {n for n, valued in wanted.items() if valued}
    assert flags_of("pip", command) == {n for n, valued in wanted.items() if not valued}
    for option in _pip_options(command):
        for name in option._short_opts + option._long_opts:
            assert canonical("pip", command, name) == option._long_opts[0]


@pytest.mark.parametrize("command", UV_COMMANDS)
def test_table_has_every_option_the_bundled_uv_lists(command: str) -> None:
    listed = _uv_help(UV_COMMANDS[command])
    assert listed
    assert {n: takes_value("uv", command, n) for n in listed} == listed


def test_generator_reproduces_the_table(tmp_path: Path) -> None:
    output = tmp_path / "pip_options.json"
    # pip and uv settings of the machine must not reach the table
    (tmp_path / "constraints.txt").write_text("pip<1\n")
    env = os.environ | {"PIP_CONSTRAINT": str(tmp_path / "constraints.txt"), "UV_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, GENERATOR, "--output", output], check=True, env=env, capture_output=True)
    # the same options, whichever pip and uv release listed them: a new release fails the tests
    # above only when its options differ
    assert _versionless(output.read_text()) == _versionless(TABLE.read_text())


def _versionless(table: str) -> str:
    return re.sub(r'"version": "[^"]*"', '"version": ""', table)


def test_table_holds_option_names_only() -> None:
    for tool in ("pip", "uv"):
        table = data_table("pip_options")[tool]
        assert all(k.startswith("-") and v.startswith("--") for k, v in table["aliases"].items())
        for key, section in table.items():
            if isinstance(section, dict) and key != "aliases":
                lists = [v for v in section.values() if isinstance(v, list)]
                assert all(re.fullmatch(r"-\w|--\w[\w-]*", name) for names in lists for name in names)


@pytest.mark.parametrize(
    ("tool", "command", "option", "name", "valued"),
    [
        ("pip", "install", "--root-user-action", "--root-user-action", True),
        ("pip", "install", "--no-cache-dir", "--no-cache-dir", False),
        ("pip", "install", "--no-cache", "--no-cache-dir", False),
        ("pip", "general", "--no-cache", "--no-cache-dir", False),
        ("uv", "install", "--no-cache", "--no-cache", False),
        ("uv", "install", "--no-cache-dir", "--no-cache", False),
        ("uv", "install", "--no-cach", None, None),
        ("pip", "install", "-r", "--requirement", True),
        ("pip", "install", "--req", None, None),  # --requirement or --requirements-from-script
        ("pip", "install", "--no-dep", None, None),  # --no-deps and --no-dependencies: optparse refuses
        ("pip", "install", "--config-settings", "--config-settings", True),
        ("pip", "install", "-C", "--config-settings", True),
        ("pip", "wheel", "-C", "--config-settings", True),
        ("uv", "install", "--config-settings", "--config-setting", True),
        ("uv", "install", "-C", "--config-setting", True),
        ("pip", "install", "--progress-bar", "--progress-bar", True),
        ("pip", "install", "--progress", "--progress-bar", True),
        ("pip", "install", "--log-file", "--log", True),
        ("pip", "install", "--version", None, None),
        ("pip", "general", "--version", "--version", False),
        ("pip", "download", "-d", "--dest", True),
        ("pip", "install", "-d", None, None),
        ("uv", "general", "--cache-dir", "--cache-dir", True),
        ("uv", "sync", "--cache-dir", "--cache-dir", True),
        ("uv", "add", "--editable", "--editable", False),
        ("uv", "install", "--editable", "--editable", True),
        ("uv", "install", "--requirement", "--requirements", True),
    ],
)
def test_known_options(tool: str, command: str, option: str, name: str | None, valued: bool | None) -> None:
    assert canonical(tool, command, option) == name
    assert takes_value(tool, command, option) is valued


@pytest.mark.parametrize("command", ["install", "download", "wheel"])
def test_pip_prefixes_resolve_as_optparse_does(command: str) -> None:
    parser = create_command(command).parser
    for long in parser._long_opt:
        for end in range(3, len(long) + 1):
            try:
                option = parser._long_opt[parser._match_long_opt(long[:end])]
                expected = option._long_opts[0]
            except optparse.BadOptionError:
                expected = None
            assert canonical("pip", command, long[:end]) == expected, long[:end]


def _use(written: str, name: str | None, value: str | None = None, value_next: bool = False) -> OptionUse:
    return OptionUse(written, name, value, value_next)


@pytest.mark.parametrize(
    ("tool", "word", "uses"),
    [
        ("pip", "-qU", [_use("-q", "--quiet"), _use("-U", "--upgrade")]),
        ("pip", "-rreq.txt", [_use("-r", "--requirement", "req.txt")]),
        ("pip", "-qr", [_use("-q", "--quiet"), _use("-r", "--requirement", None, True)]),
        ("pip", "-r=x", [_use("-r", "--requirement", "=x")]),
        ("uv", "-r=x", [_use("-r", "--requirements", "x")]),
        ("pip", "-qZr", [_use("-q", "--quiet"), _use("-Z", None)]),
        ("pip", "--index-url=https://x", [_use("--index-url", "--index-url", "https://x")]),
        ("pip", "--index", [_use("--index", "--index-url", None, True)]),
        ("pip", "--root-user-action", [_use("--root-user-action", "--root-user-action", None, True)]),
        ("uv", "--no-cache", [_use("--no-cache", "--no-cache")]),
        ("uv", "--nope", [_use("--nope", None)]),
        ("pip", "--", []),
        ("pip", "-", []),
        ("pip", "poetry==1.8.5", []),
    ],
)
def test_option_word(tool: str, word: str, uses: list[OptionUse]) -> None:
    assert option_word(tool, "install", word) == tuple(uses)


def test_short_takes_value() -> None:
    assert short_takes_value("pip", "install", "r") is True
    assert short_takes_value("pip", "install", "q") is False
    assert short_takes_value("pip", "install", "Z") is None


@pytest.mark.parametrize(("tool", "command"), [("conda", "install"), ("pip", "aliases"), ("uv", "version")])
def test_unknown_tables_are_errors(tool: str, command: str) -> None:
    with pytest.raises(ValueError, match="no option table"):
        flags_of(tool, command)

"""Configuration: [tool.pinbox] in pyproject.toml or pinbox.toml, strictly validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.config import CheckConfig, Config, load_config
from pinbox.errors import PinboxError


def pyproject(root: Path, body: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text('[project]\nname = "app"\n\n' + body, encoding="utf-8")
    return path


def pinbox_toml(root: Path, body: str) -> Path:
    path = root / "pinbox.toml"
    path.write_text(body, encoding="utf-8")
    return path


def error_of(root: Path) -> PinboxError:
    with pytest.raises(PinboxError) as info:
        load_config(root)
    return info.value


FULL = """\
[tool.pinbox]
python = "3.11"
platform = ["linux/amd64", "linux/arm64"]
input = "requirements.in"
output = "requirements.txt"
format = "pylock"
extras = ["gpu"]
allow-sdist = ["antlr4-python3-runtime"]
exclude-newer = "2024-06-01"

[tool.pinbox.check]
select = ["pip-cache"]
ignore = "unpinned-base"

[tool.pinbox.check.per-file-ignores]
"docker/*.Dockerfile" = ["pip-cache", "apt-lists"]
"""


def test_no_configuration_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


@pytest.mark.parametrize("body", ["", "[tool.black]\nline-length = 100\n"])
def test_pyproject_without_pinbox_table_gives_defaults(tmp_path: Path, body: str) -> None:
    pyproject(tmp_path, body)
    assert load_config(tmp_path) == Config()


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    path = pyproject(tmp_path, FULL)
    assert load_config(tmp_path) == Config(
        source=path,
        python="3.11",
        platform="linux/amd64,linux/arm64",
        input="requirements.in",
        output="requirements.txt",
        format="pylock",
        extras=("gpu",),
        allow_sdist=("antlr4-python3-runtime",),
        exclude_newer="2024-06-01",
        check=CheckConfig(
            select=("pip-cache",),
            ignore=("unpinned-base",),
            per_file_ignores=(("docker/*.Dockerfile", ("pip-cache", "apt-lists")),),
        ),
    )


def test_single_string_platform_and_extras(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.pinbox]\nplatform = "linux/arm64"\nextras = "gpu"\n')
    config = load_config(tmp_path)
    assert (config.platform, config.extras) == ("linux/arm64", ("gpu",))


def test_pinbox_toml_takes_precedence(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.pinbox]\npython = "3.9"\nbogus = 1\n')
    own = pinbox_toml(tmp_path, 'python = "3.12"\n[check]\nignore = ["x"]\n')
    config = load_config(tmp_path)
    assert (config.source, config.python, config.check.ignore) == (own, "3.12", ("x",))


def test_pinbox_toml_keys_are_top_level(tmp_path: Path) -> None:
    pinbox_toml(tmp_path, '[tool.pinbox]\npython = "3.12"\n')
    err = error_of(tmp_path)
    assert err.message == "unknown key 'tool'"


@pytest.mark.parametrize(
    ("body", "message", "hint"),
    [
        ('[tool.pinbox]\npyhton = "3.11"\n', "unknown key [tool.pinbox] 'pyhton'", "did you mean 'python'?"),
        (
            '[tool.pinbox]\nplatforms = "x"\n',
            "unknown key [tool.pinbox] 'platforms'",
            "did you mean 'platform'?",
        ),
        (
            "[tool.pinbox]\nallow_sdist = []\n",
            "unknown key [tool.pinbox] 'allow_sdist'",
            "did you mean 'allow-sdist'?",
        ),
        (
            "[tool.pinbox.check]\nselct = []\n",
            "unknown key [tool.pinbox] check.'selct'",
            "did you mean 'select'?",
        ),
        (
            "[tool.pinbox.check]\nper_file_ignores = {}\n",
            "unknown key [tool.pinbox] check.'per_file_ignores'",
            "did you mean 'per-file-ignores'?",
        ),
    ],
)
def test_unknown_key_suggests_the_close_one(tmp_path: Path, body: str, message: str, hint: str) -> None:
    path = pyproject(tmp_path, body)
    err = error_of(tmp_path)
    assert (err.message, err.hint, err.path) == (message, hint, path)


def test_unknown_key_without_close_match_lists_known_keys(tmp_path: Path) -> None:
    pyproject(tmp_path, "[tool.pinbox]\nzzzzzz = 1\n")
    err = error_of(tmp_path)
    assert err.hint is not None
    assert err.hint.startswith("known keys: ")
    assert "exclude-newer" in err.hint
    assert "zzzzzz" not in err.hint


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("python = 3.11", "python must be a string, not float"),
        ("input = ['a']", "input must be a string, not list"),
        ("output = true", "output must be a string, not bool"),
        ("format = 1", "format must be a string, not int"),
        ("exclude-newer = 2024-06-01", "exclude-newer must be a string, not date"),
        ("extras = [1]", "extras must be a list of strings"),
        ("allow-sdist = {a = 1}", "allow-sdist must be a list of strings"),
        ("platform = 5", "platform must be a list of strings"),
        ('check = "pip-cache"', "check must be a table"),
        ("check = {select = [1]}", "check.select must be a list of strings"),
        ("check = {ignore = 2}", "check.ignore must be a list of strings"),
        ("check = {per-file-ignores = []}", "check.per-file-ignores must be a table"),
        ("check = {per-file-ignores = {'a' = [1]}}", "check.per-file-ignores.a must be a list of strings"),
    ],
)
def test_wrong_types(tmp_path: Path, body: str, fragment: str) -> None:
    path = pyproject(tmp_path, f"[tool.pinbox]\n{body}\n")
    err = error_of(tmp_path)
    assert fragment in err.message
    assert err.path == path


@pytest.mark.parametrize("fmt", ["json", "Requirements", ""])
def test_bad_format(tmp_path: Path, fmt: str) -> None:
    pyproject(tmp_path, f'[tool.pinbox]\nformat = "{fmt}"\n')
    err = error_of(tmp_path)
    assert err.message == f"[tool.pinbox] format must be one of requirements, pylock, not {fmt!r}"


def test_pinbox_table_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool]\npinbox = "3.11"\n')
    assert error_of(tmp_path).path == tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("pyproject.toml", '[project]\nname = "x"\n[tool.pinbox\n', 3),
        ("pinbox.toml", 'python = "3.11"\nplatform = linux\n', 2),
        ("pinbox.toml", 'python = "3.11"\nformat = "pylock"\nextras = [\n', 3),
        ("pinbox.toml", 'python = "3.11"\npython = "3.12"\n', 2),
    ],
)
def test_invalid_toml_has_a_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    err = error_of(tmp_path)
    assert err.message.startswith("invalid TOML: ")
    assert "(at " not in err.message
    assert (err.path, err.line) == (path, line)


def test_config_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "pinbox.toml").write_bytes(b'python = "3.11"\nname = "\xff"\n')
    err = error_of(tmp_path)
    assert (err.line, err.path) == (2, tmp_path / "pinbox.toml")
    assert "UTF-8" in err.message


def test_a_table_named_with_an_escape_is_still_read(tmp_path: Path) -> None:
    """pyproject.toml is parsed unless it cannot hold the table: `pin\\u0062ox` spells it too."""
    pyproject(tmp_path, '[tool."pin\\u0062ox"]\npython = "3.12"\n')
    assert load_config(tmp_path).python == "3.12"


def test_a_pyproject_that_never_names_pinbox_is_not_parsed(tmp_path: Path) -> None:
    """Nothing there is pinbox's, so a syntax error elsewhere in it is not pinbox's to report."""
    pyproject(tmp_path, '[project]\nname = "x"\n[tool.black\n')
    assert load_config(tmp_path) == Config()
    pyproject(tmp_path, '[project]\nname = "x\\\\y"\n[tool.black\n')  # an escape: parsed, and refused
    assert error_of(tmp_path).message.startswith("invalid TOML: ")


def test_dev_platforms_are_read_and_checked(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.pinbox]\ndev-platforms = ["macos/arm64", "windows/amd64"]\n')
    assert load_config(tmp_path).dev_platforms == ("macos/arm64", "windows/amd64")
    pyproject(tmp_path, '[tool.pinbox]\ndev-platforms = ["darwin/arm64"]\n')
    err = error_of(tmp_path)
    assert err.path == tmp_path / "pyproject.toml"
    assert "[tool.pinbox] dev-platforms: unknown platform 'darwin/arm64'" in err.message
    assert err.hint is not None and "macos/arm64" in err.hint

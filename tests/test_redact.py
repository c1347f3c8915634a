"""Redaction: every credential masked, nothing else changed, finished JSON kept JSON."""

from __future__ import annotations

import json

import pytest

from pinbox.redact import credentials_in, is_secret_name, redact

SECRET = "abc123xyz"


@pytest.mark.parametrize(
    "message",
    [
        f"RUN tool --token={SECRET}",
        f"RUN tool --token {SECRET}, then more",
        f'RUN tool --password "{SECRET} x"',
        f"RUN tool --api-key={SECRET};echo",
        f'ENV HF_TOKEN="{SECRET}" X=1',
        f'"api_key": "{SECRET}"',
        f"DB_PASSWORD={SECRET}\\",
        f"API_KEY=C:\\{SECRET}\\x",
    ],
)
def test_redacting_finished_json_keeps_it_json(message: str) -> None:
    text = json.dumps([{"message": message, "line": 1}])
    out = redact(text)
    assert SECRET not in out
    assert json.loads(out)[0]["line"] == 1


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"--token={SECRET}, next", "--token=****, next"),
        (f'--password "{SECRET} x" y', '--password "****" y'),
        (f"--secret '{SECRET}'", "--secret '****'"),
    ],
)
def test_an_option_value_ends_where_a_value_ends(text: str, shown: str) -> None:
    assert redact(text) == shown


@pytest.mark.parametrize(
    "url",
    [
        "https://${USER}:${TOKEN}@pkgs.example.com/simple",
        "https://$PIP_USER:$PIP_PASSWORD@pkgs.example.com/simple",
        "https://${GITHUB_TOKEN}@github.com/o/r.git",
    ],
)
def test_user_info_made_of_references_is_shown(url: str) -> None:
    assert redact(f"--extra-index-url {url}") == f"--extra-index-url {url}"


@pytest.mark.parametrize(
    "url",
    [
        f"https://ci:{SECRET}@pkgs.example.com/simple",
        f"https://${{USER}}:{SECRET}@pkgs.example.com/simple",
        f"https://ci:{SECRET}${{X}}@pkgs.example.com/simple",
        f"https://{SECRET}@github.com/o/r.git",
    ],
)
def test_user_info_with_anything_literal_is_masked(url: str) -> None:
    assert redact(url).startswith("https://****@")


@pytest.mark.parametrize("name", ["DB_PASS", "MY_AUTH", "HF_TOKEN", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY"])
def test_a_name_output_masks_is_a_secret_name(name: str) -> None:
    assert is_secret_name(name)
    assert redact(f"{name}={SECRET}") == f"{name}=****"  # alone on its line, too


@pytest.mark.parametrize("name", ["PASSWORD_FILE", "DB_HOST", "PASSPORT", "KEYBOARD"])
def test_other_names_are_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_credentials_in_finds_literal_passwords_only() -> None:
    text = f"x https://ci:{SECRET}@a.example.com/p and https://u:${{PW}}@b.example.com/q"
    assert [m.group("userinfo") for m in credentials_in(text)] == [f"ci:{SECRET}"]
    # output stays cautious: a user name beside a reference may still be a token
    assert redact(text) == "x https://****@a.example.com/p and https://****@b.example.com/q"

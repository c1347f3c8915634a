"""Credentials are never printed: the one function every output of pinbox goes through.

Masked: the whole user-info part of a URL (`https://user:p@ss@host/` -> `https://****@host/`,
an `@` inside a password included; not `https://${USER}:${TOKEN}@host/`, made of references only),
URL query strings (signed URLs carry tokens there), values of secret-looking variables
(`HF_TOKEN=...`, `DB_PASSWORD: ...`, `"api_key": "..."`), bearer and basic authorization values,
and `--password`/`--token`-style option values. A value ends where a quote, comma or semicolon
does, so redacting finished JSON leaves it JSON.
"""

from __future__ import annotations

import re

MASK = "****"
# a URL's user-info: everything up to its last `@` before the path (a password may hold an `@`)
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s'\"<>`]*)@")
_REFERENCE = r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)"  # `${VAR}` or `$VAR`
_REFERENCES_ONLY = re.compile(rf"{_REFERENCE}(?::{_REFERENCE})?")  # `${USER}:${TOKEN}`: no secret
_QUERY = re.compile(r"(?P<url>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`?]*)\?[^\s'\"<>`#]*")
# a name whose `_`-separated parts include one of these is a secret's name
_SECRET_PART = r"(?:TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|KEY|APIKEY|CREDENTIALS?|AUTH)"
_NAME = rf"[A-Za-z0-9_]*(?<![A-Za-z0-9])(?:[A-Za-z0-9]+_)*{_SECRET_PART}(?:_[A-Za-z0-9]+)*"
_SECRET_NAME = re.compile(rf"(?:[A-Za-z0-9]+_)*{_SECRET_PART}", re.IGNORECASE)  # the secret word last
# a value ends at a space, quote, comma or semicolon (so redacting finished JSON keeps it JSON);
# quoted, it runs to its closing quote, `\"` too (a quoted value inside a JSON string)
_VALUE = r"""(?P<value>\\"[^"\n]*?\\"|"[^"\n]*"|'[^'\n]*'|(?:[^\s"',;\\]|\\[^\s"])+)"""
_ASSIGNED = re.compile(
    rf"""(?P<name>(?<![A-Za-z0-9_$]){_NAME})(?P<quote>\\"|["']?)(?P<sep>\s*[=:]\s*){_VALUE}""",
    re.IGNORECASE,
)
_ENV_SPACED = re.compile(rf"(?P<name>\bENV\s+{_NAME})(?P<quote>)(?P<sep>[ \t]+){_VALUE}", re.IGNORECASE)
_AUTHORIZATION = re.compile(r"(?P<scheme>\b(?:Bearer|Basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
_OPTION = re.compile(
    rf"(?P<option>(?<![\w-])--?(?:password|passwd|token|api-key|secret|auth-token)(?:=|[ \t]+)){_VALUE}",
    re.IGNORECASE,
)


def _masked(value: str) -> str:
    """The mask in place of `value`, its quotes kept."""
    quote = next((q for q in ('\\"', '"', "'") if value.startswith(q)), "")
    return f"{quote}{MASK}{quote}"


def _assigned(match: re.Match[str]) -> str:
    value = match.group("value")
    if value.strip("\\\"'").startswith(("$", MASK)):
        return match.group(0)  # a reference (`$HF_TOKEN`), not a value
    return f"{match.group('name')}{match.group('quote')}{match.group('sep')}{_masked(value)}"


def _userinfo(match: re.Match[str]) -> str:
    if _REFERENCES_ONLY.fullmatch(match.group("userinfo")):
        return match.group(0)  # expanded by pip, uv or the shell, never written down
    return f"{match.group('scheme')}{MASK}@"


# the lines the name-based patterns need to look at hold one of these words
_TRIGGER = re.compile(rf"{_SECRET_PART}|BEARER|BASIC", re.IGNORECASE)


def _secrets_in_line(line: str) -> str:
    line = _AUTHORIZATION.sub(lambda m: f"{m.group('scheme')}{MASK}", line)
    line = _OPTION.sub(lambda m: f"{m.group('option')}{_masked(m.group('value'))}", line)
    line = _ENV_SPACED.sub(_assigned, line)  # `ENV NAME value`, Docker's older form
    return _ASSIGNED.sub(_assigned, line)


_KNOWN: set[str] = set()  # literal secret values this run has seen (a Dockerfile's `ARG HF_TOKEN=...`)


def remember(value: str) -> None:
    """Mask `value` wherever it appears from now on (`echo step-$HF_TOKEN` shows it expanded)."""
    if len(value) >= 6 and "$" not in value:
        _KNOWN.add(value)


def redact(text: str) -> str:
    """`text` with every credential it may hold replaced by `****` (linear in the text: the
    name-based patterns run only on lines that hold a secret-like word)."""
    if not text:
        return text
    for value in sorted((v for v in _KNOWN if v in text), key=len, reverse=True):
        text = text.replace(value, MASK)
    if "://" in text:
        text = _USERINFO.sub(_userinfo, text)
        text = _QUERY.sub(lambda m: f"{m.group('url')}?{MASK}", text)
    if _TRIGGER.search(text) is None:
        return text
    return "\n".join(_secrets_in_line(line) if _TRIGGER.search(line) else line for line in text.split("\n"))


def credentials_in(text: str) -> list[re.Match[str]]:
    """URLs in `text` whose user-info holds a literal password, or a user part long enough to be a
    token (`https://<token>@host`); `${VAR}` references are not literals."""
    out = []
    for match in _USERINFO.finditer(text):
        user, sep, password = match.group("userinfo").partition(":")
        secret = password if sep else user
        if secret and "$" not in secret and (sep or len(secret) >= 20):
            out.append(match)
    return out


def is_secret_name(name: str) -> bool:
    """A variable name that holds a secret: `HF_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, ...
    (not `PASSWORD_FILE`: a path to one)."""
    return _SECRET_NAME.fullmatch(name) is not None

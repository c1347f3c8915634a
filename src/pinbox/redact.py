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
from functools import cached_property

MASK = "****"
# a URL's user-info: everything up to its last `@` before the path (a password may hold an `@`)
_USERINFO = r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s'\"<>`]*)@"
_REFERENCE = r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)"  # `${VAR}` or `$VAR`
_QUERY = r"(?P<url>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`?]*)\?[^\s'\"<>`#]*"
# a name whose `_`-separated parts include one of these is a secret's name
_SECRET_PART = r"(?:TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|KEY|APIKEY|CREDENTIALS?|AUTH)"
_NAME = rf"[A-Za-z0-9_]*(?<![A-Za-z0-9])(?:[A-Za-z0-9]+_)*{_SECRET_PART}(?:_[A-Za-z0-9]+)*"
# a value ends at a space, quote, comma or semicolon (so redacting finished JSON keeps it JSON);
# quoted, it runs to its closing quote, `\"` too (a quoted value inside a JSON string)
_VALUE = r"""(?P<value>\\"[^"\n]*?\\"|"[^"\n]*"|'[^'\n]*'|(?:[^\s"',;\\]|\\[^\s"])+)"""
_SECRET_OPTION = "(?:password|passwd|token|api-key|secret|auth-token)"


class _Patterns:
    """Compiled when first needed: most output holds no URL and no secret-like word, and compiling
    them all costs ~2 ms of every start."""

    @cached_property
    def userinfo(self) -> re.Pattern[str]:
        return re.compile(_USERINFO)

    @cached_property
    def references_only(self) -> re.Pattern[str]:  # `${USER}:${TOKEN}`: no secret
        return re.compile(rf"{_REFERENCE}(?::{_REFERENCE})?")

    @cached_property
    def query(self) -> re.Pattern[str]:
        return re.compile(_QUERY)

    @cached_property
    def secret_name(self) -> re.Pattern[str]:  # the secret word last
        return re.compile(rf"(?:[A-Za-z0-9]+_)*{_SECRET_PART}", re.IGNORECASE)

    @cached_property
    def assigned(self) -> re.Pattern[str]:
        return re.compile(
            rf"""(?P<name>(?<![A-Za-z0-9_$]){_NAME})(?P<quote>\\"|["']?)(?P<sep>\s*[=:]\s*){_VALUE}""",
            re.IGNORECASE,
        )

    @cached_property
    def env_spaced(self) -> re.Pattern[str]:
        return re.compile(rf"(?P<name>\bENV\s+{_NAME})(?P<quote>)(?P<sep>[ \t]+){_VALUE}", re.IGNORECASE)

    @cached_property
    def authorization(self) -> re.Pattern[str]:
        return re.compile(r"(?P<scheme>\b(?:Bearer|Basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)

    @cached_property
    def option(self) -> re.Pattern[str]:
        return re.compile(rf"(?P<option>(?<![\w-])--?{_SECRET_OPTION}(?:=|[ \t]+)){_VALUE}", re.IGNORECASE)


_P = _Patterns()


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
    if _P.references_only.fullmatch(match.group("userinfo")):
        return match.group(0)  # expanded by pip, uv or the shell, never written down
    return f"{match.group('scheme')}{MASK}@"


# the lines the name-based patterns need to look at hold one of these words
_TRIGGER = re.compile(rf"{_SECRET_PART}|BEARER|BASIC", re.IGNORECASE)


def _secrets_in_line(line: str) -> str:
    line = _P.authorization.sub(lambda m: f"{m.group('scheme')}{MASK}", line)
    line = _P.option.sub(lambda m: f"{m.group('option')}{_masked(m.group('value'))}", line)
    line = _P.env_spaced.sub(_assigned, line)  # `ENV NAME value`, Docker's older form
    return _P.assigned.sub(_assigned, line)


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
        text = _P.userinfo.sub(_userinfo, text)
        text = _P.query.sub(lambda m: f"{m.group('url')}?{MASK}", text)
    if _TRIGGER.search(text) is None:
        return text
    return "\n".join(_secrets_in_line(line) if _TRIGGER.search(line) else line for line in text.split("\n"))


def credentials_in(text: str) -> list[re.Match[str]]:
    """URLs in `text` whose user-info holds a literal password, or a user part long enough to be a
    token (`https://<token>@host`); `${VAR}` references are not literals."""
    out = []
    for match in _P.userinfo.finditer(text):
        user, sep, password = match.group("userinfo").partition(":")
        secret = password if sep else user
        if secret and "$" not in secret and (sep or len(secret) >= 20):
            out.append(match)
    return out


def is_secret_name(name: str) -> bool:
    """A variable name that holds a secret: `HF_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, ...
    (not `PASSWORD_FILE`: a path to one)."""
    # most names hold no secret word at all: that answer needs no second pattern compiled
    return _TRIGGER.search(name) is not None and _P.secret_name.fullmatch(name) is not None

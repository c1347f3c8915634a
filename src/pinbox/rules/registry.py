"""Every rule, as plain data, and selection by code, name or code prefix."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pinbox.errors import PinboxError
from pinbox.rules import (
    compose,
    context_bloat,
    cuda,
    entrypoint,
    image,
    indexes,
    installs,
    lifecycle,
    meta,
    packages,
    requirements,
    sources,
    transitive,
)
from pinbox.rules.model import Rule

# one entry per module that defines rules; listed (and documented) by code
RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *meta.RULES,
            *requirements.RULES,
            *installs.RULES,
            *indexes.RULES,
            *image.RULES,
            *cuda.RULES,
            *context_bloat.RULES,
            *entrypoint.RULES,
            *lifecycle.RULES,
            *compose.RULES,
            *sources.RULES,
            *packages.RULES,
            *transitive.RULES,
        ),
        key=lambda rule: rule.code,
    )
)
BY_CODE = {r.code: r for r in RULES}
BY_NAME = {r.name: r for r in RULES}


def matches(rule: Rule, token: str) -> bool:
    """A selector matches a rule by its name, its code, or a code prefix (`PB1`, `ALL`)."""
    token = token.strip()
    return token in ("ALL", rule.name, rule.code) or (token.isupper() and rule.code.startswith(token))


def _suggest(token: str) -> str:
    """`did you mean 'pip-cache-in-image'?`, or where the rules are listed."""
    import difflib  # only when an error suggests a name or a diff is shown

    names = [*(r.name for r in RULES), *(r.code for r in RULES)]
    close = difflib.get_close_matches(token, names, n=1) or difflib.get_close_matches(
        token.upper(), names, n=1
    )
    return f"did you mean {close[0]!r}?" if close else "`pinbox rule --all` lists them"


def validate_selectors(tokens: Iterable[str], where: str, path: Path | None = None) -> None:
    """Every selector matches a rule; else an error naming where it was written and a close name."""
    for token in tokens:
        if not any(matches(rule, token) for rule in RULES):
            raise PinboxError(f"{where}: no rule matches {token!r}", path=path, hint=_suggest(token))


def select(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> tuple[Rule, ...]:
    """Rules chosen by `select` (default: all), minus `ignore`."""
    chosen = list(select) or ["ALL"]
    dropped = list(ignore)
    return tuple(
        r for r in RULES if any(matches(r, t) for t in chosen) and not any(matches(r, t) for t in dropped)
    )


def lookup(token: str) -> Rule:
    rule = BY_NAME.get(token) or BY_CODE.get(token.upper())
    if rule is None:
        raise PinboxError(f"no rule named {token!r}", hint=_suggest(token))
    return rule

"""uv's failures retold: pinbox's own first line and hint, uv's explanation kept without the hints
that name options pinbox does not have, and no-wheel failures as `NoWheel` (which package, and
what needs it) so that the lock can name every blocker in one run."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pinbox.errors import PinboxError
from pinbox.names import normalize
from pinbox.target import Platform

if TYPE_CHECKING:
    from pinbox.lock.uv import Request


_NO_WHEEL = re.compile(r"Because ([A-Za-z0-9][A-Za-z0-9._-]*)(?:[=<>!~].*?)? has no usable wheels")
_NO_WHEEL_HINT = re.compile(r"Wheels are required for `([^`]+)`")
_NETWORK = (
    "error sending request",
    "dns error",
    "Connect",
    "failed to fetch",
    "Failed to fetch",
    "timed out",
    "connection refused",
)


class Unresolvable(PinboxError):
    """The requirements contradict each other (uv found no solution)."""


class NoWheel(PinboxError):
    """No wheel of `package` for the target (under the options asked); `needed_by`: what requires
    it, as uv's explanation says (`omegaconf==2.1.1`, or `you`: the inputs themselves)."""

    def __init__(self, package: str, message: str, hint: str, needed_by: str = "") -> None:
        super().__init__(message, hint=hint)
        self.package = package
        self.needed_by = needed_by


def _needed_by(text: str, name: str) -> str:
    spelled = "[-_.]".join(re.escape(part) for part in re.split(r"[-_.]", name))
    parent = re.search(rf"and ([A-Za-z0-9][A-Za-z0-9._-]*(?:==[^\s,]+)?) depends on {spelled}\b", text, re.I)
    if parent:
        return parent.group(1)
    return "you" if re.search(rf"you require {spelled}\b", text, re.I) else ""


# `pinbox lock`'s own options: a uv hint naming any other option cannot be followed here
OWN_OPTIONS = frozenset(
    ("--python", "--platform", "--extra", "--allow-sdist", "--upgrade", "--upgrade-package",
     "--exclude-newer", "--as-of", "--index-url", "--extra-index-url", "--find-links")
)  # fmt: skip
_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*|`[a-z]+(?:-[a-z]+)+`)")


def _applies(line: str) -> bool:
    """A uv line to pass on: not a warning, and not a hint about an option pinbox does not have
    (`--python-version`, `exclude-newer-package`, `--prerelease`)."""
    text = line.strip()
    if text.startswith("warning:"):
        return False
    if not text.startswith("hint:"):
        return True
    named = {f"--{o.strip('`').lstrip('-')}" for o in _OPTION.findall(text)}
    return named <= OWN_OPTIONS


def explain_failure(stderr: str, req: Request, platform: Platform) -> PinboxError:
    """Turn uv's stderr into one PinboxError a person can act on: pinbox's own first line and hint,
    uv's explanation without the hints that name options pinbox does not have."""
    text = "\n".join(line for line in stderr.strip().splitlines() if _applies(line))
    minor = ".".join(req.python.split(".")[:2])
    target = f"CPython {minor} on {platform.name} ({platform.tag})"
    explanation = re.sub(r"^error: ", "", text.strip())
    wheel = _NO_WHEEL.search(text) or _NO_WHEEL_HINT.search(text)
    if wheel:
        name = wheel.group(1)
        return NoWheel(
            str(normalize(name)),
            f"no wheel of {name} for {target}\n{indented(explanation)}",
            hint=f"pick a version of {name} that ships a wheel for {platform.tag} and Python "
            f"{minor}, or build it from source in the image with --allow-sdist {name}",
            needed_by=_needed_by(text, name),
        )
    if any(marker in text for marker in _NETWORK):
        return PinboxError(
            f"cannot reach the package index while resolving for {target}\n{indented(explanation)}",
            hint="check the network, proxy and index URL; the existing lock was left untouched",
        )
    if "No solution found" in text or "unsatisfiable" in text:
        return Unresolvable(f"the requirements cannot be resolved for {target}:\n{indented(explanation)}")
    return PinboxError(f"uv failed while resolving for {target}:\n{indented(explanation)}")


def indented(text: str) -> str:
    """uv's output under pinbox's own line, indented."""
    return "\n".join("  " + line for line in text.splitlines())

"""Plain values for the lines of a requirements file."""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pinbox.names import normalize
from pinbox.record import Record

if TYPE_CHECKING:
    from packaging.requirements import Requirement

_URL_HASH = r"#(?:.*&)?(?:md5|sha1|sha224|sha256|sha384|sha512)="


class Kind(enum.Enum):
    REQUIREMENT = "requirement"  # name[extras] spec ; marker   or   name @ url
    EDITABLE = "editable"  # -e path-or-url
    PATH = "path"  # ./local/dir or a bare local archive/URL without a name
    INCLUDE = "include"  # -r other.txt
    CONSTRAINT = "constraint"  # -c other.txt
    OPTION = "option"  # --index-url, --find-links, --pre, ...


class Entry(Record):
    """One logical line of a requirements file (continuations joined), with where it came from."""

    path: Path
    line: int  # 1-based physical line where the logical line starts
    end_line: int
    col: int  # 1-based column of the requirement or option in the first physical line
    text: str  # the logical line without its comment
    kind: Kind
    requirement: Requirement | None = None
    option: str | None = None  # canonical long option name, e.g. "--index-url"
    value: str | None = None  # option value, include target or editable target
    hashes: tuple[str, ...] = ()
    comment: str = ""
    start: int = 0  # offset of the logical line's first physical line
    end: int = 0  # offset just past its last physical line (and that line's break)

    @property
    def name(self) -> str | None:
        """The normalised distribution name (PEP 503), if the line names one."""
        return normalize(self.requirement.name) if self.requirement else None

    @property
    def is_pinned(self) -> bool:
        """True for an exact `==` / `===` pin without a wildcard."""
        return self.pinned_version is not None

    @property
    def pinned_version(self) -> str | None:
        """The version of the `==`/`===` specifier without a wildcard, if there is one."""
        if self.requirement is None or self.requirement.url:
            return None
        exact = (
            s for s in self.requirement.specifier if s.operator in ("==", "===") and "*" not in s.version
        )
        return next((s.version for s in exact), None)

    @property
    def is_hashed(self) -> bool:
        """True when the line carries a `--hash`, or its URL a `#sha256=`-style fragment."""
        url = self.requirement.url if self.requirement else self.value
        return bool(self.hashes) or bool(url and re.search(_URL_HASH, url))


class RequirementsFile(Record):
    """A parsed requirements file."""

    path: Path
    text: str
    entries: tuple[Entry, ...] = ()

    @property
    def requirements(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind is Kind.REQUIREMENT)

    @property
    def is_hash_pinned(self) -> bool:
        """Every line a pinned requirement with hashes: pip and uv install it with --require-hashes."""
        needs = [e for e in self.entries if e.kind is not Kind.OPTION]  # includes, -e and paths fail it
        return bool(needs) and all(e.kind is Kind.REQUIREMENT and e.is_pinned and e.is_hashed for e in needs)

    def options(self, name: str) -> tuple[str, ...]:
        """Values of every occurrence of a long option (`--index-url`, `--find-links`, ...)."""
        return tuple(e.value or "" for e in self.entries if e.option == name)

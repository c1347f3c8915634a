"""Plain values for a resolved, hashed lock."""

from __future__ import annotations

from pinbox.record import Record, dataclass
from pinbox.target import Platform, Target


class Artifact(Record):
    """One installable file: a wheel or an sdist, with its hash."""

    filename: str
    url: str | None
    sha256: str
    size: int | None = None
    upload_time: str | None = None

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


@dataclass(frozen=True)
class Pin:  # a dataclass: its `index` field would hide tuple.index
    """A package pinned for one or more platforms of the target."""

    name: str  # normalised
    version: str
    artifacts: tuple[Artifact, ...]
    platforms: tuple[Platform, ...]  # where this pin applies; all of the target's if universal
    roots: tuple[str, ...]  # top-level requirements that pulled it in, as written
    direct: bool = False
    index: str | None = None
    scripts: tuple[str, ...] | None = None  # console scripts its wheel installs; None: unknown
    group: str = ""  # "dev": only the dev group needs it (never installed in the image)
    differs: str = ""  # why this package has another version on other platforms

    @property
    def size(self) -> int | None:
        """Bytes of the largest file this pin may download (None when the index gave no sizes)."""
        sizes = [a.size for a in self.artifacts if a.size is not None]
        return max(sizes) if sizes else None

    @property
    def hashes(self) -> tuple[str, ...]:
        return tuple(sorted({a.sha256 for a in self.artifacts}))


class Header(Record):
    """What a lock records about how it was made; compared by `lock --check`."""

    pinbox_version: str
    target: str  # Target.key()
    inputs: tuple[str, ...]  # input files, relative to the project
    digest: str  # sha256 of the normalised inputs and resolution options
    command: str
    scripts: str = ""  # "complete" when every pin's console scripts are recorded
    as_of: str = ""  # "2022-09-01 (newest pinned release is pandas 1.4.4 (2022-08-31))"

    def fields(self) -> dict[str, str]:
        fields = {
            "pinbox-version": self.pinbox_version,
            "target": self.target,
            "inputs": " ".join(self.inputs),
            "inputs-digest": self.digest,
        }
        fields |= {"as-of": self.as_of} if self.as_of else {}
        return fields | ({"console-scripts": self.scripts} if self.scripts else {})


class Lock(Record):
    header: Header
    target: Target
    pins: tuple[Pin, ...]
    index_options: tuple[str, ...] = ()  # --index-url ... lines carried over from the inputs

"""Parse Dockerfile text with BuildKit's parser into the `Dockerfile` model.

Every model is built here, so this is where the literal values of secret-named ARG and ENV are
recorded for masking (`state.remember_secrets`), once for every command that reads a Dockerfile.
"""

from __future__ import annotations

import re
from pathlib import Path

from pinbox.dockerfile.model import Dockerfile, Instruction, Stage
from pinbox.dockerfile.state import assignments, remember_secrets, substitute
from pinbox.errors import PinboxError
from pinbox.fsutil import read_text
from pinbox.signals import held
from pinbox.textpos import line_text, lines

with held():  # loading BuildKit's parser starts Go's runtime: Ctrl-C raised inside it crashed (SIGSEGV)
    import dockerfile as buildkit

    KNOWN = frozenset(c.upper() for c in buildkit.all_cmds())
_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")


def _parse_error(message: str, text: str, path: Path) -> PinboxError:
    line = None
    if "heredoc" in message:
        starts = [i for i, raw in enumerate(lines(text), 1) if "<<" in raw]
        line = starts[-1] if starts else None
    return PinboxError(f"cannot parse Dockerfile: {message}", path=path, line=line)


def parse_dockerfile(text: str, path: Path | str = "Dockerfile") -> Dockerfile:
    """Parse Dockerfile text. Unknown instructions and FROM without an image are errors."""
    path = Path(path)
    if "\0" in text:
        raise PinboxError("Dockerfile is binary, expected text", path=path)
    try:
        with held():  # a signal inside the C parser crashed it: delivered when it returns
            commands = buildkit.parse_string(text)
    except buildkit.GoParseError as exc:
        raise _parse_error(str(exc), text, path) from None
    instructions: list[Instruction] = []
    for c in commands:
        cmd = (c.cmd or "").upper()
        if cmd not in KNOWN:
            src = line_text(text, c.start_line) or (c.original or "")
            col = len(src) - len(src.lstrip()) + 1
            what = f"unknown instruction {c.cmd!r}" if c.cmd else "line continuation with no instruction"
            raise PinboxError(what, path=path, line=c.start_line, col=col, source=src)
        instructions.append(
            Instruction(
                cmd=cmd,
                flags=tuple(c.flags),
                value=tuple(c.value),
                original=c.original,
                line=c.start_line,
                end_line=c.end_line,
                json=c.json,
                heredocs=tuple(h.content for h in c.heredocs),
                sub=c.sub_cmd.upper() if c.sub_cmd else None,
            )
        )
    model = _build(path, text, tuple(instructions))
    remember_secrets(model)
    return model


def escape_of(text: str) -> str:
    """The escape character the `# escape=` parser directive sets (BuildKit reads directives only
    at the top of the file, until the first line that is not one)."""
    for line in lines(text):
        match = _DIRECTIVE.match(line)
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            return match.group(2)
    return "\\"


def _build(path: Path, text: str, instructions: tuple[Instruction, ...]) -> Dockerfile:
    global_args: list[tuple[str, str | None]] = []
    known: dict[str, str | None] = {}  # the global ARGs so far, by name
    stages: list[Stage] = []
    current: list[Instruction] = []
    head: Instruction | None = None

    def close() -> None:
        if head is None:
            return
        base = head.value[0]
        name = head.value[2] if len(head.value) >= 3 and head.value[1].upper() == "AS" else None
        platform = head.flag("platform")
        stages.append(
            Stage(
                index=len(stages),
                base=base,
                base_resolved=substitute(base, known),
                name=name,
                platform=substitute(platform, known) if platform else None,
                from_line=head.line,
                instructions=tuple(current),
            )
        )

    for ins in instructions:
        if ins.cmd == "FROM":
            if not ins.value:
                raise PinboxError("FROM needs an image", path=path, line=ins.line)
            close()
            head, current = ins, [ins]
        elif head is None and ins.cmd != "ARG":
            raise PinboxError(
                f"{ins.cmd} before the first FROM: only ARG may come before it, so Docker refuses the file",
                path=path,
                line=ins.line,
            )
        elif head is None:
            for key, default in assignments(ins):  # unquoted as a stage's ARG is
                known[key] = None if default is None else substitute(default, known)
                global_args.append((key, known[key]))
        else:
            current.append(ins)
    close()
    return Dockerfile(path, text, instructions, tuple(global_args), tuple(stages), escape_of(text))


def load_dockerfile(path: Path | str) -> Dockerfile:
    """Read and parse a Dockerfile from disk."""
    return parse_dockerfile(read_text(Path(path), what="Dockerfile"), path)

"""Dockerfile model on top of BuildKit's parser: stages, global ARGs, errors with positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pinbox.dockerfile import Dockerfile, load_dockerfile, parse_dockerfile
from pinbox.dockerfile.state import substitute
from pinbox.errors import PinboxError
from pinbox.redact import redact

MULTI = """\
ARG PY=3.11
FROM python:${PY}-slim AS builder
RUN pip wheel -w /w .
FROM builder as test
RUN pytest
FROM python:${PY}-slim
COPY --from=builder /w /w
"""


def error_of(text: str) -> PinboxError:
    with pytest.raises(PinboxError) as info:
        parse_dockerfile(text, "docker/Dockerfile")
    return info.value


def test_stages_split_at_from() -> None:
    df = parse_dockerfile(MULTI)
    assert [(s.index, s.name, s.from_line) for s in df.stages] == [
        (0, "builder", 2),
        (1, "test", 4),
        (2, None, 6),
    ]
    assert [[i.cmd for i in s.instructions] for s in df.stages] == [
        ["FROM", "RUN"],
        ["FROM", "RUN"],
        ["FROM", "COPY"],
    ]


def test_instructions_keep_cmd_flags_and_lines() -> None:
    df = parse_dockerfile("from python:3.11\nrun --mount=type=cache,target=/c \\\n  pip install x\n")
    run = df.instructions[1]
    assert (run.cmd, run.line, run.end_line) == ("RUN", 2, 3)
    assert run.flag("mount") == "type=cache,target=/c"
    assert run.flag("network") is None


def test_heredoc_content_is_attached() -> None:
    df = parse_dockerfile("FROM x\nRUN <<EOF\necho hi\nEOF\n")
    assert df.instructions[1].heredocs == ("echo hi\n",)


def test_final_stage_and_no_stages() -> None:
    assert parse_dockerfile(MULTI).final_stage.index == 2  # type: ignore[union-attr]
    assert parse_dockerfile("ARG X=1\n").final_stage is None


def test_global_args_are_those_before_the_first_from() -> None:
    df = parse_dockerfile('ARG A=1 B\nARG C="two words"\nFROM x\nARG D=4\n')
    assert df.global_args == (("A", "1"), ("B", None), ("C", "two words"))


def test_global_arg_quotes_are_read_as_a_stage_arg_is() -> None:
    df = parse_dockerfile('ARG X="a\'"\nFROM x\nARG X\nARG Y="a\'"\nRUN y\n')
    assert df.global_args == (("X", "a'"),)
    assert df.state(df.instructions[-1]).variables == {"X": "a'", "Y": "a'"}  # as BuildKit reads both


def test_secret_values_are_masked_once_any_dockerfile_holding_them_is_parsed() -> None:
    parse_dockerfile("ARG HF_TOKEN=hf_parsed_4f2a9c\nFROM x\nENV DB_PASSWORD=pw_parsed_77e1\n")
    assert redact("echo hf_parsed_4f2a9c pw_parsed_77e1") == "echo **** ****"


def test_global_arg_default_may_use_an_earlier_arg() -> None:
    df = parse_dockerfile("ARG PY=3.12\nARG BASE=python:${PY}-slim\nFROM $BASE\n")
    assert df.stages[0].base_resolved == "python:3.12-slim"


@pytest.mark.parametrize(
    ("base", "resolved"),
    [
        ("python:${V}-slim", "python:3.11-slim"),
        ("python:$V", "python:3.11"),
        ("python:${UNSET:-3.9}", "python:3.9"),
        ("python:${V:-3.9}", "python:3.11"),
        ("python:${EMPTY:-3.9}", "python:3.9"),
        ("python:${NODEFAULT:-3.8}", "python:3.8"),
        ("img${V:+-py}", "img-py"),
        ("img${UNSET:+-py}", "img"),
        ("img:${UNSET}x", "img:x"),
        ("python:3.10", "python:3.10"),
    ],
)
def test_global_arg_substitution_in_from(base: str, resolved: str) -> None:
    df = parse_dockerfile(f"ARG V=3.11\nARG EMPTY=\nARG NODEFAULT\nFROM {base}\n")
    stage = df.stages[0]
    assert (stage.base, stage.base_resolved) == (base, resolved)


def test_stage_args_are_not_used_in_later_from() -> None:
    df = parse_dockerfile("FROM a\nARG V=9\nFROM python:${V:-3.10}\n")
    assert df.stages[1].base_resolved == "python:3.10"


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("$A/$B", {"A": "x", "B": "y"}, "x/y"),
        ("${A}_1", {"A": "x"}, "x_1"),
        ("$A_1", {"A": "x"}, ""),
        ("${A:-d}", {"A": None}, "d"),
        ("no vars", {}, "no vars"),
    ],
)
def test_substitute(text: str, values: dict[str, str | None], expected: str) -> None:
    assert substitute(text, values) == expected


@pytest.mark.parametrize(
    ("line", "platform"),
    [
        ("FROM --platform=linux/arm64 python:3.11", "linux/arm64"),
        ("FROM --platform=${P} python:3.11", "linux/amd64"),
        ("FROM python:3.11", None),
    ],
)
def test_platform_flag(line: str, platform: str | None) -> None:
    df = parse_dockerfile(f"ARG P=linux/amd64\n{line}\n")
    assert df.stages[0].platform == platform


def test_stage_named_is_case_insensitive() -> None:
    df = parse_dockerfile("FROM a AS Builder\nFROM b\n")
    assert df.stage_named("builder") is df.stages[0]
    assert df.stage_named("nope") is None


@pytest.mark.parametrize(
    ("text", "root", "root_index"),
    [
        (MULTI, "python:3.11-slim", 2),
        ("FROM python:3.12 AS base\nFROM base AS mid\nFROM MID\n", "python:3.12", 0),
        ("ARG S=base\nFROM ubuntu:22.04 AS base\nFROM ${S}\n", "ubuntu:22.04", 0),
        ("FROM later\nFROM python:3.9 AS later\n", "python:3.9", 1),
        ("FROM python:3.11 AS python\nFROM python\n", "python:3.11", 0),
    ],
)
def test_root_base_follows_stage_references(text: str, root: str, root_index: int) -> None:
    df = parse_dockerfile(text)
    ref, stage = df.root_base(df.final_stage)  # type: ignore[arg-type]
    assert (ref, stage.index) == (root, root_index)


def test_root_base_does_not_follow_a_later_stage() -> None:
    df = parse_dockerfile("FROM later\nFROM python:3.9 AS later\n")
    assert df.root_base(df.stages[0]) == ("later", df.stages[0])


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col", "source"),
    [
        ("FROM x\nFOO bar\n", 2, 1, "FOO bar"),
        ("FROM x\n\n   RUNN y\n", 3, 4, "   RUNN y"),
    ],
)
def test_unknown_instruction(text: str, line: int, col: int, source: str) -> None:
    err = error_of(text)
    assert (err.path, err.line, err.col, err.source) == (Path("docker/Dockerfile"), line, col, source)
    assert "unknown instruction" in err.message
    assert err.render().splitlines()[-1] == "  | " + " " * (col - 1) + "^"


def test_unterminated_heredoc() -> None:
    err = error_of("FROM x\nRUN <<EOF\necho hi\n")
    assert "heredoc" in err.message
    assert err.line == 2


@pytest.mark.parametrize("text", ["FROM x\0\n", "\0", "FROM x\nRUN echo \0\n"])
def test_nul_byte(text: str) -> None:
    assert "binary" in error_of(text).message


@pytest.mark.parametrize(("text", "line"), [("FROM\n", 1), ("FROM a\nFROM --platform=linux/amd64\n", 2)])
def test_from_without_image(text: str, line: int) -> None:
    err = error_of(text)
    assert err.line == line
    assert "FROM needs an image" in err.message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_no_instructions(text: str) -> None:
    assert "no instructions" in error_of(text).message


@pytest.mark.parametrize("text", ["\\", "FROM x\n\\\n", "FROM x\n\\\n\\\n"])
def test_lone_backslash_line_is_a_pinbox_error(text: str) -> None:
    error_of(text)


def test_load_dockerfile(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.11\n", encoding="utf-8")
    df = load_dockerfile(path)
    assert isinstance(df, Dockerfile)
    assert df.path == path
    assert df.stages[0].base == "python:3.11"


def test_load_missing_dockerfile(tmp_path: Path) -> None:
    with pytest.raises(PinboxError) as info:
        load_dockerfile(tmp_path / "Dockerfile")
    assert "Dockerfile not found" in info.value.message


# --- property -------------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["FROM", "RUN", "ARG", "COPY", "AS", "<<EOF", "EOF", "--platform=", "${A:-x}", "\\", "#", "x"]
)
LINES = st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=5).map(" ".join)


def parses_or_fails_cleanly(text: str) -> None:
    try:
        parse_dockerfile(text)
    except PinboxError as err:
        assert err.line is None or 1 <= err.line <= max(1, len(text.splitlines()))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_raises_pinbox_error(text: str) -> None:
    parses_or_fails_cleanly(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, max_size=8).map("\n".join))
@example("FROM x\n\\\n")
def test_plausible_text_parses_or_raises_pinbox_error(text: str) -> None:
    parses_or_fails_cleanly(text)

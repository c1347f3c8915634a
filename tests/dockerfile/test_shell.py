"""RUN lines read as BuildKit and the shell read them: joined text, words with their positions,
commands, variables, `sh -c` and heredoc scripts, and the installs among them."""

from __future__ import annotations

import string
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinbox.dockerfile import parse_dockerfile
from pinbox.dockerfile.installs import Install, installs
from pinbox.dockerfile.lexer import Word, tokenize
from pinbox.dockerfile.shell import read_run
from pinbox.dockerfile.source import command_source
from pinbox.textpos import position


def run_of(text: str, index: int = -1) -> tuple[str, list[Install]]:
    model = parse_dockerfile(text)
    ins = model.instructions[index]
    return text, installs(ins, read_run(model, ins).commands)


def where(text: str, word: Word) -> tuple[int, int]:
    return position(text, word.start)


# --- the joined command text -----------------------------------------------------------------

LINE_END = st.sampled_from(["\n", "\r\n"])
PLAIN = st.text(alphabet=string.ascii_letters + string.digits + "._=-/", min_size=1, max_size=6)
PIECE = st.one_of(PLAIN, st.sampled_from(['"a b"', "'c  d'", "&&", "|", ";", "$X", "${Y}", "\\t", ">o"]))


@st.composite
def run_instruction(draw: st.DrawFn) -> str:
    """A RUN split over lines with continuations, comment and blank lines, CRLF or LF, tabs."""
    newline = draw(LINE_END)
    flags = draw(st.sampled_from(["", "--mount=type=cache,target=/root/.cache ", "--network=host "]))
    lines = [f"RUN {flags}" + " ".join(draw(st.lists(PIECE, min_size=1, max_size=4)))]
    for _ in range(draw(st.integers(0, 3))):
        gap = draw(st.sampled_from(["", f"  # a comment{newline}", f"   {newline}", f"{newline}"]))
        indent = draw(st.sampled_from(["", "  ", "\t"]))
        trail = draw(st.sampled_from(["", " ", "\t "]))
        lines[-1] += f" \\{trail}{newline}{gap}"
        lines.append(indent + " ".join(draw(st.lists(PIECE, min_size=1, max_size=4))))
    return f"FROM x{newline}" + "".join(lines) + newline


@settings(max_examples=300, deadline=None)
@given(run_instruction())
def test_joined_text_is_what_buildkit_passes_to_the_shell(text: str) -> None:
    model = parse_dockerfile(text)
    ins = model.instructions[-1]
    source, _ = command_source(text, ins, model.escape)
    assert source.exact
    assert source.text == (ins.value[0] if ins.value else "")
    assert all(text[at] == char for at, char in zip(source.offsets, source.text, strict=True))


@settings(max_examples=300, deadline=None)
@given(run_instruction())
def test_every_word_character_comes_from_its_place_in_the_file(text: str) -> None:
    model = parse_dockerfile(text)
    ins = model.instructions[-1]
    source, _ = command_source(text, ins, model.escape)
    for token in tokenize(source):
        if isinstance(token, Word):
            assert all(text[at] == char for at, char in zip(token.offsets, token.text, strict=True))
            assert token.start <= token.end and text[token.start : token.end].strip() != ""


def test_backtick_escape_file_continues_with_backticks() -> None:
    text = "# escape=`\r\nFROM x\r\nRUN pip install `\r\n    flask c:\\temp\r\n"
    model = parse_dockerfile(text)
    source, _ = command_source(text, model.instructions[-1], model.escape)
    assert model.escape == "`" and source.exact and source.text == model.instructions[-1].value[0]


def test_escaped_escape_at_line_end_does_not_continue() -> None:
    text = "FROM x\nRUN echo a\\\\\nRUN pip install flask\n"
    _, found = run_of(text)
    assert [w.text for i in found for w in i.package_words] == ["flask"]


# --- words, operators, redirections ----------------------------------------------------------


def test_redirection_targets_are_not_packages() -> None:
    _, [found] = run_of("FROM x\nRUN pip install flask==3.0.3 >/dev/null 2>&1 </dev/null\n")
    assert found.packages == ("flask==3.0.3",)


def test_quotes_escapes_and_expansions_stay_one_word() -> None:
    _, [found] = run_of("""FROM x\nRUN pip install "a b" 'c d' e\\ f "$(cat x | y)" ${V:-z}\n""")
    assert found.packages == ("a b", "c d", "e f", "$(cat x | y)", "${V:-z}")


def test_words_on_continuation_lines_and_in_heredocs_have_their_own_line() -> None:
    text = (
        "FROM x\nRUN pip install \\\n    flask \\\n    requests\nRUN <<EOF\nset -e\npip install numpy\nEOF\n"
    )
    _, [first] = run_of(text, 1)
    assert [where(text, w) for w in first.package_words] == [(3, 5), (4, 5)]
    _, [second] = run_of(text, 2)
    assert [where(text, w) for w in second.package_words] == [(7, 13)]


def test_exec_form_words_point_inside_the_json_strings() -> None:
    text, [found] = run_of('FROM x\nRUN ["pip", "install", "flask"]\n')
    word = found.package_words[0]
    assert text[word.start : word.end] == '"flask"' and word.quote == "json"


# --- commands and variables ------------------------------------------------------------------


def env_of(text: str) -> list[dict[str, str]]:
    _, found = run_of(text)
    return [dict(i.env) for i in found]


def test_export_reaches_later_commands_and_a_prefix_only_its_own() -> None:
    text = (
        "FROM x\nRUN export PIP_NO_CACHE_DIR=1 && A=2 pip install a==1 && pip install b==1"
        " && unset PIP_NO_CACHE_DIR && pip install c==1\n"
    )
    assert env_of(text) == [{"PIP_NO_CACHE_DIR": "1", "A": "2"}, {"PIP_NO_CACHE_DIR": "1"}, {}]


def test_a_bare_assignment_stays_in_the_shell_unless_exported() -> None:
    assert env_of("FROM x\nRUN X=1; pip install a==1\n") == [{}]
    assert env_of("FROM x\nRUN X=1; export X; pip install a==1\n") == [{"X": "1"}]
    assert env_of("FROM x\nRUN set -a; X=1; pip install a==1\n") == [{"X": "1"}]
    assert env_of("FROM x\nRUN export X=0; X=1; pip install a==1\n") == [{"X": "1"}]


def test_commands_share_what_their_run_exported() -> None:
    count = 1500
    script = "".join(f"A{i}=1; pip install -r r{i}.txt\n" for i in range(count))
    model = parse_dockerfile(f"FROM x\nRUN <<EOF\nset -a\n{script}EOF\n")
    tracemalloc.start()
    try:
        found = installs(model.instructions[-1], read_run(model, model.instructions[-1]).commands)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 25_000_000  # a copy of every exported variable per command: 75 MB
    assert [len(i.env) for i in found[:3]] == [1, 2, 3] and len(found[-1].env) == count


def test_export_takes_only_valid_names() -> None:
    assert env_of("FROM x\nRUN export 1A=x B-C=y D=1; pip install a==1\n") == [{"D": "1"}]
    assert env_of("FROM x\nRUN E=2; export E 1F; pip install a==1\n") == [{"E": "2"}]


def test_nested_shells_and_prefixes_see_what_was_exported_then() -> None:
    text = (
        "FROM x\nRUN export A=1 && B=2 sh -c 'export C=3; pip install a==1' && unset A"
        " && env D=4 pip install b==1 && export E=5 && pip install c==1\n"
    )
    assert env_of(text) == [{"A": "1", "B": "2", "C": "3"}, {"D": "4"}, {"E": "5"}]


@pytest.mark.parametrize(
    "run",
    [
        "sh -c 'pip install flask'",
        'bash -ec "pip install flask"',
        '["sh", "-c", "pip install flask"]',
        "sudo -u app env A=1 nice -n 5 pip install flask",
        "gosu app pip install flask",
        "pip2 install flask",
        "pip2.7 install flask",
        "python2 -m pip install flask",
        "python3.11 -u -m pip install flask",
        "/opt/venv/bin/pip install flask",
        "uv --no-cache pip install flask",
    ],
)
def test_installs_are_found_behind_shells_wrappers_and_versions(run: str) -> None:
    text, found = run_of(f"FROM x\nRUN {run}\n")
    assert [i.packages for i in found] == [("flask",)]
    word = found[0].package_words[0]
    assert text[word.start : word.start + 5] == "flask"


def test_heredoc_script_and_bash_heredoc_are_commands_but_data_heredocs_are_not() -> None:
    text = (
        "FROM x\nRUN <<EOF\npip install a\nEOF\nRUN bash <<EOF\npip install b\nEOF\n"
        "RUN cat <<EOF > f\npip install c\nEOF\n"
    )
    assert [i.packages for i in run_of(text, 1)[1]] == [("a",)]
    assert [i.packages for i in run_of(text, 2)[1]] == [("b",)]
    assert run_of(text, 3)[1] == []


def test_python_heredoc_script_is_not_read_as_shell() -> None:
    assert run_of("FROM x\nRUN <<EOF\n#!/usr/bin/env python3\nprint('pip install x')\nEOF\n")[1] == []


def test_onbuild_run_is_read_like_run() -> None:
    text, [found] = run_of("FROM x\nONBUILD RUN --mount=type=cache,target=/c pip install flask\n")
    assert found.packages == ("flask",) and where(text, found.package_words[0]) == (2, 54)


# --- options, read with pip's and uv's own tables ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "packages"),
    [
        ("--root-user-action ignore poetry==1.8.5", ("poetry==1.8.5",)),
        ("--progress-bar off -i https://x/simple a==1", ("a==1",)),
        ("-qr req.txt b==1", ("b==1",)),
        ("-rreq.txt c==1", ("c==1",)),
        ("--config-settings k=v -C x=y d==1", ("d==1",)),
        ("-- -weird==1", ("-weird==1",)),
    ],
)
def test_option_values_are_not_packages(args: str, packages: tuple[str, ...]) -> None:
    _, [found] = run_of(f"FROM x\nRUN pip install {args}\n")
    assert found.packages == packages


def test_pip_abbreviations_count_uv_takes_exact_names() -> None:
    _, [pip] = run_of("FROM x\nRUN pip install --no-cache a==1\n")
    assert pip.has("--no-cache-dir")
    _, [uv] = run_of("FROM x\nRUN uv pip install --no-cach a==1\n")
    assert not uv.has("--no-cache")
    _, [alias] = run_of("FROM x\nRUN uv pip install --no-cache-dir a==1\n")
    assert alias.has("--no-cache")  # a hidden alias uv accepts for pip's spelling


def test_requirement_files_in_every_spelling() -> None:
    _, [found] = run_of("FROM x\nRUN pip install -r a.txt --requirement b.txt --requirement=c.txt -rd.txt\n")
    assert found.requirement_files == ("a.txt", "b.txt", "c.txt", "d.txt")

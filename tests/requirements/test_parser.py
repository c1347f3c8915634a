"""Requirements-file parsing: one logical line in, one `Entry` out, positions kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinbox.errors import PinboxError
from pinbox.requirements import load_requirements, parse_requirements
from pinbox.requirements.model import Entry, Kind


def only(text: str) -> Entry:
    (entry,) = parse_requirements(text).entries
    return entry


def error_of(text: str, path: str = "requirements.txt") -> PinboxError:
    with pytest.raises(PinboxError) as info:
        parse_requirements(text, path)
    return info.value


# --- requirements, names, pins ------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Django==4.2", "django"),
        ("Foo_Bar==1", "foo-bar"),
        ("zope.interface>=5", "zope-interface"),
        ("A-._B", "a-b"),
        ("torch[cuda]==2.1 ; sys_platform == 'linux'", "torch"),
        ("my-pkg @ https://example.com/my_pkg-1.0-py3-none-any.whl", "my-pkg"),
    ],
)
def test_name_is_pep503_normalised(line: str, name: str) -> None:
    assert only(line).name == name


@pytest.mark.parametrize(
    ("line", "pinned"),
    [
        ("numpy==1.26.4", True),
        ("numpy===1.26.4", True),
        ("numpy==1.26.4 ; python_version < '3.12'", True),
        ("numpy[extra]==1.26.4", True),
        ("numpy", False),
        ("numpy>=1.26", False),
        ("numpy~=1.26.0", False),
        ("numpy==1.26.*", False),
        ("numpy==1.26.4,!=1.26.3", True),
        ("numpy>=1,<2", False),
        ("numpy @ https://example.com/numpy-1.26.4.tar.gz", False),
    ],
)
def test_is_pinned(line: str, pinned: bool) -> None:
    assert only(line).is_pinned is pinned


def test_requirement_entry_keeps_position_and_kind() -> None:
    entries = parse_requirements("\n# header\n   requests==2.31.0\n", "req.txt").entries
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.kind, entry.path, entry.line, entry.end_line, entry.col) == (
        Kind.REQUIREMENT,
        Path("req.txt"),
        3,
        3,
        4,
    )
    assert entry.text == "requests==2.31.0"


def test_requirements_property_keeps_only_requirements() -> None:
    parsed = parse_requirements("-i https://x/simple\na==1\n-e .\nb==2\n")
    assert [e.name for e in parsed.requirements] == ["a", "b"]


def test_blank_and_comment_only_text_has_no_entries() -> None:
    assert parse_requirements("\n  \n# only a comment\n   # indented comment\n").entries == ()


# --- comments and continuations ------------------------------------------------------------


def test_inline_comment_is_split_off() -> None:
    entry = only("requests==2.31.0   # via httpx")
    assert entry.text == "requests==2.31.0"
    assert entry.comment == "# via httpx"


def test_hash_sign_without_space_is_not_a_comment() -> None:
    entry = only("-e git+https://example.com/repo.git#egg=repo")
    assert entry.value == "git+https://example.com/repo.git#egg=repo"
    assert entry.comment == ""


def test_continuation_joins_lines_and_records_both_ends() -> None:
    text = "x==0\nrequests==2.31.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\ny==1\n"
    entries = parse_requirements(text).entries
    req = entries[1]
    assert (req.line, req.end_line) == (2, 4)
    assert req.hashes == ("sha256:aaa", "sha256:bbb")
    assert (entries[2].name, entries[2].line) == ("y", 5)


def test_backslash_on_last_line_is_dropped() -> None:
    assert only("requests==2.31.0 \\").text == "requests==2.31.0"


def test_backslash_after_a_comment_still_continues_as_pip_reads_it() -> None:
    # pip joins lines before it strips comments, so `b==2` ends up inside the comment of line 1
    entries = parse_requirements("a==1 # note \\\nb==2\n").entries
    assert [e.name for e in entries] == ["a"]


def test_a_comment_line_ending_in_backslash_does_not_continue() -> None:
    entries = parse_requirements("# note \\\nb==2\n").entries
    assert [(e.name, e.line) for e in entries] == [("b", 2)]


def test_continuation_inside_a_token_joins_without_space() -> None:
    # pip joins continued lines with nothing in between ("".join), so a version may be split.
    assert str(only("numpy==1.\\\n26.4").requirement) == "numpy==1.26.4"


# --- options --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind", "option", "value"),
    [
        ("-i https://pypi.example/simple", Kind.OPTION, "--index-url", "https://pypi.example/simple"),
        ("--index-url https://a/simple", Kind.OPTION, "--index-url", "https://a/simple"),
        ("--index-url=https://a/simple", Kind.OPTION, "--index-url", "https://a/simple"),
        ("--extra-index-url https://b/simple", Kind.OPTION, "--extra-index-url", "https://b/simple"),
        ("-f ./wheels", Kind.OPTION, "--find-links", "./wheels"),
        ("--find-links=https://c/links", Kind.OPTION, "--find-links", "https://c/links"),
        ("--pre", Kind.OPTION, "--pre", None),
        ("--no-index", Kind.OPTION, "--no-index", None),
        ("-r base.txt", Kind.INCLUDE, "--requirement", "base.txt"),
        ("-rbase.txt", Kind.INCLUDE, "--requirement", "base.txt"),
        ("--requirement=base.txt", Kind.INCLUDE, "--requirement", "base.txt"),
        ("-c constraints.txt", Kind.CONSTRAINT, "--constraint", "constraints.txt"),
        ("-e .[dev]", Kind.EDITABLE, "--editable", ".[dev]"),
        ("--editable ./libs/core", Kind.EDITABLE, "--editable", "./libs/core"),
    ],
)
def test_option_lines(line: str, kind: Kind, option: str, value: str | None) -> None:
    entry = only(line)
    assert (entry.kind, entry.option, entry.value) == (kind, option, value)


@pytest.mark.parametrize(
    ("line", "option", "value"),
    [
        ("-r\tbase.txt", "--requirement", "base.txt"),
        ("--index-url\thttps://a/simple", "--index-url", "https://a/simple"),
    ],
)
def test_option_value_may_follow_a_tab(line: str, option: str, value: str) -> None:
    entry = only(line)
    assert (entry.option, entry.value) == (option, value)


def test_options_returns_every_occurrence_in_order() -> None:
    parsed = parse_requirements(
        "--extra-index-url https://one/simple\na==1\n--extra-index-url=https://two/simple\n"
    )
    assert parsed.options("--extra-index-url") == ("https://one/simple", "https://two/simple")
    assert parsed.options("--index-url") == ()


@pytest.mark.parametrize(
    "line",
    [
        "a==1 --hash=sha256:x --hash=sha256:y",
        "a==1 --hash sha256:x --hash sha256:y",
        "a==1 --hash=sha256:x --config-settings=k=v --hash sha256:y",
        "a==1 \\\n\t--hash=sha256:x \\\n\t--hash=sha256:y",
    ],
)
def test_hashes_per_requirement(line: str) -> None:
    entry = only(line)
    assert entry.hashes == ("sha256:x", "sha256:y")
    assert str(entry.requirement) == "a==1"


@pytest.mark.parametrize(
    ("line", "url"),
    [
        ("pkg @ https://example.com/pkg-1.0.tar.gz", "https://example.com/pkg-1.0.tar.gz"),
        ("pkg[x] @ file:///tmp/pkg-1.0-py3-none-any.whl", "file:///tmp/pkg-1.0-py3-none-any.whl"),
    ],
)
def test_direct_reference_is_a_named_requirement(line: str, url: str) -> None:
    entry = only(line)
    assert entry.kind is Kind.REQUIREMENT
    assert entry.requirement is not None
    assert entry.requirement.url == url


@pytest.mark.parametrize(
    "line",
    ["./local/pkg", "../sibling", "/abs/pkg", "~/pkg", "https://example.com/x.whl", "dist/x.tar.gz"],
)
def test_unnamed_paths_and_urls(line: str) -> None:
    entry = only(line)
    assert (entry.kind, entry.value, entry.requirement) == (Kind.PATH, line, None)


# --- environment variables ------------------------------------------------------------------


def test_env_vars_are_expanded_for_parsing_but_never_copied_into_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PINBOX_T_HOST", "pypi.example")
    monkeypatch.setenv("PINBOX_T_VER", "2.31.0")
    monkeypatch.setenv("PINBOX_T_TOKEN", "s3cr3t")
    parsed = parse_requirements(
        "-i https://u:${PINBOX_T_TOKEN}@${PINBOX_T_HOST}/simple\nrequests==${PINBOX_T_VER}\n"
    )
    assert str(parsed.requirements[0].requirement) == "requests==2.31.0"
    # the environment's values (tokens!) never reach entry text or values, so never reach findings;
    # the resolver and pip expand them themselves
    assert parsed.options("--index-url") == ("https://u:${PINBOX_T_TOKEN}@${PINBOX_T_HOST}/simple",)
    assert "${PINBOX_T_VER}" in parsed.requirements[0].text
    assert "s3cr3t" not in repr(parsed.entries)


@pytest.mark.parametrize("line", ["-i https://${PINBOX_T_UNSET}/simple", "-i https://$PINBOX_T_SET/simple"])
def test_env_vars_unset_or_without_braces_are_kept(monkeypatch: pytest.MonkeyPatch, line: str) -> None:
    monkeypatch.delenv("PINBOX_T_UNSET", raising=False)
    monkeypatch.setenv("PINBOX_T_SET", "nope")
    assert only(line).value == line.removeprefix("-i ")


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        ("a==1\nfoo bar\n", 2, 5, "invalid requirement"),
        ("a==1\n\n   foo bar\n", 3, 8, "invalid requirement"),
        ("pkg[extra\n", 1, 10, "invalid requirement"),
        ("pkg==1;\n", 1, 8, "invalid requirement"),
        ("--nope\n", 1, 1, "unknown option '--nope'"),
        ("  -x value\n", 1, 3, "unknown option '-x'"),
        ("a==1\n-i\n", 2, 1, "needs a value"),
        ("--index-url=\n", 1, 1, "needs a value"),
        ("--pre yes\n", 1, 1, "takes no value"),
        ("--no-index=1\n", 1, 1, "takes no value"),
        ("a==1 --nope=x\n", 1, 1, "unknown option '--nope' after a requirement"),
        ("a==1 --hash\n", 1, 1, "--hash needs a value"),
        ("a==1 --hash='abc\n", 1, 1, "cannot split options"),
        ("a==1 --hash=sha256:x junk\n", 1, 1, "unknown option 'junk'"),
        ("x==1\nfoo bar \\\n  ==1\n", 2, 5, "invalid requirement"),
    ],
)
def test_errors_carry_path_line_col(text: str, line: int, col: int, fragment: str) -> None:
    err = error_of(text, "reqs/dev.txt")
    assert fragment in err.message
    assert (err.path, err.line, err.col) == (Path("reqs/dev.txt"), line, col)


def test_error_render_shows_source_line_and_caret() -> None:
    err = error_of("a==1\n  foo bar  # why\n")
    assert err.render().splitlines() == [
        "requirements.txt:2:7: invalid requirement 'foo bar': " + err.message.split(": ", 1)[1],
        "  |   foo bar  # why",
        "  |       ^",
    ]


# --- includes -------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_load_follows_includes_relative_to_the_including_file(tmp_path: Path) -> None:
    top = write(tmp_path / "requirements.txt", "-r reqs/base.txt\n-c constraints.txt\nc==3\n")
    write(tmp_path / "reqs" / "base.txt", "-r common.txt\na==1\n")
    write(tmp_path / "reqs" / "common.txt", "b==2\n")
    write(tmp_path / "constraints.txt", "a<2\n")
    files = load_requirements(top)
    assert [f.path.relative_to(tmp_path).as_posix() for f in files] == [
        "requirements.txt",
        "reqs/base.txt",
        "reqs/common.txt",
        "constraints.txt",
    ]
    assert [e.name for f in files for e in f.requirements] == ["c", "a", "b", "a"]


def test_load_stops_on_include_cycles(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "-r b.txt\nx==1\n")
    write(tmp_path / "b.txt", "-r a.txt\n-r ./a.txt\ny==1\n")
    files = load_requirements(tmp_path / "a.txt")
    assert [f.path.name for f in files] == ["a.txt", "b.txt"]


def test_load_skips_remote_includes(tmp_path: Path) -> None:
    top = write(tmp_path / "r.txt", "-r https://example.com/base.txt\na==1\n")
    files = load_requirements(top)
    assert len(files) == 1
    assert files[0].entries[0].value == "https://example.com/base.txt"


def test_load_missing_top_file(tmp_path: Path) -> None:
    with pytest.raises(PinboxError) as info:
        load_requirements(tmp_path / "nope.txt")
    assert info.value.path == tmp_path / "nope.txt"
    assert "not found" in info.value.message


def test_missing_include_points_at_the_include_line(tmp_path: Path) -> None:
    top = write(tmp_path / "requirements.txt", "a==1\n-r missing.txt\n")
    with pytest.raises(PinboxError) as info:
        load_requirements(top)
    err = info.value
    assert (err.path, err.line, err.col) == (top, 2, 1)
    assert "not found" in err.message
    assert "missing.txt" in err.message


def test_missing_include_caret_is_under_the_option_when_indented(tmp_path: Path) -> None:
    top = write(tmp_path / "requirements.txt", "a==1\n    -r missing.txt\n")
    with pytest.raises(PinboxError) as info:
        load_requirements(top)
    rendered = info.value.render().splitlines()
    assert rendered[1:] == ["  |     -r missing.txt", "  |     ^"]


def test_error_inside_an_include_names_the_included_file(tmp_path: Path) -> None:
    top = write(tmp_path / "requirements.txt", "-r sub/base.txt\n")
    base = write(tmp_path / "sub" / "base.txt", "ok==1\n\nnot valid\n")
    with pytest.raises(PinboxError) as info:
        load_requirements(top)
    assert (info.value.path, info.value.line) == (base, 3)


def test_include_of_a_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    top = write(tmp_path / "requirements.txt", "-r dir\n")
    with pytest.raises(PinboxError) as info:
        load_requirements(top)
    assert (info.value.path, info.value.line) == (top, 1)
    assert "directory" in info.value.message

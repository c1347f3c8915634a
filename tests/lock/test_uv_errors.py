"""uv's failures, retold: pinbox's own first line and hint; uv hints about options pinbox does not
have are left out."""

from __future__ import annotations

from pathlib import Path

from pinbox.lock import uv
from pinbox.target import Platform

REQ = uv.Request(project=Path(), input=Path("requirements.txt"), python="3.11.10")
NO_WHEEL = "\n".join(
    [
        "  x No solution found when resolving dependencies:",
        "  `-> Because markupsafe==2.1.1 has no usable wheels and jinja2==3.1.2 depends on "
        "markupsafe>=2.0, we can conclude that jinja2==3.1.2 cannot be used.",
        "  hint: `markupsafe` was filtered by `exclude-newer` to only include packages uploaded before "
        "2022-08-10. Consider using `exclude-newer-package` to override the cutoff for this package.",
        "  hint: The `--python-version` value (>=3.11.10) includes Python versions that are not "
        "supported by your dependencies",
        "  hint: Wheels are required for `markupsafe` because building from source is disabled",
        "warning: something uv says on the side",
    ]
)


def test_no_wheel_keeps_the_explanation_and_drops_foreign_hints() -> None:
    error = uv.explain_failure(NO_WHEEL, REQ, Platform("x86_64"))
    assert isinstance(error, uv.NoWheel) and error.package == "markupsafe"
    assert error.message.startswith("no wheel of markupsafe for CPython 3.11 on linux/amd64")
    assert "jinja2==3.1.2 depends on markupsafe>=2.0" in error.message
    assert "exclude-newer-package" not in error.message and "--python-version" not in error.message
    assert "Wheels are required for `markupsafe`" in error.message  # names no option: kept
    assert "warning:" not in error.message
    assert "--allow-sdist markupsafe" in str(error.hint)


def test_a_hint_naming_pinbox_s_own_option_is_kept() -> None:
    text = "  x No solution found\n  hint: pass --upgrade-package six to move it\n"
    assert "--upgrade-package six" in uv.explain_failure(text, REQ, Platform("x86_64")).message


def test_who_needs_the_package_without_a_wheel() -> None:
    parent = "  x Because antlr4-python3-runtime==4.8 has no usable wheels and omegaconf==2.1.1 depends on "
    parent += "antlr4-python3-runtime==4.8, we can conclude that omegaconf==2.1.1 cannot be used."
    error = uv.explain_failure(parent, REQ, Platform("x86_64"))
    assert isinstance(error, uv.NoWheel) and error.needed_by == "omegaconf==2.1.1"
    direct = "  x Because wget==3.2 has no usable wheels and you require wget==3.2, we can conclude ..."
    error = uv.explain_failure(direct, REQ, Platform("x86_64"))
    assert isinstance(error, uv.NoWheel) and (error.package, error.needed_by) == ("wget", "you")

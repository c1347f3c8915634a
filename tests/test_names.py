"""pinbox.names.normalize is packaging's canonicalize_name (without its start-up cost); package_name
reads the distribution a pip argument names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from pinbox.names import normalize, package_name


@given(st.text(alphabet="AaBbZz09-_.", max_size=20))
def test_normalize_is_canonicalize_name(name: str) -> None:
    assert normalize(name) == canonicalize_name(name)


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("Flask[async]>=2", "flask"),
        ("'Typing_Extensions==4.12.2'", "typing-extensions"),
        ("numpy;python_version<'3.13'", "numpy"),
        ("https://x.example/pkg-1.0.tar.gz", None),
        ("git+https://github.com/o/r", None),
        ("./local", None),
    ],
)
def test_package_name(word: str, name: str | None) -> None:
    assert package_name(word) == name

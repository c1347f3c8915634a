"""pinbox.names.normalize is packaging's canonicalize_name (without its start-up cost)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from pinbox.names import normalize


@given(st.text(alphabet="AaBbZz09-_.", max_size=20))
def test_normalize_is_canonicalize_name(name: str) -> None:
    assert normalize(name) == canonicalize_name(name)

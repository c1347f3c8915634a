"""Sizes as people read them: decimal units, as PyPI and Docker show them."""

from __future__ import annotations


def human_size(size: int | float, small: str = "B") -> str:
    """1234567 -> '1.2 MB'; below 1 kB, `512 B` (or `512 bytes` with small="bytes")."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:.0f} {small}"

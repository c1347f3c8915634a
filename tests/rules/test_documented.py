"""Rule texts are data: each row of data/*_rules.toml is one registered rule's summary and doc."""

from __future__ import annotations

from importlib import resources

import pytest

from pinbox.datafiles import data_table
from pinbox.rules.registry import RULES

TABLES = sorted(
    f.name.removesuffix(".toml")
    for f in resources.files("pinbox").joinpath("data").iterdir()
    if f.name.endswith("_rules.toml")
)


def test_every_rule_is_documented_in_exactly_one_table() -> None:
    rows = [name for table in TABLES for name in data_table(table)]
    assert sorted(rows) == sorted(r.name for r in RULES)


@pytest.mark.parametrize("table", TABLES)
def test_every_row_is_the_text_of_its_rule(table: str) -> None:
    by_name = {r.name: r for r in RULES}
    for name, row in data_table(table).items():
        assert set(row) == {"summary", "doc"}, name
        assert (by_name[name].summary, by_name[name].doc) == (row["summary"], row["doc"])

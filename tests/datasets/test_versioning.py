"""Semantic version numbers of successive releases."""
from types import SimpleNamespace

import pytest

from portal.datasets.services import next_version


def _prev(version, schema="s", data="d"):
    return SimpleNamespace(version=version, schema_hash=schema, data_hash=data)


@pytest.mark.parametrize("previous,schema,data,expected", [
    (None, "s", "d", "1.0.0"),
    (_prev("1.0.0"), "s2", "d", "2.0.0"),
    (_prev("1.4.2"), "s", "d2", "1.5.0"),
    (_prev("1.4.2"), "s", "d", "1.4.3"),
    (_prev("3.1.0"), "s2", "d2", "4.0.0"),
])
def test_next_version(previous, schema, data, expected):
    assert next_version(previous, schema, data) == expected

"""datastore_search and datastore_info over a dataset's series (every public version, long format)."""
from __future__ import annotations

import pytest

from portal.core.ids import stable_id
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset
from portal.extensions import db
from tests.support.catalog import ROWS, action
from tests.support.catalog import datastore_result as ds
from tests.support.series import grown, monthly

NAME = "agama"


def _series_id(name: str = NAME) -> str:
    dataset = db.session.query(Dataset).filter_by(name=name).one()
    return stable_id("resource", dataset.id, f"{name}-seri.csv")


@pytest.fixture
def series_id(factory):
    """A dataset with three monthly versions (Desa Dua hidden in February), the second withdrawn-free."""
    def rows_of(month):
        rows = grown(month)
        if month == 2:
            rows[2][6:9] = ["x", "x", "x"]
        return rows
    monthly(factory, NAME, 3, rows_of)
    return _series_id()


def test_the_series_is_a_datastore_table_typed_by_its_schema(client, series_id):
    found = ds(client, resource_id=series_id)
    assert [f["id"] for f in found["fields"]][:3] == ["_id", "tanggal_referensi", "versi"]
    assert {f["id"]: f["type"] for f in found["fields"]}["tanggal_referensi"] == "date"
    assert found["total"] == 3 * len(ROWS)
    info = action(client, "datastore_info", resource_id=series_id)[1]["result"]
    assert info["meta"]["count"] == 3 * len(ROWS)


def test_filters_q_and_sort_work_as_on_a_version(client, series_id):
    found = ds(client, resource_id=series_id, filters='{"kode_desa": "51.02.01.2002"}', sort="tanggal_referensi asc",
               fields="versi,jumlah")
    assert found["records"] == [{"versi": "1.0.0", "jumlah": 35}, {"versi": "1.1.0", "jumlah": None},
                                {"versi": "1.2.0", "jumlah": 35}]  # hidden stays hidden: null, never 0
    assert ds(client, resource_id=series_id, filters={"versi": "1.2.0"}, method="post")["total"] == len(ROWS)
    assert ds(client, resource_id=series_id, q="hindu")["total"] == 3 * 2
    top = ds(client, resource_id=series_id, sort="jumlah desc nulls last", limit=1, fields="jumlah")
    assert top["records"] == [{"jumlah": 940}]


def test_a_withdrawn_version_is_not_in_the_series(client, factory):
    monthly(factory, NAME, 3, statuses={2: ReleaseStatus.WITHDRAWN})
    found = ds(client, resource_id=_series_id(), distinct="true", fields="versi", sort="versi")
    assert [r["versi"] for r in found["records"]] == ["1.0.0", "1.2.0"]


def test_an_unknown_column_or_id_answers_ckans_errors(client, series_id):
    status, body = action(client, "datastore_search", resource_id=series_id, filters='{"nope": 1}')
    assert status == 409 and body["error"]["filters"] == ['invalid value "nope"']
    status, body = action(client, "datastore_search", resource_id=series_id, sort="tanggal_referensi sideways")
    assert status == 409
    status, _ = action(client, "datastore_search", resource_id=stable_id("resource", "x", "agama-seri.csv"))
    assert status == 404

"""Semantic version numbers: MAJOR for schema or code lists, MINOR for data, PATCH for metadata."""
from types import SimpleNamespace

import pytest

from portal.auth.permissions import NotAuthorized
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.versions import next_version
from portal.extensions import db
from portal.statistics.compute import Category
from tests.support.releases import protected_from

NAME = "penduduk-dan-keluarga"


def _prev(version, schema="s", data="d"):
    return SimpleNamespace(version=version, schema_hash=schema, data_hash=data)


@pytest.mark.parametrize("previous,schema,data,highest,expected", [
    (None, "s", "d", None, "1.0.0"),
    (_prev("1.0.0"), "s2", "d", None, "2.0.0"),
    (_prev("1.4.2"), "s", "d2", None, "1.5.0"),
    (_prev("1.4.2"), "s", "d", None, "1.4.3"),
    (_prev("3.1.0"), "s2", "d2", None, "4.0.0"),
    # 1.5.0 was withdrawn: its number is never given out again.
    (_prev("1.4.2"), "s", "d2", "1.5.0", "1.6.0"),
    (_prev("1.4.2"), "s", "d", "1.4.3", "1.4.4"),
])
def test_next_version(previous, schema, data, highest, expected):
    assert next_version(previous, schema, data, highest) == expected


def test_data_change_is_minor_and_code_list_change_is_major(published, redraft, client):
    minor = redraft(published)
    assert minor.version == "1.1.0" and minor.status is ReleaseStatus.PUBLISHED
    major = redraft(minor, change=None, extra_category=Category(99, "KATEGORI BARU"))
    assert major.version == "2.0.0"
    page = client.get(f"/dataset/{NAME}").get_data(as_text=True)
    assert "2.0.0" in page and "1.1.0" in page and "1.0.0" in page  # every version is listed
    # Old versions keep their pages and files, byte for byte.
    old = client.get(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv")
    assert old.status_code == 200
    assert old.get_data() != client.get(f"/dataset/{NAME}/version/1.1.0/download/{NAME}.csv").get_data()


def test_same_data_again_makes_no_draft(published, redraft):
    assert redraft(published, change=None, publish=False) is None


def test_metadata_edit_becomes_a_patch_release_with_the_same_data(published, users, client):
    draft = services.edit_metadata(published.dataset, users["produsen"], {
        "title": "Penduduk dan Keluarga per Desa (revisi judul)", "licence_id": "CC0-1.0",
        "tags": "penduduk, keluarga"})
    db.session.commit()
    assert draft.version == "1.0.1" and draft.status is ReleaseStatus.DRAFT
    assert draft.data_hash == published.data_hash
    # Nothing public changes before approval.
    assert "revisi judul" not in client.get(f"/dataset/{NAME}").get_data(as_text=True)
    services.submit(draft, users["produsen"], "Judul dan lisensi diperbaiki.")
    db.session.commit()
    services.approve(draft, users["walidata"], "OK")
    page = client.get(f"/dataset/{NAME}").get_data(as_text=True)
    assert "revisi judul" in page and "CCZero" in page
    csv_old = client.get(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv").get_data()
    csv_new = client.get(f"/dataset/{NAME}/version/1.0.1/download/{NAME}.csv").get_data()
    assert csv_old == csv_new
    descriptor = client.get(f"/dataset/{NAME}/version/1.0.1/download/datapackage.json").get_json()
    assert descriptor["version"] == "1.0.1" and descriptor["licenses"][0]["name"] == "CC0-1.0"
    assert descriptor["keywords"] == ["penduduk", "keluarga"]
    # The old version still shows its own title.
    assert "revisi judul" not in client.get(f"/dataset/{NAME}/version/1.0.0").get_data(as_text=True)


def test_metadata_edit_rules(published, harvested, users):
    with pytest.raises(services.WorkflowError):
        services.edit_metadata(published.dataset, users["produsen"], {"title": "  "})
    with pytest.raises(services.WorkflowError):
        services.edit_metadata(published.dataset, users["produsen"], {"licence_id": "proprietary"})
    with pytest.raises(services.WorkflowError):  # nothing changed
        services.edit_metadata(published.dataset, users["produsen"], {"title": published.dataset.title})
    with pytest.raises(NotAuthorized):
        services.edit_metadata(published.dataset, users["walidata"], {"title": "Lain"})


def test_metadata_edit_of_an_open_draft_changes_that_draft(harvested, users):
    draft = harvested.drafts[1]
    same = services.edit_metadata(draft.dataset, users["produsen"], {"description": "Deskripsi baru."})
    assert same is draft and draft.meta["description"] == "Deskripsi baru."
    assert draft.validation_report["valid"]


def test_a_harvest_carries_an_open_metadata_edit_into_its_new_draft(published, users, redraft):
    draft = services.edit_metadata(published.dataset, users["produsen"], {"title": "Judul baru"})
    db.session.commit()
    newer = redraft(published, publish=False)
    assert draft.status is ReleaseStatus.SUPERSEDED
    assert newer.meta["title"] == "Judul baru" and newer.version == "1.1.0"


def test_protected_from_reproduces_the_published_table(published):
    # The helper the other tests rely on gives back the same bytes when nothing changes.
    from portal.datasets import packaging
    from portal.datasets.queries import release_csv
    assert packaging.table_csv(protected_from(published)) == release_csv(published)

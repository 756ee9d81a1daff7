"""Withdrawal (UU PDP Pasal 46): files gone at once with the reason, tombstone, previous version back."""
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.permissions import NotAuthorized
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.extensions import db

NAME = "penduduk-dan-keluarga"
REASON = "Insiden: sel kecil desa 51.02.01.2001 dapat dihitung ulang."


@pytest.fixture
def two_versions(published, redraft):
    """1.0.0 and 1.1.0 published; 1.1.0 is the latest."""
    return published, redraft(published)


def test_withdrawing_the_latest_makes_the_previous_latest_again(client, users, two_versions):
    first, second = two_versions
    csv_url = f"/dataset/{NAME}/version/1.1.0/download/{NAME}.csv"
    assert client.get(csv_url).status_code == 200
    services.withdraw(second, users["walidata"], REASON)
    db.session.commit()
    gone = client.get(csv_url)
    assert gone.status_code == 410 and REASON in gone.get_data(as_text=True)
    tombstone = client.get(f"/dataset/{NAME}/version/1.1.0")
    assert tombstone.status_code == 410
    page = tombstone.get_data(as_text=True)
    assert "telah ditarik" in page and REASON in page and "noindex" in page
    latest = client.get(f"/dataset/{NAME}").get_data(as_text=True)
    assert "Versi</dt><dd>1.0.0" in latest and "ditarik" in latest  # listed, as a tombstone
    assert client.get(f"/dataset/{NAME}/download/{NAME}.csv").headers["Location"].endswith(
        f"/version/1.0.0/download/{NAME}.csv")
    assert client.get(f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv").status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "withdraw")).one()
    assert event.actor.email == "walidata@example.go.id" and event.detail["reason"] == REASON
    assert event.detail["files"][f"{NAME}.csv"] == second.file(f"{NAME}.csv").sha256


def test_the_api_feed_and_dcat_drop_a_withdrawn_version(client, users, two_versions):
    _, second = two_versions
    services.withdraw(second, users["walidata"], REASON)
    db.session.commit()
    feed = client.get("/feeds/releases.atom").get_data(as_text=True)
    assert f"/dataset/{NAME}/version/1.0.0" in feed and "/version/1.1.0" not in feed
    package = client.get(f"/api/3/action/package_show?id={NAME}").get_json()["result"]
    assert package["version"] == "1.0.0"
    assert "1.1.0" not in client.get(f"/dataset/{NAME}.ttl").get_data(as_text=True)


def test_withdrawing_the_only_version_empties_the_catalog_entry(client, users, published):
    services.withdraw(published, users["walidata"], REASON)
    db.session.commit()
    assert NAME not in client.get("/dataset").get_data(as_text=True)
    assert NAME not in client.get("/").get_data(as_text=True)
    page = client.get(f"/dataset/{NAME}")
    assert page.status_code == 410 and REASON in page.get_data(as_text=True)
    assert client.get(f"/api/3/action/package_show?id={NAME}").status_code == 404
    for name in (f"{NAME}.csv", f"{NAME}.xlsx", f"{NAME}.json", f"{NAME}.zip", "datapackage.json"):
        assert client.get(f"/dataset/{NAME}/version/1.0.0/download/{name}").status_code == 410


def test_a_withdrawn_number_is_never_given_out_again(users, two_versions, redraft):
    first, second = two_versions
    services.withdraw(second, users["walidata"], REASON)
    db.session.commit()
    again = redraft(second, publish=True)  # corrected data after the incident
    assert again.version == "1.2.0"


def test_only_a_walidata_withdraws_and_only_published_versions(users, published, harvested, runner):
    with pytest.raises(NotAuthorized):
        services.withdraw(published, users["produsen"], REASON)
    with pytest.raises(services.WorkflowError):
        services.withdraw(published, users["walidata"], "  ")
    with pytest.raises(services.WorkflowError):
        services.withdraw(harvested.drafts[1], users["walidata"], REASON)
    out = runner.invoke(args=["releases", "withdraw", str(published.id), "--as",
                              "walidata2@example.go.id", "--reason", REASON])
    assert out.exit_code == 0, out.output
    assert db.session.get(type(published), published.id).status is ReleaseStatus.WITHDRAWN
    shown = runner.invoke(args=["releases", "show", str(published.id)])
    assert REASON in shown.output

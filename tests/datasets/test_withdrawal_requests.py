"""package_delete's service: a draft dataset goes, a public one waits for a walidata's decision
(four eyes), and confirming withdraws every public version with the request's reason."""
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.permissions import NotAuthorized
from portal.auth.services import set_memberships
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.withdrawal_requests import WithdrawalRequest, confirm, delete_dataset, deny, pending_request
from portal.extensions import db
from portal.privacy.scan import PersonalDataFound
from tests.support.catalog import CatalogFactory

PUBLISHED, DRAFT, SUBMITTED = ReleaseStatus.PUBLISHED, ReleaseStatus.DRAFT, ReleaseStatus.SUBMITTED
REASON = "Tabel diganti oleh tabel Dinas Sosial."


@pytest.fixture
def factory(app, users) -> CatalogFactory:
    """Catalogue rows and files; the test produsen is a member of its OPDs."""
    return CatalogFactory(app)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_confirming_withdraws_every_public_version_with_the_reason(factory, users):
    dataset = factory.dataset("penduduk", [("1.0.0", PUBLISHED), ("1.1.0", PUBLISHED), ("1.2.0", DRAFT)])
    request = delete_dataset(dataset, users["produsen"], REASON)
    db.session.commit()
    assert request.status == "pending" and services.latest_published(dataset) is not None  # still public
    assert delete_dataset(dataset, users["produsen"], "Sekali lagi.") is request  # asked once
    withdrawn = confirm(request, users["walidata"], "")
    db.session.commit()
    assert sorted(r.version for r in withdrawn) == ["1.0.0", "1.1.0"]
    assert {r.version: r.status for r in dataset.releases} == {
        "1.0.0": ReleaseStatus.WITHDRAWN, "1.1.0": ReleaseStatus.WITHDRAWN, "1.2.0": DRAFT}
    assert all(r.withdrawal_reason == REASON for r in withdrawn)
    assert services.latest_published(dataset) is None and pending_request(dataset) is None
    assert request.status == "confirmed" and request.decided_by_id == users["walidata"].id
    assert {"request_withdrawal", "withdraw", "withdrawal_confirmed"} <= set(_actions())


def test_four_eyes_and_one_decision(factory, users):
    dataset = factory.dataset("penduduk")
    # walidata2 last changed the requester's account: it could have asked in the produsen's name.
    set_memberships(users["produsen"], set(), users["walidata2"])
    set_memberships(users["produsen"], {dataset.organization_id}, users["walidata2"])
    request = delete_dataset(dataset, users["produsen"], REASON)
    db.session.commit()
    with pytest.raises(NotAuthorized):
        confirm(request, users["walidata2"], "")
    with pytest.raises(NotAuthorized):  # a produsen never decides
        deny(request, users["produsen"], "Tidak.")
    with pytest.raises(services.WorkflowError):  # a denial gives its reason
        deny(request, users["walidata"], "  ")
    deny(request, users["walidata"], "Data masih dipakai OPD lain.")
    db.session.commit()
    assert services.latest_published(dataset).status is PUBLISHED
    with pytest.raises(services.WorkflowError):
        confirm(request, users["walidata"], "")


def test_a_reason_shaped_like_personal_data_is_refused_and_nothing_is_kept(factory, users):
    dataset = factory.dataset("penduduk")
    with pytest.raises(PersonalDataFound):
        delete_dataset(dataset, users["produsen"], "Warga 5102014107900001 meminta dihapus.")
    db.session.rollback()
    assert db.session.scalar(select(WithdrawalRequest)) is None


def test_a_draft_dataset_is_deleted_but_not_while_it_is_reviewed(factory, users):
    reviewed = factory.dataset("diajukan", [("1.0.0", SUBMITTED)])
    with pytest.raises(services.WorkflowError):
        delete_dataset(reviewed, users["produsen"], "")
    draft = factory.dataset("draf", [("1.0.0", DRAFT)])
    assert delete_dataset(draft, users["produsen"], "") is None
    db.session.commit()
    assert draft.releases[0].status is ReleaseStatus.SUPERSEDED and "delete_draft" in _actions()
    other = factory.dataset("lain", [("1.0.0", DRAFT)], org="dinas-sosial")
    set_memberships(users["produsen"], {reviewed.organization_id}, None)
    with pytest.raises(NotAuthorized):  # not a member of the dataset's OPD
        delete_dataset(other, users["produsen"], "")
    with pytest.raises(NotAuthorized):  # a walidata withdraws directly; it does not delete
        delete_dataset(draft, users["walidata"], "")

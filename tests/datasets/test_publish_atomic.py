"""Atomic publication: a crash at any step leaves the previous state; two approvals publish once."""
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import publish, services
from portal.datasets.models import Release
from portal.extensions import db

NAME = "penduduk-dan-keluarga"
STEPS = ["claimed", "built", "validated", f"stored:{NAME}.csv", "stored:datapackage.json",
         f"stored:{NAME}.json", f"stored:{NAME}.zip", "commit"]


class Crash(Exception):
    """An injected failure."""


class HardCrash(BaseException):
    """A crash that leaves no chance to clean up (the process dies)."""


def _blobs(app) -> set[str]:
    root = Path(app.config["STORAGE_DIR"]) / "blobs"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _public_state(client) -> dict:
    """What the public sees of the dataset: page version, files, and the 1.1.0 URLs."""
    page = client.get(f"/dataset/{NAME}").get_data(as_text=True)
    files = {name: client.get(f"/dataset/{NAME}/version/1.0.0/download/{name}").get_data()
             for name in (f"{NAME}.csv", "datapackage.json", f"{NAME}.zip")}
    new = [client.get(url).status_code for url in (
        f"/dataset/{NAME}/version/1.1.0", f"/dataset/{NAME}/version/1.1.0/download/{NAME}.csv",
        f"/dataset/{NAME}/version/1.1.0/download/datapackage.json")]
    return {"latest_is_1_0_0": "Versi</dt><dd>1.0.0" in page, "files": files, "new": new}


@pytest.fixture
def submitted_update(published, redraft, users):
    """Version 1.0.0 public; a data change drafted and submitted as the next version."""
    draft = redraft(published, publish=False)
    services.submit(draft, users["produsen"], "Data baru.")
    db.session.commit()
    return draft


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_leaves_the_previous_version_intact(app, client, users, submitted_update,
                                                                 monkeypatch, step):
    before, blobs_before = _public_state(client), _blobs(app)

    def crash(at):
        if at == step:
            raise Crash(at)

    monkeypatch.setattr(publish, "checkpoint", crash)
    with pytest.raises(Crash):
        services.approve(submitted_update, users["walidata"], "OK")
    monkeypatch.undo()
    db.session.expire_all()
    assert _public_state(client) == before
    assert before["latest_is_1_0_0"] and before["new"] == [404, 404, 404]
    assert _blobs(app) == blobs_before  # nothing half-written left behind
    release = db.session.get(Release, submitted_update.id)
    assert release.status is ReleaseStatus.SUBMITTED  # back in the queue, can be approved again
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "publish_failed")).all()
    assert [e.detail["error"] for e in failed] == ["Crash"]
    services.approve(release, users["walidata"], "Coba lagi.")
    assert client.get(f"/dataset/{NAME}/version/1.1.0/download/{NAME}.csv").status_code == 200


@pytest.mark.parametrize("step", ["validated", f"stored:{NAME}.zip", "commit"])
def test_a_hard_crash_publishes_nothing_and_its_claim_expires(app, client, users, submitted_update,
                                                              monkeypatch, step):
    before = _public_state(client)

    def die(at):
        if at == step:
            raise HardCrash(at)

    monkeypatch.setattr(publish, "checkpoint", die)
    with pytest.raises(HardCrash):
        services.approve(submitted_update, users["walidata"], "OK")
    monkeypatch.undo()
    db.session.rollback()
    assert _public_state(client) == before
    release = db.session.get(Release, submitted_update.id)
    assert release.status is ReleaseStatus.PUBLISHING
    # While the claim is fresh nobody else can publish it; once it has expired, one can.
    assert not services.can_approve(users["walidata2"], release)
    with pytest.raises(services.WorkflowError):
        services.approve(release, users["walidata2"])
    release.reviewed_at = release.reviewed_at - publish.CLAIM_TIMEOUT * 2
    db.session.commit()
    services.approve(release, users["walidata2"], "Diambil alih.")
    assert client.get(f"/dataset/{NAME}/version/1.1.0").status_code == 200


def test_two_walidata_approving_at_the_same_moment_publish_once(app, users, submitted_update):
    release_id = submitted_update.id
    ids = [users["walidata"].id, users["walidata2"].id]
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def approve_as(user_id: int) -> None:
        with app.app_context():
            release, user = db.session.get(Release, release_id), db.session.get(User, user_id)
            barrier.wait()
            try:
                services.approve(release, user, "Setuju.")
                outcomes[user_id] = "published"
            except services.WorkflowError:
                outcomes[user_id] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve_as, args=(uid,)) for uid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["published", "refused"]
    db.session.expire_all()
    publishes = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "publish", AuditEvent.release_id == release_id)).all()
    assert len(publishes) == 1
    release = db.session.get(Release, release_id)
    assert release.status is ReleaseStatus.PUBLISHED
    assert release.reviewed_by_id == publishes[0].actor_id


def test_a_published_blob_is_never_overwritten(app, published):
    from portal.datasets.files import storage
    store = storage()
    entry = published.file(f"{NAME}.csv")
    path = store.local_path(entry.sha256, entry.name)
    stat = os.stat(path)
    sha, created = store.put(path.read_bytes(), entry.name)
    assert (sha, created) == (entry.sha256, False)
    assert os.stat(path).st_mtime_ns == stat.st_mtime_ns

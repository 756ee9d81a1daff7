"""Draft, submit, four-eyes approval and publication, through the CLI and the web pages."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from frictionless import validate

from portal.audit.models import AuditEvent
from portal.core.vocabularies import ReleaseStatus
from portal.datasets import services
from portal.datasets.models import Release
from portal.extensions import db
from tests.support.forms import csrf_token


def _cli(runner, *args):
    result = runner.invoke(args=list(args))
    return result


def test_cli_submit_then_approve_publishes_version_1_0_0(runner, harvested, app):
    release_id = str(harvested.drafts[0].id)
    out = _cli(runner, "releases", "submit", release_id, "--as", "produsen@example.go.id",
               "--note", "Rilis pertama")
    assert out.exit_code == 0, out.output
    out = _cli(runner, "releases", "approve", release_id, "--as", "walidata@example.go.id")
    assert out.exit_code == 0, out.output
    release = db.session.get(Release, int(release_id))
    assert release.status is ReleaseStatus.PUBLISHED and release.version == "1.0.0"
    listing = _cli(runner, "releases", "list")
    assert f"#{release_id}\tpenduduk-dan-keluarga\t1.0.0\tpublished" in listing.output
    shown = _cli(runner, "releases", "show", release_id)
    assert "sha256:" in shown.output and "valid" in shown.output


def test_produsen_cannot_approve_and_walidata_cannot_submit(runner, harvested):
    release_id = str(harvested.drafts[0].id)
    out = _cli(runner, "releases", "submit", release_id, "--as", "walidata@example.go.id", "--note", "x")
    assert out.exit_code != 0 and "ditolak" in out.output
    _cli(runner, "releases", "submit", release_id, "--as", "produsen@example.go.id", "--note", "x")
    out = _cli(runner, "releases", "approve", release_id, "--as", "produsen@example.go.id")
    assert out.exit_code != 0 and "ditolak" in out.output
    assert db.session.get(Release, int(release_id)).status is ReleaseStatus.SUBMITTED


def test_submitter_can_never_approve_their_own_release(harvested, users):
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "x")
    release.submitted_by = users["walidata"]  # as if a walidata had submitted it
    assert not services.can_approve(users["walidata"], release)
    assert services.can_approve(users["walidata2"], release)
    with pytest.raises(services.WorkflowError):
        services.approve(release, users["walidata"])


def test_a_draft_cannot_be_approved_before_it_is_submitted(harvested, users):
    with pytest.raises(services.WorkflowError):
        services.approve(harvested.drafts[0], users["walidata"])


def test_change_note_is_required(harvested, users):
    with pytest.raises(services.WorkflowError):
        services.submit(harvested.drafts[0], users["produsen"], "   ")


def test_rejection_keeps_the_reason_and_publishes_nothing(harvested, users, client):
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "x")
    services.reject(release, users["walidata"], "Angka desa X perlu dicek.")
    db.session.commit()
    assert release.status is ReleaseStatus.REJECTED and release.review_comment.startswith("Angka")
    assert client.get("/dataset/penduduk-dan-keluarga").status_code == 404


def test_web_review_flow(client, auth, harvested):
    release_id = harvested.drafts[0].id
    auth.login_as("produsen")
    page = client.get(f"/admin/releases/{release_id}").get_data(as_text=True)
    assert "Laporan privasi" in page and "Valid" in page
    client.post(f"/admin/releases/{release_id}/submit",
                data={"note": "Rilis pertama", "csrf_token": csrf_token(page)})
    auth.logout()
    auth.login_as("walidata")
    page = client.get(f"/admin/releases/{release_id}").get_data(as_text=True)
    assert "Setujui dan terbitkan" in page
    response = client.post(f"/admin/releases/{release_id}/approve",
                           data={"comment": "OK", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert db.session.get(Release, release_id).status is ReleaseStatus.PUBLISHED
    public = client.get("/dataset/penduduk-dan-keluarga").get_data(as_text=True)
    assert "1.0.0" in public


def test_approve_without_csrf_token_is_refused(client, auth, harvested, users):
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "x")
    db.session.commit()
    auth.login_as("walidata")
    assert client.post(f"/admin/releases/{release.id}/approve", data={"comment": ""}).status_code == 400
    assert db.session.get(Release, release.id).status is ReleaseStatus.SUBMITTED


def test_published_package_is_frictionless_v2_and_valid(published, client, tmp_path):
    base = f"/dataset/{published.dataset.name}/version/1.0.0/download"
    descriptor = client.get(f"{base}/datapackage.json").get_json()
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["version"] == "1.0.0" and descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    resource = descriptor["resources"][0]
    assert resource["schema"]["primaryKey"] == ["kode_desa", "kode"]
    assert resource["schema"]["missingValues"][0]["value"] == "x"
    assert resource["hash"].startswith("sha256:")
    zipped = tmp_path / f"{published.dataset.name}.zip"
    zipped.write_bytes(client.get(f"{base}/{published.dataset.name}.zip").get_data())
    with zipfile.ZipFile(zipped) as archive:
        # The table, and the series of every version up to this one (issue 13).
        assert sorted(archive.namelist()) == ["data/penduduk-dan-keluarga-seri.csv", "data/penduduk-dan-keluarga.csv",
                                              "datapackage.json"]
        assert json.loads(archive.read("datapackage.json")) == descriptor
    assert validate(str(zipped)).valid
    # The same check a data user runs: the frictionless command on the downloaded zip, unchanged.
    cli = Path(sys.executable).with_name("frictionless")
    checked = subprocess.run([str(cli), "validate", str(zipped)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout[-2000:]
    roles = [r for c in descriptor["contributors"] for r in c["roles"]]
    assert "walidata" in roles and "produsen" in roles


def test_every_transition_is_in_the_audit_log_with_file_hashes(published):
    actions = [e.action for e in db.session.query(AuditEvent).filter_by(release_id=published.id)
               .order_by(AuditEvent.id)]
    assert actions == ["draft", "submit", "approve", "publish"]
    publish = db.session.query(AuditEvent).filter_by(action="publish").one()
    assert publish.detail["files"] == {f.name: f.sha256 for f in published.files}
    assert publish.actor.email == "walidata@example.go.id"


def test_a_failed_commit_leaves_nothing_published(harvested, users, client, monkeypatch):
    release = harvested.drafts[0]
    services.submit(release, users["produsen"], "x")
    db.session.commit()
    real_commit = db.session.commit
    calls = []

    def broken_commit():
        calls.append(1)
        if len(calls) == 3:  # after the claim; the publication's own commit
            raise RuntimeError("database went away")
        real_commit()

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        services.approve(release, users["walidata"])
    monkeypatch.undo()
    assert client.get(f"/dataset/{release.dataset.name}/version/1.0.0").status_code == 404
    assert client.get(f"/dataset/{release.dataset.name}/version/1.0.0/download/datapackage.json").status_code == 404
    assert db.session.get(Release, release.id).status is ReleaseStatus.SUBMITTED

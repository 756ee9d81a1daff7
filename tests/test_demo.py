"""`flask demo` (what `make run` calls): publishes once, and is idempotent."""
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.models import Dataset, Release
from portal.extensions import db
from portal.statistics.catalogue import CATALOGUE


def test_demo_publishes_the_first_release_and_is_idempotent(runner, client):
    first = runner.invoke(args=["demo", "--residents", "3000"])
    assert first.exit_code == 0, first.output
    assert "Terbit: penduduk-dan-keluarga versi 1.0.0" in first.output
    assert first.output.count("Terbit:") == len(CATALOGUE)
    assert "walidata@demo.tabanan.go.id" in first.output
    second = runner.invoke(args=["demo", "--residents", "3000"])
    assert second.exit_code == 0, second.output
    assert "Tidak ada perubahan" in second.output
    assert db.session.query(Dataset).count() == len(CATALOGUE)
    releases = db.session.query(Release).all()
    assert {(r.version, r.status) for r in releases} == {("1.0.0", ReleaseStatus.PUBLISHED)}
    assert len(releases) == len(CATALOGUE)
    assert client.get("/dataset/penduduk-dan-keluarga").status_code == 200


def test_demo_logins_work(runner, auth):
    runner.invoke(args=["demo", "--residents", "3000"])
    response = auth.login("walidata@demo.tabanan.go.id", "walidata-demo-2026")
    assert response.status_code == 302

"""The snapshot behind every API face: rebuilt as soon as the published catalog changes."""
from portal.api import index
from portal.core.vocabularies import ReleaseStatus as S
from portal.extensions import db
from tests.support.catalog import action


def test_fingerprint_counts_published_releases_only(factory):
    empty = index.fingerprint()
    factory.dataset("draf", [("1.0.0", S.DRAFT)])
    assert index.fingerprint()[:3] == empty[:3] == (0, None, None)
    ds = factory.dataset("agama")
    assert index.fingerprint()[0] == 1 and index.fingerprint()[1] == ds.releases[0].id


def test_a_withdrawal_without_any_other_trace_is_seen_at_once(client, factory):
    ds = factory.dataset("agama", [("1.0.0", S.PUBLISHED), ("1.1.0", S.PUBLISHED)])
    assert action(client, "package_show", id="agama")[1]["result"]["version"] == "1.1.0"
    ds.releases[1].status = S.WITHDRAWN
    db.session.commit()
    assert action(client, "package_show", id="agama")[1]["result"]["version"] == "1.0.0"
    ds.releases[0].status = S.WITHDRAWN
    db.session.commit()
    assert action(client, "package_show", id="agama")[0] == 404
    assert action(client, "package_list")[1]["result"] == []

"""Every hostile upload is refused with a clear message (row, column, never a value) and changes
nothing: the whole database (every table's rows) and the storage folder (names, sha256) are the
same before and after."""
from __future__ import annotations

import pytest

from portal.auth.services import create_user, set_memberships
from portal.datasets import services
from portal.extensions import db
from portal.uploads.errors import UploadError
from portal.uploads.service import upload_to_draft
from tests.support.state import fingerprint
from tests.support.world import PASSWORDS, fresh_app
from tests.uploads.bad_input import CASES, SECRETS, csv_bytes, good_rows


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """An app with one OPD, its produsen and one uploaded draft already stored."""
    app = fresh_app(tmp_path_factory.mktemp("upload-bad-input"))
    with app.app_context():
        org = services.ensure_organization("dinas-kesehatan", "Dinas Kesehatan")
        db.session.flush()
        user = create_user("produsen@example.go.id", PASSWORDS["produsen"], "produsen")
        db.session.flush()
        set_memberships(user, [org.id], None)
        db.session.commit()
        upload_to_draft(csv_bytes(good_rows()), "awal.csv", "penduduk-desa", "dinas-kesehatan", user)
        yield app, user
        db.session.remove()
        db.engine.dispose()


def test_the_corpus_is_large():
    assert len({c.name for c in CASES}) == len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload_is_refused_and_changes_nothing(portal, case):
    app, user = portal
    content, filename, schema, sheet = case.build()
    before = fingerprint(app)
    with pytest.raises(UploadError) as refused:
        upload_to_draft(content, filename, "penduduk-desa", "dinas-kesehatan", user, schema, sheet)
    message = str(refused.value)
    for fragment in case.expect:
        assert fragment in message, message
    for secret in SECRETS:
        assert secret not in message, message
    assert fingerprint(app) == before

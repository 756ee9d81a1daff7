"""The topic register: walidata create, edit and delete topics; the catalog, search and API follow."""
from sqlalchemy import select

from portal.admin import topics
from portal.audit.models import AuditEvent
from portal.auth.permissions import NotAuthorized
from portal.core.vocabularies import ReleaseStatus
from portal.datasets.fingerprint import catalog_fingerprint
from portal.datasets.models import Topic, TopicSet, TopicStatistic
from portal.extensions import db
from portal.statistics.catalogue import CATALOGUE
from tests.support.forms import csrf_token
from tests.support.search_catalog import result_names

SEEDED = ["kependudukan", "pendidikan", "kesehatan", "ketenagakerjaan", "jaminan-sosial", "agama"]


def _topic(name: str) -> Topic | None:
    db.session.expire_all()
    return db.session.get(Topic, name)


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _post_form(client, url: str, **data):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(page)})


def app_client(client):
    """A fresh anonymous client of the same app (no login cookie, so pages may be cached)."""
    return client.application.test_client()


def _delete(client, name: str):
    token = csrf_token(client.get("/admin/topics").get_data(as_text=True))
    return client.post(f"/admin/topics/{name}/delete", data={"csrf_token": token})


def test_the_migration_seeds_the_six_topics_in_order(client):
    own = select(Topic.name).where(Topic.topic_set == "").order_by(Topic.position)
    assert list(db.session.scalars(own)) == SEEDED
    assert _topic("jaminan-sosial").title_en == "Social Security"
    index = client.get("/topik").get_data(as_text=True)
    positions = [index.index(f'href="/topik/{slug}"') for slug in SEEDED]
    assert positions == sorted(positions)


def test_walidata_adds_a_topic_through_the_form(client, auth, users):
    auth.login_as("walidata")
    page = client.get("/admin/topics/new").get_data(as_text=True)
    assert '<label for="name">' in page and '<label for="title_en">' in page
    response = _post_form(client, "/admin/topics/new", name="lingkungan-hidup", title="Lingkungan Hidup",
                          title_en="Environment", description="Data lingkungan hidup desa.",
                          description_en="Village environment data.", position="70")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/topics")
    topic = _topic("lingkungan-hidup")
    assert (topic.title, topic.title_en, topic.position) == ("Lingkungan Hidup", "Environment", 70)
    listing = client.get("/admin/topics").get_data(as_text=True)
    assert "Topik Lingkungan Hidup ditambahkan." in listing and "lingkungan-hidup" in listing
    event = _events("topic_create")[0]
    assert event.actor.email == "walidata@example.go.id" and event.detail["topic"] == "lingkungan-hidup"
    public = app_client(client).get("/topik/lingkungan-hidup").get_data(as_text=True)
    assert "<h1>Lingkungan Hidup</h1>" in public and "Data lingkungan hidup desa." in public
    assert 'href="/topik/lingkungan-hidup"' in app_client(client).get("/topik").get_data(as_text=True)


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, auth, users):
    auth.login_as("walidata")
    response = _post_form(client, "/admin/topics/new", name="Lingkungan Hidup!", title="", position="x")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hanya huruf kecil, angka dan tanda hubung" in text and "Wajib diisi." in text
    assert "Urutan harus bilangan bulat 0 sampai 100000." in text and 'aria-invalid="true"' in text
    duplicate = _post_form(client, "/admin/topics/new", name="agama", title="Agama Lain")
    assert "Topik dengan nama singkat ini sudah ada." in duplicate.get_data(as_text=True)
    same_title = _post_form(client, "/admin/topics/new", name="agama-2", title="agama")
    assert "Topik dengan nama ini sudah ada." in same_title.get_data(as_text=True)
    assert _topic("agama").title == "Agama" and _topic("agama-2") is None and not _events("topic_create")


def test_walidata_edits_a_topic_through_the_form(client, auth, users):
    auth.login_as("walidata")
    page = client.get("/admin/topics/agama/edit").get_data(as_text=True)
    assert "readonly" in page and "Penduduk menurut agama." in page
    response = _post_form(client, "/admin/topics/agama/edit", name="nama-lain", title="Agama dan Kepercayaan",
                          title_en="Religion and Belief", description="Pemeluk agama dan penghayat kepercayaan.",
                          description_en="", position="5")
    assert response.status_code == 302
    topic = _topic("agama")
    assert topic.title == "Agama dan Kepercayaan" and topic.position == 5 and _topic("nama-lain") is None
    event = _events("topic_update")[0]
    assert event.actor.email == "walidata@example.go.id"
    assert event.detail["changes"]["title"] == {"from": "Agama", "to": "Agama dan Kepercayaan"}
    assert event.detail["changes"]["description_en"] == {"from": "Residents by religion.", "to": ""}
    assert "Topik Agama dan Kepercayaan disimpan." in client.get("/admin/topics").get_data(as_text=True)
    # No English description: an English reader gets the Indonesian one rather than nothing.
    english = app_client(client).get("/topik/agama?lang=en").get_data(as_text=True)
    assert "<h1>Religion and Belief</h1>" in english and "Pemeluk agama dan penghayat kepercayaan." in english


def test_an_edit_reaches_the_topic_page_search_feed_and_api(client, users, catalog):
    # Edited through the service: in this fixture's shared app context a login would leak into
    # the anonymous reader's requests (flask-login keeps the user in g) and bypass the cache.
    catalog.add("umat", "Rumah Ibadah per Desa", topic="agama")
    reader = app_client(client)
    assert reader.get("/topik/agama").headers.get("X-Page-Cache") == "miss"
    assert reader.get("/topik/agama").headers.get("X-Page-Cache") == "hit"
    assert result_names(reader.get("/dataset?q=kepercayaan").get_data(as_text=True)) == []
    before = catalog_fingerprint()
    topics.update(users["walidata"], _topic("agama"), title="Agama dan Kepercayaan",
                  title_en="Religion and Belief", description="Pemeluk agama dan penghayat kepercayaan.",
                  description_en="Followers of religions and beliefs.", position="5")
    db.session.commit()
    assert catalog_fingerprint() != before  # every worker's page cache and API snapshot see it

    response = reader.get("/topik/agama")
    text = response.get_data(as_text=True)
    assert response.headers.get("X-Page-Cache") == "miss"
    assert "<h1>Agama dan Kepercayaan</h1>" in text and "Pemeluk agama dan penghayat kepercayaan." in text
    assert result_names(text) == ["umat"]
    english = reader.get("/topik/agama?lang=en").get_data(as_text=True)
    assert "<h1>Religion and Belief</h1>" in english and "Followers of religions and beliefs." in english
    # Position 5 puts it ahead of the seeded topics (10, 20, ...).
    index = reader.get("/topik").get_data(as_text=True)
    assert index.index('href="/topik/agama"') < index.index('href="/topik/kependudukan"')
    # The search index was rebuilt for the topic's datasets in the same transaction.
    assert result_names(reader.get("/dataset?q=kepercayaan").get_data(as_text=True)) == ["umat"]
    assert "Agama dan Kepercayaan" in reader.get("/feeds/topic/agama.atom").get_data(as_text=True)

    group = reader.get("/api/3/action/group_show?id=agama").get_json()["result"]
    assert group["title"] == "Agama dan Kepercayaan" and group["package_count"] == 1
    assert group["description"] == "Pemeluk agama dan penghayat kepercayaan."
    listed = reader.get("/api/3/action/group_list?all_fields=true").get_json()["result"]
    assert {g["name"]: g["title"] for g in listed}["agama"] == "Agama dan Kepercayaan"
    package = reader.get("/api/3/action/package_show?id=umat").get_json()["result"]
    assert package["groups"][0]["title"] == "Agama dan Kepercayaan"


def test_an_unchanged_form_is_refused(client, auth, users):
    auth.login_as("walidata")
    topic = _topic("pendidikan")
    response = _post_form(client, "/admin/topics/pendidikan/edit", name="pendidikan", title=topic.title,
                          title_en=topic.title_en, description=topic.description,
                          description_en=topic.description_en, position=str(topic.position))
    assert "Tidak ada perubahan." in response.get_data(as_text=True) and not _events("topic_update")


def test_a_topic_in_use_is_not_deleted(client, auth, users, catalog):
    catalog.add("sekolah", "Sekolah per Desa", topic="pendidikan")
    catalog.add("draf", "Draf Pendidikan", topic="pendidikan",
                statuses=(ReleaseStatus.DRAFT,))  # not public, yet still filed under it
    auth.login_as("walidata")
    listing = client.get("/admin/topics").get_data(as_text=True)
    assert 'action="/admin/topics/pendidikan/delete"' not in listing
    assert 'action="/admin/topics/agama/delete"' in listing
    response = _delete(client, "pendidikan")
    assert response.status_code == 302
    page = client.get("/admin/topics").get_data(as_text=True)
    assert "Topik Pendidikan tidak dapat dihapus: 2 dataset memakainya." in page
    assert _topic("pendidikan") is not None and not _events("topic_delete")


def test_an_unused_topic_is_deleted(client, auth, users):
    auth.login_as("walidata")
    response = _delete(client, "agama")
    assert response.status_code == 302
    assert "Topik Agama dihapus." in client.get("/admin/topics").get_data(as_text=True)
    assert _topic("agama") is None and _events("topic_delete")[0].detail["topic"] == "agama"
    reader = app_client(client)
    assert reader.get("/topik/agama").status_code == 404
    assert 'href="/topik/agama"' not in reader.get("/topik").get_data(as_text=True)
    assert reader.get("/feeds/topic/agama.atom").status_code == 404
    assert reader.get("/api/3/action/group_show?id=agama").status_code == 404


def test_an_unregistered_slug_still_renders_and_can_be_registered(client, auth, users, catalog):
    catalog.add("sampah", "Timbulan Sampah per Desa", topic="lingkungan")
    reader = app_client(client)
    search = reader.get("/dataset?q=sampah").get_data(as_text=True)
    assert result_names(search) == ["sampah"] and ">lingkungan</a>" in search
    assert reader.get("/api/3/action/group_show?id=lingkungan").get_json()["result"]["title"] == "Lingkungan"
    auth.login_as("walidata")
    listing = client.get("/admin/topics").get_data(as_text=True)
    assert "tidak terdaftar" in listing and 'href="/admin/topics/new?name=lingkungan"' in listing
    assert 'value="lingkungan"' in client.get("/admin/topics/new?name=lingkungan").get_data(as_text=True)
    _post_form(client, "/admin/topics/new?name=lingkungan", name="lingkungan", title="Lingkungan Hidup")
    assert "tidak terdaftar" not in client.get("/admin/topics").get_data(as_text=True)
    page = reader.get("/topik/lingkungan").get_data(as_text=True)
    assert "<h1>Lingkungan Hidup</h1>" in page and result_names(page) == ["sampah"]
    assert ">Lingkungan Hidup</a>" in reader.get("/dataset?q=sampah").get_data(as_text=True)


def test_produsen_sees_the_register_but_cannot_change_it(client, auth, users):
    for attempt in (lambda: topics.create(users["produsen"], "x", title="X"),
                    lambda: topics.update(users["produsen"], _topic("agama"), title="Y"),
                    lambda: topics.delete(users["produsen"], _topic("agama"))):
        try:
            attempt()
        except NotAuthorized:
            pass
        else:
            raise AssertionError("a produsen changed the topic register")
    auth.login_as("produsen")
    listing = client.get("/admin/topics")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "Kependudukan" in text and "Population" in text
    assert "Tambah topik" not in text and "/admin/topics/agama/edit" not in text and "/delete" not in text
    assert client.get("/admin/topics/new").status_code == 403
    assert client.get("/admin/topics/agama/edit").status_code == 403
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    assert client.post("/admin/topics/agama/delete", data={"csrf_token": token}).status_code == 403
    assert client.post("/admin/topics/agama/edit", data={"csrf_token": token, "name": "agama",
                                                          "title": "Diubah"}).status_code == 403
    assert _topic("agama").title == "Agama"


def test_the_csrf_token_is_required(client, auth, users):
    auth.login_as("walidata")
    assert client.post("/admin/topics/new", data={"name": "topik-y", "title": "Topik Y"}).status_code == 400
    assert client.post("/admin/topics/agama/edit", data={"name": "agama", "title": "Z"}).status_code == 400
    assert client.post("/admin/topics/agama/delete").status_code == 400
    assert _topic("topik-y") is None and _topic("agama").title == "Agama"


def test_the_register_speaks_english_on_request(client, auth, users):
    auth.login_as("walidata")
    page = client.get("/admin/topics?lang=en").get_data(as_text=True)
    assert "Population" in page and "Social Security" in page
    home = app_client(client).get("/?lang=en").get_data(as_text=True)
    assert 'href="/topik/jaminan-sosial">Social Security</a>' in home
    assert 'href="/topik/kependudukan">Kependudukan</a>' in app_client(client).get("/").get_data(as_text=True)


PRIORITY = ["pangan-sandang-papan", "pendidikan-dan-kesehatan", "jaminan-sosial-dan-ketenagakerjaan",
            "agama-adat-tradisi-budaya", "pariwisata"]


def _switch(client, name: str, active: str):
    token = csrf_token(client.get("/admin/topics").get_data(as_text=True))
    return client.post(f"/admin/topics/sets/{name}", data={"csrf_token": token, "active": active})


def test_the_five_priority_fields_are_registered_switched_off(client):
    in_set = select(Topic.name).where(Topic.topic_set == "data-desa-presisi").order_by(Topic.position)
    assert list(db.session.scalars(in_set)) == PRIORITY
    assert db.session.get(TopicSet, "data-desa-presisi").active is False
    assert _topic("pendidikan").topic_set == ""  # the register's own topics are untouched
    index = app_client(client).get("/topik").get_data(as_text=True)
    assert 'href="/topik/kependudukan"' in index and not any(f'href="/topik/{s}"' in index for s in PRIORITY)
    assert app_client(client).get("/topik/pariwisata").status_code == 404


def test_walidata_switches_the_priority_fields_on_and_statistics_follow(client, auth, users, catalog):
    catalog.add("penduduk-menurut-agama", "Penduduk menurut Agama", topic="agama")
    catalog.add("penduduk-menurut-pekerjaan", "Penduduk menurut Pekerjaan", topic="ketenagakerjaan")
    auth.login_as("walidata")
    listing = client.get("/admin/topics").get_data(as_text=True)
    assert "Data Desa Presisi" in listing and "Nyalakan" in listing
    assert "<code>penduduk-menurut-agama</code>" in listing  # the mapping, shown before switching on
    before = catalog_fingerprint()
    response = _switch(client, "data-desa-presisi", "1")
    assert response.status_code == 302
    assert db.session.get(TopicSet, "data-desa-presisi").active is True
    assert catalog_fingerprint() != before
    event = _events("topic_set_switch")[0]
    assert event.actor.email == "walidata@example.go.id" and event.detail == {
        "topic_set": "data-desa-presisi", "active": True}
    auth.logout()
    reader = app_client(client)
    index = reader.get("/topik").get_data(as_text=True)
    assert all(f'href="/topik/{s}"' in index for s in PRIORITY)
    # A statistic stays in its own topic and is listed under its priority field too.
    assert result_names(reader.get("/topik/agama-adat-tradisi-budaya").get_data(as_text=True)) == [
        "penduduk-menurut-agama"]
    assert result_names(reader.get("/topik/agama").get_data(as_text=True)) == ["penduduk-menurut-agama"]
    assert result_names(reader.get("/topik/jaminan-sosial-dan-ketenagakerjaan").get_data(as_text=True)) == [
        "penduduk-menurut-pekerjaan"]
    assert result_names(reader.get("/topik/pariwisata").get_data(as_text=True)) == []

    auth.login_as("walidata")
    assert _switch(client, "data-desa-presisi", "0").status_code == 302
    assert db.session.get(TopicSet, "data-desa-presisi").active is False
    auth.logout()
    assert reader.get("/topik/pendidikan-dan-kesehatan").status_code == 404
    assert result_names(reader.get("/topik/agama").get_data(as_text=True)) == ["penduduk-menurut-agama"]
    assert _topic("pariwisata") is not None  # switched off, not deleted


def test_switching_a_topic_set_refuses_bad_input_and_other_roles(client, auth, users):
    auth.login_as("walidata")
    token = csrf_token(client.get("/admin/topics").get_data(as_text=True))
    assert client.post("/admin/topics/sets/data-desa-presisi", data={"active": "1"}).status_code == 400
    for bad in ("", "2", "yes", "1 OR 1=1"):
        response = client.post("/admin/topics/sets/data-desa-presisi",
                               data={"csrf_token": token, "active": bad})
        assert response.status_code == 400
    assert client.post("/admin/topics/sets/tidak-ada",
                       data={"csrf_token": token, "active": "1"}).status_code == 404
    response = _switch(client, "data-desa-presisi", "0")  # already off
    assert "Tidak ada perubahan." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not _events("topic_set_switch")
    auth.logout()
    auth.login_as("produsen")
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    assert "/admin/topics/sets/" not in client.get("/admin/topics").get_data(as_text=True)
    assert client.post("/admin/topics/sets/data-desa-presisi",
                       data={"csrf_token": token, "active": "1"}).status_code == 403
    try:
        topics.switch_set(users["produsen"], db.session.get(TopicSet, "data-desa-presisi"), True)
    except NotAuthorized:
        pass
    else:
        raise AssertionError("a produsen switched a topic set on")
    assert db.session.get(TopicSet, "data-desa-presisi").active is False


def test_the_village_tables_are_filed_under_the_priority_fields(client):
    """Aid, households, BPJS, stunting and vulnerable groups (issue 16) serve three of the fields."""
    filed: dict[str, set[str]] = {}
    for row in db.session.scalars(select(TopicStatistic)):
        filed.setdefault(row.topic, set()).add(row.dataset_name)
    assert {"konvergensi-stunting-sasaran", "konvergensi-stunting-tikar",
            "konvergensi-stunting-layanan"} <= filed["pendidikan-dan-kesehatan"]
    assert {"penerima-bantuan-sosial-keluarga", "kepesertaan-bpjs-ketenagakerjaan",
            "rumah-tangga-menurut-kelas-sosial"} <= filed["jaminan-sosial-dan-ketenagakerjaan"]
    assert "rumah-tangga-menurut-kelas-sosial" in filed["pangan-sandang-papan"]
    assert "kelompok-rentan" in filed["pendidikan-dan-kesehatan"] & filed["jaminan-sosial-dan-ketenagakerjaan"]
    catalogued = {spec.name for spec in CATALOGUE}
    assert set().union(*filed.values()) <= catalogued  # every mapped name is a real statistic

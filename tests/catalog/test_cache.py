"""The rendered-page cache: same page on a hit, a miss after any public change, never for users."""
from portal.catalog import cache

NAME = "penduduk-dan-keluarga"


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    return response, response.headers.get("X-Page-Cache")


def test_a_hit_returns_the_same_page(client, published):
    first, state = _get(client, f"/dataset/{NAME}")
    assert first.status_code == 200 and state == "miss"
    second, state = _get(client, f"/dataset/{NAME}")
    assert state == "hit" and second.get_data() == first.get_data()
    assert second.mimetype == "text/html" and second.headers["X-Request-Id"]
    assert second.headers["Content-Security-Policy"]  # the app's hooks still run on a hit
    search, _ = _get(client, "/dataset?q=penduduk")
    again, state = _get(client, "/dataset?q=penduduk")
    assert state == "hit" and again.get_data() == search.get_data()


def test_query_order_does_not_matter_but_its_values_do(client, published):
    _get(client, "/dataset?q=penduduk&sort=name")
    assert _get(client, "/dataset?sort=name&q=penduduk")[1] == "hit"
    assert _get(client, "/dataset?q=keluarga&sort=name")[1] == "miss"


def test_language_is_part_of_the_key(client, published):
    indonesian, _ = _get(client, f"/dataset/{NAME}")
    english, state = _get(client, f"/dataset/{NAME}?lang=en")
    assert state == "miss" and english.get_data() != indonesian.get_data()
    client.set_cookie("lang", "en")
    by_cookie, state = _get(client, f"/dataset/{NAME}")
    assert state == "miss" and by_cookie.get_data() != indonesian.get_data()
    assert _get(client, f"/dataset/{NAME}")[1] == "hit"


def test_withdrawal_is_a_miss_at_once(client, users, published):
    from portal.datasets import services

    assert _get(client, f"/dataset/{NAME}")[0].status_code == 200
    assert NAME in _get(client, "/dataset")[0].get_data(as_text=True)
    services.withdraw(published, users["walidata"], "Data keliru, diganti.")
    assert _get(client, f"/dataset/{NAME}")[0].status_code == 410
    assert NAME not in _get(client, "/dataset")[0].get_data(as_text=True)


def test_a_change_seen_only_by_the_fingerprint_is_a_miss(app, client, users, published, harvested):
    # Another worker publishes: this process gets no signal, only the fingerprint changes.
    from portal.datasets import services
    from portal.datasets.signals import catalog_changed
    from portal.extensions import db

    before, _ = _get(client, "/dataset")
    other = harvested.drafts[1]
    catalog_changed.disconnect(cache._on_catalog_changed)
    try:
        services.submit(other, users["produsen"], "Rilis.")
        db.session.commit()
        services.approve(other, users["walidata"], "Setuju.")
    finally:
        catalog_changed.connect(cache._on_catalog_changed)
    after, state = _get(client, "/dataset")
    assert state == "miss" and after.get_data() != before.get_data()


def test_a_metadata_change_is_a_miss(client, users, published):
    from portal.datasets import services
    from portal.datasets.signals import catalog_changed

    _get(client, f"/dataset/{NAME}")
    assert _get(client, f"/dataset/{NAME}")[1] == "hit"
    catalog_changed.send(published.dataset)  # what publishing a metadata edit sends
    assert _get(client, f"/dataset/{NAME}")[1] == "miss"
    assert services  # the publish path itself is covered by the withdrawal test


def test_logged_in_users_never_get_cached_pages(client, auth, published):
    _get(client, f"/dataset/{NAME}")
    assert _get(client, f"/dataset/{NAME}")[1] == "hit"
    auth.login_as("walidata")
    page, state = _get(client, f"/dataset/{NAME}")
    assert state is None and "Keluar" in page.get_data(as_text=True)
    assert len(cache.pages()) == 1  # and their pages are not stored for anyone else


def test_pages_with_a_session_or_a_cookie_are_not_stored(app, client, published):
    client.set_cookie("session", "whatever")
    assert _get(client, f"/dataset/{NAME}")[1] is None
    assert len(cache.pages()) == 0


def test_admin_auth_and_downloads_are_never_cached(client, published):
    for url in ("/auth/login", f"/dataset/{NAME}/version/1.0.0/download/{NAME}.csv", "/healthz"):
        assert _get(client, url)[1] is None
        assert _get(client, url)[1] is None
    assert len(cache.pages()) == 0


def test_the_cache_is_bounded_and_can_be_switched_off(app, client, published):
    app.config["PAGE_CACHE"] = False
    _get(client, "/dataset")
    assert _get(client, "/dataset")[1] is None
    lru = cache.LRU(2)
    for key in "abc":
        lru.put(key, key)
    assert len(lru) == 2 and lru.get("a") is None and lru.get("c") == "c"
    by_size = cache.LRU(10, max_bytes=100)
    for key in "abc":
        by_size.put(key, key, weight=40)
    assert len(by_size) == 2 and by_size.get("a") is None and by_size.bytes == 80

"""CORS on the read-only API, and the token bucket that limits one address."""
import pytest

from portal.api import guard


def test_token_bucket_allows_a_burst_then_refills():
    bucket = guard.TokenBucket(per_minute=60, burst=3)
    assert [bucket.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a", now=0.0) == pytest.approx(1.0)
    assert bucket.take("b", now=0.0) == 0.0  # addresses are counted apart
    assert bucket.take("a", now=1.0) == 0.0  # one token a second comes back


@pytest.mark.parametrize("url", ["/api/3/action/package_list", "/api/action/status_show", "/catalog.ttl",
                                 "/api/openapi.json"])
def test_cors_headers_and_no_cookies(client, factory, url):
    factory.dataset("agama")
    response = client.get(url, headers={"Origin": "https://contoh.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


def test_preflight_is_answered(client):
    response = client.options("/api/3/action/package_search", headers={
        "Origin": "https://contoh.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 200
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_csrf_does_not_block_api_posts(app, factory):
    app.config["WTF_CSRF_ENABLED"] = True
    factory.dataset("agama")
    response = app.test_client().post("/api/action/package_show", json={"id": "agama"})
    assert response.status_code == 200 and response.get_json()["success"] is True


def test_rate_limit_answers_429_with_retry_after(client, app):
    app.config.update(API_RATE_LIMIT=60, API_RATE_BURST=5)
    guard.configure(app)
    statuses = [client.get("/api/3/action/site_read").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    limited = client.get("/api/3/action/site_read")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.get_json()["success"] is False
    assert limited.get_json()["error"]["__type"] == "Rate Limit Error"
    assert limited.headers["Access-Control-Allow-Origin"] == "*"  # browsers can read the 429
    assert client.get("/auth/login").status_code == 200  # the web pages are not limited here


def test_limit_zero_switches_the_limiter_off(client, app):
    app.config.update(API_RATE_LIMIT=0)
    guard.configure(app)
    assert all(client.get("/api/3/action/site_read").status_code == 200 for _ in range(50))

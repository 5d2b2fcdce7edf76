"""Browsers may call the API only from a site's allowed origins."""

ALLOWED = "https://news.example"


def test_reads_carry_cors_headers_only_for_allowed_origins(api):
    params = {"site": "news", "key": "k"}
    allowed = api.get("/api/v1/threads", params=params, headers={"Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "Origin" in allowed.headers["vary"]
    other = api.get("/api/v1/threads", params=params, headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


def test_preflight_for_allowed_and_unknown_origins(api):
    request_headers = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    ok = api.options("/api/v1/comments", headers={**request_headers, "Origin": ALLOWED})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in ok.headers["access-control-allow-methods"]
    refused = api.options(
        "/api/v1/comments", headers={**request_headers, "Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


def test_errors_are_readable_by_allowed_pages(api):
    response = api.post(
        "/api/v1/comments",
        json={"site": "news", "thread": {"key": "k"}, "author": {"name": "A"}, "body": ""},
        headers={"Origin": ALLOWED},
    )
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == ALLOWED


def test_other_sites_origins_cannot_write_here(api, db):
    from rostra.service.sites import create_site

    create_site(db, "other", ["https://other.example"])
    response = api.post(
        "/api/v1/comments",
        json={"site": "news", "thread": {"key": "k"}, "author": {"name": "A"}, "body": "hi"},
        headers={"Origin": "https://other.example"},
    )
    assert response.status_code == 403 and response.json()["error"] == "origin_not_allowed"


def test_origins_are_stored_the_way_browsers_send_them(api, db):
    from rostra.service.sites import create_site

    create_site(
        db, "typed", ["https://Bücher.Example:443", "http://localhost:8080", "http://[::1]:80"]
    )
    params = {"site": "typed", "key": "k"}
    for browser_origin in (
        "https://xn--bcher-kva.example",
        "http://localhost:8080",
        "http://[::1]",
    ):
        answer = api.get("/api/v1/threads", params=params, headers={"Origin": browser_origin})
        assert answer.headers.get("access-control-allow-origin") == browser_origin

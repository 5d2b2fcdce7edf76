"""Moderators granted through the site's sign-on: a `roles` claim."""

from identity_support import hs256_site, token

from rostra.service.sites import configure_identity, create_site


def _admin_sso(api, value: str, site: str = "news"):
    return api.get("/admin/sso", params={"site": site, "token": value}, follow_redirects=False)


def test_a_moderator_role_opens_the_queue_for_that_site_only(api, db):
    create_site(db, "gazette", ["https://gazette.example"])
    hs256_site(db)
    answer = _admin_sso(api, token({"roles": ["moderator"]}))
    assert answer.status_code == 200, answer.text
    assert "rostra_session" in answer.cookies
    queue = api.get("/admin/queue/held", params={"site": "news"})
    assert queue.status_code == 200
    assert "sso-news" in queue.text  # the account name in the page header
    other = api.get("/admin/queue/held", params={"site": "gazette"})
    assert other.status_code in (403, 404)


def test_readers_without_a_role_get_no_admin_session(api, db):
    hs256_site(db)
    answer = _admin_sso(api, token())
    assert answer.status_code == 403
    assert "rostra_session" not in answer.cookies
    assert "no moderator role" in answer.text


def test_taking_the_role_away_closes_the_admin_pages(api, db):
    hs256_site(db)
    assert _admin_sso(api, token({"roles": ["moderator"]})).status_code == 200
    assert api.get("/admin/queue/held").status_code == 200
    # The site signs the same reader in again, now without the role.
    assert _admin_sso(api, token()).status_code == 403
    assert api.get("/admin/queue/held", follow_redirects=False).status_code in (303, 401)


def test_the_admin_role_is_server_wide_only_when_trusted(api, db):
    hs256_site(db)
    _admin_sso(api, token({"roles": ["admin"]}))
    assert api.get("/admin/sites").status_code == 403
    configure_identity(db, "news", {"sso": {"trust_admin_role": True}})
    _admin_sso(api, token({"roles": ["admin"]}))
    assert api.get("/admin/sites").status_code == 200


def test_a_bad_token_is_refused_on_the_admin_sign_on(api, db):
    hs256_site(db)
    answer = _admin_sso(api, token({"roles": ["moderator"]}, ttl=-600))
    assert answer.status_code == 401
    assert "rostra_session" not in answer.cookies

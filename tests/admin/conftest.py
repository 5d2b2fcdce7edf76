"""Fixtures for the moderators' side: accounts and logged-in clients."""

import pytest
from admin_support import PASSWORD, Session, csrf_of, log_in

from rostra.admin.accounts import create_user


@pytest.fixture
def admin(db, site):
    return create_user(db, "chief", PASSWORD, "admin")


@pytest.fixture
def moderator(db, site):
    return create_user(db, "mod", PASSWORD, "moderator", sites=["news"])


@pytest.fixture
def as_admin(api, admin) -> Session:
    assert log_in(api, "chief").status_code == 303
    return Session(api, csrf_of(api))

"""How a page names its thread: an explicit id, or its URL."""

from sqlalchemy import Connection

from rostra.domain.text import clean_line
from rostra.domain.urls import InvalidURL, normalize_page_url
from rostra.errors import InvalidInput
from rostra.store import threads as thread_store
from rostra.store.threads import ThreadRow

KEY_MAX_CHARS = 1024


def thread_key(key: str | None, url: str | None) -> str:
    """An explicit id wins (it survives URL changes); else the normalised page URL."""
    if key is not None and key.strip():
        cleaned = clean_line(key)
        if not cleaned or len(cleaned) > KEY_MAX_CHARS:
            raise InvalidInput("invalid_thread", f"A thread id is 1 to {KEY_MAX_CHARS} characters.")
        return cleaned
    if url is not None and url.strip():
        return canonical_url(url)
    raise InvalidInput("invalid_thread", "Name the thread by its id or its page URL.")


def canonical_url(url: str) -> str:
    try:
        normalized = normalize_page_url(url)
    except InvalidURL as exc:
        raise InvalidInput("invalid_url", f"The page URL is not valid: {exc}") from None
    if len(normalized) > KEY_MAX_CHARS:
        raise InvalidInput(
            "invalid_url", f"The page URL is longer than {KEY_MAX_CHARS} characters."
        )
    return normalized


def names_a_page(name: str) -> bool:
    return name.strip().lower().startswith(("http://", "https://"))


def named_thread(conn: Connection, site_id: int, name: str) -> ThreadRow | None:
    """The thread a person named on the command line: by its key, or by its page as
    a browser had it (found by the normalised URL, however the thread is keyed)."""
    found = thread_store.thread_by_key(conn, site_id, name)
    if found is None and names_a_page(name):
        found = thread_store.thread_by_page(conn, site_id, canonical_url(name))
    return found

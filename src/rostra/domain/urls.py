"""Normalisation of page URLs into stable thread keys."""

import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import idna

# Query parameters that identify a campaign or a click, never the article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "igshid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "_ga",
        "_gl",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "ncid",
        "cmpid",
        "ref_src",
        "ref_url",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters a path may hold as they are (RFC 3986); `%` stays, to keep escapes.
_PATH_SAFE = "/:@!$&'()*+,;=%-._~"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class InvalidURL(ValueError):
    """The text is not an absolute http(s) URL."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def normalize_page_url(url: str) -> str:
    """Return the canonical form of a page URL, used as its thread key.

    Scheme and host are lower-cased, the default port, the fragment and
    tracking parameters are dropped, the remaining parameters sorted and a
    trailing slash removed, so that links shared from a newsletter or a
    social network find the same thread as the article itself. Host and path
    take the one spelling a browser's `location.href` gives (punycode host,
    UTF-8 escapes in the path), so a link written in Unicode in an export or
    a feed finds the thread the widget opened, and the other way round.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(str(exc)) from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidURL("expected an absolute http or https URL")
    host = _host(parts.hostname)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = _path(parts.path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def _host(hostname: str) -> str:
    """The host as a browser sends it: lower case, no final dot, and a Unicode
    name in its ASCII (punycode) form, so `bücher.example` and
    `xn--bcher-kva.example` are one site."""
    host = hostname.lower().rstrip(".")
    if ":" in host:
        return f"[{host}]"
    if not host:
        raise InvalidURL("expected an absolute http or https URL")
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except UnicodeError as exc:  # idna.IDNAError is one
        raise InvalidURL(f"the host name is not a valid domain name: {exc}") from None


def _path(path: str) -> str:
    """The path with one spelling per character: non-ASCII and unsafe characters
    escaped as UTF-8 (as browsers send them), escapes in upper case, and
    escaped letters, digits and `-._~` written plainly (RFC 3986, 6.2.2)."""
    escaped = quote(path or "/", safe=_PATH_SAFE, errors="replace")
    return _ESCAPE.sub(_canonical_escape, escaped)


def _canonical_escape(match: re.Match) -> str:
    code = int(match.group(1), 16)
    return chr(code) if code in _UNRESERVED else f"%{code:02X}"


def readable_url(url: str) -> str:
    """A stored page URL as a person reads it: Unicode host and path.

    For display only; anything but an http(s) URL (an explicit thread id) is
    returned as it is. A character that is invisible or changes the direction
    of text stays escaped, so a link cannot pass itself off as another one.
    """
    if not url.startswith(("http://", "https://")):
        return url
    try:
        parts = urlsplit(url)
        host = parts.netloc
        if "xn--" in host:
            host = idna.decode(host)
    except (ValueError, UnicodeError):
        return url
    path = "".join(_readable(piece) for piece in re.split(r"(%2F|%2f)", parts.path))
    return urlunsplit((parts.scheme, host, path, parts.query, parts.fragment))


def _readable(piece: str) -> str:
    if piece.lower() == "%2f":
        return piece
    try:
        decoded = unquote(piece, errors="strict")
    except UnicodeDecodeError:  # escapes of bytes that are not UTF-8 text
        return piece
    if any(unicodedata.category(c)[0] in "CZ" and c != " " for c in decoded):
        return piece
    return decoded

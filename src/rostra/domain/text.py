"""Cleaning of short user-supplied text: display names, titles, websites, emails."""

import re
import unicodedata
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

# Characters that are invisible or reorder text. They let a name look like
# another one or flip the text around it, so they never belong in a name.
# ZWJ (U+200D) and ZWNJ (U+200C) are kept: emoji sequences and scripts such as
# Persian and the Indic ones need them. U+FFFE and U+FFFF are no characters
# at all: they show as garbage, and no XML feed or export can carry them.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0e\ufeff\uffa0\ufff0-\ufffb\ufffe\uffff"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In a body, line breaks and tabs are text; the other control characters (a
# vertical tab or bell pasted from another program) and U+FFFE/U+FFFF show as
# nothing or as garbage, and no XML file can carry them.
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
# What XML 1.0 cannot carry, even escaped or in CDATA: most control characters,
# U+FFFE and U+FFFF. Stored text may hold them (an old import, a name from
# elsewhere); feeds and exports write them as U+FFFD so the file stays XML.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

NAME_MAX_CHARS = 64
TITLE_MAX_CHARS = 300
WEBSITE_MAX_CHARS = 500
EMAIL_MAX_CHARS = 254


class InvalidText(ValueError):
    """A short text field failed validation; the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_encodable(text: str) -> bool:
    """False when the text holds half of a surrogate pair, which no encoding has."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_storable(text: str) -> bool:
    """False for text no database column can hold: a NUL (PostgreSQL refuses
    it) or half of a surrogate pair."""
    return "\x00" not in text and is_encodable(text)


def body_chars(body: str) -> str:
    """The body with plain line ends and without the control characters a reader
    cannot see; its blank space as given (an HTML source's is markup)."""
    return _BODY_CONTROL.sub("", body.replace("\r\n", "\n"))


def clean_body(body: str) -> str:
    """A comment body as stored: `body_chars`, without surrounding blank space."""
    return body_chars(body).strip()


def xml_chars(text: str) -> str:
    """The text with every character XML cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def clean_line(text: str) -> str:
    """NFC-normalise, drop invisible and control characters, collapse whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def clean_name(name: str) -> str:
    """Return a display name fit to show, or raise InvalidText."""
    cleaned = clean_line(name)
    if not cleaned:
        raise InvalidText("invalid_name", "A name is required (1 to 64 characters).")
    if len(cleaned) > NAME_MAX_CHARS:
        raise InvalidText("invalid_name", f"The name is longer than {NAME_MAX_CHARS} characters.")
    return cleaned


def clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    cleaned = clean_line(title)[:TITLE_MAX_CHARS]
    return cleaned or None


def clean_website(website: str | None) -> str | None:
    """Accept only absolute http(s) URLs: anything else could run script when clicked."""
    if website is None or not website.strip():
        return None
    value = website.strip()
    if len(value) > WEBSITE_MAX_CHARS or _CONTROL.search(value) or " " in value:
        raise InvalidText("invalid_website", "The website must be an http or https URL.")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise InvalidText("invalid_website", "The website must be an http or https URL.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidText("invalid_website", "The website must be an http or https URL.")
    return value


def clean_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    value = email.strip()
    if len(value) > EMAIL_MAX_CHARS:
        raise InvalidText("invalid_email", "The email address is too long.")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidText("invalid_email", f"The email address is not valid: {exc}") from None
    return checked.normalized

import pytest

from rostra.domain.text import InvalidText, clean_email, clean_name, clean_website


@pytest.mark.parametrize(
    "name",
    ["Zoë Williams 🌿", "李明", "Αλέξανδρος Παππάς", "محمد", "👩‍💻 Dev", "नमस्ते", "می‌خواهم"],
)
def test_names_in_any_script_and_emoji_are_kept(name):
    assert clean_name(name) == name


def test_names_are_nfc_normalised_and_trimmed():
    decomposed = "Zoe\u0308  Williams \n"
    assert clean_name(decomposed) == "Zoë Williams"


@pytest.mark.parametrize(
    "sneaky, shown",
    [
        ("Admin\u202eevil", "Adminevil"),  # right-to-left override
        ("Bob\u200b", "Bob"),  # zero-width space
        ("\u2066Eve\u2069", "Eve"),  # bidi isolates
        ("Mal\u00adlory", "Mallory"),  # soft hyphen
        ("A\u0000B\u0007C", "A B C"),  # control characters
        ("Zo\ufffeë\uffff", "Zoë"),  # noncharacters, which no XML feed can carry
    ],
)
def test_invisible_and_bidi_override_characters_are_removed(sneaky, shown):
    assert clean_name(sneaky) == shown


@pytest.mark.parametrize("bad", ["", "   ", "\u200b\u202e", "x" * 65])
def test_empty_or_overlong_names_are_refused(bad):
    with pytest.raises(InvalidText) as error:
        clean_name(bad)
    assert error.value.code == "invalid_name"


def test_sixty_four_characters_are_allowed():
    assert len(clean_name("é" * 64)) == 64


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example",
        "https://",
        "http://exa mple.com",
        "https://example.com/\nSet-Cookie: x",
    ],
)
def test_websites_must_be_http_or_https(bad):
    with pytest.raises(InvalidText):
        clean_website(bad)


def test_good_website_and_blank_values():
    assert clean_website(" https://blog.example/me ") == "https://blog.example/me"
    assert clean_website("") is None
    assert clean_email("  ") is None


@pytest.mark.parametrize("bad", ["not-an-email", "a@b", "a b@c.example", "x" * 250 + "@e.com"])
def test_bad_emails_are_refused(bad):
    with pytest.raises(InvalidText):
        clean_email(bad)

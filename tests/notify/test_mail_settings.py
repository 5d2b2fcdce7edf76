"""Mail settings are checked at start, with a message naming what is wrong."""

import pytest

from rostra.config import ConfigError, load_settings


def test_mail_needs_a_public_url_and_a_sender():
    with pytest.raises(ConfigError, match="smtp_host needs public_url and mail_from"):
        load_settings(smtp_host="smtp.example", mail_from="c@news.example")
    with pytest.raises(ConfigError, match="smtp_host needs public_url and mail_from"):
        load_settings(smtp_host="smtp.example", public_url="https://comments.news.example")
    ok = load_settings(
        smtp_host="smtp.example", mail_from="c@news.example",
        public_url="https://comments.news.example/",
    )  # fmt: skip
    assert ok.public_url == "https://comments.news.example"
    assert (ok.smtp_port, ok.smtp_security, ok.reply_digest_minutes) == (587, "starttls", 15)


@pytest.mark.parametrize("url", ["comments.news.example", "ftp://news.example", "https://"])
def test_the_public_url_must_be_an_absolute_web_address(url):
    with pytest.raises(ConfigError, match="invalid setting public_url"):
        load_settings(public_url=url)


def test_smtp_security_is_one_of_three(monkeypatch):
    monkeypatch.setenv("ROSTRA_SMTP_SECURITY", "ssl")
    with pytest.raises(ConfigError, match="smtp_security"):
        load_settings()

import pytest

from rostra.domain.urls import InvalidURL, normalize_page_url


@pytest.mark.parametrize(
    "given",
    [
        "https://News.Example/2026/rail?utm_source=newsletter&utm_medium=email",
        "HTTPS://news.example:443/2026/rail/",
        "https://news.example/2026/rail#comments",
        "https://news.example/2026/rail?fbclid=abc&gclid=xyz",
        "  https://news.example/2026/rail/?mc_cid=1#top ",
    ],
)
def test_shared_links_find_the_article_thread(given):
    assert normalize_page_url(given) == "https://news.example/2026/rail"


def test_meaningful_parameters_are_kept_in_a_stable_order():
    assert normalize_page_url("https://n.example/a?page=2&id=7&utm_campaign=x") == (
        "https://n.example/a?id=7&page=2"
    )


def test_non_default_port_is_kept_and_root_path_is_slash():
    assert normalize_page_url("http://Localhost:8080") == "http://localhost:8080/"


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "/relative/path", "ftp://x.example/a", "https://", "http://[::1"]
)
def test_non_http_urls_are_refused(bad):
    with pytest.raises(InvalidURL):
        normalize_page_url(bad)

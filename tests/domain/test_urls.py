import pytest

from rostra.domain.urls import InvalidURL, normalize_page_url, readable_url


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


@pytest.mark.parametrize(
    "spelling",
    [
        "https://bücher.example/новости/статья",  # as written in an export or a feed
        "https://BÜCHER.example./новости/статья/",
        "https://xn--bcher-kva.example/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/"
        "%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F",  # as a browser's location.href gives it
        "https://xn--bcher-kva.example/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8/"
        "%d1%81%d1%82%d0%b0%d1%82%d1%8c%d1%8f",
    ],
)
def test_every_spelling_of_a_unicode_link_finds_one_thread(spelling):
    assert normalize_page_url(spelling) == (
        "https://xn--bcher-kva.example/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
        "/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"
    )


def test_escaped_letters_are_written_plainly_and_escaped_slashes_are_kept():
    assert normalize_page_url("https://n.example/%7Eann/%41rt%2Fdesign/a b") == (
        "https://n.example/~ann/Art%2Fdesign/a%20b"
    )


def test_host_follows_browsers_for_sharp_s_and_keeps_ascii_hosts_as_they_are():
    assert normalize_page_url("https://straße.example/") == "https://xn--strae-oqa.example/"
    assert normalize_page_url("http://my_host.local./a") == "http://my_host.local/a"


@pytest.mark.parametrize(
    "bad", ["https://a..b\u00e9.example/", "https://.", "https://xn--ü.example/"]
)
def test_hosts_that_are_not_domain_names_are_refused(bad):
    with pytest.raises(InvalidURL):
        normalize_page_url(bad)


def test_a_stored_link_reads_in_its_own_script_but_hides_no_tricks():
    stored = normalize_page_url("https://bücher.example/новости/a%2Fb")
    assert readable_url(stored) == "https://bücher.example/новости/a%2Fb"
    assert readable_url("https://n.example/x%E2%80%AEy") == "https://n.example/x%E2%80%AEy"
    assert readable_url("https://n.example/%FF") == "https://n.example/%FF"
    assert readable_url("article-42%41") == "article-42%41"  # an explicit id is not a link

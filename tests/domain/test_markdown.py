from html.parser import HTMLParser

import pytest

from rostra.domain.markdown import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    """The real elements and attributes a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    "<<script>script>alert(1)<</script>/script>",
    "`<script>alert(1)</script>`",
    "<details open ontoggle=alert(1)>",
    "[a](&#106;avascript:alert(1))",
    "<form action=https://evil.example><button>go</button></form>",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_markdown_renders_inert(body):
    for tag, attrs in _Elements(render_markdown(body)).found:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attrs)
        assert set(attrs) <= {"href", "rel", "start"}
        if "href" in attrs:
            assert attrs["href"].split(":")[0].lower() in ("http", "https", "mailto")


def test_escaped_markup_is_shown_as_text():
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>"


def test_commonmark_subset_is_rendered():
    html = render_markdown("**bold** _em_ `code`\n\n> quote\n\n- one\n- two\n\n1. first")
    for tag in (
        "<strong>bold</strong>",
        "<em>em</em>",
        "<code>code</code>",
        "<blockquote>",
        "<ul>",
        "<ol>",
    ):
        assert tag in html


def test_line_breaks_are_kept():
    assert "<br>" in render_markdown("first line\nsecond line")


def test_every_link_gets_nofollow_ugc_noopener():
    html = render_markdown("[site](https://a.example) and https://b.example/x")
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_bare_video_and_image_links_stay_plain_links():
    html = render_markdown("https://video.example/watch?v=42 ![pic](https://img.example/p.png)")
    assert "<img" not in html and "<video" not in html and "<iframe" not in html
    assert 'href="https://video.example/watch?v=42"' in html
    assert 'href="https://img.example/p.png"' in html


def test_an_image_becomes_a_link_named_by_its_alt_text():
    html = render_markdown(
        "Chart: ![turnout by ward](https://img.example/c.png) and ![](https://img.example/d.png)"
    )
    assert "!" not in html and "<img" not in html
    assert (
        '<a href="https://img.example/c.png" rel="nofollow ugc noopener">turnout by ward</a>'
        in html
    )
    assert ">https://img.example/d.png</a>" in html


def test_headings_do_not_let_one_reader_shout():
    assert "<h1" not in render_markdown("# LOUD")

import json
import random
from html.parser import HTMLParser
from pathlib import Path

import pytest

import rostra
from rostra.domain.markdown import (
    ALLOWED_TAGS,
    plain_html,
    render_markdown,
    render_markdown_fully,
)


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


def _comments_from_the_package() -> list[str]:
    """Real-looking comments: the demo thread's and the moderation suite's."""
    root = Path(rostra.__file__).parent
    demo = json.loads((root / "demo" / "thread.json").read_text())
    suite = (root / "moderation" / "functional_suite.jsonl").read_text().splitlines()
    return [c["body"] for c in demo["comments"]] + [json.loads(line)["text"] for line in suite]


def test_most_comments_are_plain_text_and_render_without_the_parser_as_with_it():
    texts = _comments_from_the_package()
    plain = [(text, plain_html(text)) for text in texts]
    answered = [(text, html) for text, html in plain if html is not None]
    assert len(answered) > 0.8 * len(texts)
    for text, html in answered:
        assert html == render_markdown_fully(text), text


@pytest.mark.parametrize(
    "source, html",
    [
        ("Thanks, that helps!", "<p>Thanks, that helps!</p>"),
        ('He said "no" (twice).\nThen left.', '<p>He said "no" (twice).<br>\nThen left.</p>'),
        ("First.\n\n\nSecond, in 2024.", "<p>First.</p>\n<p>Second, in 2024.</p>"),
        ("Ça va, 日本語, مرحبا 🙂", "<p>Ça va, 日本語, مرحبا 🙂</p>"),
        ("The U.S. and e.g. this", "<p>The U.S. and e.g. this</p>"),
    ],
)
def test_plain_paragraphs_become_paragraphs_and_line_breaks(source, html):
    assert plain_html(source) == html == render_markdown(source)


@pytest.mark.parametrize(
    "source",
    [
        "Some **bold** words",
        "- a list",
        "2) or this one",
        "> a quote",
        "    indented code",
        "a hard break  \nhere",
        "see https://news.example/a",
        "mail me at ana@gazette.com",
        "gazette.com has it",
        "Tom &amp; Jerry",
        "x < y",
        "a\u00a0b",
        "tab\there",
        "# not a heading",
    ],
)
def test_anything_but_plain_paragraphs_goes_through_the_parser(source):
    assert plain_html(source) is None
    assert render_markdown(source) == render_markdown_fully(source)


_ATOMS = [
    "word", "Ça", "x", "42", " ", "  ", "\n", "\n\n", "-", "+", "1.", "2)", "#", "!", "🙂",
    "\u3000", "\u00a0", "½", ".", "e.g.", "a.com", ":", "'", '"', "(", ")", "=", "|", "*", "_",
    "&", "<", ">", "[", "]", "`", "~", "\\", "www", "http", "://", "@", "\t", "\u200b", ">",
    "ـ", "ß", "İ", "localhost", "/", "%", "$", "^", "{", "}",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_random_text_renders_alike_whenever_the_plain_path_answers(seed):
    rng = random.Random(seed)
    answered = 0
    for _ in range(3000):
        source = "".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 12))).strip()
        html = plain_html(source)
        if html is not None:
            answered += 1
            assert html == render_markdown_fully(source), repr(source)
    assert answered > 300  # often enough to mean something

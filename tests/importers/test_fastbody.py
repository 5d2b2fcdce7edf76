"""The one-pass HTML converter gives exactly the full path's (Markdown, HTML), or declines."""

import random

import pytest

from rostra.domain.markdown import render_markdown
from rostra.importers.fastbody import fast_pair
from rostra.importers.html_markdown import html_to_markdown
from rostra.importers.records import BodyFormat
from rostra.importers.writer import body_pair


def full_path(body: str, autop: bool = False) -> tuple[str, str]:
    source = html_to_markdown(body, autop=autop)
    return source, render_markdown(source)


TYPICAL = [
    "<p>plain words</p>",
    "<p>one</p><p>two<br>three</p>",
    "<p>one</p>\n<p>two<br/>three<br />four</p>",
    "<p><b>the council vote budget scho</b>ol road</p><p>Привет всем 🙂👍</p>",
    "<p>x <strong>bold</strong> <i>it</i> <em>em</em> <s>gone</s> <del>del</del> y</p>",
    '<blockquote>quoted words</blockquote><p>See <a href="https://ex.example/12">this</a></p>',
    "<blockquote><p>one</p><p>two<br>three</p></blockquote><p>after</p>",
    '<p><a href="https://ex.example/a?x=1&amp;y=2" rel="nofollow noopener" target="_blank">a link</a></p>',
    "<p>code: <code>a &lt; b &amp;&amp; c</code> done</p>",
    "<p>stars * and _under_ and [brackets] and \\ and ~ and `tick`</p>",
    "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#42;</p>",
    "<p>- not a list</p><p>1. not a list either</p><p>+ nor this</p>",
    "<p>a<br><br>b</p>",
    "<p>a&nbsp;b</p>",
    "<div>div text</div>text after",
    "Ünïcödé العربية 中文 עברית हिन्दी",
]

HOSTILE = [
    "<script>alert(1)</script><p>x</p>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="https://ex.example/" onclick="alert(1)">x</a>',
    '<img src="x" onerror="alert(1)">',
    "<p onmouseover='alert(1)'>x</p>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>p{}</style><p>x</p>",
    "<!-- <script>alert(1)</script> -->x",
    "<svg><script>alert(1)</script></svg>",
    '<a href="https://ex.example/&quot;onmouseover=&quot;alert(1)">x</a>',
    "<p>x</p><p",
    "<b><i>nested</b></i>",
    "<p>see https://evil.example/ now</p>",
    "<p>mail me: a@b.example</p>",
]


@pytest.mark.parametrize("body", TYPICAL)
def test_typical_bodies_take_the_fast_path_and_match(body):
    fast = fast_pair(body)
    assert fast is not None
    assert fast == full_path(body)


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_bodies_stay_sanitised(body):
    fast = fast_pair(body)
    if fast is not None:
        assert fast == full_path(body)
    _, html = body_pair(body, BodyFormat.HTML)
    lowered = html.lower()
    assert "<script" not in lowered and "javascript:" not in lowered
    assert "onerror" not in lowered and "onclick" not in lowered and "<iframe" not in lowered
    assert "onmouseover=" not in lowered.replace("&quot;", '"').split("href=")[0]


def test_linkable_text_and_odd_markup_take_the_full_path():
    assert fast_pair("<p>see https://ex.example/ now</p>") is None
    assert fast_pair("<p>visit example.com</p>") is None
    assert fast_pair('<p>empty label <a href="https://ex.example/a_b"></a></p>') is None
    assert fast_pair("<ul><li>a</li></ul>") is None
    assert fast_pair("<p><b>shout!</b>x</p>") is None  # emphasis edges must be letters
    assert fast_pair("<blockquote><blockquote>deep</blockquote></blockquote>") is None


def test_wordpress_autop_bodies():
    body = "Great news.\n\nSecond paragraph\nwith a line break and <strong>bold</strong> text."
    assert fast_pair(body, autop=True) == full_path(body, autop=True)


_ATOMS = [
    "word", "Ça", "x", "42", "3.5", "e.g.", "a.com", "mail@x.org", " ", "  ", "\n", "\t", "*",
    "**", "_", "~", "~~", "`", "\\", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&lt;", "&#42;",
    "&nbsp;", "&copy", "-", "+", "1.", "2)", "#", "!", "\u00a0", "🙂", "http://x.io/a", "www.t",
    "//", ":", "'", '"', "\u3000", "½",
]  # fmt: skip
_TAGS = ["p", "div", "b", "strong", "i", "em", "s", "del", "code", "blockquote", "br", "a", "u"]
_HREFS = [
    "https://ex.example/1", "http://a.b/c?x=1&amp;y=2", "https://ex.example/a_b*c",
    "javascript:x", "https://ex.example/(x)", "https://EX.example/%41", "mailto:a@b.c", "",
]  # fmt: skip


def _random_html(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.5 or depth > 2:
            words = ["word", "the", "vote", "Ab"]
            out.append(
                "".join(rng.choice(_ATOMS if rng.random() < 0.3 else words) for _ in range(4))
            )
            continue
        tag = rng.choice(_TAGS)
        if tag == "br":
            out.append(rng.choice(["<br>", "<br/>"]))
            continue
        attrs = f' href="{rng.choice(_HREFS)}"' if tag == "a" else ""
        close = f"</{tag}>" if rng.random() < 0.95 else ""
        out.append(f"<{tag}{attrs}>{_random_html(rng, depth + 1)}{close}")
    return "".join(out)


@pytest.mark.parametrize("seed", range(4))
def test_random_bodies_match_the_full_path_whenever_the_fast_path_answers(seed):
    rng = random.Random(seed)
    answered = 0
    for _ in range(1500):
        body = _random_html(rng)
        autop = rng.random() < 0.3
        fast = fast_pair(body, autop=autop)
        if fast is not None:
            answered += 1
            assert fast == full_path(body, autop), body
    assert answered > 150  # the fuzz reaches the fast path often enough to mean something


_PLAIN_ATOMS = [
    "word", "Ça", "x", "42", " ", "  ", "-", "+", "1.", "2)", "#", "!", "🙂", "\u3000", "½", ".",
    "e.g.", "a.com", ":", "'", '"', "(", ")", "=", "|", "!",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_plain_paragraphs_take_the_shortcut_and_match_the_scan_and_the_full_path(seed):
    from rostra.importers.fastbody import _scanned_pair, _simple_pair

    rng = random.Random(seed)
    answered = 0
    for _ in range(1500):
        paragraphs = [
            "".join(rng.choice(_PLAIN_ATOMS) for _ in range(rng.randint(0, 6)))
            for _ in range(rng.randint(1, 3))
        ]
        body = "".join(f"<p>{text}</p>" for text in paragraphs)
        simple = _simple_pair(body)
        if simple is not None:
            answered += 1
            assert simple == _scanned_pair(body, False) == full_path(body), body
    assert answered > 300


def test_the_quick_link_test_agrees_with_the_expression():
    from rostra.domain.markdown import MAYBE_LINK, maybe_link

    rng = random.Random(7)
    atoms = ["a", "L", "OCALHOST", "localhost", "WwW", ".", "w", "x", "_", "é", " ", ":", "1"]
    for _ in range(5000):
        text = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 8)))
        assert maybe_link(text) == bool(MAYBE_LINK.search(text)), text

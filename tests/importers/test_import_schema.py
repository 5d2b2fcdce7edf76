"""The hand-written migration matches store/schema.py, and HTML converts faithfully."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from rostra.domain.markdown import render_markdown
from rostra.importers.html_markdown import html_to_markdown
from rostra.store.database import open_migration_engine
from rostra.store.schema import metadata


def test_migrations_leave_nothing_for_autogenerate(database_url):
    engine = open_migration_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "markdown",
    [
        "Hello **world** and *em* ~~gone~~\nnext line",
        "> quoted\n>\n> two\n\nVisit https://example.com/a_b now",
        "- a\n- b\n  - c\n\n3. x\n4. y",
        "```\ncode <x> `tick`\n```\n\nand `inline*`",
        "a < b & c > d &amp; [x] \\ back, 1\\. not a list",
        "Ünïcödé 😀 العربية 中文 עברית हिन्दी",
        "[a link](https://example.com/p?q=(1)) and mail@example.com",
    ],
)
def test_rostra_html_converts_back_to_the_same_html(markdown):
    html = render_markdown(markdown)
    assert render_markdown(html_to_markdown(html)) == html


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>one</p><p>two<br>three</p>", "one\n\ntwo\nthree"),
        ("<p>*stars* _under_ `tick`</p>", "\\*stars\\* \\_under\\_ \\`tick\\`"),
        ('<a href="javascript:alert(1)">x</a><script>bad()</script>', "x"),
        ('<img src="https://img.example/a.png" alt="chart">', "[chart](https://img.example/a.png)"),
        ("<div>- dash</div><div>1. one</div>", "\\- dash\n\n1\\. one"),
        ("<ul><li>open<li>items</ul>", "- open\n- items"),
        ("<b>unclosed <i>tags", "unclosed tags"),
    ],
)
def test_html_to_markdown(html, expected):
    assert html_to_markdown(html) == expected


def test_wordpress_blank_lines_are_paragraphs():
    assert html_to_markdown("a\nb\n\nc", autop=True) == "a\nb\n\nc"

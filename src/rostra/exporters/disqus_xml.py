"""A Disqus-compatible XML export, for tools (and engines) that read Disqus files.

Threads carry their Rostra key as the Disqus identifier (<id>) and posts
their Rostra ids as dsq:id. Pending comments are marked
<isApproved>false</isApproved>, and so are those under a shadow ban (seen by
their author alone), which Disqus has no form for: whatever reads the file
keeps them off the page instead of publishing them. Readers of Disqus files
look up elements without checking that they are there (Isso's importer stops
on a post without <ipAddress> or a thread without a <title>), so every
element a real export has is written: raw IP addresses are never kept, so
<ipAddress> is empty, and a thread without a title is titled with its page
address (or key), which Rostra's own Disqus importer reads as no title.
Characters XML cannot carry are written as U+FFFD (`domain.text.xml_chars`).
"""

from datetime import UTC, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import Connection

from rostra.domain.policy import is_closed
from rostra.domain.text import xml_chars
from rostra.exporters.rows import closing_age, site_comments, site_threads

_HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
    'http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n'
)


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cdata(text: str) -> str:
    return "<![CDATA[" + xml_chars(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _text(value: str | None) -> str:
    return escape(xml_chars(value or ""))


def export(conn: Connection, site_id: int, site_name: str, out: BinaryIO) -> int:
    write = lambda text: out.write(text.encode())  # noqa: E731
    write(_HEADER)
    # Closed by hand or by age: Disqus knows only closed, and a thread that has
    # aged out here must not reopen where the file is read.
    age, now = closing_age(conn, site_id), datetime.now(UTC)
    for thread in site_threads(conn, site_id):
        closed = is_closed(thread.policy, thread.created_at, age, now)
        write(
            f"  <thread dsq:id={quoteattr(str(thread.id))}>\n"
            f"    <id>{_text(thread.key)}</id>\n"
            f"    <forum>{_text(site_name)}</forum>\n"
            f"    <link>{_text(thread.url)}</link>\n"
            f"    <title>{_text(thread.title or thread.url or thread.key)}</title>\n"
            f"    <createdAt>{_time(thread.created_at)}</createdAt>\n"
            f"    <isClosed>{_bool(closed)}</isClosed>\n"
            f"    <isDeleted>false</isDeleted>\n"
            f"  </thread>\n"
        )
    count = 0
    for row in site_comments(conn, site_id):
        parent = "" if row.parent_id is None else f'    <parent dsq:id="{row.parent_id}"/>\n'
        write(
            f'  <post dsq:id="{row.id}">\n'
            f"    <id/>\n"
            f"    <message>{_cdata(row.body_html)}</message>\n"
            f"    <createdAt>{_time(row.created_at)}</createdAt>\n"
            f"    <isDeleted>{_bool(row.status == 'deleted')}</isDeleted>\n"
            f"    <isSpam>{_bool(row.status == 'rejected')}</isSpam>\n"
            f"    <isApproved>{_bool(row.status != 'pending' and not row.shadowed)}</isApproved>\n"
            f"    <author>\n"
            f"      <email>{_text(row.author_email)}</email>\n"
            f"      <name>{_text(row.author_name)}</name>\n"
            f"      <isAnonymous>true</isAnonymous>\n"
            f"    </author>\n"
            f"    <ipAddress/>\n"
            f'    <thread dsq:id="{row.thread_id}"/>\n'
            f"{parent}"
            f"  </post>\n"
        )
        count += 1
    write("</disqus>\n")
    return count

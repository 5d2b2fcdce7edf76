"""Write bench/synthetic.py's site as a WordPress, Isso, Remark42 or Commento export.

    python bench/gen_formats.py FORMAT N FILE [--seed 1]

The same comments as bench/gen_disqus.py's Disqus export of N (same seed), in
each engine's own format, so that every importer can be measured on the same
site. Each file is written as its comments are generated, except Commento's
list of commenters (one entry per author), which follows the comments.
"""

import argparse
import hashlib
import itertools
import json
import sqlite3
from collections.abc import Callable
from xml.sax.saxutils import escape

from gen_disqus import generate as write_disqus
from synthetic import Post, Site

_WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench News</title><link>https://news.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://news.example</wp:base_site_url>
"""


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _wordpress_comment(post: Post) -> str:
    approved = "spam" if post.spam else "trash" if post.deleted else "1"
    date = f"{post.created:%Y-%m-%d %H:%M:%S}"
    return (
        f"<wp:comment><wp:comment_id>{post.id}</wp:comment_id>"
        f"<wp:comment_author>{_cdata(post.name)}</wp:comment_author>"
        f"<wp:comment_author_email>{_cdata(post.email)}</wp:comment_author_email>"
        f"<wp:comment_author_url></wp:comment_author_url>"
        f"<wp:comment_author_IP>{_cdata(post.ip)}</wp:comment_author_IP>"
        f"<wp:comment_date>{_cdata(date)}</wp:comment_date>"
        f"<wp:comment_date_gmt>{_cdata(date)}</wp:comment_date_gmt>"
        f"<wp:comment_content>{_cdata(post.html)}</wp:comment_content>"
        f"<wp:comment_approved>{_cdata(approved)}</wp:comment_approved>"
        f"<wp:comment_type>{_cdata('comment')}</wp:comment_type>"
        f"<wp:comment_parent>{post.parent or 0}</wp:comment_parent>"
        f"<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
    )


def write_wordpress(total: int, path: str, seed: int = 1) -> int:
    site = Site(total, seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write(_WXR_HEAD)
        for thread, posts in itertools.groupby(site.posts(), key=lambda post: post.thread):
            title = escape(thread.title or "")
            out.write(
                f"<item><title>{title}</title><link>{escape(thread.url)}</link>"
                f"<wp:post_id>{thread.number}</wp:post_id>"
                f"<wp:post_type>{_cdata('post')}</wp:post_type>\n"
            )
            out.writelines(_wordpress_comment(post) for post in posts)
            out.write("</item>\n")
        out.write("</channel></rss>\n")
    return len(site.threads)


def _path(url: str) -> str:
    return url.removeprefix("https://news.example")


def write_isso(total: int, path: str, seed: int = 1) -> int:
    site = Site(total, seed)
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));"
        "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY,"
        " parent INTEGER, created FLOAT NOT NULL, modified FLOAT, mode INTEGER,"
        " remote_addr VARCHAR, text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,"
        " likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,"
        " notification INTEGER DEFAULT 0);"
        "CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);"
    )
    db.executemany(
        "INSERT INTO threads VALUES (?, ?, ?)",
        ((t.number, _path(t.url), t.title) for t in site.threads),
    )
    # Isso has no spam mark: what its moderators did not let through waits as mode 2.
    rows = (
        (p.thread.number, p.id, p.parent, p.created.timestamp(), None,
         4 if p.deleted else 2 if p.spam else 1, p.ip.rsplit(".", 1)[0] + ".0",
         "" if p.deleted else p.markdown, p.name, p.email, None, 0, 0, b"", 0)
        for p in site.posts()
    )  # fmt: skip
    db.executemany(
        "INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
    db.commit()
    db.close()
    return len(site.threads)


def _remark42_comment(post: Post) -> dict:
    gone = post.deleted or post.spam  # Remark42 keeps no spam: its moderators delete it
    comment = {
        "id": str(post.id),
        "pid": "" if post.parent is None else str(post.parent),
        "text": "" if gone else post.html,
        "orig": "" if gone else post.markdown,
        "user": {
            "name": post.name,
            "id": "email_" + hashlib.sha1(post.email.encode()).hexdigest(),
            "picture": "",
            "ip": hashlib.sha1(post.ip.encode()).hexdigest(),  # Remark42 keeps a hash
            "admin": False,
        },
        "locator": {"site": "bench", "url": post.thread.url},
        "score": 0,
        "votes": {},
        "time": post.created.isoformat().replace("+00:00", "Z"),
        "title": post.thread.title or "",
    }
    if gone:
        comment["delete"] = True
    return comment


def write_remark42(total: int, path: str, seed: int = 1) -> int:
    site = Site(total, seed)
    posts = [
        {"url": t.url, "count": size, "read_only": False}
        for t, size in zip(site.threads, site.sizes, strict=True)
    ]
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"version": 1, "users": [], "posts": posts}) + "\n")
        for post in site.posts():
            out.write(json.dumps(_remark42_comment(post), ensure_ascii=False) + "\n")
    return len(site.threads)


def _commenter_hex(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def write_commento(total: int, path: str, seed: int = 1) -> int:
    site = Site(total, seed)
    authors: dict[str, str] = {}
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"version": 1, "comments": [\n')
        for number, post in enumerate(site.posts()):
            authors.setdefault(post.email, post.name)
            comment = {
                "commentHex": f"c{post.id}",
                "domain": "news.example",
                "url": _path(post.thread.url),
                "commenterHex": _commenter_hex(post.email),
                "markdown": post.markdown,
                "html": post.html,
                "parentHex": "root" if post.parent is None else f"c{post.parent}",
                "score": 0,
                "state": "flagged" if post.spam else "approved",
                "creationDate": post.created.isoformat().replace("+00:00", "Z"),
                "direction": 0,
                "deleted": post.deleted,
            }
            out.write(("," if number else "") + json.dumps(comment, ensure_ascii=False) + "\n")
        out.write('], "commenters": [\n')
        for number, (email, name) in enumerate(authors.items()):
            commenter = {
                "commenterHex": _commenter_hex(email),
                "email": email,
                "name": name,
                "link": "undefined",
                "photo": "undefined",
                "provider": "commento",
                "joinDate": "2015-01-01T00:00:00Z",
                "isModerator": False,
            }
            out.write(("," if number else "") + json.dumps(commenter, ensure_ascii=False) + "\n")
        out.write("]}\n")
    return len(site.threads)


WRITERS: dict[str, Callable[[int, str, int], int]] = {
    "disqus": write_disqus,
    "wordpress": write_wordpress,
    "isso": write_isso,
    "remark42": write_remark42,
    "commento": write_commento,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=sorted(WRITERS))
    parser.add_argument("comments", type=int)
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    threads = WRITERS[args.format](args.comments, args.output, args.seed)
    print(f"wrote {args.comments} comments in {threads} threads to {args.output}")


if __name__ == "__main__":
    main()

"""Generate a synthetic Disqus XML export of N comments with realistic nesting.

    python bench/gen_disqus.py 1000000 /tmp/disqus-1m.xml [--seed 1]

The comments are bench/synthetic.py's site, written as they are generated, so
memory stays flat.
"""

import argparse
from xml.sax.saxutils import escape

from synthetic import Site


def generate(total: int, path: str, seed: int = 1) -> int:
    site = Site(total, seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        )
        for thread in site.threads:
            title = "" if thread.title is None else f"<title>{thread.title}</title>"
            out.write(
                f'<thread dsq:id="{thread.number}"><id>{thread.key}</id><forum>bench</forum>'
                f"<link>{thread.url}</link>{title}"
                f"<createdAt>2015-01-01T00:00:00Z</createdAt></thread>\n"
            )
        for post in site.posts():
            parent = "" if post.parent is None else f'<parent dsq:id="{post.parent}"/>'
            out.write(
                f'<post dsq:id="{post.id}"><id/><message><![CDATA[{post.html}]]></message>'
                f"<createdAt>{post.created:%Y-%m-%dT%H:%M:%SZ}</createdAt>"
                f"<isDeleted>{'true' if post.deleted else 'false'}</isDeleted>"
                f"<isSpam>{'true' if post.spam else 'false'}</isSpam>"
                f"<author><email>{escape(post.email)}</email>"
                f"<name>{escape(post.name)}</name><isAnonymous>false</isAnonymous></author>"
                f"<ipAddress>{post.ip}</ipAddress>"
                f'<thread dsq:id="{post.thread.number}"/>{parent}</post>\n'
            )
        out.write("</disqus>\n")
    return len(site.threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("comments", type=int)
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    threads = generate(args.comments, args.output, args.seed)
    print(f"wrote {args.comments} comments in {threads} threads to {args.output}")


if __name__ == "__main__":
    main()

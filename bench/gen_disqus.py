"""Generate a synthetic Disqus XML export of N comments with realistic nesting.

    python bench/gen_disqus.py 1000000 /tmp/disqus-1m.xml [--seed 1]

Threads follow a long-tailed size distribution (most articles get a handful
of comments, a few get thousands); about a third of comments are top-level,
replies go to recent comments more often than to old ones, and depth is
capped at six levels. A few posts are deleted or spam, some bodies carry
HTML, quotes, links and non-Latin text. Written as it is generated, so
memory stays flat.
"""

import argparse
import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

WORDS = [
    "the",
    "council",
    "vote",
    "budget",
    "school",
    "road",
    "housing",
    "plan",
    "mayor",
    "city",
    "tax",
    "year",
    "people",
    "report",
    "article",
    "editor",
    "data",
    "source",
    "reader",
    "point",
    "question",
    "answer",
    "problem",
    "issue",
    "policy",
    "market",
    "price",
    "energy",
    "water",
    "park",
    "bridge",
    "station",
    "train",
    "bus",
    "climate",
    "election",
    "campaign",
    "debate",
    "court",
    "ruling",
    "law",
    "police",
    "hospital",
    "teacher",
    "parent",
    "family",
    "street",
    "town",
    "region",
]
EXTRAS = ["Ça va très bien", "Привет всем", "こんにちは", "مرحبا", "שלום", "🙂👍", "नमस्ते", "你好"]
NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Emre",
    "Fatima",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kaya",
    "Lars",
    "Mira",
    "Nils",
    "Omar",
    "Pia",
]
MAX_DEPTH = 5
TOP_LEVEL_SHARE = 0.35


def thread_sizes(total: int, rng: random.Random) -> list[int]:
    sizes = []
    left = total
    while left > 0:
        size = min(left, max(1, int(rng.paretovariate(1.2) * 8)))
        size = min(size, 20_000)
        sizes.append(size)
        left -= size
    return sizes


def body(rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
    roll = rng.random()
    if roll < 0.1:
        return f"<p><b>{words[:30]}</b> {words[30:]}</p><p>{rng.choice(EXTRAS)}</p>"
    if roll < 0.15:
        return f'<blockquote>{words[:40]}</blockquote><p>See <a href="https://ex.example/{rng.randint(1, 999)}">this</a></p>'
    if roll < 0.2:
        return f"<p>{words}<br>{rng.choice(EXTRAS)}</p>"
    return f"<p>{words}</p>"


def generate(total: int, path: str, seed: int = 1) -> int:
    rng = random.Random(seed)
    sizes = thread_sizes(total, rng)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        )
        for number in range(1, len(sizes) + 1):
            title = "" if number % 50 == 0 else f"<title>Article {number}</title>"
            out.write(
                f'<thread dsq:id="{number}"><id>article-{number}</id><forum>bench</forum>'
                f"<link>https://news.example/articles/{number}/?utm_source=feed</link>{title}"
                f"<createdAt>2015-01-01T00:00:00Z</createdAt></thread>\n"
            )
        post_id = 1000
        for number, size in enumerate(sizes, 1):
            opened = start + timedelta(hours=number)
            depths: list[int] = []
            ids: list[int] = []
            for index in range(size):
                post_id += 1
                parent = None
                if index and rng.random() > TOP_LEVEL_SHARE:
                    # Recent comments draw more replies than old ones.
                    pick = max(0, index - 1 - int(rng.expovariate(0.2)))
                    if depths[pick] < MAX_DEPTH:
                        parent = pick
                depths.append(0 if parent is None else depths[parent] + 1)
                ids.append(post_id)
                created = opened + timedelta(seconds=index * 37 + rng.randint(0, 30))
                roll = rng.random()
                parent_xml = "" if parent is None else f'<parent dsq:id="{ids[parent]}"/>'
                name = rng.choice(NAMES)
                out.write(
                    f'<post dsq:id="{post_id}"><id/><message><![CDATA[{body(rng)}]]></message>'
                    f"<createdAt>{created:%Y-%m-%dT%H:%M:%SZ}</createdAt>"
                    f"<isDeleted>{'true' if roll < 0.02 else 'false'}</isDeleted>"
                    f"<isSpam>{'true' if 0.02 <= roll < 0.03 else 'false'}</isSpam>"
                    f"<author><email>{escape(name.lower())}{post_id % 997}@mail.example</email>"
                    f"<name>{escape(name)}</name><isAnonymous>false</isAnonymous></author>"
                    f"<ipAddress>10.{post_id % 251}.{post_id % 241}.{post_id % 239}</ipAddress>"
                    f'<thread dsq:id="{number}"/>{parent_xml}</post>\n'
                )
        out.write("</disqus>\n")
    return len(sizes)


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

"""A synthetic news site's comments, the same for every export format the benchmarks write.

Threads follow a long-tailed size distribution (most articles get a handful
of comments, a few get thousands); about a third of comments are top-level,
replies go to recent comments more often than to old ones, and depth is
capped at six levels. A few posts are deleted or spam, some bodies carry
HTML, quotes, links and non-Latin text. Posts come thread by thread, as they
are generated, so memory stays flat.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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


@dataclass(frozen=True)
class Thread:
    number: int

    @property
    def key(self) -> str:
        return f"article-{self.number}"

    @property
    def url(self) -> str:
        return f"https://news.example/articles/{self.number}/?utm_source=feed"

    @property
    def title(self) -> str | None:
        return None if self.number % 50 == 0 else f"Article {self.number}"


@dataclass(frozen=True)
class Post:
    id: int
    thread: Thread
    parent: int | None
    created: datetime
    name: str
    email: str
    ip: str
    html: str
    deleted: bool
    spam: bool

    @property
    def markdown(self) -> str:
        """The body as its author might have typed it, for formats that keep Markdown."""
        text = self.html.replace("<b>", "**").replace("</b>", "**").replace("<br>", "  \n")
        text = text.replace("</p><p>", "\n\n").replace("<blockquote>", "> ")
        text = text.replace("</blockquote>", "\n\n")
        text = re.sub(r'<a href="([^"]+)">([^<]+)</a>', r"[\2](\1)", text)
        return re.sub(r"</?p>", "", text).strip()


class Site:
    """`total` comments drawn from `seed`: its threads at once, its posts (once) in order."""

    def __init__(self, total: int, seed: int = 1) -> None:
        self._rng = random.Random(seed)
        self.sizes = thread_sizes(total, self._rng)  # comments per thread
        self.threads = [Thread(number) for number in range(1, len(self.sizes) + 1)]

    def posts(self) -> Iterator[Post]:
        """Thread by thread; a reply always comes after its parent."""
        rng, start, post_id = self._rng, datetime(2015, 1, 1, tzinfo=UTC), 1000
        for thread, size in zip(self.threads, self.sizes, strict=True):
            opened = start + timedelta(hours=thread.number)
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
                name = rng.choice(NAMES)
                yield Post(
                    id=post_id,
                    thread=thread,
                    parent=None if parent is None else ids[parent],
                    created=created,
                    name=name,
                    email=f"{name.lower()}{post_id % 997}@mail.example",
                    ip=f"10.{post_id % 251}.{post_id % 241}.{post_id % 239}",
                    html=body(rng),
                    deleted=roll < 0.02,
                    spam=0.02 <= roll < 0.03,
                )

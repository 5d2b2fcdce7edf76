"""Seed data for the HTTP benchmark: realistic nested threads, written before the server starts.

The tree shape is generated once (deterministically) and written both into
Rostra, through its service layer so every row is exactly what the API would
have stored, and into Isso (see isso_seed.py) so both engines serve the same
conversation.
"""

import json
import math
import random
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

SITE = "bench"
POST_THREAD = "post-target"
COUNT_KEYS = [f"article-{number}" for number in range(1, 51)]
# The last few count keys are never created: a front page asks for counts of
# articles nobody has commented on yet, and those must cost nothing extra.
MISSING_COUNT_KEYS = 5
MAX_DEPTH = 5  # depths 0-5: six levels, as deep as real threads usually go
TOP_LEVEL_SHARE = 0.35

_WORDS = [
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
    "fire",
    "hospital",
    "staff",
    "nurse",
    "teacher",
    "parent",
    "child",
    "family",
    "neighbour",
    "street",
    "town",
    "village",
    "region",
    "county",
    "really",
    "clearly",
    "actually",
    "probably",
    "surely",
    "hardly",
    "never",
    "always",
    "often",
    "rarely",
    "agree",
    "disagree",
    "think",
    "believe",
    "doubt",
    "suspect",
    "wonder",
    "remember",
    "forget",
    "notice",
]
_NAMES = [
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
    "Quinn",
    "Rosa",
    "Sami",
    "Tove",
    "Uma",
    "Vik",
    "Wren",
    "Xiu",
    "Yara",
    "Zeno",
]


@dataclass(frozen=True)
class SeedComment:
    """One comment of a generated thread; `parent` indexes an earlier comment."""

    parent: int | None
    depth: int
    author: int
    body: str
    minutes_ago: int
    up: int
    down: int


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 18))]
    if rng.random() < 0.15:
        words[rng.randrange(len(words))] = f"*{rng.choice(_WORDS)}*"
    if rng.random() < 0.05:
        words.append(f"[source](https://example.org/{rng.choice(_WORDS)})")
    return " ".join(words).capitalize() + rng.choice(".....?!")


def comment_body(rng: random.Random) -> str:
    """Markdown of a typical comment: mostly one short paragraph, sometimes a quote or three."""
    paragraphs = []
    if rng.random() < 0.1:
        paragraphs.append("> " + _sentence(rng))
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        paragraphs.append(" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))))
    return "\n\n".join(paragraphs)


def _pick_parent(rng: random.Random, index: int, roots: list[int]) -> int:
    """Replies go mostly to recent comments, then to the early (most visible) top-level ones."""
    draw = rng.random()
    if draw < 0.5:
        return max(0, index - 1 - int(rng.expovariate(1 / 15)))
    if draw < 0.8:
        return roots[int(len(roots) * rng.random() ** 2)]
    return rng.randrange(index)


def generate_thread(size: int, seed: int) -> list[SeedComment]:
    rng = random.Random(seed)
    comments: list[SeedComment] = []
    roots: list[int] = []
    for index in range(size):
        parent: int | None = None
        if index > 0 and rng.random() >= TOP_LEVEL_SHARE:
            parent = _pick_parent(rng, index, roots)
            while comments[parent].depth >= MAX_DEPTH:
                parent = comments[parent].parent
        depth = 0 if parent is None else comments[parent].depth + 1
        if parent is None:
            roots.append(index)
        # Votes are heavy-tailed: most comments get none, a few get many.
        voted = rng.random() < 0.3
        up = int(rng.paretovariate(1.2)) if voted else 0
        down = int(rng.paretovariate(1.8)) - 1 if voted else 0
        comments.append(
            SeedComment(
                parent=parent,
                depth=depth,
                author=rng.randrange(len(_NAMES) * 40),
                body=comment_body(rng),
                minutes_ago=(size - index) * 2,
                up=min(up, 500),
                down=min(down, 200),
            )
        )
    return comments


def author_name(author: int) -> str:
    return f"{_NAMES[author % len(_NAMES)]} {author // len(_NAMES) + 1}"


def planned_threads(sizes: Iterable[int]) -> dict[str, list[SeedComment]]:
    """Every thread the benchmark reads: the measured ones and the counted ones."""
    plan = {f"thread-{size}": generate_thread(size, seed=size) for size in sizes}
    for number, key in enumerate(COUNT_KEYS[:-MISSING_COUNT_KEYS]):
        plan[key] = generate_thread(1 + number % 12, seed=100_000 + number)
    return plan


def depth_histogram(comments: list[SeedComment]) -> dict[int, int]:
    histogram: dict[int, int] = {}
    for comment in comments:
        histogram[comment.depth] = histogram.get(comment.depth, 0) + 1
    return dict(sorted(histogram.items()))


def plan_json(plan: dict[str, list[SeedComment]]) -> str:
    """The plan as JSON, for isso_seed.py running in Isso's own virtualenv."""
    return json.dumps({key: [asdict(c) for c in comments] for key, comments in plan.items()})


# --- Rostra --------------------------------------------------------------


def seed_rostra(database_url: str, origin: str, plan: dict[str, list[SeedComment]]) -> float:
    """Create the site and every thread through the service layer; returns seconds taken."""
    # Imported here so `--help` and the Isso-only helpers work without Rostra's dependencies.
    from rostra.service.sites import create_site
    from rostra.store.database import open_database
    from rostra.store.dialect import refresh_statistics
    from rostra.store.migrate import upgrade_database

    started = time.perf_counter()
    upgrade_database(database_url)
    db = open_database(database_url)
    try:
        create_site(db, SITE, [origin])
        hasher = _hasher(db)
        for key, comments in plan.items():
            _seed_thread(db, hasher, key, comments)
        with db.write() as conn:
            # As autovacuum (or `rostra import`) would on a live site, before
            # anything is measured.
            refresh_statistics(conn)
    finally:
        db.dispose()
    return time.perf_counter() - started


def _hasher(db):
    from rostra.service.identity import Hasher
    from rostra.store.secrets import read_secret

    with db.read() as conn:
        return Hasher(bytes.fromhex(read_secret(conn, "hash_salt")))


def _seed_thread(db, hasher, key: str, comments: list[SeedComment]) -> None:
    from rostra.service.comments import Client, NewComment, create_comment

    ids: list[int] = []
    for comment in comments:
        new = NewComment(
            site=SITE,
            body=comment.body,
            name=author_name(comment.author),
            thread_key=key,
            thread_title=f"Bench article {key}",
            parent_id=None if comment.parent is None else ids[comment.parent],
        )
        client = Client(ip=f"10.{comment.author // 256}.{comment.author % 256}.1", user_agent="b")
        ids.append(create_comment(db, hasher, new, client).comment.id)
    _apply_history(db, ids, comments)


def _apply_history(db, ids: list[int], comments: list[SeedComment]) -> None:
    """Spread creation times and set vote totals in one transaction.

    Votes are written as totals and rank rather than one vote row each: the
    page reads only totals and rank, and 10,000 vote transactions would
    dominate seeding for no difference in what is served.
    """
    from sqlalchemy import bindparam

    from rostra.domain.ranking import wilson_lower_bound
    from rostra.store.schema import comments as table

    now = datetime.now(UTC)
    rows = [
        {
            "cid": comment_id,
            "created": now - timedelta(minutes=comment.minutes_ago),
            "up": comment.up,
            "down": comment.down,
            "rank": wilson_lower_bound(comment.up, comment.down),
        }
        for comment_id, comment in zip(ids, comments, strict=True)
    ]
    statement = (
        table.update()
        .where(table.c.id == bindparam("cid"))
        .values(
            created_at=bindparam("created"),
            upvotes=bindparam("up"),
            downvotes=bindparam("down"),
            rank=bindparam("rank"),
        )
    )
    with db.write() as conn:
        conn.execute(statement, rows)


def describe_plan(plan: dict[str, list[SeedComment]]) -> list[str]:
    lines = []
    for key, comments in plan.items():
        if key.startswith("thread-"):
            roots = sum(1 for c in comments if c.parent is None)
            share = math.floor(100 * roots / len(comments))
            lines.append(
                f"  {key}: {len(comments)} comments, {share}% top-level, "
                f"depths {depth_histogram(comments)}"
            )
    return lines

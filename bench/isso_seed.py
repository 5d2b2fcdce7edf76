"""Write a seed plan into an Isso database. Runs with Isso's own interpreter:

    /tmp/isso-venv/bin/python bench/isso_seed.py ISSO_CONFIG < plan.json

The plan comes from seed.plan_json(). Isso's own classes create the schema
(so it matches the installed version); rows go in with one bulk insert,
because posting 11,000 comments through Isso's API would take minutes.
Isso nests only one level deep (a reply to a reply hangs under the top-level
comment), so each reply is attached to its top-level ancestor, as Isso's own
`Comments.add` does.
"""

import json
import sqlite3
import sys
import time

from isso import config
from isso.db import SQLite3
from isso.utils import Bloomfilter


def _top_level(comments: list[dict], index: int) -> int:
    while comments[index]["parent"] is not None:
        index = comments[index]["parent"]
    return index


def _rows(thread_id: int, first_id: int, comments: list[dict], now: float) -> list[tuple]:
    rows = []
    for index, comment in enumerate(comments):
        parent = None
        if comment["parent"] is not None:
            parent = first_id + _top_level(comments, comment["parent"])
        address = f"10.{comment['author'] // 256}.{comment['author'] % 256}.0"
        voters = memoryview(Bloomfilter(iterable=[address]).array)
        rows.append(
            (
                thread_id,
                first_id + index,
                parent,
                now - 60 * comment["minutes_ago"],
                1,  # mode 1: published
                address,
                comment["body"],
                f"Reader {comment['author']}",
                comment["up"],
                comment["down"],
                voters,
            )
        )
    return rows


def main() -> None:
    conf = config.load(config.default_file(), sys.argv[1])
    database = SQLite3(conf.get("general", "dbpath"), conf)  # creates Isso's tables
    plan: dict[str, list[dict]] = json.load(sys.stdin)
    now = time.time()
    # sqlite3's context manager commits the whole seed as one transaction.
    with sqlite3.connect(database.path) as con:
        next_id = 1
        for thread_id, (key, comments) in enumerate(plan.items(), start=1):
            con.execute(
                "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)", (thread_id, f"/{key}", key)
            )
            con.executemany(
                "INSERT INTO comments (tid, id, parent, created, mode, remote_addr, text, "
                "author, likes, dislikes, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _rows(thread_id, next_id, comments, now),
            )
            next_id += len(comments)
    print(f"isso: seeded {next_id - 1} comments in {len(plan)} threads")


if __name__ == "__main__":
    main()

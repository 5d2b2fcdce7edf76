"""Rostra servers for the browser tests: start one, write through its API, relax its rules."""

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from serving import free_port


@dataclass
class Server:
    base: str
    client: httpx.Client
    database: Path
    _threads: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    tokens: dict[int, str] = field(default_factory=dict)

    def new_thread(self, prefix: str) -> str:
        return f"{prefix}-{next(self._threads)}"

    def post(
        self,
        thread: str,
        body: str,
        name: str = "Seeded Reader",
        parent: int | None = None,
        agent: str = "seeder",
    ) -> dict:
        """Write a comment through the API, as another reader than the browser."""
        response = self.client.post(
            "/api/v1/comments",
            json={
                "site": "demo",
                "thread": {"key": thread, "title": f"Test thread {thread}"},
                "parent": parent,
                "author": {"name": name},
                "body": body,
            },
            headers={"User-Agent": agent},
        )
        assert response.status_code == 201, response.text
        comment = response.json()["comment"]
        self.tokens[comment["id"]] = response.json()["edit_token"]
        return comment

    def edit(self, comment_id: int, body: str) -> None:
        """Change a comment written with `post`, as its author."""
        response = self.client.patch(
            f"/api/v1/comments/{comment_id}",
            json={"body": body},
            headers={"X-Edit-Token": self.tokens[comment_id]},
        )
        assert response.status_code == 200, response.text

    def delete(self, comment_id: int) -> None:
        response = self.client.delete(
            f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": self.tokens[comment_id]}
        )
        assert response.status_code == 200, response.text

    def vote(self, comment_id: int, value: int, agent: str) -> None:
        response = self.client.post(
            f"/api/v1/comments/{comment_id}/vote",
            json={"value": value},
            headers={"User-Agent": agent},
        )
        assert response.status_code == 200, response.text

    def page(self, thread: str, sort: str = "best", **params) -> dict:
        response = self.client.get(
            "/api/v1/threads", params={"site": "demo", "key": thread, "sort": sort, **params}
        )
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def rostra_serve(database: str, **env_extra: str) -> Iterator[tuple[str, httpx.Client]]:
    """A `rostra serve --demo` on a free port; yields its base URL and a client."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rostra = Path(sys.executable).with_name("rostra")
    command = [str(rostra)] if rostra.exists() else [sys.executable, "-m", "rostra.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTRA_")}
    env["ROSTRA_LOG_LEVEL"] = "warning"
    env.update(env_extra)
    process = subprocess.Popen(
        [*command, "serve", "--demo", "--database", database, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=10)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"rostra serve exited: {process.stderr.read().decode()}")
            try:
                if client.get("/api/v1/counts", params={"site": "demo", "key": "x"}).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("rostra serve did not start within 60 s")
            time.sleep(0.1)
        yield base, client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def relax_moderation(database: str, site_name: str = "demo", **rules) -> None:
    """These tests post fast and often from one address, as no reader would:
    let the demo site publish such comments at once. (Held comments have a
    test of their own.) `rules` set further moderation settings."""
    from rostra.store import sites as site_store
    from rostra.store.database import open_database

    db = open_database(database)
    try:
        with db.write() as conn:
            site = site_store.site_by_name(conn, site_name)
            settings = {
                **site.settings,
                "moderation": {
                    **site.settings.get("moderation", {}),
                    "min_seconds_to_post": 0,
                    "posts_per_minute": 1000,
                    "toxicity_model": False,
                    **rules,
                },
            }
            site_store.update_site(conn, site.id, origins=site.origins, settings=settings)
    finally:
        db.dispose()

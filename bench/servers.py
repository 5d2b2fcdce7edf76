"""Starting and stopping the servers under test, and single probing requests."""

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from loadgen import Request, materialize, probe_number


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def probe(request: Request, timeout: float = 120.0) -> Answer:
    """One request on a fresh connection (so successive probes may reach different workers)."""
    parts = urlsplit(request.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers, body = materialize(request, probe_number())
    started = time.perf_counter()
    try:
        connection.request(request.method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    headers = {name.lower(): value for name, value in response.getheaders()}
    return Answer(response.status, headers, body, time.perf_counter() - started)


def _stop(process: subprocess.Popen) -> None:
    """End the server's whole process group (uvicorn's supervisor and its workers)."""
    if process.poll() is not None:
        return
    group = os.getpgid(process.pid)
    os.killpg(group, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        process.wait(timeout=5)


def _wait_ready(process: subprocess.Popen, ready: Request, log: Path, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{_tail(log)}")
        try:
            if probe(ready, timeout=2).status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {limit:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running(
    command: list[str], env: dict[str, str], ready: Request, log: Path, limit: float = 60
) -> Iterator[subprocess.Popen]:
    """Run a server in its own session while the block runs; always stop it afterwards."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(process, ready, log, limit)
        yield process
    finally:
        _stop(process)


def ensure_port_free(port: int) -> None:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use")

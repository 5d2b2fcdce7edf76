"""Real `rostra serve` processes for tests: a free port, a start that waits
until the server answers, and a clean stop of the whole process group."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

ROSTRA = [sys.executable, "-m", "rostra.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"rostra serve exited with {process.returncode}: {output}")
        try:
            httpx.get(base + "/healthz", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("rostra serve did not start in time")


def start_server(*args: str, env: dict[str, str], cwd=None) -> tuple[subprocess.Popen, str]:
    """Start `rostra serve ARGS` on a free port in its own process group."""
    port = free_port()
    process = subprocess.Popen(
        [*ROSTRA, "serve", "--port", str(port), *args],
        env={**os.environ, "ROSTRA_LOG_LEVEL": "warning", **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
    except AssertionError:
        stop_server(process)
        raise
    return process, base


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

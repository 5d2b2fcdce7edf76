"""Bounded HTTP load: wrk when installed, else a small asyncio keep-alive client.

Both measure the same thing: a fixed number of keep-alive connections, each
sending its next request as soon as the previous answer arrived, for a fixed
time; requests/s and latency percentiles over every completed request.
"""

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

WRK_MISSING = "wrk not found (install it for lower client overhead: apt-get install wrk)"


@dataclass(frozen=True)
class Request:
    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Each request from a different reader: VARY in the body becomes unique
    # words and X-Forwarded-For a unique address, so that flood, duplicate and
    # raid checks see many people posting, as on a real site.
    vary: bool = False


VARY = "@VARY@"
_VARY_WORDS = [
    "apple",
    "bridge",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "grove",
    "harbor",
    "island",
    "jasper",
    "kettle",
    "lantern",
    "meadow",
    "nectar",
    "orchard",
    "pebble",
    "quarry",
    "river",
    "saddle",
    "timber",
    "umber",
    "valley",
    "willow",
    "yonder",
    "zephyr",
    "amber",
    "basalt",
    "canyon",
    "dune",
    "estuary",
    "fern",
    "glacier",
    "heath",
    "inlet",
    "juniper",
    "knoll",
    "lagoon",
    "marsh",
    "nettle",
    "oasis",
    "prairie",
    "quartz",
    "reef",
    "summit",
    "tundra",
    "upland",
    "vista",
    "wharf",
    "yarrow",
    "zenith",
    "acorn",
    "birch",
    "clover",
    "dahlia",
    "elm",
    "foxglove",
    "ginger",
    "hazel",
    "iris",
    "jade",
    "kelp",
    "lilac",
    "moss",
    "pine",
]  # 64: six bits per word
# Runs start at different counters so a reader never repeats across runs.
_vary_base = [0]


def next_vary_base() -> int:
    _vary_base[0] += 1 << 20
    return _vary_base[0] % (1 << 24)


_probe_counter = [0xFF0000]


def probe_number() -> int:
    """Readers for single probes come from 10.255.x.x, apart from the load runs."""
    _probe_counter[0] += 1
    return _probe_counter[0]


def materialize(request: Request, n: int) -> tuple[dict[str, str], bytes]:
    """Headers and body of reader `n`'s request."""
    if not request.vary:
        return dict(request.headers), request.body
    headers = {**request.headers, "X-Forwarded-For": vary_address(n)}
    return headers, request.body.replace(VARY.encode(), vary_words(n).encode())


def vary_words(n: int) -> str:
    return "".join(" " + _VARY_WORDS[(n >> shift) % 64] for shift in (0, 6, 12, 18))


def vary_address(n: int) -> str:
    return f"10.{(n >> 16) % 256}.{(n >> 8) % 256}.{n % 256}"


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # connection/read/timeout errors and 4xx/5xx answers

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_load(
    request: Request, *, duration: float, connections: int, timeout: float = 10.0
) -> Result:
    if have_wrk():
        return _run_wrk(request, duration, connections, timeout)
    return asyncio.run(_run_python(request, duration, connections, timeout))


# --- wrk ----------------------------------------------------------------

# The done() hook prints one JSON line; wrk's own text summary rounds the
# latencies and hides the percentiles we need.
_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _lua_string(value: str) -> str:
    # A long bracket needs no escaping as long as its terminator is absent.
    assert "]==]" not in value
    return f"[==[{value}]==]"


_VARY_LUA = """
local words = {{{words}}}
local n = {base}
local template = {template}
request = function()
  n = n + 1
  local text = ""
  for shift = 0, 18, 6 do
    text = text .. " " .. words[math.floor(n / 2 ^ shift) % 64 + 1]
  end
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
    math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local body = template:gsub("{marker}", text)
  return wrk.format(nil, nil, nil, body)
end
"""


def wrk_script(request: Request) -> str:
    lines = [f"wrk.method = {_lua_string(request.method)}"]
    for name, value in request.headers.items():
        lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    if request.body and not request.vary:
        lines.append(f"wrk.body = {_lua_string(request.body.decode('ascii'))}")
    if request.vary:
        words = ", ".join(f'"{word}"' for word in _VARY_WORDS)
        lines.append(
            _VARY_LUA.format(
                words=words,
                base=next_vary_base(),
                template=_lua_string(request.body.decode("ascii")),
                marker=VARY,
            )
        )
    return "\n".join(lines) + "\n" + _DONE


def _run_wrk(request: Request, duration: float, connections: int, timeout: float) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(request))
    try:
        # One wrk thread: on a 2-core box every extra client thread takes CPU from the server.
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={max(1, round(timeout))}s",
            "-s",
            script.name,
            request.url,
        ]
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + timeout + 30
        )
    finally:
        Path(script.name).unlink()
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line[6:])
            return Result(
                data["requests"],
                data["duration_us"] / 1e6,
                data["p50_us"] / 1000,
                data["p99_us"] / 1000,
                data["errors"],
            )
    raise RuntimeError(
        f"wrk failed: {completed.stdout}\n{completed.stderr}\nscript:\n{wrk_script(request)}"
    )


# --- fixed rate -------------------------------------------------------------


def run_at_rate(
    request: Request, *, rate: float, duration: float, connections: int, timeout: float = 10.0
) -> Result:
    """Send `rate` requests a second on a fixed schedule, whatever the answers' pace.

    Latency runs from each request's scheduled time, not from when a
    connection came free, so a server that falls behind shows it in p99
    (closed-loop tools like wrk hide that: they simply send less).
    """
    return asyncio.run(_run_at_rate(request, rate, duration, connections, timeout))


async def _run_at_rate(
    request: Request, rate: float, duration: float, connections: int, timeout: float
) -> Result:
    parts = urlsplit(request.url)
    idle: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection(parts.hostname, parts.port))
    latencies: list[float] = []
    errors = [0]
    counter = [next_vary_base()]

    async def send(scheduled: float) -> None:
        reader, writer = await idle.get()
        counter[0] += 1
        try:
            writer.write(request_bytes(request, counter[0]))
            status, _ = await asyncio.wait_for(read_response(reader), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            errors[0] += 1
            writer.close()
            idle.put_nowait(await asyncio.open_connection(parts.hostname, parts.port))
            return
        latencies.append(time.perf_counter() - scheduled)
        errors[0] += status >= 400
        idle.put_nowait((reader, writer))

    started = time.perf_counter()
    total = int(rate * duration)
    tasks = []
    while len(tasks) < total:
        due = min(total, int((time.perf_counter() - started) * rate) + 1)
        while len(tasks) < due:
            tasks.append(asyncio.create_task(send(started + len(tasks) / rate)))
        await asyncio.sleep(0.0005)
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    while not idle.empty():
        idle.get_nowait()[1].close()
    return Result(
        len(latencies),
        elapsed,
        percentile(latencies, 50) * 1000,
        percentile(latencies, 99) * 1000,
        errors[0],
    )


# --- Python fallback ------------------------------------------------------


def request_bytes(request: Request, n: int = 0) -> bytes:
    """The request on the wire; `n` numbers the reader when the request varies."""
    parts = urlsplit(request.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers, body = materialize(request, n)
    head = [f"{request.method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    if body or request.method in ("POST", "PUT", "PATCH"):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 answer (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return status, await _read_chunked(reader)
    return status, b""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _connection(
    request: Request, counter: list[int], deadline: float, timeout: float, latencies: list[float]
) -> int:
    parts = urlsplit(request.url)
    errors = 0
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        while time.perf_counter() < deadline:
            counter[0] += 1
            payload = request_bytes(request, counter[0])
            started = time.perf_counter()
            try:
                writer.write(payload)
                status, _ = await asyncio.wait_for(read_response(reader), timeout)
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                continue
            latencies.append(time.perf_counter() - started)
            errors += status >= 400
    finally:
        writer.close()
    return errors


async def _run_python(
    request: Request, duration: float, connections: int, timeout: float
) -> Result:
    counter = [next_vary_base()]
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + duration
    errors = await asyncio.gather(
        *(_connection(request, counter, deadline, timeout, latencies) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    return Result(
        len(latencies),
        elapsed,
        percentile(latencies, 50) * 1000,
        percentile(latencies, 99) * 1000,
        sum(errors),
    )


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]

"""Where the CPU went during a measurement: the server under test, the
database server and the load generator, read from /proc (Linux).

A request rate on a small machine is often set by CPU, not by waiting: the
CPU time per request of each part, and the ceiling it implies on this many
cores, say which part to make cheaper.
"""

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _Process:
    name: str
    parent: int
    session: int
    seconds: float


def _processes() -> dict[int, _Process]:
    found = {}
    try:
        pids = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return found
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:  # gone meanwhile
            continue
        # The name is in parentheses and may hold spaces; the fields follow it.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        found[pid] = _Process(name, int(fields[1]), int(fields[3]), seconds)
    return found


def _part(pid: int, processes: dict[int, _Process]) -> str | None:
    """Servers under test are this process's descendants in sessions of their
    own (servers.running starts them so); PostgreSQL is its processes."""
    process = processes[pid]
    if process.name == "postgres":
        return "postgresql"
    own_session = os.getsid(0)
    ancestor = process
    while ancestor.parent in processes:
        if ancestor.parent == os.getpid():
            return "server" if process.session != own_session else None
        ancestor = processes[ancestor.parent]
    return None


def _own_and_childrens() -> float:
    """This process and its children that have exited: the load generator,
    whether it ran here (the Python client) or as wrk."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class CpuUse:
    """CPU seconds by part, filled in when the `measure` block ends."""

    seconds: dict[str, float] = field(default_factory=dict)

    def per_request(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request, by part."""
        return {part: 1000 * s / max(requests, 1) for part, s in self.seconds.items()}

    def total_ms(self, requests: int) -> float:
        return sum(self.per_request(requests).values())

    def summary(self, requests: int) -> str:
        """One line: CPU ms per request by part, and the rate this machine's
        cores allow at that cost."""
        cores = os.cpu_count() or 1
        per = self.per_request(requests)
        ranked = sorted(per.items(), key=lambda item: -item[1])
        parts = ", ".join(f"{part} {ms:.2f}" for part, ms in ranked)
        total = self.total_ms(requests)
        ceiling = f"; {cores} cores allow at most {1000 * cores / total:,.0f}/s" if total else ""
        return f"CPU per request (ms): {parts}; total {total:.2f}{ceiling}"


@contextmanager
def measure() -> Iterator[CpuUse]:
    """CPU used by each part while the block runs."""
    use = CpuUse()
    before, generator = _processes(), _own_and_childrens()
    yield use
    after = _processes()
    use.seconds["load generator"] = _own_and_childrens() - generator
    for pid, process in after.items():
        part = _part(pid, after)
        if part is None:
            continue
        start = before.get(pid)
        spent = process.seconds - (start.seconds if start and start.name == process.name else 0.0)
        use.seconds[part] = use.seconds.get(part, 0.0) + spent

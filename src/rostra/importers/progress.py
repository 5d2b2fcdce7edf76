"""Progress while importing: a bar on a terminal, a line every few seconds otherwise."""

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, *, every_seconds: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.every = every_seconds
        self.count = 0
        self.started = time.monotonic()
        self.last_line = self.started
        self.bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(file=self.stream, unit=" comments", unit_scale=True, smoothing=0.1)

    def update(self, records: int) -> None:
        self.count += records
        if self.bar is not None:
            self.bar.update(records)
            return
        now = time.monotonic()
        if now - self.last_line >= self.every:
            self.last_line = now
            rate = self.count / (now - self.started)
            print(f"read {self.count:,} comments ({rate:,.0f}/s)", file=self.stream, flush=True)

    def phase(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description(text)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class SilentProgress(Progress):
    def __init__(self) -> None:
        self.count = 0
        self.bar = None

    def update(self, records: int) -> None:
        self.count += records

    def phase(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

"""A small closed-loop HTTP/1.1 load generator (keep-alive, asyncio, no dependencies).

Each of ``concurrency`` clients sends one request at a time on its own connection and records
the latency of every response; URLs rotate so one cached page is not measured over and over.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, float | int | str]:
        lat = sorted(self.latencies_ms)
        n = len(lat)

        def pct(p: float) -> float:
            return round(lat[min(n - 1, int(p * n))], 1) if n else float("nan")

        return {
            "name": self.name,
            "requests": n,
            "errors": self.errors,
            "rps": round(n / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(lat), 1) if n else float("nan"),
            "statuses": ",".join(f"{k}:{v}" for k, v in sorted(self.statuses.items())),
        }


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        key, _, value = line.decode("latin-1").partition(":")
        key = key.strip().lower()
        if key == "content-length":
            length = int(value.strip())
        elif key == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _client(urls, deadline: float, result: Result, headers: str) -> None:
    first = urlsplit(next(urls))
    reader, writer = await asyncio.open_connection(first.hostname, first.port)
    try:
        while time.perf_counter() < deadline:
            parts = urlsplit(next(urls))
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{headers}\r\n"
            started = time.perf_counter()
            try:
                writer.write(request.encode())
                await writer.drain()
                status = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(first.hostname, first.port)
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status >= 400:
                result.errors += 1
    finally:
        writer.close()


async def run(
    name: str,
    urls: list[str],
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 2.0,
    headers: dict[str, str] | None = None,
) -> Result:
    header_text = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    cycle = itertools.cycle(urls)
    if warmup:
        await asyncio.gather(
            *(
                _client(cycle, time.perf_counter() + warmup, Result("warmup"), header_text)
                for _ in range(concurrency)
            )
        )
    result = Result(name)
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_client(cycle, deadline, result, header_text) for _ in range(concurrency))
    )
    result.seconds = time.perf_counter() - started
    return result

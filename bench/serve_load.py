"""Load on ``citycat serve``: mixed requests from many concurrent clients, on loopback only.

    python bench/serve_load.py                      # 20,000 requests, 50 clients, the starter catalogue
    python bench/serve_load.py --requests 2000 --concurrency 5
    python bench/serve_load.py --url http://127.0.0.1:8000   # a server already running (loopback only)

Without ``--url`` it copies the frozen starter catalogue (``tests/cases/starter``) into a temporary
folder and starts ``citycat serve --no-watch --port 0`` on it, as a user runs it, then stops it.

The mix: pages of the site (every ``index.html`` the build wrote), the search index, and CKAN's
Action API under /api (``package_show`` of each dataset, ``package_search`` with a word, a filter
and paging, ``package_list``, ``organization_list``). Each client is an asyncio connection that
keeps its connection alive while the server allows it (a server that closes after each answer
costs a new connection each time, as it costs a browser).

Prints requests per second, latency p50/p99/max (from sending the request to the last byte of the
answer), errors (a status other than 200, a reset, a timeout) and the listen-queue overflows
the kernel counted meanwhile (``TcpExt ListenOverflows`` in ``/proc/net/netstat``: a connection
dropped because the server's accept queue was full; the count is the whole machine's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-11-28"
TIMEOUT = 30.0  # seconds for one answer before it counts as an error


def listen_overflows() -> int | None:
    """The kernel's count of connections dropped for a full accept queue (Linux), else None."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return int(table.get("ListenOverflows", 0))
    return None


@contextlib.contextmanager
def serve_starter():
    """``citycat serve`` of a copy of the starter catalogue; yields (base URL, site folder)."""
    sys.path.insert(0, str(ROOT))
    from tests.conftest import copy_starter  # the same copy the tests make

    with tempfile.TemporaryDirectory(prefix="citycat-serve-load-") as tmp:
        root = copy_starter(Path(tmp) / "root")
        out = Path(tmp) / "public"
        command = [sys.executable, "-m", "citycat", "serve", "--root", str(root), "--out", str(out)]
        command += ["--port", "0", "--no-watch", "--today", TODAY]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            url = None
            for line in proc.stdout:  # "serving http://…" or "đang phục vụ http://…"
                found = re.search(r"http://127\.0\.0\.1:\d+", line)
                if found:
                    url = found.group(0)
                    break
            if not url:
                raise SystemExit(f"citycat serve did not start:\n{proc.stderr.read()}")
            yield url, out
        finally:
            proc.terminate()
            proc.wait()


def targets(url: str, out: Path | None, rng: random.Random) -> list[str]:
    """The paths to ask for, in the proportions of the mix (pages 50 %, search index 10 %, API 40 %)."""
    pages = ["/"]
    if out is not None:
        for page in sorted(out.rglob("index.html")):
            rel = page.parent.relative_to(out).as_posix()
            if rel != "." and not rel.startswith("api"):
                pages.append(f"/{rel}/")
    with urllib.request.urlopen(url + "/api/3/action/package_list", timeout=TIMEOUT) as answer:
        ids = json.load(answer)["result"]  # what the API publishes (shared data has a page, no package)
    api = [f"/api/3/action/package_show?id={quote(i)}" for i in ids]
    api += [
        "/api/3/action/package_search?q=" + quote("dữ liệu"),
        "/api/3/action/package_search?rows=5&start=5",
        "/api/3/action/package_search?fq=" + quote("license_id:cc-by"),
        "/api/3/action/package_list",
        "/api/3/action/organization_list",
    ]
    mix = []
    for _ in range(1000):
        r = rng.random()
        mix.append(rng.choice(pages) if r < 0.5 else "/search-index.json" if r < 0.6 else rng.choice(api))
    return mix


class Client:
    """One connection, opened again whenever the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.retries = 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def get(self, path: str) -> int:
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept-Encoding: identity\r\n\r\n"
        self.writer.write(request.encode("ascii"))
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as e:
            if not reused or getattr(e, "partial", b""):
                raise
            # a kept-alive connection the server closed as the request left: a client sends a
            # GET again on a new connection (RFC 9112, 9.3.1), and so does this one
            self.retries += 1
            await self.close()
            return await self.get(path)
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
            keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        else:
            await self.reader.read()  # to the end of the connection
            keep = False
        if not keep:
            await self.close()
        return int(status)


async def run(url: str, paths: list[str], total: int, concurrency: int) -> dict:
    split = urlsplit(url)
    host, port = split.hostname, split.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("serve_load.py measures a server on loopback only")
    latencies: list[float] = []
    errors: dict[str, int] = {}
    retried: list[int] = []
    next_index = iter(range(total))

    async def worker() -> None:
        client = Client(host, port)
        for i in next_index:
            path = paths[i % len(paths)]
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(client.get(path), TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                await client.close()
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
        await client.close()
        retried.append(client.retries)

    before = listen_overflows()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    after = listen_overflows()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "requests": total,
        "concurrency": concurrency,
        "seconds": seconds,
        "rps": total / seconds,
        "p50": pct(0.50),
        "p99": pct(0.99),
        "max": latencies[-1] * 1000 if latencies else 0.0,
        "errors": errors,
        "retried": sum(retried),
        "overflows": None if before is None or after is None else after - before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--url", help="a server already running on loopback (default: start one)")
    parser.add_argument("--out", type=Path, help="with --url: its site folder, to ask for every page")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with contextlib.ExitStack() as stack:
        if args.url:
            url, out = args.url.rstrip("/"), args.out
        else:
            url, out = stack.enter_context(serve_starter())
        paths = targets(url, out, rng)
        result = asyncio.run(run(url, paths, args.requests, args.concurrency))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    errors = sum(result["errors"].values())
    print(
        f"{result['requests']} requests, concurrency {result['concurrency']}: "
        f"{result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, "
        f"max {result['max']:.1f} ms, errors {errors} {result['errors'] or ''}, "
        f"retried on a new connection {result['retried']}, "
        f"listen-queue overflows {result['overflows']}  (load average {load:.1f}, {os.cpu_count()} cores)"
    )
    sys.exit(1 if errors or result["overflows"] else 0)


if __name__ == "__main__":
    main()

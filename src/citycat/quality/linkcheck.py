"""The network part of ``citycat check-links``: asks every URL once, politely, and says what answered.

- at most ``concurrency`` requests at once, at most ``per_host`` to one host, and at least
  ``delay`` seconds between two requests to one host (a 429's wait applies to the whole host);
- HEAD first; when HEAD is not answered with a success or a redirect, a GET (streamed, its body
  never read) decides, as many servers refuse or mishandle HEAD;
- timeouts, resets, 5xx and 429 are retried with exponential backoff (Retry-After honoured,
  capped by ``max_wait``);
- redirects are followed one hop at a time, each hop through the same politeness rules, only
  to http(s), up to ``max_redirects``, a loop detected as soon as a URL repeats;
- only public addresses are asked (``citycat.source.net``): a host that resolves to a loopback,
  private, link-local… address is recorded as ``private-address`` without a request, at the
  first URL or at any redirect hop, unless ``allow_private``; the address actually connected to
  is checked again, and an answer from a non-public one is not recorded.

Results are entries of ``citycat.quality.links``; this module writes nothing.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from citycat import __version__
from citycat.quality.links import checkable, now, result
from citycat.source import net

REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUS = (408, 429, 500, 502, 503, 504)
RETRY_ERRORS = ("timeout", "connection-reset", "connection-error", "protocol-error")


@dataclass(frozen=True)
class Settings:
    concurrency: int = 16  # requests in flight, all hosts together
    per_host: int = 2  # requests in flight to one host
    delay: float = 0.25  # seconds between the starts of two requests to one host
    timeout: float = 15.0  # seconds for one request, connecting to the last header
    retries: int = 2  # further attempts after a timeout, reset, 5xx or 429
    backoff: float = 1.0  # seconds before the first retry; doubled for each next one
    max_wait: float = 60.0  # the longest wait before a retry, whatever Retry-After asks
    max_redirects: int = 10
    user_agent: str = ""  # default: user_agent()
    allow_private: bool = False  # also ask loopback, private, link-local… addresses


def retry_wait(attempt: int, retry_after: str | None, settings: Settings) -> float:
    """Seconds to wait before retry number ``attempt + 1``: the backoff, or longer when the
    server's Retry-After (seconds or an HTTP date) asks for it; never above ``max_wait``."""
    wait = settings.backoff * 2**attempt
    asked = parse_retry_after(retry_after)
    if asked is not None:
        wait = max(wait, asked)
    return max(0.0, min(wait, settings.max_wait))


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class HostGate:
    """Politeness towards one host: a limit on requests in flight and a gap between starts."""

    def __init__(self, limit: int, delay: float) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._lock = asyncio.Lock()
        self._delay = delay
        self._next = 0.0

    @asynccontextmanager
    async def turn(self):
        async with self._slots:
            async with self._lock:
                clock = asyncio.get_running_loop().time()
                start = max(clock, self._next)
                self._next = start + self._delay
            if start > clock:
                await asyncio.sleep(start - clock)
            yield

    def hold(self, seconds: float) -> None:
        """No request to this host for ``seconds`` (it answered 429)."""
        self._next = max(self._next, asyncio.get_running_loop().time() + seconds)


@dataclass
class Answer:
    status: int | None = None
    location: str | None = None
    content_type: str | None = None
    retry_after: str | None = None
    error: str | None = None


def classify(exc: BaseException) -> str:
    """A short stable code for what went wrong below HTTP."""
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return "timeout"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported-scheme"
    if isinstance(exc, (httpx.InvalidURL, UnicodeError)):
        return "invalid-url"
    chain = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "dns"
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "tls"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection-refused"
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)) for e in chain):
        return "connection-reset"
    if isinstance(exc, httpx.RemoteProtocolError):
        # h11's words for a server that closed the connection before answering
        return "connection-reset" if "without sending" in str(exc) else "protocol-error"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "name or service" in text or "nodename" in text or "name resolution" in text:
            return "dns"
        if "ssl" in text or "certificate" in text:
            return "tls"
        return "connection-error"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return "connection-reset"
    return "connection-error"


class Checker:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.slots = asyncio.Semaphore(settings.concurrency)
        self.gates: dict[str, HostGate] = {}

    def gate(self, url: str) -> HostGate:
        key = (urlsplit(url).hostname or "").lower()  # one server, whatever the scheme or port
        if key not in self.gates:
            self.gates[key] = HostGate(self.settings.per_host, self.settings.delay)
        return self.gates[key]

    async def check(self, url: str) -> dict[str, Any]:
        """One URL, its redirects followed: its entry for the state file."""
        started = time.monotonic()
        hops: list[dict[str, Any]] = []
        seen = {url}
        current = url

        def done(answer: Answer | None, error: str | None = None) -> dict[str, Any]:
            return result(
                status=answer.status if answer else None,
                final_url=current,
                redirects=hops,
                error=error if error else (answer.error if answer else None),
                content_type=answer.content_type if answer and not error else None,
                elapsed_ms=round((time.monotonic() - started) * 1000),
                checked=now(),
            )

        answer: Answer | None = None  # the last answer: a redirect that cannot be followed keeps it
        while True:
            if not checkable(current):
                return done(answer, unchecked_error(current))  # never requested
            if not self.settings.allow_private and await self.private(current):
                return done(answer, "private-address")  # never requested
            answer = await self.ask(current)
            if answer.error or answer.status not in REDIRECTS:
                return done(answer)
            if not answer.location:
                return done(answer, "redirect-without-location")
            hops.append({"status": answer.status, "url": current})
            try:
                current = urljoin(current, answer.location.strip())
            except ValueError:
                return done(answer, "invalid-url")
            if current in seen:
                return done(answer, "redirect-loop")
            if len(hops) > self.settings.max_redirects:
                return done(answer, "too-many-redirects")
            seen.add(current)

    async def private(self, url: str) -> bool:
        """Does this URL's host resolve to any address that is not public?"""
        try:
            parts = urlsplit(url.strip())
            host, port = parts.hostname, parts.port
        except ValueError:
            return False  # the request itself says invalid-url
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, net.host_refusal, host, port) is not None

    async def ask(self, url: str) -> Answer:
        """One URL without following its redirect, retried when the failure may pass."""
        gate = self.gate(url)
        attempt = 0
        while True:
            async with gate.turn(), self.slots:
                answer = await self.once(url)
            retry = answer.error in RETRY_ERRORS or answer.status in RETRY_STATUS
            if not retry or attempt >= self.settings.retries:
                return answer
            wait = retry_wait(attempt, answer.retry_after, self.settings)
            if answer.status == 429:
                gate.hold(wait)
            await asyncio.sleep(wait)
            attempt += 1

    async def once(self, url: str) -> Answer:
        """HEAD, then GET when HEAD did not say yes or move on (but not when rate-limited)."""
        try:
            async with asyncio.timeout(self.settings.timeout):
                async with self.client.stream("HEAD", url) as response:
                    answer = self.read(response)
            if answer.status is not None and (200 <= answer.status < 400 or answer.status == 429):
                return answer
            async with asyncio.timeout(self.settings.timeout):
                async with self.client.stream("GET", url) as response:
                    return self.read(response)  # the body is never read: closing drops it
        except (httpx.HTTPError, httpx.InvalidURL, OSError, TimeoutError, UnicodeError, ValueError) as exc:
            return Answer(error=classify(exc))

    def read(self, response: httpx.Response) -> Answer:
        if not self.settings.allow_private and not net.proxied(str(response.url)):
            address = net.peer(response.extensions.get("network_stream"))
            if address and not net.public(address):  # resolved anew to a non-public address
                return Answer(error="private-address")
        media = response.headers.get("content-type")
        return Answer(
            status=response.status_code,
            location=response.headers.get("location"),
            content_type=(media.split(";")[0].strip().lower() or None) if media else None,
            retry_after=response.headers.get("retry-after"),
        )


def unchecked_error(url: str) -> str:
    """Why a URL is not requested: another scheme than http(s), or no usable address at all."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return "invalid-url"
    return "unsupported-scheme" if scheme and scheme not in ("http", "https") else "invalid-url"


def user_agent(base_url: str | None = None) -> str:
    """Names citycat and, when known, the catalogue it checks for, so a webmaster knows who asks."""
    about = f"; +{base_url}" if base_url and checkable(base_url) else ""
    return f"citycat/{__version__} (link checker of the Hanoi shared data catalogue{about})"


def interleave(urls: Iterable[str]) -> list[str]:
    """Round-robin over hosts, so one slow host does not hold the queue."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        by_host.setdefault(host, []).append(url)
    queues = list(by_host.values())
    out = []
    while queues:
        out += [q.pop(0) for q in queues]
        queues = [q for q in queues if q]
    return out


async def check_all(
    urls: Iterable[str], settings: Settings, on_done: Callable[[str, dict], None] | None = None
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    timeout = httpx.Timeout(settings.timeout)
    limits = httpx.Limits(
        max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
    )
    headers = {"User-Agent": settings.user_agent or user_agent(), "Accept": "*/*"}
    async with httpx.AsyncClient(
        follow_redirects=False, timeout=timeout, limits=limits, headers=headers
    ) as client:
        checker = Checker(client, settings)

        async def one(url: str) -> None:
            results[url] = await checker.check(url)
            if on_done:
                on_done(url, results[url])

        await asyncio.gather(*(one(u) for u in interleave(urls)))
    return results


def run(
    urls: Iterable[str], settings: Settings, on_done: Callable[[str, dict], None] | None = None
) -> dict[str, dict[str, Any]]:
    """Check every URL; return its entry by URL (in no particular order).

    Called where an event loop already runs in this thread (a notebook, a program driving a
    browser with Playwright's sync API), the check runs on a thread of its own with its own loop.
    """
    job = check_all(list(urls), settings, on_done)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(job)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, job).result()

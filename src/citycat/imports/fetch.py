"""Every request an import makes, bounded: a source is a stranger's server.

One ``Fetcher`` serves one import (every page of a CKAN API, or the one file of a data.json,
DCAT or XLSX URL) and holds it to ``Limits``:

- **time**: a connect timeout, a read timeout (the longest silence), and a **total** time for
  every request of the import together, enforced around the whole exchange (a server that
  drips a byte a second never reaches a read timeout, and is stopped by the total);
- **size**: at most ``max_bytes`` of answers in all, counted **after** decompression; only gzip
  and deflate are asked for, decompressed here a piece at a time, so a small gzip bomb is
  stopped at the cap rather than after filling the memory;
- **redirects**: at most ``max_redirects``, each to the same site (scheme, host and port) as the
  first request; another site is refused rather than imported;
- **addresses**: only public ones (``citycat.source.net``) unless ``allow_private``, checked
  before each request and again on the address actually connected to;
- **pages** (``max_pages``) and JSON **nesting** (``max_depth``) are enforced by the importers.

Each refusal is an ``ImportError_`` with its words in Vietnamese and English. httpx does the HTTP;
``CkanAdapter`` puts this fetcher under ``requests``, so that CKAN's own client (ckanapi) keeps
doing the API calls.
"""

from __future__ import annotations

import asyncio
import re
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from citycat.imports.common import MAX_DEPTH, ImportError_, Source, accepted_url, deep_json, too_deep
from citycat.source import net

MB = 1024 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
PIECE = 64 * 1024  # the most one step of decompression may produce
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Limits:
    connect: float = 10.0  # seconds to connect
    read: float = 30.0  # seconds of silence while waiting for bytes
    total: float = 300.0  # seconds for every request of one import together
    max_bytes: int = 256 * MB  # bytes of answers in all, after decompression
    max_pages: int = 1000  # pages of a paged API (CKAN's package_search)
    max_redirects: int = 5
    max_depth: int = MAX_DEPTH  # nesting of JSON objects and arrays
    allow_private: bool = False  # loopback, private, link-local… addresses (for tests, intranets)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str  # where the answer came from, after redirects
    reason: str = ""

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


class _Decoder:
    """gzip or deflate, decompressed at most ``PIECE`` bytes at a time (identity: as it is)."""

    def __init__(self, encoding: str, url: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise ImportError_(
                f"{url}: mã hóa nội dung không hỗ trợ ({encoding[:40]})",
                f"{url}: unsupported content encoding ({encoding[:40]})",
            )
        self.kind = codings[0] if codings else None
        self.z = self._new()
        self.started = False

    def _new(self, raw: bool = False):
        if self.kind in ("gzip", "x-gzip"):
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        if self.kind == "deflate":  # zlib-wrapped as the RFC says, or raw as some servers send it
            return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        return None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.z is None:
            yield data
            return
        if not self.started and self.kind == "deflate":
            try:
                zlib.decompressobj().decompress(data[:2])
            except zlib.error:
                self.z = self._new(raw=True)
        self.started = True
        pending = data
        while True:
            out = self.z.decompress(pending, PIECE)
            if out:
                yield out
            pending = self.z.unconsumed_tail
            if not pending and len(out) < PIECE:
                return

    def end(self) -> bytes:
        return self.z.flush(PIECE) if self.z is not None else b""


@dataclass
class Fetcher:
    """One import's requests: a shared deadline, byte count and site."""

    limits: Limits = field(default_factory=Limits)
    agent: str = ""
    started: float = field(default_factory=time.monotonic)
    used: int = 0  # bytes of answers so far, decompressed
    site: tuple[str, str, int] | None = None  # the first request's origin: redirects stay there

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        follow: bool = True,
        progress: Progress | None = None,
    ) -> Answer:
        """One exchange (its redirects followed when ``follow``). Raises ImportError_."""
        job = self._bounded(method, url, dict(headers or {}), content, follow, progress)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(job)
        import concurrent.futures  # called where a loop runs (a notebook): a thread of its own

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, job).result()

    def remaining(self) -> float:
        return self.limits.total - (time.monotonic() - self.started)

    async def _bounded(self, method, url, headers, content, follow, progress) -> Answer:
        import httpx

        limits = self.limits
        if self.remaining() <= 0:
            raise self._late(url)
        headers.setdefault("User-Agent", self.agent or _agent())
        headers["Accept-Encoding"] = "gzip, deflate"
        timeout = httpx.Timeout(limits.read, connect=limits.connect)
        try:
            async with asyncio.timeout(self.remaining()):
                async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
                    return await self._exchange(client, method, url, headers, content, follow, progress)
        except TimeoutError:
            raise self._late(url) from None
        except httpx.TimeoutException as exc:
            phase = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            seconds = limits.connect if phase == "connect" else limits.read
            raise ImportError_(
                f"Không kết nối được {url}: không có trả lời sau {seconds:g} giây",
                f"Cannot reach {url}: no answer within {seconds:g} s ({phase} timeout)",
            ) from None
        except httpx.HTTPError as exc:
            reason = (str(exc) or type(exc).__name__).split("\n")[0][:300]
            raise ImportError_(
                f"Không kết nối được {url}: {reason}", f"Cannot reach {url}: {reason}"
            ) from None

    async def _exchange(self, client, method, url, headers, content, follow, progress) -> Answer:
        for _hop in range(self.limits.max_redirects + 1):
            await self._allowed(url)
            request = client.build_request(method, url, headers=headers, content=content)
            response = await client.send(request, stream=True)
            try:
                self._connected(url, response)
                location = response.headers.get("location")
                if follow and response.status_code in REDIRECTS and location:
                    try:
                        url = urljoin(url, location.strip())
                    except ValueError:
                        url = location
                    if response.status_code == 303 or (
                        response.status_code in (301, 302) and method == "POST"
                    ):
                        method, content = "GET", None
                    continue
                body = await self._read(response, url, progress)
                return Answer(response.status_code, dict(response.headers), body, url, response.reason_phrase)
            finally:
                await response.aclose()
        raise ImportError_(
            f"{url}: chuyển hướng quá {self.limits.max_redirects} lần",
            f"{url}: more than {self.limits.max_redirects} redirects",
        )

    async def _allowed(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ImportError_(
                f"Chỉ đọc được tệp hoặc đường dẫn http(s): {url}",
                f"Only a file or an http(s) URL can be read: {url}",
            )
        here = origin(url)
        if self.site is None:
            self.site = here
        elif here != self.site:
            first = f"{self.site[0]}://{self.site[1]}:{self.site[2]}"
            raise ImportError_(
                f"Nguồn chuyển hướng sang trang khác ({url}); citycat chỉ đi theo trong {first}. "
                "Nếu tin trang đó, hãy nhập thẳng từ nó",
                f"The source redirects to another site ({url}); citycat follows redirects only within "
                f"{first}. If you trust that site, import from it directly",
            )
        if not self.limits.allow_private:
            loop = asyncio.get_running_loop()
            found = await loop.run_in_executor(None, net.host_refusal, parts.hostname, here[2])
            if found:
                raise _private(url, found)

    def _connected(self, url: str, response) -> None:
        """The address actually connected to is public too (a name may resolve differently twice)."""
        if self.limits.allow_private or net.proxied(url):
            return
        address = net.peer(response.extensions.get("network_stream"))
        if address and not net.public(address):
            raise _private(url, address)

    async def _read(self, response, url: str, progress: Progress | None) -> bytes:
        cap = self.limits.max_bytes
        declared = _integer(response.headers.get("content-length"))
        encoding = response.headers.get("content-encoding", "")
        if declared is not None and not encoding and self.used + declared > cap:
            raise self._big(url)
        decoder = _Decoder(encoding, url)
        chunks: list[bytes] = []
        size = 0

        def take(piece: bytes) -> None:
            nonlocal size
            size += len(piece)
            if self.used + size > cap:
                raise self._big(url)
            chunks.append(piece)

        try:
            async for raw in response.aiter_raw():
                for piece in decoder.feed(raw):
                    take(piece)
                if progress:
                    progress(size, declared if not encoding else None)
            take(decoder.end())
        except zlib.error:
            raise ImportError_(
                f"{url}: nội dung nén bị hỏng ({encoding[:40]})",
                f"{url}: corrupt compressed answer ({encoding[:40]})",
            ) from None
        self.used += size
        return b"".join(chunks)

    def _late(self, url: str) -> ImportError_:
        seconds = self.limits.total
        return ImportError_(
            f"{url}: tải quá {seconds:g} giây, đã dừng (--timeout)",
            f"{url}: downloading took over {seconds:g} s, stopped (--timeout)",
        )

    def _big(self, url: str) -> ImportError_:
        cap = self.limits.max_bytes
        return ImportError_(
            f"{url}: nguồn lớn hơn {cap:,} byte (sau giải nén), đã dừng (--max-bytes)",
            f"{url}: the source is larger than {cap:,} bytes (decompressed), stopped (--max-bytes)",
        )


def read_source(
    where: str, accept: str, progress: Progress | None = None, limits: Limits | None = None
) -> Source:
    """The bytes of a local file or of an http(s) URL, within ``limits`` (a file: at most
    ``max_bytes``). Raises ImportError_ with the reason when it cannot be read."""
    limits = limits or Limits()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", where):
        if not accepted_url(where):
            raise ImportError_(
                f"Chỉ đọc được tệp hoặc đường dẫn http(s): {where}",
                f"Only a file or an http(s) URL can be read: {where}",
            )
        answer = Fetcher(limits).request("GET", where, headers={"Accept": accept}, progress=progress)
        if answer.status != 200:
            raise ImportError_(
                f"{where} trả lời HTTP {answer.status}", f"{where} answered HTTP {answer.status}"
            )
        return Source(where, answer.body, answer.media_type)
    from pathlib import Path

    path = Path(where)
    try:
        if path.stat().st_size > limits.max_bytes:
            raise ImportError_(
                f"{where}: tệp lớn hơn {limits.max_bytes:,} byte (--max-bytes)",
                f"{where}: file larger than {limits.max_bytes:,} bytes (--max-bytes)",
            )
        return Source(where, path.read_bytes())
    except IsADirectoryError:
        raise ImportError_(
            f"{where} là một thư mục, không phải tệp", f"{where} is a folder, not a file"
        ) from None
    except OSError as exc:
        from citycat.cli.words import os_reason, say

        raise ImportError_(
            say("common.cannot_read", "vi", path=where, why=os_reason(exc, "vi")),
            say("common.cannot_read", "en", path=where, why=os_reason(exc, "en")),
        ) from None


def _private(url: str, address: str) -> ImportError_:
    return ImportError_(
        f"{url} dẫn tới địa chỉ nội bộ {address} (loopback, mạng riêng…); citycat không hỏi nó "
        "(--allow-private nếu đúng là nguồn của bạn)",
        f"{url} leads to the non-public address {address} (loopback, private network…); citycat "
        "does not ask it (--allow-private if it really is your source)",
    )


def _integer(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip().isdigit() else None
    except ValueError:
        return None


def _agent() -> str:
    from citycat import __version__

    return f"citycat/{__version__} (+import)"


def ckan_session(fetcher: Fetcher):
    """A ``requests`` session whose every request goes through ``fetcher``, for ckanapi: requests
    still follows redirects (each hop comes back through the fetcher and is checked), and the JSON
    is checked for its depth before ckanapi parses it."""
    import requests
    from requests.adapters import BaseAdapter
    from requests.structures import CaseInsensitiveDict

    class Adapter(BaseAdapter):
        def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
            body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
            method = request.method or "GET"
            answer = fetcher.request(
                method, request.url, headers=dict(request.headers), content=body, follow=False
            )
            if answer.body.lstrip()[:1] in (b"{", b"[") and too_deep(answer.body, fetcher.limits.max_depth):
                raise deep_json(request.url, fetcher.limits.max_depth)
            response = requests.Response()
            response.status_code = answer.status
            response.reason = answer.reason
            dropped = ("content-encoding", "content-length")  # the body is decoded already
            response.headers = CaseInsensitiveDict(
                {k: v for k, v in answer.headers.items() if k.lower() not in dropped}
            )
            response._content = answer.body  # how a transport hands requests a body already read
            response.encoding = requests.utils.get_encoding_from_headers(response.headers) or "utf-8"
            response.url = answer.url
            response.request = request
            return response

        def close(self) -> None:
            pass

    session = requests.Session()
    session.trust_env = False  # the fetcher (httpx) reads proxies from the environment itself
    session.max_redirects = fetcher.limits.max_redirects
    adapter = Adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session

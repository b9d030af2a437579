"""Many outgoing HTTP calls at once, on one event loop of the calling thread (a batch of a gateway's sends).

Every call passes the same guard as `outbound.exchange` (`outbound.checked_target`: the allow-list, internal
names, every resolved address checked, the connection made to the checked address). The calls of a batch share a
few kept-alive connections per address and wait for their answers together: no thread per call, and no
`http.client`, whose header parsing (through the e-mail package) cost more than the rest of a call.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import threading
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from mofang.platform.outbound import OutboundResult, Target, answer_result, checked_target, exchange

MAX_HEAD = 64 * 1024  # an answer's status line and headers
_BAD_TEXT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # no line breaks or controls in a header (smuggling)
_BAD_PATH = re.compile(r"[\x00-\x20\x7f]")
_FAILED = OutboundResult("unreachable", reason="the connection failed")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Call:
    """One request of a batch (the body as bytes, or None)."""

    method: str
    url: str
    data: bytes | None
    headers: Mapping[str, str]


class Answer(NamedTuple):
    """A parsed answer: its status, up to the limit of its body, and whether the connection may carry another."""

    status: int
    body: bytes
    keep_alive: bool


def exchange_many(calls: Sequence[Call], *, allow_hosts: Collection[str] = (), timeout: float = 10.0,
                  max_body: int = 64 * 1024, connections: int = 16) -> list[tuple[OutboundResult, bytes]]:
    """Each call as `outbound.exchange(..., keep_alive=True)` would make it, in the calls' order.

    Up to `connections` calls to one address are in flight at once; `timeout` bounds each call (connect, send and
    answer). Only for callers that read a vendor's answer themselves, as for `exchange`.
    """
    out: list[tuple[OutboundResult, bytes]] = [(_FAILED, b"")] * len(calls)
    groups: dict[tuple[str, str, str, int], deque[tuple[int, bytes]]] = {}
    for i, call in enumerate(calls):
        target = checked_target(call.url, allow_hosts)
        if isinstance(target, OutboundResult):
            out[i] = (target, b"")
            continue
        wire = request_bytes(call.method, target, call.data, call.headers)
        if isinstance(wire, OutboundResult):
            out[i] = (wire, b"")
            continue
        groups.setdefault((target.scheme, target.host, target.ip, target.port), deque()).append((i, wire))
    if not groups:
        return out
    if _running_loop() is not None:  # called from inside a coroutine: this thread's loop is busy, so one by one
        for queue in groups.values():
            for i, _wire in queue:
                call = calls[i]
                out[i] = exchange(call.method, call.url, call.data, allow_hosts=allow_hosts, headers=call.headers,
                                  timeout=timeout, max_body=max_body, keep_alive=True)
        return out
    _here().loop.run_until_complete(_run(groups, out, timeout, max_body, max(1, connections)))
    return out


def request_bytes(method: str, target: Target, data: bytes | None,
                  headers: Mapping[str, str]) -> bytes | OutboundResult:
    """The request as sent (what `http.client` would write), or why it cannot be sent."""
    if _BAD_PATH.search(target.path) or not method.isalpha():
        return OutboundResult("invalid_url", reason="the URL holds spaces or control characters")
    names = {k.lower() for k in headers}
    lines = [f"{method} {target.path} HTTP/1.1"]
    if "host" not in names:
        host = f"[{target.host}]" if ":" in target.host else target.host
        default = 443 if target.scheme == "https" else 80
        lines.append(f"Host: {host}" if target.port == default else f"Host: {host}:{target.port}")
    if "accept-encoding" not in names:
        lines.append("Accept-Encoding: identity")
    if "content-length" not in names and (data is not None or method in _BODY_METHODS):
        lines.append(f"Content-Length: {len(data or b'')}")
    for name, value in headers.items():
        if not name or _BAD_TEXT.search(name) or ":" in name or _BAD_TEXT.search(str(value)):
            return OutboundResult("refused", reason="a header holds a line break or control character")
        lines.append(f"{name}: {value}")
    try:
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    except UnicodeEncodeError:
        return OutboundResult("refused", reason="a header is not Latin-1 text")
    return head + data if data else head


def parse_answer(buf: bytes | bytearray, *, eof: bool, limit: int) -> Answer | None:
    """The answer at the start of `buf`, or None while more bytes are needed; ValueError when it is malformed or
    the connection closed before it was whole. Interim (1xx) answers are skipped; a body over `limit` is cut there
    and its connection is not used again."""
    start = 0
    while True:
        end = buf.find(b"\r\n\r\n", start)
        if end < 0:
            if len(buf) - start > MAX_HEAD:
                raise ValueError("the answer's head is too long")
            if eof:
                raise ValueError("closed before an answer")
            return None
        lines = bytes(buf[start:end]).split(b"\r\n")
        version, status = _status_line(lines[0])
        if 100 <= status < 200 and status != 101:
            start = end + 4
            continue
        break
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name.strip():
            raise ValueError("malformed header")
        headers[name.strip().lower()] = value.strip()
    tokens = headers.get(b"connection", b"").lower()
    keep = b"close" not in tokens if version == b"HTTP/1.1" else b"keep-alive" in tokens
    body_at = end + 4
    if status in (204, 304):
        return Answer(status, b"", keep)
    coding = headers.get(b"transfer-encoding", b"identity").lower()
    if coding != b"identity":
        if not coding.endswith(b"chunked"):
            raise ValueError("unknown transfer coding")
        return _chunked(buf, body_at, eof, limit, status, keep)
    length = headers.get(b"content-length")
    have = len(buf) - body_at
    if length is None:  # the body runs until the server closes the connection
        if have >= limit:
            return Answer(status, bytes(buf[body_at:body_at + limit]), False)
        return Answer(status, bytes(buf[body_at:]), False) if eof else None
    if not length.isdigit():
        raise ValueError("malformed Content-Length")
    size = int(length)
    if size > limit and have >= limit:
        return Answer(status, bytes(buf[body_at:body_at + limit]), False)
    if have < size:
        if eof:
            raise ValueError("closed inside the body")
        return None
    return Answer(status, bytes(buf[body_at:body_at + size]), keep and have == size)


def _status_line(line: bytes) -> tuple[bytes, int]:
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or len(parts[1]) != 3 or not parts[1].isdigit():
        raise ValueError("malformed status line")
    return parts[0], int(parts[1])


def _chunked(buf: bytes | bytearray, pos: int, eof: bool, limit: int, status: int, keep: bool) -> Answer | None:
    """A chunked body (with any trailers) starting at `pos`."""
    body = bytearray()
    while True:
        nl = buf.find(b"\r\n", pos)
        if nl < 0:
            break
        size = int(bytes(buf[pos:nl]).split(b";", 1)[0].strip() or b"x", 16)  # ValueError when malformed
        pos = nl + 2
        if size == 0:
            while True:  # trailer lines up to an empty one
                nl = buf.find(b"\r\n", pos)
                if nl < 0:
                    break
                if nl == pos:
                    return Answer(status, bytes(body), keep and nl + 2 == len(buf))
                pos = nl + 2
            break
        if len(buf) < pos + size + 2:
            if len(body) + len(buf) - pos >= limit:
                return Answer(status, bytes((body + buf[pos:pos + size])[:limit]), False)
            break
        if buf[pos + size:pos + size + 2] != b"\r\n":
            raise ValueError("malformed chunk")
        body += buf[pos:pos + size]
        pos += size + 2
        if len(body) >= limit:
            return Answer(status, bytes(body[:limit]), False)
    if eof:
        raise ValueError("closed inside the body")
    return None


class _Conn(asyncio.Protocol):
    """One kept-alive connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reusable = False
        self._buf = bytearray()
        self._eof = False
        self._limit = 0
        self._fut: asyncio.Future[tuple[OutboundResult, bytes]] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self._fut is None or self._fut.done():  # bytes nobody asked for: the connection can't be trusted
            self.close()
            return
        self._buf += data
        self._advance()

    def eof_received(self) -> bool:
        self.closed = self._eof = True  # closing: it carries no further request
        self._advance()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = self._eof = True
        self._advance()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def exchange(self, wire: bytes, timeout: float, max_body: int) -> asyncio.Future[tuple[OutboundResult, bytes]]:
        """Send one request; the future holds its result and up to `max_body` bytes of the answer."""
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self._fut = loop.create_future()
        self._buf.clear()
        self._limit, self.reusable = max_body, False
        self._timer = loop.call_later(timeout, self._expire, timeout)
        self.transport.write(wire)
        return self._fut

    def _expire(self, timeout: float) -> None:
        self._finish((OutboundResult("timeout", reason=f"no answer within {timeout:g} s"), b""))
        self.close()

    def _finish(self, result: tuple[OutboundResult, bytes]) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._fut is not None and not self._fut.done():
            self._fut.set_result(result)

    def _advance(self) -> None:
        if self._fut is None or self._fut.done():
            return
        try:
            answer = parse_answer(self._buf, eof=self._eof, limit=max(self._limit, 64 * 1024))
        except ValueError:
            self._finish((_FAILED, b""))
            self.close()
            return
        if answer is None:
            return
        self.reusable = answer.keep_alive and not self._eof
        self._finish(_result(answer, self._limit))


def _result(answer: Answer, max_body: int) -> tuple[OutboundResult, bytes]:
    """As `outbound.exchange` reports an answer."""
    return answer_result(answer.status, answer.body, max_body)


class _ThreadLoop:
    """One thread's event loop and its idle connections per (scheme, host, checked address, port)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.idle: dict[tuple[str, str, str, int], list[_Conn]] = {}

    def __del__(self) -> None:  # the thread ended: its kept connections and loop go with it
        try:
            for conns in self.idle.values():
                for conn in conns:
                    conn.close()
            self.loop.run_until_complete(asyncio.sleep(0))  # lets the transports close their sockets
            self.loop.close()
        except Exception:  # best effort while a thread is being torn down
            pass


_LOCAL = threading.local()
_IDLE_PER_KEY = 32


def _here() -> _ThreadLoop:
    """This thread's loop, made on first use."""
    here: _ThreadLoop | None = getattr(_LOCAL, "here", None)
    if here is None:
        here = _LOCAL.here = _ThreadLoop()
    return here


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context (building one costs milliseconds)."""
    return ssl.create_default_context()


async def _run(groups: Mapping[tuple[str, str, str, int], deque[tuple[int, bytes]]],
               out: list[tuple[OutboundResult, bytes]], timeout: float, max_body: int, connections: int) -> None:
    await asyncio.sleep(0)  # idle connections the server closed since the last batch are seen closed first
    workers = [_worker(key, queue, out, timeout, max_body)
               for key, queue in groups.items() for _ in range(min(connections, len(queue)))]
    await asyncio.gather(*workers)


async def _worker(key: tuple[str, str, str, int], queue: deque[tuple[int, bytes]],
                  out: list[tuple[OutboundResult, bytes]], timeout: float, max_body: int) -> None:
    """Calls of one address, one after another on one connection (a new one when the server closed it)."""
    conn: _Conn | None = None
    while queue:
        i, wire = queue.popleft()
        if conn is None:
            conn = _take(key)
        if conn is None:
            made = await _connect(key, timeout)
            if isinstance(made, OutboundResult):
                out[i] = (made, b"")
                continue
            conn = made
        out[i] = await conn.exchange(wire, timeout, max_body)
        if not conn.reusable or conn.closed:
            conn.close()
            conn = None
    if conn is not None:
        idle = _here().idle.setdefault(key, [])
        if len(idle) < _IDLE_PER_KEY:
            idle.append(conn)
        else:
            conn.close()


def _take(key: tuple[str, str, str, int]) -> _Conn | None:
    idle = _here().idle.get(key)
    while idle:
        conn = idle.pop()
        if not conn.closed:
            return conn
    return None


async def _connect(key: tuple[str, str, str, int], timeout: float) -> _Conn | OutboundResult:
    """A connection to the checked address (TLS verified against the URL's host name)."""
    scheme, host, ip, port = key
    loop = asyncio.get_running_loop()
    tls = _tls() if scheme == "https" else None
    try:
        async with asyncio.timeout(timeout):
            _transport, conn = await loop.create_connection(_Conn, ip, port, ssl=tls,
                                                            server_hostname=host if tls else None)
    except TimeoutError:
        return OutboundResult("timeout", reason=f"no answer within {timeout:g} s")
    except ssl.SSLError:
        return OutboundResult("tls_error", reason="the TLS handshake or certificate failed")
    except (OSError, ValueError):
        return _FAILED
    return conn

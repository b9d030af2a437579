"""Every outgoing HTTP call goes through here: no calls into the bank's own network (SSRF), short timeouts.

A user-supplied URL (an alert webhook, a channel endpoint) could otherwise make the server fetch loopback,
private, link-local or cloud-metadata addresses for them. The host is resolved once, every address is checked,
and the connection goes to the checked address (a second DNS answer cannot swap it). Redirects are not followed,
and the response body is never read back to the caller: a result carries the status code and an outcome only.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

Outcome = Literal["sent", "http_error", "redirect", "refused", "invalid_url", "unresolvable", "timeout",
                  "unreachable", "tls_error"]

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that mean "this machine or its cloud" whatever DNS says.
_INTERNAL_NAMES = ("localhost", "metadata.google.internal", "metadata")
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local")


@dataclass(frozen=True)
class OutboundResult:
    """What came of one outgoing call: never the response body, which could carry internal data."""

    outcome: Outcome
    status: int | None = None
    reason: str | None = None  # short and ours (e.g. which rule refused the address), never the remote's text

    @property
    def ok(self) -> bool:
        """Whether the remote accepted the call (a 2xx answer)."""
        return self.outcome == "sent"

    def summary(self) -> str:
        """One line for records shown to users ("sent (HTTP 200)", "refused: loopback address")."""
        parts = [self.outcome]
        if self.status is not None:
            parts.append(f"(HTTP {self.status})")
        if self.reason:
            parts[-1] += ":"
            parts.append(self.reason)
        return " ".join(parts)


def address_problem(ip: IpAddress) -> str | None:
    """Why an address must not be called (loopback, private, link-local, metadata, ...), else None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, name in ((ip.is_loopback, "loopback"), (ip.is_link_local, "link-local"),
                       (ip.is_multicast, "multicast"), (ip.is_unspecified, "unspecified"),
                       (ip.is_private, "private"), (ip.is_reserved, "reserved")):
        if test:
            return f"{name} address"
    if not ip.is_global:  # CGNAT 100.64/10 (also Alibaba Cloud's metadata 100.100.100.200), 6to4 relays, ...
        return "non-public address"
    return None


def _host_of(url: str) -> tuple[str, str, int] | str:
    """(scheme, host, port) of an http(s) URL, or why it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "malformed URL"
    if parts.scheme not in ("http", "https"):
        return "only http and https URLs are allowed"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "the URL has no host"
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def _allowed(host: str, allow_hosts: Collection[str]) -> bool:
    return host in {h.strip().rstrip(".").lower() for h in allow_hosts}


def _resolve(host: str, port: int) -> list[IpAddress]:
    """Every address the host resolves to (raises OSError when it does not resolve)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str, *, allow_hosts: Collection[str] = (), resolve: bool = True) -> str | None:
    """Why a URL may not be called (checked when it is saved), else None.

    A name that does not resolve yet is accepted here: it is checked again, address by address, at each call.
    """
    target = _host_of(url)
    if isinstance(target, str):
        return target
    _scheme, host, port = target
    if _allowed(host, allow_hosts):
        return None
    literal = _literal(host)
    if literal is not None:
        return address_problem(literal)
    if host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES):
        return "internal host name"
    if not resolve:
        return None
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError):
        return None
    return next((p for p in map(address_problem, addresses) if p), None)


def check_host(host: str, port: int, *, allow_hosts: Collection[str] = ()) -> tuple[str | None, str | None]:
    """(the address to connect to, None) for a host that may be called over a non-HTTP protocol (SMTP), else
    (None, why not): the same rules as URLs, every resolved address checked, the checked one to be used."""
    host = host.strip().rstrip(".").lower()
    if not host or len(host) > 253 or not 0 < port < 65536:
        return None, "malformed host"
    allowed = _allowed(host, allow_hosts)
    if not allowed and (host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES)):
        return None, "internal host name"
    literal = _literal(host)
    try:
        addresses = [literal] if literal is not None else _resolve(host, port)
    except (OSError, UnicodeError):
        return None, "the host name does not resolve"
    if not allowed:
        problem = next((p for p in map(address_problem, addresses) if p), None)
        if problem:
            return None, problem
    return str(addresses[0]), None


class Target(NamedTuple):
    """Where a checked call goes: the URL's host for Host and TLS, the checked address to connect to."""

    scheme: str
    host: str
    ip: str
    port: int
    path: str


def checked_target(url: str, allow_hosts: Collection[str] = ()) -> Target | OutboundResult:
    """The checked address to call a URL at, or why it may not be called (every outgoing call passes here)."""
    target = _host_of(url)
    if isinstance(target, str):
        return OutboundResult("invalid_url", reason=target)
    scheme, host, port = target
    allowed = _allowed(host, allow_hosts)
    if not allowed and (host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES)):
        return OutboundResult("refused", reason="internal host name")
    try:
        addresses, problem = _RESOLVED.get(host, port)
    except (OSError, UnicodeError):
        return OutboundResult("unresolvable", reason="the host name does not resolve")
    if not allowed and problem:
        return OutboundResult("refused", reason=problem)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, str(addresses[0]), port, path)


def post_json(url: str, body: Any, *, allow_hosts: Collection[str] = (), headers: Mapping[str, str] | None = None,
              timeout: float = 10.0) -> OutboundResult:
    """POST `body` as JSON to a public address (or an allow-listed host); failures are results, not exceptions."""
    data = json.dumps(body, ensure_ascii=False).encode()
    return send("POST", url, data, allow_hosts=allow_hosts, timeout=timeout,
                headers={"Content-Type": "application/json", **(headers or {})})


def send(method: str, url: str, data: bytes | None, *, allow_hosts: Collection[str] = (),
         headers: Mapping[str, str] | None = None, timeout: float = 10.0) -> OutboundResult:
    """One HTTP request to a checked address; the answer's body is drained and dropped."""
    return exchange(method, url, data, allow_hosts=allow_hosts, headers=headers, timeout=timeout,
                    max_body=0)[0]


def exchange(method: str, url: str, data: bytes | None, *, allow_hosts: Collection[str] = (),
             headers: Mapping[str, str] | None = None, timeout: float = 10.0,
             max_body: int = 64 * 1024, keep_alive: bool = False) -> tuple[OutboundResult, bytes]:
    """One HTTP request to a checked address, with up to `max_body` bytes of the answer.

    Only for a caller that reads a vendor's answer itself (a channel provider checking its success rule and
    taking the vendor's message id); the body must never be shown to the user who configured the URL. With
    `keep_alive`, the connection to the checked address is kept for the next call to the same host and address
    (every call still resolves and checks the host first).
    """
    target = checked_target(url, allow_hosts)
    if isinstance(target, OutboundResult):
        return target, b""
    scheme, host, ip, port, path = target
    key = (scheme, host, ip, port, timeout)
    conn = _POOL.take(key) if keep_alive else None
    reused = conn is not None
    if conn is None:
        conn = _connection(scheme, host, ip, port, timeout)
    reusable = False
    try:
        try:
            conn.request(method, path, body=data, headers=dict(headers or {}))
        except (BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest):
            if not reused:
                raise
            # A kept connection the server has since closed: the request never went out, so send it on a new one.
            conn.close()
            conn = _connection(scheme, host, ip, port, timeout)
            conn.request(method, path, body=data, headers=dict(headers or {}))
        res = conn.getresponse()
        body = res.read(max(max_body, 64 * 1024))  # drained so the connection closes cleanly
        status = res.status
        reusable = keep_alive and res.isclosed() and not res.will_close
    except TimeoutError:
        return OutboundResult("timeout", reason=f"no answer within {timeout:g} s"), b""
    except ssl.SSLError:
        return OutboundResult("tls_error", reason="the TLS handshake or certificate failed"), b""
    except (OSError, http.client.HTTPException):
        return OutboundResult("unreachable", reason="the connection failed"), b""
    finally:
        if reusable:
            _POOL.give(key, conn)
        else:
            conn.close()
    return answer_result(status, body, max_body)


def answer_result(status: int, body: bytes, max_body: int) -> tuple[OutboundResult, bytes]:
    """An HTTP answer as a result and the body kept: a redirect is not followed and its body is dropped."""
    kept = body[:max_body]
    if 200 <= status < 300:
        return OutboundResult("sent", status=status), kept
    if 300 <= status < 400:
        return OutboundResult("redirect", status=status, reason="redirects are not followed"), b""
    return OutboundResult("http_error", status=status), kept


class _Resolved:
    """Each host's checked addresses, kept a few seconds: a batch of calls to one gateway resolves and checks once.

    The verdict is cached with the addresses it was made on, and the connection goes to those addresses, so a
    changed DNS answer takes effect within the TTL and can never bypass the check. Failures are not cached.
    """

    def __init__(self, ttl: float = 10.0, size: int = 256) -> None:
        self._ttl, self._size = ttl, size
        self._entries: dict[tuple[str, int], tuple[float, list[IpAddress], str | None]] = {}
        self._lock = threading.Lock()

    def get(self, host: str, port: int) -> tuple[list[IpAddress], str | None]:
        """(addresses, why they must not be called or None); raises OSError when the host does not resolve."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get((host, port))
        if entry is not None and entry[0] > now:
            return entry[1], entry[2]
        literal = _literal(host)
        addresses = [literal] if literal is not None else _resolve(host, port)
        if not addresses:
            raise OSError("no address")
        problem = next((p for p in map(address_problem, addresses) if p), None)
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()
            self._entries[(host, port)] = (now + self._ttl, addresses, problem)
        return addresses, problem


_RESOLVED = _Resolved()


class _Pool:
    """Idle keep-alive connections per (scheme, host, checked address, port, timeout), a few each."""

    def __init__(self, per_key: int = 32) -> None:
        self._idle: dict[tuple[Any, ...], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._per_key = per_key

    def take(self, key: tuple[Any, ...]) -> http.client.HTTPConnection | None:
        with self._lock:
            idle = self._idle.get(key)
            return idle.pop() if idle else None

    def give(self, key: tuple[Any, ...], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._per_key:
                idle.append(conn)
                return
        conn.close()


_POOL = _Pool()


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, while Host names the original host."""

    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)
        # Request and answer are small: without this, Nagle and delayed ACKs add ~40 ms on a kept connection.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        """Head and a bytes body in one write: two writes cost two segments and wake the server twice."""
        if not isinstance(message_body, bytes) or encode_chunked:
            super()._send_output(message_body, encode_chunked=encode_chunked)
            return
        self._buffer.extend((b"", b""))  # type: ignore[attr-defined]
        head = b"\r\n".join(self._buffer)  # type: ignore[attr-defined]
        del self._buffer[:]  # type: ignore[attr-defined]
        self.send(head + message_body)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, verifying the certificate against the original host name."""

    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _connection(scheme: str, host: str, ip: str, port: int, timeout: float) -> http.client.HTTPConnection:
    cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    return cls(host, ip, port, timeout)

"""Fetch a URL for ingest, safely: one deadline for the whole fetch, a size limit, a clear
User-Agent, and no requests to private, loopback, link-local or otherwise non-public addresses
unless the caller allows them (feeds must not become a way to reach the user's own network).

Each hop (redirects included) resolves its host once, checks every address, and connects to the
checked address (the Host header and TLS server name stay the URL's host), so a name that
resolves differently a second time cannot slip past the check. The deadline covers resolving,
connecting, the headers and every byte of the body: a server sending one byte a second is cut
when it passes. Errors are ``InputError``s naming the URL.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from detente.errors import InputError
from detente.settings import FETCH_TIMEOUT, MAX_BYTES
from detente.version import __version__

USER_AGENT = f"detente/{__version__} (political event coder)"
MAX_REDIRECTS = 5
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Fetched:
    url: str  # the URL asked for
    final_url: str  # after redirects
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Target:
    """Where one URL is fetched from: its host as named, and the one address connected to."""

    scheme: str
    host: str
    port: int
    address: str
    path: str  # path and query, as sent
    family: int = socket.AF_INET
    sockaddr: tuple = ()  # ``address`` as ``socket.connect`` takes it


def check_address(url: str, allow_private: bool = False) -> Target:
    """Refuse non-http(s) URLs and, unless allowed, hosts resolving to non-public addresses;
    the checked address to connect to.

    The host is resolved once here and every address it resolves to is checked, not only the
    first one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError(url, f"only http and https URLs can be fetched, not {parts.scheme!r}")
    host = parts.hostname
    if not host:
        raise InputError(url, "the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as exc:
        raise InputError(url, f"cannot resolve host {host!r} ({exc})") from exc
    if not infos:
        raise InputError(url, f"cannot resolve host {host!r}")
    for info in infos if not allow_private else ():
        address = str(info[4][0]).split("%")[0]
        kind = _non_public(ipaddress.ip_address(address))
        if kind:
            raise InputError(
                url,
                f"refused: {host} resolves to {address} ({kind} address); "
                "pass allow_private=True (--allow-private) to fetch it",
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    family, _, _, _, sockaddr = infos[0]
    return Target(parts.scheme, host, port, str(sockaddr[0]), path, family, tuple(sockaddr))


def _non_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-global"
    return None


class _Deadline:
    """Seconds left until one moment; past it, the connection is shut from a timer thread, so
    even a read blocked inside the HTTP parser returns."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise TimeoutError("deadline passed")
        return left

    def watch(self, sock: socket.socket | None) -> None:
        self._sock = sock

    def _expire(self) -> None:
        self.expired = True
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _connection(
    target: Target, deadline: _Deadline
) -> tuple[http.client.HTTPConnection, socket.socket]:
    """An HTTP(S) connection to ``target.address``, Host and TLS server name ``target.host``,
    and its socket (which outlives ``conn.sock`` when the server closes after the response)."""
    sock = _open_socket(target, deadline.left())
    deadline.watch(sock)
    if target.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
        deadline.watch(sock)
    kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = kind(target.host, target.port, timeout=deadline.left())
    conn.sock = sock  # connected: http.client then never resolves the host itself
    return conn, sock


def _open_socket(target: Target, timeout: float) -> socket.socket:
    """A TCP socket connected to the checked address itself (no second name resolution)."""
    sock = socket.socket(target.family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(target.sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """GET ``url`` (following up to 5 redirects, each checked) within ``timeout`` seconds in
    all, and return its body."""
    deadline = _Deadline(timeout)
    try:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            target = check_address(current, allow_private)
            conn, sock = _connection(target, deadline)
            try:
                conn.request(
                    "GET",
                    target.path,
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
                )
                sock.settimeout(deadline.left())
                response = conn.getresponse()
                if response.status in (301, 302, 303, 307, 308):
                    location = response.getheader("location")
                    if not location:
                        raise InputError(url, f"redirect {response.status} with no Location")
                    current = urljoin(current, location)
                    continue
                if response.status >= 400:
                    raise InputError(url, f"HTTP {response.status} {response.reason}")
                body = _body(response, sock, url, deadline, max_bytes)
                ctype = (response.getheader("content-type") or "").lower()
                return Fetched(url, current, ctype, body)
            finally:
                conn.close()
                sock.close()
        raise InputError(url, f"more than {MAX_REDIRECTS} redirects")
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if deadline.expired or isinstance(exc, TimeoutError):
            raise InputError(url, f"timed out after {timeout:g} s") from exc
        raise InputError(url, f"fetch failed: {type(exc).__name__}: {exc}") from exc
    finally:
        deadline.cancel()


def _body(
    response: http.client.HTTPResponse,
    sock: socket.socket,
    url: str,
    deadline: _Deadline,
    max_bytes: int,
) -> bytes:
    declared = int(response.getheader("content-length") or 0)
    if declared > max_bytes:
        raise InputError(url, f"{declared:,} bytes, over the limit of {max_bytes:,}")
    body = bytearray()
    while True:
        sock.settimeout(deadline.left())
        chunk = response.read1(_CHUNK)  # what one read gives: never waits for a full chunk
        if not chunk:
            deadline.left()  # a connection shut at the deadline is a timeout, not the end
            return bytes(body)
        body += chunk
        if len(body) > max_bytes:
            raise InputError(url, f"more than {max_bytes:,} bytes: over the limit")

"""Fetch a URL for ingest, safely: timeouts, a size limit, a clear User-Agent, and no requests
to private, loopback, link-local or otherwise non-public addresses unless the caller allows
them (feeds must not become a way to reach the user's own network).

Every redirect hop is checked the same way. Errors are ``InputError``s naming the URL.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from detente.errors import InputError
from detente.settings import FETCH_TIMEOUT, MAX_BYTES
from detente.version import __version__

USER_AGENT = f"detente/{__version__} (political event coder; httpx)"
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Fetched:
    url: str  # the URL asked for
    final_url: str  # after redirects
    content_type: str
    content: bytes


def check_address(url: str, allow_private: bool = False) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts resolving to non-public addresses.

    Every address the host resolves to is checked, not only the first one.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError(url, f"only http and https URLs can be fetched, not {parts.scheme!r}")
    host = parts.hostname
    if not host:
        raise InputError(url, "the URL has no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(url, f"cannot resolve host {host!r} ({exc})") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        kind = _non_public(address)
        if kind:
            raise InputError(
                url,
                f"refused: {host} resolves to {address} ({kind} address); "
                "pass allow_private=True (--allow-private) to fetch it",
            )


def _non_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-global"
    return None


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    client: httpx.Client | None = None,
) -> Fetched:
    """GET ``url`` (following up to 5 redirects, each checked) and return its body."""
    own = client is None
    client = client or httpx.Client(
        timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT}, follow_redirects=False
    )
    try:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_address(current, allow_private)
            with client.stream("GET", current, timeout=timeout) as response:
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise InputError(url, f"redirect {response.status_code} with no Location")
                    current = urljoin(current, location)
                    continue
                if response.status_code >= 400:
                    raise InputError(url, f"HTTP {response.status_code} {response.reason_phrase}")
                declared = int(response.headers.get("content-length") or 0)
                if declared > max_bytes:
                    raise InputError(url, f"{declared:,} bytes, over the limit of {max_bytes:,}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise InputError(url, f"more than {max_bytes:,} bytes: over the limit")
                return Fetched(
                    url, current, response.headers.get("content-type", "").lower(), bytes(body)
                )
        raise InputError(url, f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException as exc:
        raise InputError(url, f"timed out after {timeout:g} s ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise InputError(url, f"fetch failed: {type(exc).__name__}: {exc}") from exc
    finally:
        if own:
            client.close()

"""Outbound HTTP GET to a few public services (Crossref, PubMed), guarded against misuse.

A member's input decides what the server fetches, so every request is vetted: https only, the
host must be on an allow-list, every address the host resolves to must be public (no loopback,
private, link-local, multicast, reserved or unspecified address, so no cloud metadata or
intranet), and the connection goes to the address that was vetted (no DNS rebinding between
the check and the connect; the Host header and TLS server name stay the host's). Redirects are
followed only to allow-listed hosts, each hop vetted again. The whole exchange has one time
budget and the body a size cap. Every failure raises a subclass of :class:`FetchError`.

Settings (read with defaults, so none is required):
``STEPDOWN_ARTICLE_LOOKUP_HOSTS`` hosts that may be fetched over https;
``STEPDOWN_ARTICLE_LOOKUP_HTTP_HOSTS`` hosts that may also be fetched over plain http (none);
``STEPDOWN_ARTICLE_LOOKUP_TIMEOUT`` seconds for the whole exchange (3);
``STEPDOWN_ARTICLE_LOOKUP_MAX_BYTES`` body cap in bytes (512 KB).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from django.conf import settings

DEFAULT_HOSTS = ("api.crossref.org", "eutils.ncbi.nlm.nih.gov")
DEFAULT_TIMEOUT = 3.0
DEFAULT_MAX_BYTES = 512 * 1024
MAX_REDIRECTS = 3
CHUNK = 16 * 1024
USER_AGENT = "Stepdown-article-lookup/1.0 (community forum)"


class FetchError(Exception):
    """Any reason the fetch gave no usable body."""


class FetchRefused(FetchError):
    """The address was not allowed: scheme, host, port, or a non-public IP address."""


class FetchUnreachable(FetchError):
    """The host could not be resolved or connected to, or the connection broke."""


class FetchTimeout(FetchError):
    """The exchange took longer than its time budget."""


class FetchTooLarge(FetchError):
    """The body was larger than the cap."""


class FetchHTTPError(FetchError):
    """The server answered with a status other than 200."""

    def __init__(self, status: int, message: str = ""):
        super().__init__(message or f"HTTP status {status}")
        self.status = status


class FetchNotFound(FetchHTTPError):
    """The server answered 404 or 410."""


def _setting(name: str, default):
    return getattr(settings, name, default)


def is_public_address(address: str) -> bool:
    """Whether an IP address is one the open internet routes to (not ours, not special)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve_public(host: str, port: int, *, allow_private: bool = False) -> str:
    """Resolve ``host`` and return an address to connect to; refuse if any address is not public.

    Every address is checked, not only the first, so a name that mixes a public and a private
    address is refused. ``allow_private`` exists for tests against a local server only.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchUnreachable(f"cannot resolve {host!r}: {error}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchUnreachable(f"no address for {host!r}")
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise FetchRefused(f"{host!r} resolves to a non-public address {address}")
    return addresses[0]


class _PinnedConnectionMixin:
    """Connect to an address vetted beforehand while Host and SNI keep the host name."""

    def pin(self, address: str) -> None:
        def create_connection(_address, timeout=None, source_address=None):
            return socket.create_connection((address, self.port), timeout, source_address)

        self._create_connection = create_connection


class _PinnedHTTPConnection(_PinnedConnectionMixin, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, http.client.HTTPSConnection):
    pass


def _vet_url(url: str, hosts: set[str], http_hosts: set[str]):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("https", "http"):
        raise FetchRefused(f"scheme {scheme!r} is not allowed")
    if parts.username or parts.password:
        raise FetchRefused("credentials in the address are not allowed")
    if scheme == "https" and host not in hosts:
        raise FetchRefused(f"host {host!r} is not on the allow-list")
    if scheme == "http" and host not in http_hosts:
        raise FetchRefused(f"plain http to {host!r} is not allowed")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("bad port") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port, path


def fetch(
    url: str,
    *,
    accept: str = "application/json",
    timeout: float | None = None,
    max_bytes: int | None = None,
    allowed_hosts: Iterable[str] | None = None,
    allow_private: bool = False,
) -> bytes:
    """GET ``url`` from an allow-listed public host and return the body (at most ``max_bytes``).

    Raises a :class:`FetchError` subclass for every failure. ``allow_private`` is for tests
    that talk to a server on 127.0.0.1; production code never passes it.
    """
    timeout = float(timeout or _setting("STEPDOWN_ARTICLE_LOOKUP_TIMEOUT", DEFAULT_TIMEOUT))
    max_bytes = int(max_bytes or _setting("STEPDOWN_ARTICLE_LOOKUP_MAX_BYTES", DEFAULT_MAX_BYTES))
    hosts = {
        h.lower()
        for h in (allowed_hosts or _setting("STEPDOWN_ARTICLE_LOOKUP_HOSTS", DEFAULT_HOSTS))
    }
    http_hosts = {h.lower() for h in _setting("STEPDOWN_ARTICLE_LOOKUP_HTTP_HOSTS", ())}
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        location = _fetch_once(url, accept, deadline, max_bytes, hosts, http_hosts, allow_private)
        if isinstance(location, bytes):
            return location
        url = urljoin(url, location)
    raise FetchHTTPError(310, "too many redirects")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchTimeout("time budget used up")
    return left


def _fetch_once(url, accept, deadline, max_bytes, hosts, http_hosts, allow_private):
    """One request: the body as bytes, or the Location of a redirect as str."""
    scheme, host, port, path = _vet_url(url, hosts, http_hosts)
    address = resolve_public(host, port, allow_private=allow_private)
    if scheme == "https":
        context = ssl.create_default_context()
        connection = _PinnedHTTPSConnection(
            host, port, timeout=_remaining(deadline), context=context
        )
    else:
        connection = _PinnedHTTPConnection(host, port, timeout=_remaining(deadline))
    connection.pin(address)
    try:
        connection.request(
            "GET",
            path,
            headers={"Accept": accept, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )
        sock = connection.sock  # kept: getresponse() drops it from the connection on "close"
        sock.settimeout(_remaining(deadline))
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location")
            if not location:
                raise FetchHTTPError(response.status, "redirect without a Location")
            return location
        if response.status in (404, 410):
            raise FetchNotFound(response.status)
        if response.status != 200:
            raise FetchHTTPError(response.status)
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchTooLarge(f"body of {length} bytes is over the cap of {max_bytes}")
        body = bytearray()
        while True:
            sock.settimeout(_remaining(deadline))
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            body += chunk
            if len(body) > max_bytes:
                raise FetchTooLarge(f"body is over the cap of {max_bytes} bytes")
        return bytes(body)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchTimeout("the server took too long") from None
    except ssl.SSLError as error:
        raise FetchUnreachable(f"TLS failed: {error}") from None
    except (OSError, http.client.HTTPException) as error:
        raise FetchUnreachable(f"connection failed: {error}") from None
    finally:
        connection.close()

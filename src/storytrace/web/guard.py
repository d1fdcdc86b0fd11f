"""The web app's door: which requests reach it at all, and what every response carries.

A pure ASGI middleware (no algorithm, no store) that, for every HTTP request:

- answers 400 unless the ``Host`` header names the server itself. A page on any site can
  resolve its own domain to 127.0.0.1 (DNS rebinding) and then read the app as its own origin;
  checking the name it was asked by closes that, and redirects built from the Host header can
  only point back here;
- answers 403 to a state-changing request (anything but GET, HEAD, OPTIONS) whose ``Origin``
  (else ``Referer``; else ``Sec-Fetch-Site``) shows another site sent it: a page elsewhere
  cannot post documents into the user's store (cross-site request forgery). Clients that send
  none of these headers (curl, scripts) are not browsers acting for another site;
- refuses a request body larger than its route allows while it streams in: at once from
  ``Content-Length``, else as soon as the bytes received pass the limit (413), so an upload of
  a gigabyte is never spooled to disk first;
- adds a Content-Security-Policy (scripts only with the response's nonce, no framing, forms
  and fetches only to this origin), ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY`` and ``Referrer-Policy: same-origin`` to every response.

The nonce for inline scripts is put in ``scope["state"]["csp_nonce"]`` for the page templates.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(value: str) -> str:
    """The lower-case host of a ``Host`` header value (port and IPv6 brackets removed)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class AllowedHosts:
    """The names the server answers to, from the address it binds and any extra names.

    Bound to a loopback address: the loopback names (localhost, 127.0.0.1, ::1). Bound to one
    address: that address (and the loopback names when it is one). Bound to every address
    (0.0.0.0, ::): any IP address (an address in the Host header cannot be a rebound domain
    name), localhost and this machine's host name. ``extra``: further names (a reverse
    proxy's, say)."""

    def __init__(self, bind: str = "127.0.0.1", extra: Iterable[str] = ()) -> None:
        bind = host_name(bind) if bind not in WILDCARD_ADDRESSES else bind
        self.any_ip = bind in WILDCARD_ADDRESSES
        names = {host_name(x) for x in extra if x.strip()}
        if self.any_ip:
            names |= {"localhost", socket.gethostname().lower()}
        else:
            names.add(bind)
            if _is_loopback(bind):
                names |= LOOPBACK_NAMES
        self.names = frozenset(names)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        name = host_name(value)
        return name in self.names or (self.any_ip and _is_ip(name))


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def csp(nonce: str) -> str:
    """The Content-Security-Policy of every response (``nonce``: this response's scripts)."""
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        "style-src 'unsafe-inline'; "
        "img-src 'self' data:; "
        "connect-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'"
    )


class _BodyTooLarge(Exception):
    pass


class Guard:
    """The middleware; ``body_limits`` maps a path to its largest request body in bytes
    (``default_limit`` for every other path)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed: AllowedHosts,
        body_limits: Mapping[str, int],
        default_limit: int,
    ) -> None:
        self.app = app
        self.allowed = allowed
        self.body_limits = dict(body_limits)
        self.default_limit = default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp(nonce).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        headers = _headers(scope)
        host = headers.get("host", "")
        if host not in self.allowed:
            await _plain(
                send_with_headers,
                400,
                f"This server does not answer to the host name {host_name(host)[:100]!r}.",
            )
            return
        if scope["method"] not in SAFE_METHODS and not _same_origin(headers, host):
            await _plain(
                send_with_headers,
                403,
                "Refused: this request was sent from another site (cross-origin POST).",
            )
            return
        limit = self.body_limits.get(scope["path"], self.default_limit)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _plain(send_with_headers, 413, _too_large(limit))
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if started:
                raise
            await _plain(send_with_headers, 413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"Refused: the request body is larger than {limit:,} bytes."


def _same_origin(headers: Mapping[str, str], host: str) -> bool:
    """Whether a state-changing request comes from this app's own pages (or from no browser
    page at all). ``Origin`` decides when present ("null" is another origin: a sandboxed frame
    or a file), else ``Referer``, else ``Sec-Fetch-Site``."""
    origin = headers.get("origin")
    if origin is None and headers.get("referer"):
        origin = headers["referer"]
    if origin is not None:
        parts = urlsplit(origin.strip())
        return parts.scheme in ("http", "https") and parts.netloc.lower() == host.strip().lower()
    return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

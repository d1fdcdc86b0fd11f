"""The web app's door (storytrace.web.guard), against a real server on 127.0.0.1.

Raw HTTP through sockets: the tests send what a browser on another site, a DNS-rebinding page
or a runaway client would send (any Host, any Origin, a body that never ends)."""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import DEMO

from storytrace.web.guard import AllowedHosts, host_name

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    import uvicorn

    from storytrace.pipeline import analyze
    from storytrace.web.app import create_app

    out = tmp_path_factory.mktemp("guard")
    analyze([DEMO / "web"], out)
    port = _free_port()
    config = uvicorn.Config(create_app(out), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield port, out
    srv.should_exit = True
    thread.join(timeout=10)


def _request(
    port: int,
    method: str,
    path: str,
    *,
    host: str | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", f"127.0.0.1:{port}" if host is None else host)
    for k, v in (headers or {}).items():
        conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    text = response.read().decode("utf-8", errors="replace")
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def _form(fields: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    """A multipart/form-data body: field -> (file name, content)."""
    boundary = "----storytrace-test-boundary"
    parts = []
    for field, (name, data) in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + (
        f"--{boundary}--\r\n".encode()
    )


NOTE = b"The Orsk ferry timetable changes on Monday: the first boat leaves at seven."


def test_only_the_bound_host_names_are_served(server: tuple[int, Path]) -> None:
    port, _ = server
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "127.0.0.1"):
        assert _request(port, "GET", "/", host=host)[0] == 200, host
    for host in (f"evil.example:{port}", "attacker.test", f"127.0.0.1.evil.example:{port}", ""):
        status, headers, text = _request(port, "GET", "/", host=host)
        assert status == 400 and "does not answer to the host name" in text, host
        assert headers["x-frame-options"] == "DENY"
    # No redirect is ever built from the Host header (DNS rebinding must not be followed).
    status, headers, _ = _request(port, "GET", "/story/x/", host=f"evil.example:{port}")
    assert status == 400 and "location" not in headers
    status, headers, _ = _request(port, "GET", "/story/x/")
    assert status == 404 and "location" not in headers


def test_allowed_hosts_for_each_kind_of_bind_address() -> None:
    loopback = AllowedHosts("127.0.0.1")
    assert "localhost:8000" in loopback and "[::1]:8000" in loopback
    assert "192.168.1.5" not in loopback and "rebind.example" not in loopback
    lan = AllowedHosts("192.168.1.5", extra=["news.example"])
    assert "192.168.1.5:80" in lan and "news.example" in lan and "localhost" not in lan
    everywhere = AllowedHosts("0.0.0.0")
    assert "10.0.0.7:8000" in everywhere and "[fe80::1]:8000" in everywhere
    assert "localhost" in everywhere and "rebind.example" not in everywhere
    assert host_name("[::1]:8000") == "::1" and host_name("Example.ORG:1") == "example.org"


def test_a_cross_origin_post_is_refused_and_changes_nothing(server: tuple[int, Path]) -> None:
    port, out = server
    before = sorted((out / "uploads").rglob("*")) if (out / "uploads").exists() else []
    kind, body = _form({"files": ("note.txt", NOTE)})
    for extra in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": f"http://localhost:{port}"},  # another origin, even on this machine
        {"Referer": "https://evil.example/page.html"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        status, headers, text = _request(
            port, "POST", "/upload", headers={"Content-Type": kind, **extra}, body=body
        )
        assert status == 403 and "another site" in text, extra
        assert all(h in headers for h in HEADERS)
    after = sorted((out / "uploads").rglob("*")) if (out / "uploads").exists() else []
    assert after == before
    status, headers, _ = _request(
        port,
        "POST",
        "/query",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}",
        },
        body=b"text=ferry+timetable",
    )
    assert status == 200  # the app's own pages may post


def test_every_response_carries_the_security_headers(server: tuple[int, Path]) -> None:
    port, _ = server
    for path in ("/", "/doc?id=nope", "/jobs/nope", "/query", "/upload", "/no-such-page"):
        status, headers, text = _request(port, "GET", path)
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
        assert "script-src 'nonce-" in policy and "'unsafe-inline'" not in policy.split(";")[1]
        if status == 200 and "<script" in text:  # inline scripts carry this response's nonce
            nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
            assert text.count("<script") == text.count(f'<script nonce="{nonce}"')


def test_a_huge_declared_body_is_refused_before_it_is_sent(server: tuple[int, Path]) -> None:
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {1 << 30}\r\n\r\n".encode()
        )
        start = time.monotonic()
        received = b""
        while b"larger than" not in received:
            more = sock.recv(65536)
            if not more:
                break
            received += more
    reply = received.decode(errors="replace")
    assert reply.startswith("HTTP/1.1 413") and "larger than" in reply
    assert time.monotonic() - start < 5


def test_a_streamed_body_is_cut_off_at_the_limit(server: tuple[int, Path]) -> None:
    """No Content-Length (chunked): the server stops reading at its limit, it does not take
    (and spool) the whole gigabyte first."""
    from storytrace.web.app import MAX_BODY

    port, _ = server
    chunk = b"a" * (1 << 20)
    sent = 0
    reply = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST /query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        sock.sendall(b"%x\r\n" % len(head) + head + b"\r\n")
        sock.settimeout(2)
        try:
            while sent < (1 << 30) and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading
        sock.settimeout(5)
        try:
            while b"\r\n\r\n" not in reply:
                more = sock.recv(65536)
                if not more:
                    break
                reply += more
        except (TimeoutError, ConnectionResetError):
            pass
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert sent < MAX_BODY + 64 * len(chunk)  # refused near the limit, not after the gigabyte

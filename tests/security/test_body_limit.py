"""Unauthenticated memory exhaustion (issue 16, finding 5).

Three 700 MB bodies to ``/api/ask`` without a session each got 401, but only after
the server had read them whole (4.3 GB at the peak): the body was read before the
sign-in check and no route but the webhook had a limit. Now every route refuses a
body over ``BOT_MAX_REQUEST_BYTES`` while reading it, before authentication.
"""

from __future__ import annotations

import select
import socket

from tests.app.harness import AppServer

CHUNK = 64 * 1024
ENOUGH = 64 * 1024 * 1024  # what the attack streams at most here (700 MB in the report)


def request_head(app: AppServer, path: str, extra: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{app.port}\r\n"
            f"Content-Type: application/json\r\n{extra}\r\n").encode()


def status_of(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def stream_until_answered(app: AppServer, path: str) -> tuple[int | None, int]:
    """Stream a chunked body with no length until the server answers; (status, bytes sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", app.port), timeout=30) as sock:
        sock.sendall(request_head(app, path, "Transfer-Encoding: chunked\r\n"))
        chunk = f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n"
        while sent < ENOUGH:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += CHUNK
        else:
            sock.sendall(b"0\r\n\r\n")
        try:
            reply = sock.recv(4096)
        except ConnectionResetError:
            return None, sent
        return (status_of(reply) if reply else None), sent


def test_a_huge_declared_body_is_refused_before_it_is_read(app: AppServer) -> None:
    for path in ("/api/ask", "/login", "/api/chat", "/inbox/1/reply", "/nowhere"):
        with socket.create_connection(("127.0.0.1", app.port), timeout=10) as sock:
            sock.sendall(request_head(app, path, "Content-Length: 700000000\r\n"))
            sock.sendall(b"x" * CHUNK)  # and then nothing more: the answer must not wait
            reply = sock.recv(4096)
        assert status_of(reply) == 413, (path, reply[:200])


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(app: AppServer) -> None:
    limit = app.settings.max_request_bytes
    status, sent = stream_until_answered(app, "/api/ask")
    assert status in (413, None), status  # None: the connection was closed on us
    assert sent < limit + 16 * 1024 * 1024, sent  # it stopped reading soon after the limit


def test_ordinary_requests_are_not_affected(app: AppServer) -> None:
    r = app.client.post("/api/ask", json={"question": "x" * 2000})
    assert r.status_code == 401  # the sign-in check, as before

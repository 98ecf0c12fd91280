"""A small local HTTP server that behaves like Twilio's Messages API.

The real ``twilio`` client sends to it (``BOT_TWILIO_API_BASE_URL``). It keeps
the messages it "has", creates them with ``POST .../Messages.json`` (or fails
on demand with an HTTP status and a Twilio error code), lists them with
``GET .../Messages.json?To=&From=``, and deletes them with ``DELETE
.../Messages/{sid}.json``. Basic auth is checked like Twilio does.

It also keeps the media users "sent" (``add_media``): ``GET .../Messages/{MM}/Media/{ME}``
with basic auth answers with the bytes, or, like Twilio, with a redirect to a media
store: a second local server (``MediaStore``), which serves them without auth and
records every request it gets (so a test can also prove a server was never asked).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages\.json$")
_MESSAGE = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages/(\w+)\.json$")
_MEDIA = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages/(\w+)/Media/(\w+)$")


class MediaStore:
    """A local server that serves files at paths and records every request it gets."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) of each GET
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def serve(self, path: str, body: bytes, content_type: str = "image/jpeg",
              status: int = 200, headers: dict[str, str] | None = None) -> str:
        """Serve ``body`` at ``path``; its URL."""
        with self.lock:
            self.files[path] = (status, {"Content-Type": content_type, **(headers or {})}, body)
        return self.base_url + path

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def host(self) -> str:
        """host:port, as an allow-list names it."""
        return self.base_url.removeprefix("http://")

    def start(self) -> MediaStore:
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                store._get(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.requests.append((h.path, dict(h.headers)))
            found = self.files.get(urlparse(h.path).path)
        if found is None:
            h.send_response(404)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        status, headers, body = found
        send_body(h, status, headers, body)


def send_body(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str],
              body: bytes) -> None:
    """A response; without a Content-Length when ``headers`` say chunked."""
    h.send_response(status)
    for name, value in headers.items():
        h.send_header(name, value)
    chunked = headers.get("Transfer-Encoding") == "chunked"
    if not chunked and "Content-Length" not in headers:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if chunked:
        for start in range(0, len(body), 64 * 1024):
            piece = body[start:start + 64 * 1024]
            h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")
    else:
        h.wfile.write(body)


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: dict[str, dict[str, Any]] = {}  # every message Twilio "keeps"
        self.sent: list[dict[str, Any]] = []  # messages created through the API
        self.attempts = 0
        self.deleted: list[str] = []
        self.paths: list[str] = []  # every request, "METHOD /path"
        self.failures: deque[tuple[int, int | None]] = deque()
        # Media by path: the bytes and their type, or the media store it redirects to.
        self.media: dict[str, tuple[bytes, str, MediaStore | None]] = {}
        self.lock = threading.Lock()
        self.sent_event = threading.Condition(self.lock)
        self._server: ThreadingHTTPServer | None = None

    # Control from tests.

    def fail_next(self, n: int, status: int = 500, code: int | None = None) -> None:
        with self.lock:
            self.failures.extend([(status, code)] * n)

    def add_inbound(self, sid: str, from_: str, to: str, body: str) -> None:
        with self.lock:
            self.messages[sid] = self._resource(sid, to, from_, body, "inbound", "received")

    def add_media(self, data: bytes, content_type: str = "image/jpeg",
                  store: MediaStore | None = None) -> str:
        """Media a user sent: the ``MediaUrl`` Twilio would post (under this API's base).
        With ``store``, fetching it redirects there, as Twilio redirects to its CDN."""
        path = (f"/2010-04-01/Accounts/{self.account_sid}/Messages/MM{uuid.uuid4().hex}"
                f"/Media/ME{uuid.uuid4().hex}")
        with self.lock:
            self.media[path] = (data, content_type, store)
        return self.base_url + path

    def wait_sent(self, n: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        with self.sent_event:
            self.sent_event.wait_for(lambda: len(self.sent) >= n, timeout)
            return list(self.sent)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet: tests read what they need
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self, "POST")

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self, "GET")

            def do_DELETE(self) -> None:  # noqa: N802
                fake._handle(self, "DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # The API.

    def _resource(self, sid: str, to: str, from_: str, body: str, direction: str,
                  status: str) -> dict[str, Any]:
        return {
            "sid": sid, "account_sid": self.account_sid, "to": to, "from": from_,
            "body": body, "status": status, "direction": direction, "num_segments": "1",
            "num_media": "0", "date_created": "Thu, 30 Jul 2026 20:12:31 +0000",
            "date_updated": "Thu, 30 Jul 2026 20:12:31 +0000", "date_sent": None,
            "price": None, "error_code": None, "error_message": None, "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {}, "messaging_service_sid": None, "price_unit": "USD",
        }

    def _reply(self, h: BaseHTTPRequestHandler, status: int, payload: Any | None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _error(self, h: BaseHTTPRequestHandler, status: int, code: int | None, msg: str) -> None:
        self._reply(h, status, {"code": code, "message": msg, "status": status,
                                "more_info": f"https://www.twilio.com/docs/errors/{code}"})

    def _authorized(self, h: BaseHTTPRequestHandler) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return h.headers.get("Authorization", "") == f"Basic {expected}"

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        with self.lock:
            self.paths.append(f"{method} {url.path}")
        length = int(h.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(h.rfile.read(length).decode()).items()}
        if not self._authorized(h):
            return self._error(h, 401, 20003, "Authenticate")
        many, one = _MESSAGES.match(url.path), _MESSAGE.match(url.path)
        if method == "GET" and _MEDIA.match(url.path):
            return self._media(h, url.path)
        if method == "POST" and many:
            return self._create(h, form)
        if method == "GET" and many:
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            return self._list(h, query)
        if method == "DELETE" and one:
            with self.lock:
                found = self.messages.pop(one.group(2), None)
                if found is not None:
                    self.deleted.append(one.group(2))
            if found is None:
                return self._error(h, 404, 20404, "The requested resource was not found")
            return self._reply(h, 204, None)
        return self._error(h, 404, 20404, "The requested resource was not found")

    def _media(self, h: BaseHTTPRequestHandler, path: str) -> None:
        with self.lock:
            found = self.media.get(path)
        if found is None:
            return self._error(h, 404, 20404, "The requested resource was not found")
        data, content_type, store = found
        if store is None:
            return send_body(h, 200, {"Content-Type": content_type}, data)
        cdn = f"/cdn/{path.rsplit('/', 1)[-1]}"
        location = store.serve(cdn, data, content_type)
        send_body(h, 307, {"Location": location}, b"")

    def _create(self, h: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        with self.lock:
            self.attempts += 1
            failure = self.failures.popleft() if self.failures else None
        if failure is not None:
            status, code = failure
            return self._error(h, status, code, "failure on demand")
        if len(form.get("Body", "")) > 1600:
            return self._error(h, 400, 21617, "The concatenated message body exceeds 1600")
        sid = "SM" + uuid.uuid4().hex
        resource = self._resource(sid, form.get("To", ""), form.get("From", ""),
                                  form.get("Body", ""), "outbound-api", "queued")
        with self.sent_event:
            self.messages[sid] = resource
            self.sent.append(resource)
            self.sent_event.notify_all()
        self._reply(h, 201, resource)

    def _list(self, h: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        with self.lock:
            found = [
                m for m in self.messages.values()
                if ("To" not in query or m["to"] == query["To"])
                and ("From" not in query or m["from"] == query["From"])
            ]
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        self._reply(h, 200, {
            "messages": found, "end": max(len(found) - 1, 0), "first_page_uri": base,
            "next_page_uri": None, "page": 0, "page_size": 50, "previous_page_uri": None,
            "start": 0, "uri": base,
        })

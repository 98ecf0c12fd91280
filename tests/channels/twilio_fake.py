"""A small local HTTP server that behaves like Twilio's Messages API.

The real ``twilio`` client sends to it (``BOT_TWILIO_API_BASE_URL``). It keeps
the messages it "has", creates them with ``POST .../Messages.json`` (or fails
on demand with an HTTP status and a Twilio error code), lists them with
``GET .../Messages.json?To=&From=``, and deletes them with ``DELETE
.../Messages/{sid}.json``. Basic auth is checked like Twilio does.
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

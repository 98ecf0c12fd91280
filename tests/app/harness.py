"""Run the real app on a loopback port with the session's runtime, and sign webhooks.

The runtime is handed to ``create_app`` (the model loads once per session); the
app's own lifespan builds everything else. Requests are signed with Twilio's
own ``RequestValidator`` against the public base URL, as Twilio does; the app is
served by uvicorn in a thread; replies that leave through the REST API go to
the local fake (``tests/channels/twilio_fake.py``).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from twilio.request_validator import RequestValidator

from bot.advisor.loader import RuntimeLoader
from bot.advisor.runtime import Runtime
from bot.app import create_app
from bot.app.context import AppContext, context_of
from bot.channels.twilio.delivery import Delivery
from bot.config import Settings
from bot.store import Database
from bot.store.accounts import Accounts
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://bot.example.org"
OUR_NUMBER = "+15005550006"
PROFILE = "Amina Kowalczyk-Testname"


def privacy_note(lang: str = "en", channel: str = "whatsapp") -> str:
    """What the first reply to a new sender adds: how to delete the chat, and DELETE
    (by SMS without the WhatsApp steps: prompts/dialogue)."""
    if channel == "sms":
        from bot.channels.conversation.words import load_dialogue

        return load_dialogue(ROOT / "prompts").text("privacy_note_sms", lang)
    from bot.channels.commands import load_commands

    return load_commands(ROOT / "prompts").reply("privacy_note", lang)


def without_note(bodies: list[str], lang: str = "en") -> list[str]:
    """The replies without the first-contact privacy note (a part of its own or appended)."""
    out = bodies
    for note in (privacy_note(lang), privacy_note(lang, "sms")):
        out = [b.removesuffix("\n\n" + note) for b in out if b != note]
    return out



def twilio_settings(tmp: Path, api_base: str | None, account_sid: str, token: str,
                    **extra: Any) -> Settings:
    values: dict[str, Any] = dict(
        knowledge_dir=ROOT / "knowledge", data_dir=tmp / "data", embedder="e5",
        database_url=f"sqlite:///{tmp / 'bot.sqlite3'}", public_base_url=PUBLIC,
        twilio_account_sid=account_sid, twilio_auth_token=token,
        twilio_api_base_url=api_base, sender_hash_key="test-sender-key-" + "x" * 32,
        outbox_backoff=0.05, outbox_poll_interval=0.05,
        fragment_window=0.3,  # each message waits this long for more of it (issue 13)
    )
    values.update(extra)
    return Settings(_env_file=None, **values)


def message(body: str, sender: str, channel: str = "whatsapp", sid: str | None = None,
            media: int = 0, account_sid: str = "AC" + "1" * 32) -> dict[str, str]:
    """The form Twilio posts for an inbound message."""
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    params = {
        "MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": account_sid,
        "From": prefix + sender, "To": prefix + OUR_NUMBER, "Body": body,
        "NumMedia": str(media), "NumSegments": "1", "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    if channel == "whatsapp":
        params.update(ProfileName=PROFILE, WaId=sender.lstrip("+"))
    for i in range(media):
        params[f"MediaUrl{i}"] = f"https://api.twilio.com/media/ME{i}"
        params[f"MediaContentType{i}"] = "image/jpeg"
    return params


def sign(token: str, url: str, params: dict[str, str]) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def twiml_bodies(xml: str) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


class NeverLoaded(RuntimeLoader):
    """A service whose assistant is still loading (it never finishes here)."""

    def start(self) -> None:
        pass


class AppServer:
    def __init__(self, settings: Settings, runtime: Runtime | RuntimeLoader | None) -> None:
        self.settings = settings
        self.app = create_app(settings, runtime or NeverLoaded(settings))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.base, timeout=30)

    @property
    def context(self) -> AppContext:
        """What the lifespan built: the database, the accounts, the Twilio channel..."""
        return context_of(self.app)

    @property
    def db(self) -> Database:
        assert self.context.database is not None, "the app's database did not open"
        return self.context.database

    @property
    def accounts(self) -> Accounts:
        assert self.context.accounts is not None, "the app's database did not open"
        return self.context.accounts

    @property
    def runtime(self) -> Runtime:
        runtime = self.context.runtime.loaded()
        assert runtime is not None, "this app has no runtime"
        return runtime

    @property
    def delivery(self) -> Delivery:
        assert self.context.twilio.delivery is not None, "the app's database did not open"
        return self.context.twilio.delivery

    def post(self, channel: str, params: dict[str, str], signature: str | None = "auto",
             query: str = "") -> httpx.Response:
        path = f"/twilio/{channel}" + (f"?{query}" if query else "")
        headers = {}
        if signature == "auto":
            signature = sign(self.settings.twilio_auth_token or "", PUBLIC + path, params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.client.post(path, data=params, headers=headers)

    def ask(self, body: str, sender: str, channel: str = "whatsapp", **kw: Any) -> list[str]:
        r = self.post(channel, message(body, sender, channel, **kw))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/xml")
        return twiml_bodies(r.text)


@contextmanager
def serve(settings: Settings, runtime: Runtime | RuntimeLoader | None) -> Iterator[AppServer]:
    """The app on a loopback port; ``runtime`` None: one that is still loading."""
    server = AppServer(settings, runtime)
    config = uvicorn.Config(server.app, host="127.0.0.1", port=server.port, lifespan="on",
                            log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.client.close()
        uv.should_exit = True  # the lifespan closes what it opened, not the runtime handed in
        thread.join(10)


@contextmanager
def serve_on_fake(tmp: Path, fake: FakeTwilio, runtime: Runtime,
                  fragment_window: float) -> Iterator[AppServer]:
    """The app on the fake Twilio's account, answering inline whenever it can (a 30 s
    deadline): what a conversation test reads back from the webhook's response."""
    settings = twilio_settings(tmp, fake.base_url, ACCOUNT_SID, AUTH_TOKEN,
                               fragment_window=fragment_window, twilio_reply_deadline=30.0)
    with serve(settings, runtime) as server:
        yield server

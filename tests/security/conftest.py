"""The attacks of issue 16, replayed against the real app on a loopback port.

Each server here is the app as ``bot serve`` builds it, with its own settings and
database in a temporary folder, a Twilio-like server for the REST API
(``tests/channels/twilio_fake.py``) and an assistant that is still loading: these
attacks need no answer from the model, and a message that would need one waits
in the store, as it does in production while the index loads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app.harness import AppServer, serve, twilio_settings
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

PASSWORD = "a long test password 1"
Serve = Callable[..., AbstractContextManager[AppServer]]


@pytest.fixture
def make_app(tmp_path: Path, fake: FakeTwilio) -> Serve:
    """``with make_app(**settings) as app:`` a server with these settings changed."""

    def start(**extra: Any) -> AbstractContextManager[AppServer]:
        values: dict[str, Any] = {"twilio_api_base_url": fake.base_url}
        values.update(extra)
        api = values.pop("twilio_api_base_url")
        sid = values.pop("twilio_account_sid", ACCOUNT_SID)
        return serve(twilio_settings(tmp_path, api, sid, AUTH_TOKEN, **values), None)

    return start


@pytest.fixture
def app(make_app: Serve) -> Iterator[AppServer]:
    with make_app() as server:
        yield server


_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def login_form_token(client: httpx.Client) -> str:
    """The sign-in form's token (its cookie is kept by the client, as a browser would)."""
    found = _FORM_TOKEN.search(client.get("/login").text)
    assert found, "the sign-in page carries no form token"
    return found.group(1)


def attempt(base: str, name: str, password: str) -> httpx.Response:
    """One sign-in through the real form, from a fresh browser."""
    with httpx.Client(base_url=base, timeout=60) as client:
        token = login_form_token(client)
        return client.post("/login", data={"name": name, "password": password,
                                           "csrf_token": token, "next": "/chat"})

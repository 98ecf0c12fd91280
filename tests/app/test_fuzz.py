"""SECURITY check 17: requests generated from the OpenAPI description never get a 5xx.

Schemathesis reads the app's own spec (served to signed-in users) and Hypothesis
generates bodies for every JSON API the web app has, valid and invalid alike; they
are sent, signed in and with the CSRF token, to the real server. A clear 4xx is fine;
a 5xx is a bug.
"""

from __future__ import annotations

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from bot.app.auth import SESSION_COOKIE
from tests.app.conftest import Web, sign_in

OPERATIONS = [("/api/ask", "POST"), ("/api/chat", "POST"), ("/api/feedback", "POST"),
              ("/api/session", "GET"), ("/healthz", "GET"), ("/readyz", "GET")]


@pytest.fixture(scope="module")
def signed_in_session(web: Web) -> tuple[requests.Session, dict]:
    with httpx.Client(base_url=web.base, timeout=60) as client:
        csrf = sign_in(client, "cas")
        spec = client.get("/openapi.json").json()
        cookie = client.cookies.get(SESSION_COOKIE)
    session = requests.Session()
    session.headers["X-CSRF-Token"] = csrf
    session.cookies.set(SESSION_COOKIE, cookie or "")
    return session, spec


def test_every_json_api_is_in_the_spec(signed_in_session: tuple[requests.Session, dict]):
    _, spec = signed_in_session
    for path, method in OPERATIONS:
        assert method.lower() in spec["paths"][path], path


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_generated_requests_get_no_server_error(
    web: Web, signed_in_session: tuple[requests.Session, dict], path: str, method: str
):
    session, spec = signed_in_session
    operation = schemathesis.openapi.from_dict(spec)[path][method]
    seen: list[int] = []

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        response = case.call(base_url=web.base, session=session, timeout=60)
        seen.append(response.status_code)
        assert response.status_code < 500, (case.body, response.text[:300])

    run()
    assert seen, "nothing was sent"


@pytest.mark.parametrize("path", ["/inbox/99999999999999999999", "/inbox/0", "/inbox/-3"])
def test_out_of_range_conversation_numbers_are_a_clear_4xx(web: Web, path: str):
    with web.client() as client:
        csrf = sign_in(client, "cas")
        assert client.get(path).status_code == 422
        assert client.post(path + "/claim", data={"csrf_token": csrf}).status_code == 422

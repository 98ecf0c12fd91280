"""Signing in and out, sessions, CSRF, roles, lockout and the headers, over real HTTP."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from bot.app.auth import SESSION_COOKIE
from bot.store.accounts import AccountError, Accounts
from bot.store.models import AuditEntry, User, WebSession, utcnow
from tests.app.conftest import PASSWORD, Web, login_form_token, sign_in

PAGES = ["/", "/chat", "/inbox", "/gaps", "/knowledge", "/users", "/docs"]
ADMIN_POSTS = ["/users", "/users/cas/unlock", "/users/cas/disable"]


def new_user(web: Web, role: str = "caseworker") -> str:
    name = f"u{uuid.uuid4().hex[:10]}"
    web.accounts.add(name, role, PASSWORD)
    return name


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_sign_in_without_a_session(web: Web, path: str):
    with web.client() as client:
        r = client.get(path, headers={"accept": "text/html"})
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/ask"), ("GET", "/api/session"), ("GET", "/openapi.json"),
     ("POST", "/logout")],
)
def test_apis_answer_401_without_a_session(web: Web, method: str, path: str):
    with web.client() as client:
        r = client.request(method, path, json={"question": "visa"})
    assert r.status_code == 401
    assert r.json() == {"detail": "sign in first"}


def test_open_endpoints_need_no_session(web: Web):
    with web.client() as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/login").status_code == 200
        assert client.get("/static/app.css").status_code == 200


def test_a_forged_or_expired_cookie_is_not_a_session(web: Web):
    with web.client() as client:
        client.cookies.set(SESSION_COOKIE, "made-up-token")
        assert client.get("/api/session").status_code == 401


def test_sign_in_sets_a_safe_cookie_and_records_it(web: Web):
    with web.client() as client:
        token = login_form_token(client)
        r = client.post("/login", data={"name": "cas", "password": PASSWORD,
                                        "csrf_token": token, "next": "/inbox"})
        assert r.status_code == 303 and r.headers["location"] == "/inbox"
        cookie = next(c for c in r.headers.get_list("set-cookie")
                      if c.startswith(SESSION_COOKIE + "="))
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "samesite", "path"} <= attributes
        assert "samesite=lax" in cookie.lower()
        me = client.get("/api/session").json()
        assert me["name"] == "cas" and me["role"] == "caseworker" and len(me["csrf_token"]) > 20
    with web.server.db.session() as s:
        token_hashes = [row.token_hash for row in s.query(WebSession).all()]
        actions = [e.action for e in s.query(AuditEntry).filter_by(user_name="cas")]
    # Only a hash of the cookie's token is stored.
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value not in token_hashes and all(len(h) == 64 for h in token_hashes)
    assert "sign-in" in actions


def test_cookies_are_secure_outside_development(web: Web, monkeypatch: pytest.MonkeyPatch):
    settings = web.server.settings
    with web.client() as client:
        token = login_form_token(client)
        monkeypatch.setattr(type(settings), "secure_cookies", property(lambda _: True))
        r = client.post("/login", data={"name": "cas", "password": PASSWORD,
                                        "csrf_token": token})
        cookie = next(c for c in r.headers.get_list("set-cookie")
                      if c.startswith(SESSION_COOKIE + "="))
    assert "secure" in cookie.lower()


def test_wrong_password_and_unknown_user_get_the_same_answer(web: Web):
    with web.client() as client:
        wrong = client.post("/login", data={"name": "cas", "password": "nope" * 4,
                                            "csrf_token": login_form_token(client)})
        unknown = client.post("/login", data={"name": "nobody", "password": "nope" * 4,
                                              "csrf_token": login_form_token(client)})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password" in wrong.text
    assert "Wrong user name or password" in unknown.text
    assert SESSION_COOKIE not in wrong.cookies and SESSION_COOKIE not in unknown.cookies


def test_sign_in_without_the_form_token_is_refused(web: Web):
    with web.client() as client:
        client.get("/login")
        r = client.post("/login", data={"name": "cas", "password": PASSWORD,
                                        "csrf_token": "forged"})
    assert r.status_code == 403
    assert SESSION_COOKIE not in r.cookies


def test_an_open_redirect_through_next_is_refused(web: Web):
    with web.client() as client:
        r = client.post("/login", data={"name": "cas", "password": PASSWORD,
                                        "csrf_token": login_form_token(client),
                                        "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/chat"


def test_repeated_failures_lock_the_account(web: Web):
    name = new_user(web)
    limit = web.server.settings.login_max_failures
    with web.client() as client:
        codes = [
            client.post("/login", data={"name": name, "password": f"wrong-{i}-password",
                                        "csrf_token": login_form_token(client)}).status_code
            for i in range(limit)
        ]
        # The same answer as for any failure: the form does not tell who is an account.
        assert codes == [401] * limit
        assert web.accounts.get(name).locked_until is not None
        # Locked: even the right password does not open it now.
        r = client.post("/login", data={"name": name, "password": PASSWORD,
                                        "csrf_token": login_form_token(client)})
        assert r.status_code == 401 and "locked" in r.text
    web.accounts.unlock(name)
    with web.client() as client:
        sign_in(client, name)


def test_lockout_ends_after_its_time(web: Web):
    accounts: Accounts = web.accounts
    name = new_user(web)
    now = utcnow()
    for _ in range(accounts.max_failures):
        accounts.login(name, "not the password at all", now=now)
    assert accounts.login(name, PASSWORD, now=now).locked
    later = now + accounts.lockout + timedelta(seconds=1)
    assert accounts.login(name, PASSWORD, now=later).account is not None


def test_sessions_expire_when_idle_and_at_their_end(web: Web):
    accounts: Accounts = web.accounts
    account = accounts.login("cas", PASSWORD).account
    assert account is not None
    now = utcnow()
    token, _ = accounts.start_session(account, now=now)
    assert accounts.session(token, now=now + timedelta(minutes=5)) is not None
    assert accounts.session(token, now=now + accounts.idle + timedelta(minutes=10)) is None
    token, _ = accounts.start_session(account, now=now)
    steps, t = [], now
    while t < now + accounts.session_length:
        t += accounts.idle / 2
        steps.append(accounts.session(token, now=t) is not None)
    assert steps[0] and not steps[-1]


def test_post_without_csrf_token_gets_403(web: Web):
    with web.client() as client:
        csrf = sign_in(client, "cas")
        assert client.post("/api/ask", json={"question": "visa"}).status_code == 403
        wrong = client.post("/api/ask", json={"question": "visa"},
                            headers={"X-CSRF-Token": "x" + csrf})
        assert wrong.status_code == 403
        assert client.post("/logout", data={}).status_code == 403
        # Still signed in: the forged sign-out did nothing.
        assert client.get("/api/session").status_code == 200


def test_cross_site_post_is_refused_even_with_the_token(web: Web):
    with web.client() as client:
        csrf = sign_in(client, "cas")
        r = client.post("/api/ask", json={"question": "visa"},
                        headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"})
    assert r.status_code == 403


def test_api_ask_works_with_session_and_token(web: Web):
    with web.client() as client:
        csrf = sign_in(client, "cas")
        r = client.post("/api/ask", json={"question": "Can they cancel my student visa?"},
                        headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert r.json()["status"] in ("answered", "no_answer")
    assert r.headers["cache-control"] == "no-store"


def test_the_users_page_is_at_users_and_its_old_address_leads_there(web: Web):
    with web.client() as admin:
        sign_in(admin, "ada")
        old = admin.get("/admin/users")
        assert old.status_code == 308 and old.headers["location"] == "/users"
        page = admin.get("/admin/users", follow_redirects=True)
        assert page.status_code == 200 and "<h1>Users</h1>" in page.text
        assert 'href="/users"' in page.text  # the menu links the new address


def test_unlock_is_offered_only_for_a_locked_account(web: Web):
    locked, free = new_user(web), new_user(web)
    for _ in range(web.server.settings.login_max_failures):
        web.accounts.login(locked, "not the password")
    with web.client() as admin:
        sign_in(admin, "ada")
        html = admin.get("/users").text
    assert f'action="/users/{locked}/unlock"' in html
    assert f'action="/users/{free}/unlock"' not in html


@pytest.mark.parametrize("name", ["cas", "eve"])
def test_caseworkers_and_editors_cannot_reach_admin_actions(web: Web, name: str):
    with web.client() as client:
        csrf = sign_in(client, name)
        assert client.get("/users").status_code == 403
        for path in ADMIN_POSTS:
            r = client.post(path, data={"csrf_token": csrf, "name": "mallory",
                                        "role": "admin", "password": "x" * 20})
            assert r.status_code == 403, path
    assert web.accounts.get("mallory") is None
    user = web.accounts.get("cas")
    assert user is not None and user.active


def test_an_admin_adds_a_user_who_can_then_sign_in(web: Web):
    name = f"n{uuid.uuid4().hex[:8]}"
    with web.client() as admin:
        csrf = sign_in(admin, "ada")
        r = admin.post("/users", data={"csrf_token": csrf, "name": name,
                                       "role": "caseworker", "password": PASSWORD},
                       follow_redirects=True)
        assert r.status_code == 200 and f"{name} added" in r.text
        short = admin.post("/users", data={"csrf_token": csrf, "name": name + "x",
                                           "role": "caseworker", "password": "short"})
        assert short.status_code == 400 and "at least 12 characters" in short.text
    with web.client() as client:
        sign_in(client, name)


def test_disabling_a_user_ends_their_sessions(web: Web):
    name = new_user(web)
    with web.client() as user, web.client() as admin:
        sign_in(user, name)
        csrf = sign_in(admin, "ada")
        r = admin.post(f"/users/{name}/disable", data={"csrf_token": csrf},
                       follow_redirects=True)
        assert r.status_code == 200 and f"{name} disabled" in r.text
        assert user.get("/api/session").status_code == 401


def test_sign_out_ends_the_session(web: Web):
    with web.client() as client:
        csrf = sign_in(client, "cas")
        cookie = client.cookies.get(SESSION_COOKIE)
        r = client.post("/logout", data={"csrf_token": csrf})
        assert r.status_code == 303 and r.headers["location"] == "/login?bye=1"
        assert client.get("/api/session").status_code == 401
    # The old cookie, replayed, is dead too.
    with web.client() as replay:
        replay.cookies.set(SESSION_COOKIE, cookie or "")
        assert replay.get("/api/session").status_code == 401


@pytest.mark.parametrize("path", ["/login", "/api/session", "/users"])
def test_security_headers_on_responses(web: Web, path: str):
    with web.client() as client:
        sign_in(client, "ada")
        r = client.get(path)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"


def test_pages_load_nothing_from_other_origins_and_have_no_inline_script(web: Web):
    with web.client() as client:
        sign_in(client, "ada")
        html = client.get("/users").text + client.get("/login").text
    for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", html):
        assert "http://" not in tag and "https://" not in tag and "//" not in tag.split("=")[-1]
    for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S):
        assert not body.strip(), "inline script"
    assert " style=" not in html and "<style" not in html


def test_a_user_name_with_markup_is_shown_as_text(web: Web):
    with pytest.raises(AccountError):
        web.accounts.add("<script>x</script>", "caseworker", PASSWORD)
    with web.client() as client:
        sign_in(client, "ada")
        r = client.post("/login", data={"name": "<b>x</b>", "password": "y" * 12,
                                        "csrf_token": login_form_token(client)})
    assert "<b>x</b>" not in r.text and "&lt;b&gt;x&lt;/b&gt;" in r.text


def test_passwords_are_stored_as_argon2id(web: Web):
    with web.server.db.session() as s:
        user = s.query(User).filter_by(name="cas").one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash

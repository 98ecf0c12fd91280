"""Sign-in attacks (issue 16, finding 1 and part of 7), over real HTTP.

Parallel guesses used to be checked against a count read before the slow hash
check: 50 at once were all checked and the account never locked. Now the 50th
guess costs the same as the 6th: the account locks after exactly
``BOT_LOGIN_MAX_FAILURES`` password checks, and the right password afterwards
gets the lockout, not a session. Unknown, wrong and locked look the same from
outside, in answer and in time; an address that failed too often is refused
before any check; made-up names cannot flood the audit log.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

import bot.store.accounts as accounts_module
from bot.app.auth import SESSION_COOKIE
from bot.app.signin import AUDIT_PER_ADDRESS, AUDIT_TOTAL
from tests.app.harness import AppServer
from tests.security.conftest import PASSWORD, Serve, attempt, login_form_token

GUESSES = 50


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many times a password was checked against each real account's hash."""
    counted: dict[str, int] = {}
    real = accounts_module._verify
    lock = threading.Lock()

    def counting(password_hash: str, password: str) -> bool:
        with lock:
            counted[password_hash] = counted.get(password_hash, 0) + 1
        return real(password_hash, password)

    monkeypatch.setattr(accounts_module, "_verify", counting)
    yield counted


def hash_of(app: AppServer, name: str) -> str:
    user = app.accounts.get(name)
    assert user is not None
    return user.password_hash


def parallel_guesses(base: str, name: str, n: int) -> list[int]:
    """``n`` wrong passwords for one account, posted at the same moment from n browsers."""
    clients = [httpx.Client(base_url=base, timeout=120) for _ in range(n)]
    tokens = [login_form_token(c) for c in clients]
    start = threading.Barrier(n)
    codes: list[int] = [0] * n

    def guess(i: int) -> None:
        start.wait()
        codes[i] = clients[i].post("/login", data={
            "name": name, "password": f"wrong guess number {i}", "csrf_token": tokens[i],
        }).status_code

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    return codes


def test_fifty_parallel_guesses_are_checked_only_as_often_as_allowed(
    make_app: Serve, checks: dict[str, int]
) -> None:
    with make_app(login_max_failures_per_address=10_000) as app:
        app.accounts.add("amina", "caseworker", PASSWORD)
        limit = app.settings.login_max_failures
        codes = parallel_guesses(app.base, "amina", GUESSES)
        assert codes == [401] * GUESSES
        assert checks[hash_of(app, "amina")] == limit
        # The right password now meets the lockout, not a session.
        r = attempt(app.base, "amina", PASSWORD)
        assert r.status_code == 401 and SESSION_COOKIE not in r.cookies
        assert checks[hash_of(app, "amina")] == limit  # not even checked
        assert any(e.action == "locked" for e in app.accounts.audit_log())


def test_the_right_password_among_parallel_wrong_ones_does_not_beat_the_lock(
    make_app: Serve,
) -> None:
    """The issue's own round: 29 wrong at once, then the right one."""
    with make_app(login_max_failures_per_address=10_000) as app:
        app.accounts.add("amina", "caseworker", PASSWORD)
        parallel_guesses(app.base, "amina", 29)
        assert attempt(app.base, "amina", PASSWORD).status_code == 401


def failure_text(r: httpx.Response) -> str:
    found = re.search(r'<p class="error" role="alert">([^<]*)</p>', r.text)
    assert found, r.text[:500]
    return found.group(1)


def timed(base: str, name: str, password: str, n: int = 5) -> tuple[float, set[int], set[str]]:
    times, codes, texts = [], set(), set()
    for _ in range(n):
        began = time.perf_counter()
        r = attempt(base, name, password)
        times.append(time.perf_counter() - began)
        codes.add(r.status_code)
        texts.add(failure_text(r))
    return statistics.median(times), codes, texts


def test_unknown_wrong_and_locked_accounts_look_the_same(make_app: Serve) -> None:
    with make_app(login_max_failures_per_address=10_000) as app:
        app.accounts.add("amina", "caseworker", PASSWORD)
        app.accounts.add("boris", "caseworker", PASSWORD)
        for i in range(app.settings.login_max_failures):
            attempt(app.base, "boris", f"wrong password {i}")
        assert app.accounts.get("boris").locked_until is not None  # type: ignore[union-attr]

        unknown = timed(app.base, "nobody-here", "some password 1")
        wrong = timed(app.base, "amina", "a wrong password", n=3)
        locked = timed(app.base, "boris", PASSWORD)
        # One status and one message for all three...
        assert unknown[1] == wrong[1] == locked[1] == {401}
        assert unknown[2] == wrong[2] == locked[2] and len(unknown[2]) == 1
        # ... and the same cost: a locked account used to answer in 4 ms instead of ~115.
        slowest = max(unknown[0], wrong[0], locked[0])
        assert min(unknown[0], wrong[0], locked[0]) > slowest / 3, (unknown, wrong, locked)


def test_an_address_that_failed_too_often_is_refused_before_any_check(
    make_app: Serve, checks: dict[str, int]
) -> None:
    with make_app(login_max_failures_per_address=4) as app:
        app.accounts.add("amina", "caseworker", PASSWORD)
        for i in range(4):  # made-up names: no account locks, the address does
            assert attempt(app.base, f"made-up-{i}", "whatever password").status_code == 401
        r = attempt(app.base, "amina", PASSWORD)
        assert r.status_code == 429 and SESSION_COOKIE not in r.cookies
        assert "Too many failed sign-ins" in r.text
        assert checks.get(hash_of(app, "amina"), 0) == 0
        assert app.accounts.get("amina").locked_until is None  # type: ignore[union-attr]


def test_made_up_names_cannot_flood_the_audit_log(make_app: Serve) -> None:
    attempts = AUDIT_TOTAL + 30
    with make_app(login_max_failures_per_address=10_000) as app:
        app.accounts.add("amina", "admin", PASSWORD)
        app.accounts.audit(None, "user added", "user:amina", name="(command line)")
        for i in range(attempts):
            attempt(app.base, f"invented-{i}", f"my secret password {i}")
        log = app.accounts.audit_log()
        failed = [e for e in log if e.action == "sign-in failed"]
        assert len(failed) <= AUDIT_PER_ADDRESS < attempts
        assert any(e.action == "sign-in failures" for e in log)  # it says more were left out
        assert any(e.action == "user added" for e in log)  # the admin's view still holds it
        assert all("invented" not in e.user_name for e in log)  # typed names are not kept
        assert all(e.address == "127.0.0.1" for e in failed)


def test_user_names_are_unique_whatever_their_case(app: AppServer) -> None:
    from bot.store.accounts import AccountError

    app.accounts.add("cw1", "caseworker", PASSWORD)
    for clash in ("CW1", "Cw1", "ｃｗ１"):  # the last one full-width: NFKC makes it cw1
        with pytest.raises(AccountError, match="exists already"):
            app.accounts.add(clash, "caseworker", PASSWORD)
    # Signing in does not depend on the case typed either.
    r = attempt(app.base, "CW1", PASSWORD)
    assert r.status_code == 303 and SESSION_COOKIE in r.cookies

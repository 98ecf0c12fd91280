"""The caseworkers' web app on a real socket, with accounts, a Twilio-like server and a browser.

``web`` is one server for the whole session (the model and the starter index are
the session's). Each test signs in with its own ``httpx`` client (``sign_in``)
or drives headless Chromium (``browser``).
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.advisor.runtime import Runtime
from bot.store.accounts import Accounts
from tests.app.harness import AppServer, message, serve, twilio_settings
from tests.channels.twilio_fake import FakeTwilio
from tests.conftest import DATABASES

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "a long test password 1"
USERS = {"ada": "admin", "eve": "editor", "cas": "caseworker", "cam": "caseworker"}
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests drive pages, not queries: they run on SQLite only, since the HTTP
    suites already run every route on PostgreSQL (a browser run costs a minute or more)."""
    skip = pytest.mark.skip(reason="browser tests run on SQLite only; the HTTP suites "
                            "cover PostgreSQL")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if ("_browser" in item.nodeid and callspec is not None
                and callspec.params.get("web") == "postgresql"):
            item.add_marker(skip)


@dataclass
class Web:
    server: AppServer
    twilio: FakeTwilio
    accounts: Accounts

    @property
    def base(self) -> str:
        return self.server.base

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60)

    def whatsapp(self, body: str, sender: str) -> list[str]:
        """A user's WhatsApp message through the signed webhook; the inline replies."""
        return self.server.ask(body, sender, "whatsapp")

    def sms(self, body: str, sender: str) -> list[str]:
        return self.server.ask(body, sender, "sms")


@pytest.fixture(scope="session", params=DATABASES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        starter_index: Path, starter_runtime: Runtime) -> Iterator[Web]:
    """The app on each database (SQLite, then PostgreSQL): every test using it runs twice."""
    tmp = tmp_path_factory.mktemp("web")
    fake = FakeTwilio().start()
    url = f"sqlite:///{tmp / 'bot.sqlite3'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").create()
    settings = twilio_settings(tmp, fake.base_url, fake.account_sid, fake.auth_token,
                               data_dir=starter_index, database_url=url)
    with serve(settings, starter_runtime) as server:
        accounts = server.accounts
        for name, role in USERS.items():
            accounts.add(name, role, PASSWORD)
        yield Web(server, fake, accounts)
    fake.stop()


_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def csrf_of(html: str) -> str:
    found = _META_CSRF.search(html)
    assert found and found.group(1), "the page carries no CSRF token"
    return found.group(1)


def login_form_token(client: httpx.Client) -> str:
    """The sign-in form's token (its cookie is set on the client as a browser would)."""
    page = client.get("/login")
    assert page.status_code == 200
    token = _FORM_CSRF.search(page.text)
    assert token
    return token.group(1)


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> str:
    """Sign in through the real form; the session's CSRF token (for POSTs)."""
    r = client.post("/login", data={"name": name, "password": password,
                                    "csrf_token": login_form_token(client), "next": "/chat"})
    assert r.status_code == 303, f"sign-in as {name} failed: {r.status_code} {r.text[:300]}"
    me = client.get("/api/session")
    assert me.status_code == 200 and me.json()["name"] == name
    return str(me.json()["csrf_token"])


@pytest.fixture
def signed_in(web: Web) -> Iterator[tuple[httpx.Client, str]]:
    """A caseworker's client and CSRF token."""
    with web.client() as client:
        yield client, sign_in(client, "cas")


def new_sender() -> str:
    return "+7900" + str(uuid.uuid4().int)[:7]


def inbound(body: str, sender: str, channel: str = "whatsapp") -> dict[str, str]:
    return message(body, sender, channel)


# The browser.


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """Headless Debian Chromium through Selenium and Debian's chromedriver."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(
            "Chromium is missing: `make test` installs the Debian packages chromium and "
            "chromium-driver (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1200,900",
                 f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def browser_sign_in(driver: object, web: Web, name: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    d = driver  # type: ignore[assignment]
    d.get(web.base + "/login")  # type: ignore[attr-defined]
    d.find_element(By.ID, "name").send_keys(name)  # type: ignore[attr-defined]
    d.find_element(By.ID, "password").send_keys(password)  # type: ignore[attr-defined]
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # type: ignore[attr-defined]
    WebDriverWait(d, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".signout")))


def assert_clean_console(driver: object) -> None:
    """No CSP violation and no uncaught script error in the browser's console."""
    problems = [
        e["message"] for e in driver.get_log("browser")  # type: ignore[attr-defined]
        if any(s in e["message"] for s in ("Content Security Policy", "Refused to", "Uncaught"))
    ]
    assert problems == []

"""The inbox in a real browser (headless Chromium): a user asks for a person on WhatsApp,
a caseworker finds the conversation, claims it, replies, sees the reply in the thread,
closes it and signs out. The fake Twilio server receives the reply."""

from __future__ import annotations

import random
import string
import time
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from bot.store.identity import Identity
from bot.store.models import Escalation
from tests.app.conftest import Web, assert_clean_console, browser_sign_in, new_sender
from tests.app.harness import PROFILE

WAIT = 30


def marker() -> str:
    """A word to find a reply by (letters only: digits would be redacted in the thread)."""
    return "".join(random.choices(string.ascii_lowercase, k=8))


def wait(driver: WebDriver) -> WebDriverWait:  # type: ignore[type-arg]
    return WebDriverWait(driver, WAIT)


def escalation_of(web: Web, number: str) -> int:
    who = Identity(web.server.settings.sender_hash_key).sender_id(number)
    with web.server.db.session() as s:
        found = s.scalar(select(Escalation.id).where(Escalation.sender_id == who))
    assert found is not None
    return int(found)


def submit(driver: WebDriver, button_id: str, notice: str) -> None:
    """Post a form and wait for the page it leads to. The old page must be gone first:
    reading its notice while the browser replaces it fails ("Node ... does not belong
    to the document")."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()
    wait(driver).until(ec.staleness_of(page))
    wait(driver).until(ec.text_to_be_present_in_element((By.ID, "inbox-notice"), notice))


def full_page_screenshot(driver: WebDriver, path: Path) -> None:
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1200, min(max(900, height + 120), 4000))
    driver.save_screenshot(str(path))
    driver.set_window_size(1200, 900)


def test_a_caseworker_claims_replies_to_and_closes_a_conversation(
    browser: Any, web: Web, artifacts: Path
) -> None:
    driver: WebDriver = browser
    number = new_sender()
    assert web.whatsapp("AGENT", number)
    esc = escalation_of(web, number)
    label = f"Conversation #{esc}"

    browser_sign_in(driver, web, "cas")
    driver.find_element(By.LINK_TEXT, "Inbox").click()
    wait(driver).until(ec.presence_of_element_located((By.ID, "inbox-list")))
    row = driver.find_element(By.CSS_SELECTOR, f'#inbox-list tr[data-id="{esc}"]')
    assert "Asked for a caseworker" in row.text and "WhatsApp" in row.text
    assert "open" in row.text
    page = driver.find_element(By.TAG_NAME, "body").text
    for secret in (number, number.lstrip("+"), PROFILE):
        assert secret not in page and secret not in driver.page_source
    driver.save_screenshot(str(artifacts / "inbox.png"))

    row.find_element(By.LINK_TEXT, label).click()
    wait(driver).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), label))
    thread = driver.find_element(By.ID, "thread")
    assert "AGENT" in thread.text and "Assistant" in thread.text

    submit(driver, "claim-button", "You have claimed")
    assert "claimed by you" in driver.find_element(By.ID, "conversation-state").text

    text = f"Hello, I am a caseworker. We can talk here ({marker()})."
    box = driver.find_element(By.ID, "reply-text")
    box.send_keys(text)
    submit(driver, "reply-button", "Your reply was queued")
    wait(driver).until(ec.text_to_be_present_in_element((By.ID, "thread"), text))
    assert "cas (caseworker)" in driver.find_element(By.ID, "thread").text

    deadline = time.monotonic() + 20
    while not (sent := [m for m in web.twilio.sent if m["to"] == f"whatsapp:{number}"]):
        assert time.monotonic() < deadline, "the reply did not reach Twilio"
        web.twilio.wait_sent(len(web.twilio.sent) + 1, timeout=0.5)
    assert [m["body"] for m in sent] == [text]
    deadline = time.monotonic() + 20
    while True:  # what became of the reply (issue 13.7), once the outbox recorded it
        driver.get(web.base + f"/inbox/{esc}")
        if "Twilio accepted it" in driver.find_element(By.CSS_SELECTOR, ".delivery").text:
            break
        assert time.monotonic() < deadline, "the reply's state never said it was sent"
        time.sleep(0.2)
    for secret in (number, number.lstrip("+"), PROFILE):
        assert secret not in driver.page_source
    full_page_screenshot(driver, artifacts / "conversation.png")

    submit(driver, "close-button", "conversation is closed")
    assert "closed" in driver.find_element(By.ID, "conversation-state").text
    assert not driver.find_elements(By.ID, "reply-form")
    driver.get(web.base + "/inbox?show=closed")
    wait(driver).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, f'#inbox-list tr[data-id="{esc}"]')))

    assert_clean_console(driver)
    driver.find_element(By.CSS_SELECTOR, ".signout button[type=submit]").click()
    wait(driver).until(ec.url_contains("/login"))
    assert "signed out" in driver.find_element(By.TAG_NAME, "main").text
    driver.get(web.base + "/inbox")
    wait(driver).until(ec.url_contains("/login?next="))

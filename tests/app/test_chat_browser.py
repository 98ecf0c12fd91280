"""The chat page in a real browser (headless Chromium): what a caseworker sees and does.

Each test drives one browser through the page's own JavaScript against the
session's server, and ends by checking the console for CSP violations and
script errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from bot.channels.render.answer import without_command_hints
from bot.store.models import AskedQuestion, Feedback
from tests.app.conftest import Web, assert_clean_console, browser_sign_in

VISA_EN = ("My university says my visa will not be renewed unless I sign a military contract. "
           "What can I do?")
VISA_FR = ("Mon université dit que mon visa ne sera pas renouvelé si je ne signe pas un contrat "
           "militaire. Que puis-je faire ?")
VISA_AR = "الجامعة تقول إن تأشيرتي لن تجدد إلا إذا وقعت عقدا عسكريا. ماذا أفعل؟"
URGENT = "They took my passport and locked me in, they force me to sign a contract"
MARKUP = "<img src=x onerror=alert(1)><script>window.pwned=1</script> is my visa still valid?"
NO_GUIDANCE = "What is the best recipe for pancakes?"  # no guidance, or refused as off-topic
WAIT = 60


def wait(driver: WebDriver, seconds: float = WAIT) -> WebDriverWait:  # type: ignore[type-arg]
    return WebDriverWait(driver, seconds)


def open_chat(driver: WebDriver, web: Web, name: str = "cas") -> None:
    browser_sign_in(driver, web, name)
    driver.get(web.base + "/chat")
    wait(driver).until(ec.element_to_be_clickable((By.ID, "ask-button")))


def answers(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#answers > article")


def ask(driver: WebDriver, question: str, send: str = "click") -> WebElement:
    """Type a question, send it (click, Enter or Ctrl+Enter); the new answer's article."""
    before = len(answers(driver))
    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    if send == "enter":
        box.send_keys(Keys.ENTER)
    elif send == "ctrl+enter":
        box.send_keys(Keys.CONTROL, Keys.ENTER)
    else:
        driver.find_element(By.ID, "ask-button").click()
    wait(driver).until(lambda d: len(answers(d)) > before)
    article = answers(driver)[0]  # the newest answer comes first
    wait(driver).until(lambda _: article.find_element(By.CLASS_NAME, "answer-body").is_displayed())
    return article


def body_of(article: WebElement) -> WebElement:
    return article.find_element(By.CLASS_NAME, "answer-body")


def test_an_answer_with_sources_contacts_copy_and_feedback(
        browser: Any, web: Web, artifacts: Path):
    d: WebDriver = browser
    d.execute_cdp_cmd("Browser.grantPermissions", {  # type: ignore[attr-defined]
        "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"], "origin": web.base})
    open_chat(d, web)
    article = ask(d, VISA_EN, send="enter")  # Enter sends

    assert d.switch_to.active_element == article  # focus moves to the new answer
    assert "answered" == article.get_attribute("data-status")
    assert article.find_element(By.CLASS_NAME, "asked-text").text == VISA_EN
    body = body_of(article)
    assert body.get_attribute("lang") == "en" and body.get_attribute("dir") == "ltr"
    assert len(body.text) > 100
    cites = body.find_elements(By.CSS_SELECTOR, "button.cite")
    assert cites and all(c.is_displayed() for c in cites)

    # A citation opens its passage: quote, title, section, source link and review date.
    first = cites[0]
    panel = d.find_element(By.ID, first.get_attribute("aria-controls"))
    assert not panel.find_element(By.CLASS_NAME, "quote").is_displayed()
    first.click()
    wait(d, 10).until(lambda _: panel.find_element(By.CLASS_NAME, "quote").is_displayed())
    assert first.get_attribute("aria-expanded") == "true"
    assert d.switch_to.active_element == panel.find_element(By.TAG_NAME, "summary")
    facts = panel.find_element(By.CLASS_NAME, "facts").text
    title = first.get_attribute("title")
    assert title and title in panel.find_element(By.TAG_NAME, "summary").text
    assert "Document" in facts and "Section" in facts and "Reviewed" in facts
    assert "awaiting legal review" in facts  # the starter guides say so in their front matter
    link = panel.find_element(By.CSS_SELECTOR, ".facts a")
    assert link.is_displayed() and (link.get_attribute("href") or "").startswith("http")
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert len(panel.find_element(By.CLASS_NAME, "quote").text) > 20
    d.save_screenshot(str(artifacts / "chat.png"))

    # Copy a contact: the clipboard holds exactly what the card shows.
    button = article.find_element(By.CSS_SELECTOR, ".contact button.copy")
    card = button.find_element(By.XPATH, "./ancestor::li[contains(@class,'contact')]")
    shown = button.find_element(By.XPATH, "..").find_element(By.CLASS_NAME,
                                                             "contact-value").text
    # The card says how far the contact is verified: published by its source, not yet tested.
    assert "not yet tested" in card.find_element(By.CLASS_NAME, "verification").text
    d.execute_script("arguments[0].scrollIntoView({block: 'start'});", card)
    d.save_screenshot(str(artifacts / "chat-contacts.png"))
    button.click()
    status = card.find_element(By.CLASS_NAME, "copy-status")
    wait(d, 10).until(lambda _: "Copied" in status.text)
    assert status.is_displayed() and status.text.endswith(shown)
    clipboard = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, (e) => done('ERROR ' + e));")
    assert clipboard == shown

    # Feedback with a comment: "Thanks", and the row in the database.
    section = article.find_element(By.CLASS_NAME, "feedback")
    section.find_element(By.TAG_NAME, "textarea").send_keys("Right documents, thanks")
    section.find_element(By.CLASS_NAME, "not-helpful").click()
    feedback_status = section.find_element(By.CLASS_NAME, "feedback-status")
    wait(d, 20).until(lambda _: "Thanks" in feedback_status.text)
    assert section.find_element(By.CLASS_NAME, "not-helpful").get_attribute(
        "aria-pressed") == "true"
    question_id = int(article.get_attribute("data-question-id") or 0)
    with web.server.db.session() as s:
        row = s.scalars(select(Feedback).where(Feedback.question_id == question_id)).one()
        assert (row.helpful, row.comment) == (False, "Right documents, thanks")
    assert_clean_console(d)


def test_french_and_arabic_answers_in_their_language_and_direction(
        browser: Any, web: Web, artifacts: Path):
    d: WebDriver = browser
    open_chat(d, web)
    strings = web.server.runtime.strings

    french = body_of(ask(d, VISA_FR, send="ctrl+enter"))
    assert french.get_attribute("lang") == "fr" and french.get_attribute("dir") == "ltr"
    assert strings.get("notice", "fr") in french.text
    assert french.find_elements(By.CSS_SELECTOR, "button.cite")

    # On a phone-sized window, Arabic lays out right to left and nothing overflows.
    d.set_window_size(390, 844)
    article = ask(d, VISA_AR)
    arabic = body_of(article)
    assert arabic.get_attribute("lang") == "ar" and arabic.get_attribute("dir") == "rtl"
    assert arabic.value_of_css_property("direction") == "rtl"
    assert strings.get("notice", "ar") in arabic.text
    assert d.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    d.execute_script("arguments[0].scrollIntoView()", article)
    d.save_screenshot(str(artifacts / "chat-rtl.png"))
    assert_clean_console(d)


def test_urgent_and_unanswered_messages_are_labelled(browser: Any, web: Web):
    d: WebDriver = browser
    open_chat(d, web)
    # A slow network: the button says the assistant is answering and cannot be pressed twice.
    d.execute_script(
        "const real = window.fetch;"
        "window.fetch = (...a) => new Promise((ok) => setTimeout(() => ok(real(...a)), 1500));")
    d.find_element(By.ID, "question").send_keys(URGENT)
    button = d.find_element(By.ID, "ask-button")
    button.click()
    assert not button.is_enabled() and button.text == "Answering…"
    wait(d).until(lambda _: answers(d))
    wait(d, 10).until(lambda _: button.is_enabled() and button.text == "Ask")
    article = answers(d)[0]

    flag = article.find_element(By.CLASS_NAME, "urgent-flag")
    assert flag.is_displayed() and flag.get_attribute("role") == "alert"
    assert "Urgent" in flag.text
    assert flag.value_of_css_property("background-color") == "rgba(179, 38, 30, 1)"
    lines = [ln.strip() for ln in body_of(article).text.splitlines() if ln.strip()]
    # The steps come first: after the danger they are for ("If you are ...:") and maybe
    # a one-line preface, "1. ...".
    start = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    assert start <= 2 and not lines[0].startswith("You wrote")
    assert article.find_elements(By.CSS_SELECTOR, ".contact")
    assert d.find_element(By.ID, "question").get_attribute("value") == ""
    with web.server.db.session() as s:
        row = s.get(AskedQuestion, int(article.get_attribute("data-question-id") or 0))
        assert row is not None and row.urgent is True

    # Nothing vetted answers this: said plainly, with the core's own words and contacts.
    article = ask(d, NO_GUIDANCE)
    assert article.get_attribute("data-status") == "no_answer"
    label = article.find_element(By.CLASS_NAME, "no-answer-label")
    assert label.is_displayed() and label.text.startswith("No ")
    strings = web.server.runtime.strings
    said = body_of(article).text
    # The core's words, without the commands a caseworker cannot send (CONTACTS, AGENT).
    assert any(said.startswith(without_command_hints(strings.get(key, "en").strip()))
               for key in ("no_answer", "refused"))
    assert "CONTACTS" not in said and "AGENT" not in said
    assert not article.find_elements(By.CSS_SELECTOR, "button.cite")
    assert article.find_elements(By.CSS_SELECTOR, ".contact")
    assert_clean_console(d)


def test_markup_in_a_question_or_a_document_shows_as_text(browser: Any, web: Web):
    d: WebDriver = browser
    open_chat(d, web)
    article = ask(d, MARKUP)
    assert article.find_element(By.CLASS_NAME, "asked-text").text == MARKUP
    assert d.execute_script("return typeof window.pwned") == "undefined"
    assert not d.find_elements(By.CSS_SELECTOR, "#answers img, #answers script")

    # A document whose title, quote and link carry markup (as an editor's mistake or an
    # attack could): the page shows them as text and never makes a javascript: link.
    evil = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>"
    answer = {
        "status": "answered", "urgent": False, "language": "en", "direction": "ltr",
        "answer": f"{evil} Go to the embassy [1].", "reason": None, "question_id": 1,
        "citations": [{"n": 1, "doc_id": "x", "title": evil, "section": evil, "path": "g.md",
                       "url": "javascript:window.pwned=3", "quote": evil, "lang": "en",
                       "reviewed_on": "2026-01-01", "review_due": "2026-02-01",
                       "review_overdue": True}],
        "referrals": [{"id": "r", "name": evil, "kind": "ngo", "phone": evil,
                       "web": "javascript:window.pwned=4", "notes": evil}],
    }
    d.execute_script(
        "const body = arguments[0];"
        "window.fetch = async () => new Response(body,"
        " {status: 200, headers: {'Content-Type': 'application/json'}});",
        json.dumps(answer))
    article = ask(d, "anything")
    article.find_element(By.CSS_SELECTOR, "button.cite").click()
    quote = article.find_element(By.CLASS_NAME, "quote")
    wait(d, 10).until(lambda _: quote.is_displayed())
    assert quote.text == evil
    assert body_of(article).text.startswith(evil)
    assert article.find_element(By.CSS_SELECTOR, ".contact h4").text == evil
    assert "review overdue" in article.find_element(By.CLASS_NAME, "facts").text
    hrefs = [a.get_attribute("href") for a in article.find_elements(By.TAG_NAME, "a")]
    assert not any(h and h.startswith("javascript:") for h in hrefs)
    assert not d.find_elements(By.CSS_SELECTOR, "#answers img, #answers script")
    assert d.execute_script("return typeof window.pwned") == "undefined"
    assert_clean_console(d)


def test_an_expired_session_and_signing_out(browser: Any, web: Web):
    d: WebDriver = browser
    open_chat(d, web)
    # The session ends on the server side (another tab signed out): a clear message.
    d.delete_cookie("bot_session")
    d.find_element(By.ID, "question").send_keys(VISA_EN)
    d.find_element(By.ID, "ask-button").click()
    error = d.find_element(By.ID, "ask-error")
    wait(d, 20).until(lambda _: error.is_displayed())
    assert "session has expired" in error.text
    again = error.find_element(By.LINK_TEXT, "Sign in again")
    assert (again.get_attribute("href") or "").endswith("/login?next=%2Fchat")
    assert d.find_element(By.ID, "question").get_attribute("value") == VISA_EN  # not lost

    open_chat(d, web)
    d.find_element(By.CSS_SELECTOR, ".signout button[type=submit]").click()
    wait(d, 20).until(ec.url_contains("/login"))
    assert "signed out" in d.find_element(By.CSS_SELECTOR, ".notice").text
    d.get(web.base + "/chat")
    wait(d, 20).until(ec.presence_of_element_located((By.ID, "password")))
    assert "/login?next=%2Fchat" in d.current_url
    assert_clean_console(d)

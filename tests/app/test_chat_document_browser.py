"""The Ask page's photo upload in a real browser (headless Chromium), as a caseworker uses it.

Also takes the README's screenshot (docs/screenshots/document.png is copied from
tests/artifacts/document.png): the chat answering a photographed army contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.app.conftest import Web, assert_clean_console
from tests.app.test_chat_browser import answers, body_of, open_chat, wait
from tests.documents.pages import PAGES, PHONE, photograph, render

CAPTION = "A man at the migration centre says I must sign this today. What is it?"


def choose(driver: WebDriver, path: Path) -> None:
    driver.find_element(By.ID, "document").send_keys(str(path))


def test_a_photographed_army_contract_is_answered_on_the_page(browser: Any, web: Web,
                                                             artifacts: Path, tmp_path: Path):
    d: WebDriver = browser
    photo = tmp_path / "contract-photo.jpg"
    photo.write_bytes(photograph(render(PAGES["military_contract"]), PHONE))
    open_chat(d, web)
    d.find_element(By.ID, "question").send_keys(CAPTION)
    choose(d, photo)
    d.find_element(By.ID, "ask-button").click()
    wait(d).until(lambda _: len(answers(d)) == 1)
    article = answers(d)[0]
    wait(d).until(lambda _: body_of(article).is_displayed())

    assert article.find_element(By.CLASS_NAME, "asked-file").text == "contract-photo.jpg"
    assert article.find_element(By.CLASS_NAME, "asked-text").text == CAPTION
    body = body_of(article).text
    assert body.startswith("Do not sign this paper yet. It looks like a contract to serve in "
                           "Russia's armed forces")
    assert "контракт о прохождении военной службы: contract for military service" in body
    facts = article.find_element(By.CLASS_NAME, "document-facts").text
    assert "military_contract" in facts and "Evidence" in facts
    assert article.find_element(By.CLASS_NAME, "dangerous-flag").is_displayed()
    assert article.find_elements(By.CSS_SELECTOR, "button.cite")  # cited guidance
    assert article.find_elements(By.CSS_SELECTOR, ".contact-cards .contact")
    # The form is ready for the next paper: the file and the message are cleared.
    assert d.find_element(By.ID, "document").get_attribute("value") == ""
    assert d.find_element(By.ID, "question").get_attribute("value") == ""
    d.execute_script("window.scrollTo(0, 0)")
    height = int(d.execute_script("return document.documentElement.scrollHeight"))
    d.set_window_size(1200, min(max(900, height + 120), 2400))
    d.save_screenshot(str(artifacts / "document.png"))
    d.set_window_size(1200, 900)
    assert_clean_console(d)


def test_a_file_too_large_or_of_the_wrong_type_is_stopped_in_the_page(browser: Any, web: Web,
                                                                     tmp_path: Path):
    d: WebDriver = browser
    open_chat(d, web)
    big = tmp_path / "huge.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 1))
    choose(d, big)
    d.find_element(By.ID, "ask-button").click()
    error = d.find_element(By.ID, "ask-error")
    wait(d, 10).until(lambda _: error.is_displayed())
    assert "too large: at most 5 MB" in error.text
    assert answers(d) == []
    text = tmp_path / "notes.txt"
    text.write_text("not a photo")
    d.find_element(By.ID, "document").clear()
    choose(d, text)  # the picker's filter can be bypassed; the page still says what it takes
    d.find_element(By.ID, "ask-button").click()
    wait(d, 10).until(lambda _: "JPEG, PNG or WebP" in error.text)
    assert answers(d) == []
    assert_clean_console(d)

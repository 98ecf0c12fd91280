"""The API documentation page in a real browser (headless Chromium): Swagger UI from the
packaged assets shows every JSON API, offline, with no script error and no CSP violation."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.app.conftest import Web, assert_clean_console, browser_sign_in


def test_the_api_docs_page_lists_the_json_apis(browser: Any, web: Web) -> None:
    browser_sign_in(browser, web, "cas")
    browser.get(web.base + "/docs")
    WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/api/ask", "/api/chat", "/api/feedback", "/api/session"} <= paths
    for tag in browser.find_elements(By.CSS_SELECTOR, "script[src], link[href]"):
        url = tag.get_attribute("src") or tag.get_attribute("href") or ""
        assert url.startswith(web.base), url  # nothing from another origin
    assert_clean_console(browser)

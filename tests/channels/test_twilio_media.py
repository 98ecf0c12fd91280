"""Downloading a user's photo from Twilio only: the fetcher against local Twilio-like servers.

The fake Twilio (tests/channels/twilio_fake.py) serves media with basic auth, or
redirects to a media store; a second local server records every request it gets,
so a URL that must never be fetched is proved never requested.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.channels.twilio.media import MediaFetcher, NotFetched, readable
from tests.channels.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, MediaStore

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64  # JPEG magic, then anything


@pytest.fixture
def store() -> Iterator[MediaStore]:
    s = MediaStore().start()
    yield s
    s.stop()


@pytest.fixture
def elsewhere() -> Iterator[MediaStore]:
    """A server no download may ever reach."""
    s = MediaStore().start()
    yield s
    s.stop()


def fetcher(fake: FakeTwilio, *hosts: str, token: str = AUTH_TOKEN,
            max_bytes: int = 5 * 1024 * 1024) -> MediaFetcher:
    return MediaFetcher(ACCOUNT_SID, token, base_url=fake.base_url, media_hosts=list(hosts),
                        max_bytes=max_bytes)


def test_media_under_the_twilio_base_is_fetched_with_the_accounts_basic_auth(fake: FakeTwilio):
    url = fake.add_media(PHOTO)
    got = fetcher(fake).fetch(url)
    assert not isinstance(got, NotFetched), got
    assert got.data == PHOTO and got.content_type == "image/jpeg"
    wrong = fetcher(fake, token="not-the-token").fetch(url)
    assert isinstance(wrong, NotFetched) and (wrong.reason, wrong.detail) == ("http_error",
                                                                             "HTTP 401")


def test_a_redirect_to_twilios_media_store_is_followed_without_the_credentials(
        fake: FakeTwilio, store: MediaStore):
    url = fake.add_media(PHOTO, "image/png", store=store)
    got = fetcher(fake, store.host).fetch(url)
    assert not isinstance(got, NotFetched), got
    assert got.data == PHOTO and got.content_type == "image/png"
    [(path, headers)] = store.requests
    assert path.startswith("/cdn/ME")
    assert "Authorization" not in headers  # the account's credentials stay with Twilio


def test_a_redirect_to_any_other_host_is_never_followed(fake: FakeTwilio, elsewhere: MediaStore,
                                                        store: MediaStore):
    url = fake.add_media(PHOTO, store=elsewhere)  # Twilio's answer points off the allow-list
    got = fetcher(fake, store.host).fetch(url)
    assert isinstance(got, NotFetched) and got.reason == "redirect_refused"
    assert elsewhere.requests == []


@pytest.mark.parametrize("make_url", [
    lambda fake, other: other.base_url + "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    lambda fake, other: other.base_url + "/media.jpg",
    lambda fake, other: fake.base_url.replace("127.0.0.1", "localhost") + "/x",
    lambda fake, other: "http://user:pw@" + fake.base_url.removeprefix("http://") + "/x",
    lambda fake, other: "http://" + fake.base_url.removeprefix("http://") + "@"
    + other.host + "/x",
    lambda fake, other: fake.base_url.replace("http://", "https://") + "/x",
    lambda fake, other: fake.base_url + "/2010-04-01/%2e%2e/%2e%2e/x",
    lambda fake, other: "file:///etc/passwd",
    lambda fake, other: "not a url at all",
], ids=["other-server", "other-path", "other-name", "userinfo", "userinfo-trick",
        "other-scheme", "encoded-dots", "file", "garbage"])
def test_a_url_outside_the_twilio_base_is_never_requested(fake: FakeTwilio,
                                                         elsewhere: MediaStore, make_url):
    url = make_url(fake, elsewhere)
    before = list(fake.paths)
    got = fetcher(fake, elsewhere.host).fetch(url)  # even an allowed media host
    assert isinstance(got, NotFetched) and got.reason == "not_twilio", (url, got)
    assert elsewhere.requests == [] and fake.paths == before


def test_the_base_path_bounds_the_urls(fake: FakeTwilio, elsewhere: MediaStore):
    url = fake.add_media(PHOTO)
    narrow = MediaFetcher(ACCOUNT_SID, AUTH_TOKEN, base_url=fake.base_url + "/2010-04-01/Acc",
                          media_hosts=[])
    got = narrow.fetch(url)  # "/2010-04-01/Accounts/..." is not under ".../Acc/"
    assert isinstance(got, NotFetched) and got.reason == "not_twilio"


def test_too_large_is_refused_by_its_announced_length_and_while_streaming(
        fake: FakeTwilio, store: MediaStore):
    small = fetcher(fake, store.host, max_bytes=len(PHOTO) - 1)
    got = small.fetch(fake.add_media(PHOTO))
    assert isinstance(got, NotFetched) and got.reason == "too_large"
    assert "announced" in got.detail
    # Chunked, without a Content-Length: counted as it streams in.
    url = store.serve("/cdn/chunked", PHOTO * 4, headers={"Transfer-Encoding": "chunked"})
    streamed = MediaFetcher(ACCOUNT_SID, AUTH_TOKEN, base_url=store.base_url,
                            max_bytes=len(PHOTO)).fetch(url)
    assert isinstance(streamed, NotFetched) and streamed.reason == "too_large"
    assert "more than" in streamed.detail


def test_a_response_that_is_not_a_photo_or_pdf_is_refused(fake: FakeTwilio, store: MediaStore):
    got = fetcher(fake).fetch(fake.add_media(b"<html>login</html>", "text/html"))
    assert isinstance(got, NotFetched) and got.reason == "unsupported_type"
    generic = fetcher(fake).fetch(fake.add_media(PHOTO, "application/octet-stream"))
    assert not isinstance(generic, NotFetched)  # the bytes decide (bot.documents.intake)


def test_missing_media_and_a_dead_server_are_outcomes(fake: FakeTwilio, store: MediaStore):
    gone = fetcher(fake).fetch(fake.base_url + "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1")
    assert isinstance(gone, NotFetched) and gone.reason == "http_error"
    base = store.base_url
    store.stop()
    dead = MediaFetcher(ACCOUNT_SID, AUTH_TOKEN, base_url=base).fetch(base + "/x")
    assert isinstance(dead, NotFetched) and dead.reason == "network"


def test_too_many_redirects(fake: FakeTwilio, store: MediaStore):
    url = store.serve("/a", b"", status=307, headers={"Location": store.base_url + "/a"})
    got = MediaFetcher(ACCOUNT_SID, AUTH_TOKEN, base_url=store.base_url).fetch(url)
    assert isinstance(got, NotFetched) and got.reason == "redirect_refused"
    assert len(store.requests) == 4  # the first request and three redirects


@pytest.mark.parametrize(("content_type", "expected"), [
    ("image/jpeg", True), ("IMAGE/JPG; q=1", True), ("image/png", True), ("image/webp", True),
    ("application/pdf", True), ("image/gif", False), ("image/heic", False),
    ("audio/ogg", False), ("", False),
])
def test_readable_types(content_type: str, expected: bool):
    assert readable(content_type) is expected


def resolver(table: dict[str, list[str]]):
    return lambda host: table.get(host, [])


@pytest.mark.parametrize(("addresses", "allowed"), [
    (["54.172.60.1"], True),
    (["10.0.0.5"], False), (["127.0.0.1"], False), (["169.254.169.254"], False),
    (["192.168.1.2"], False), (["::1"], False), (["fd00::1"], False),
    (["54.172.60.1", "10.0.0.5"], False),  # one private address is enough to refuse
    ([], False),  # a name that does not resolve
])
def test_a_media_host_resolving_to_a_private_address_is_refused(addresses: list[str],
                                                               allowed: bool):
    fetcher = MediaFetcher(ACCOUNT_SID, AUTH_TOKEN, media_hosts=["mms.twiliocdn.com"],
                           resolve=resolver({"api.twilio.com": ["54.172.60.2"],
                                             "mms.twiliocdn.com": addresses}))
    assert fetcher.redirect_allowed(httpx.URL("https://mms.twiliocdn.com/ME1")) is allowed
    # Back under the API base is always allowed; another host or scheme never is.
    assert fetcher.redirect_allowed(httpx.URL("https://api.twilio.com/2010-04-01/x"))
    assert not fetcher.redirect_allowed(httpx.URL("https://evil.example/ME1"))
    assert not fetcher.redirect_allowed(httpx.URL("http://mms.twiliocdn.com/ME1"))


def test_private_media_hosts_are_allowed_only_beside_a_private_api_base(fake: FakeTwilio,
                                                                      store: MediaStore):
    # The tests' fake Twilio is on 127.0.0.1, so its media store may be too...
    assert fetcher(fake, store.host).redirect_allowed(httpx.URL(store.base_url + "/cdn/ME1"))
    # ...but a public API base never redirects into a private network.
    public = MediaFetcher(ACCOUNT_SID, AUTH_TOKEN, media_hosts=[store.host],
                          resolve=resolver({"api.twilio.com": ["54.172.60.2"]}))
    assert not public.redirect_allowed(httpx.URL(store.base_url.replace("http:", "https:")
                                                 + "/cdn/ME1"))

"""The signature check, with Twilio's own validator on both sides."""

from __future__ import annotations

from twilio.request_validator import RequestValidator

from bot.channels.twilio.signature import FormParams, is_valid, public_url

TOKEN = "12345678901234567890123456789012"
URL = "https://bot.example.org/twilio/sms"


def params() -> FormParams:
    return FormParams([("Body", "hello"), ("From", "+79001112233"), ("MessageSid", "SM1")])


def test_a_valid_signature_passes() -> None:
    signature = RequestValidator(TOKEN).compute_signature(URL, params().first())
    assert is_valid(TOKEN, URL, params(), signature)


def test_missing_empty_or_wrong_signatures_fail_without_raising() -> None:
    assert not is_valid(TOKEN, URL, params(), None)
    assert not is_valid(TOKEN, URL, params(), "")
    assert not is_valid(TOKEN, URL, params(), "garbage")
    assert not is_valid(None, URL, params(), "garbage")


def test_the_library_raises_on_a_missing_header_which_we_guard() -> None:
    try:
        RequestValidator(TOKEN).validate(URL, params().first(), None)
    except TypeError:
        pass  # the library's behaviour (SECURITY.md): is_valid turns it into False


def test_the_public_url_keeps_the_query_byte_for_byte() -> None:
    assert public_url("https://bot.example.org/", "/twilio/sms", "a=%2F&b=c+d") == \
        "https://bot.example.org/twilio/sms?a=%2F&b=c+d"
    assert public_url("https://bot.example.org", "/twilio/sms", "") == URL


def test_repeated_parameters_are_all_signed() -> None:
    pairs = FormParams([("MediaUrl0", "a"), ("MediaUrl0", "b"), ("Body", "x")])
    assert pairs.getlist("MediaUrl0") == ["a", "b"]
    signature = RequestValidator(TOKEN).compute_signature(URL, {"Body": "x", "MediaUrl0": "a"})
    assert not is_valid(TOKEN, URL, pairs, signature)

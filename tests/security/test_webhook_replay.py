"""Replays of captured, signed webhooks (issue 16, finding 2).

Twilio signs the URL and every parameter name and value run together with no
separator, so ``MessageSid=SMx`` + ``NumMedia=0`` re-sent as
``MessageSid=SMxNumMedia0`` keeps a valid signature. That used to store and
answer a "new" message, and a captured START replayed after STOP opted the user
back in. A message id must now look exactly like Twilio's, and the account be
the configured one.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store.models import Message
from tests.app.harness import PUBLIC as PUBLIC_BASE
from tests.app.harness import AppServer, message, sign
from tests.security.conftest import Serve

SENDER = "+79161230000"


def recut(params: dict[str, str]) -> dict[str, str]:
    """The same signed bytes, cut differently: NumMedia's name and value into MessageSid."""
    out = dict(params)
    out["MessageSid"] = params["MessageSid"] + "NumMedia" + out.pop("NumMedia")
    return out


def post_signed_as(app: AppServer, channel: str, original: dict[str, str],
                   sent: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post ``sent`` with the signature Twilio gave ``original`` (what an attacker has)."""
    signature = sign(app.settings.twilio_auth_token or "", f"{PUBLIC_BASE}/twilio/{channel}",
                     original)
    return app.post(channel, sent, signature=signature)


def stored(app: AppServer) -> int:
    with app.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Message)) or 0)


def test_a_recut_replay_keeps_its_signature_but_is_refused(app: AppServer) -> None:
    original = message("HELP", SENDER)
    assert app.post("whatsapp", original).status_code == 200
    before = stored(app)
    replay = recut(original)
    r = post_signed_as(app, "whatsapp", original, replay)
    assert r.status_code == 400
    assert stored(app) == before  # nothing stored, nothing answered


def test_a_captured_start_replayed_after_stop_does_not_opt_the_user_back_in(
    app: AppServer,
) -> None:
    start = message("START", SENDER)
    assert app.post("whatsapp", start).status_code == 200
    assert app.post("whatsapp", message("STOP", SENDER)).status_code == 200
    sender_id = app.delivery.identity.sender_id(SENDER)
    assert app.delivery.store.opted_out(sender_id, "whatsapp")
    assert app.post("whatsapp", start).status_code == 200  # the exact replay: a duplicate
    post_signed_as(app, "whatsapp", start, recut(start))  # the re-cut one: refused
    assert app.delivery.store.opted_out(sender_id, "whatsapp")


def test_message_ids_must_look_like_twilio_ids(app: AppServer) -> None:
    for bad in ("SM1", "SM" + "g" * 32, "XX" + "a" * 32, "SM" + "A" * 32, "SM" + "a" * 33):
        r = app.post("sms", message("HELP", SENDER, "sms", sid=bad))
        assert r.status_code == 400, bad
    assert app.post("sms", message("HELP", SENDER, "sms", sid="MM" + "0" * 32)).status_code == 200
    assert stored(app) == 1


def test_a_message_for_another_twilio_account_is_refused(app: AppServer) -> None:
    other = message("HELP", SENDER, account_sid="AC" + "2" * 32)
    r = app.post("whatsapp", other)
    assert r.status_code == 403
    assert stored(app) == 0


def test_without_a_configured_account_any_account_is_accepted(make_app: Serve) -> None:
    with make_app(twilio_account_sid=None) as app:
        r = app.post("whatsapp", message("HELP", SENDER, account_sid="AC" + "2" * 32))
        assert r.status_code == 200 and stored(app) == 1

"""Rotating ``BOT_SENDER_HASH_KEY`` (docs/security.md): with the old key configured as
``BOT_SENDER_HASH_KEY_PREVIOUS``, a returning sender's rows move to the new key,
DELETE erases under both, and addresses sealed with the old key still open."""

from __future__ import annotations

from bot.store.identity import Identity
from tests.security.conftest import Serve

OLD = "Old-key_Zq7vK2mTr9xLp4Wn8bYc3Hd6"
NEW = "New-key_a8Kd03LmQz7Rt5Vw2Xy9Bn4C"
SENDER = "+79161230007"


def test_a_rotation_keeps_senders_and_their_erasure(make_app: Serve) -> None:
    with make_app(sender_hash_key=OLD) as app:
        app.ask("LANG fr", SENDER)
        app.ask("AGENT", SENDER)
    old_id, new_id = Identity(OLD).sender_id(SENDER), Identity(NEW).sender_id(SENDER)
    with make_app(sender_hash_key=NEW, sender_hash_key_previous=OLD) as app:
        store = app.delivery.store
        assert any(store.export(old_id).values()) and not any(store.export(new_id).values())
        app.ask("AGENT", SENDER)
        assert not any(store.export(old_id).values())  # moved to the new key...
        prefs = store.touch(new_id)
        assert prefs.lang == "fr" and not prefs.new  # ... preferences and all
        sealed = Identity(OLD).seal("whatsapp:" + SENDER)
        assert app.delivery.identity.unseal(sealed) == "whatsapp:" + SENDER
        [confirmation] = app.ask("SUPPRIMER", SENDER)
        assert "supprimé" in confirmation
        assert not any(store.export(old_id).values())
        assert not any(store.export(new_id).values())


def test_delete_erases_rows_left_under_the_old_key(make_app: Serve) -> None:
    """Rows the move has not reached (written by another process meanwhile) go too."""
    with make_app(sender_hash_key=NEW, sender_hash_key_previous=OLD) as app:
        store = app.delivery.store
        old_id = Identity(OLD).sender_id(SENDER)
        store.touch(old_id)
        store.escalate(old_id, "whatsapp", "agent")
        app.delivery.erase(Identity(NEW).sender_id(SENDER), "whatsapp:" + SENDER)
        assert not any(store.export(old_id).values())

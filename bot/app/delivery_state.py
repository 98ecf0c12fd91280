"""What the inbox says about a caseworker's reply: only what happened to it.

``state(sending, can_send)`` -> (status, sentence): waiting (and why: no Twilio
credentials, a failed attempt to retry), being sent, sent (accepted by Twilio),
not sent (Twilio's code, explained), cancelled (STOP). The outbox row is the
truth; a reply whose row was purged under retention shows no state.

``as_typed(thread, viewer, typed)`` -> the caseworker's own words, unredacted,
by reply id: those just sent from the form (``typed``, held only for the page
that answers the form) and those still waiting in the outbox, whose row holds
the text until it is sent. Everything stored, and everyone else's view, stays
redacted.
"""

from __future__ import annotations

from bot.store.inbox import Entry
from bot.store.outbox import Sending

NO_CREDENTIALS = ("no Twilio credentials are configured; it will be sent when they are")
EXPLAINED = {  # Twilio error codes a caseworker meets, in plain words
    "21610": "the user has blocked messages from this number (STOP)",
    "21614": "the number cannot receive SMS",
    "63016": "WhatsApp allows a free-form reply only within 24 hours of the user's last "
             "message",
    "63024": "the number is not on WhatsApp",
}
WORDS = {  # the outbox's own reasons
    "opted out": "the user sent STOP",
    "opted out: not sent": "the user sent STOP",
    "address unavailable": "the user's address could not be decrypted",
}


def explain(reason: str | None) -> str:
    if not reason:
        return "no reason was recorded"
    if reason in WORDS:
        return WORDS[reason]
    for code, words in EXPLAINED.items():
        if code in reason:
            return f"{reason}: {words}"
    return reason


def state(sending: Sending, can_send: bool) -> tuple[str, str]:
    """The reply's status and a sentence saying it, for the conversation page."""
    status = sending.status
    when = sending.done_at.strftime("%Y-%m-%d %H:%M") if sending.done_at else ""
    if status == "pending":
        if not can_send:
            return status, f"Not sent yet: {NO_CREDENTIALS}."
        if sending.attempts:
            return status, (f"Not sent yet: attempt {sending.attempts} failed "
                            f"({explain(sending.reason)}); it will be tried again.")
        return status, "Not sent yet: waiting its turn in the outbox."
    if status == "sending":
        return status, "Being sent now."
    if status == "sent":
        return status, f"Sent {when} UTC: Twilio accepted it for delivery."
    if status == "cancelled":
        return status, f"Cancelled, never sent: {explain(sending.reason)}."
    return status, f"Not sent: {explain(sending.reason)}."


def as_typed(thread: list[Entry], viewer: int, typed: dict[int, str]) -> dict[int, str]:
    """The viewer's own replies as they wrote them, where that text still exists."""
    shown: dict[int, str] = {}
    for e in thread:
        if e.kind != "caseworker" or e.reply_id is None or e.user_id != viewer:
            continue
        text = typed.get(e.reply_id) or (e.sending.waiting_text if e.sending else None)
        if text and text != e.body:
            shown[e.reply_id] = text
    return shown

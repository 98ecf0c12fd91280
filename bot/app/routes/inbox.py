"""The inbox: conversations flagged urgent or handed over with AGENT, and replying to them.

``GET /inbox`` lists them (open and claimed first, then closed; in each, urgent
first, then sensitive, then the rest; newest first) with their triage level
under an anonymous label, never the sender's number, and raises an alarm while
an urgent one is open. ``GET /inbox/{id}`` shows
the redacted messages and the replies sent back, and is written to the audit
log ("read", and the list "viewed inbox"). The forms post to ``/inbox/{id}/claim``, ``/reply`` and
``/close`` (each with the session's CSRF token) and come back to the page.

A reply goes out through the user's channel (``Delivery.caseworker_reply``):
the outbox sends it to the address sealed on the escalation. On WhatsApp only
within 24 hours of the user's last message; once a conversation is claimed
only the claimer or an administrator may reply or close it; closing wipes the
sealed address.

Every notice says only what happened (issue 13.7): a reply is queued, not "on its
way" (without Twilio credentials: not sent until they are configured), and each
caseworker's reply shows its outbox state (``delivery_state``). Answering the
reply form, the page itself comes back (not a redirect): it shows the reply as
typed, from the form, while the stored copy is redacted; posting the same form
again (a reload) queues nothing and says so.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from bot.app.delivery_state import as_typed, state
from bot.app.deps import AccountsDep, CaseworkerDep, DeliveryDep, InboxDep
from bot.app.pages import render
from bot.channels.twilio.delivery import Delivery
from bot.store.accounts import Account
from bot.store.inbox import Inbox, InboxError, NotFound
from bot.store.models import MAX_ROW_ID, utcnow

router = APIRouter(prefix="/inbox", tags=["web"], include_in_schema=False)
# A number too large for the database is a 422, not a crash.
EscalationId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]

SHOW = {"active": "Open and claimed", "closed": "Closed", "all": "All"}
REASONS = {"agent": "Asked for a caseworker", "urgent": "Urgent", "sensitive": "Sensitive"}
LEVELS = {"urgent": "Urgent", "sensitive": "Sensitive", "routine": "Routine"}
DONE = {
    "claimed": "You have claimed this conversation.",
    "yours": "This conversation is yours already.",
    "replied": "Your reply was queued to be sent to the user. What becomes of it is "
               "shown under it.",
    "queued": "Queued, not yet sent: no Twilio credentials are configured; it will be "
              "sent when they are.",
    "again": "You had sent this form already: the reply was queued once, not twice. "
             "What becomes of it is shown under it.",
    "closed": "The conversation is closed and the user's address is wiped.",
    "closed_waiting": "The conversation is closed and its copy of the user's address is "
                      "wiped. A reply still waiting to be sent keeps its own encrypted copy "
                      "until it is sent or given up.",
}
POSTED = ("replied", "queued")  # said by the page that answers the reply form only
NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_FORM_TEXT = 20_000  # longer than any reply: the store explains the real limit


def _target(escalation_id: int) -> str:
    return f"escalation:{escalation_id}"


@router.get("")
def inbox_page(request: Request, user: CaseworkerDep, inbox: InboxDep, accounts: AccountsDep,
               show: str = "active") -> Response:
    if show not in SHOW:
        show = "active"
    accounts.audit(user, "viewed inbox", f"show:{show}")
    items = inbox.conversations(show)  # type: ignore[arg-type]
    alarm = sum(i.level == "urgent" and i.status != "closed" for i in items)
    return render(request, "inbox.html", title="Inbox", items=items, show=show, shows=SHOW,
                  reasons=REASONS, levels=LEVELS, alarm=alarm)


def _page(request: Request, user: Account, accounts: AccountsDep, inbox: Inbox,
          delivery: Delivery, escalation_id: int, status: int = 200,
          error: str | None = None, done: str | None = None,
          typed: dict[int, str] | None = None) -> Response:
    """The conversation page (written to the audit log: the caseworker read it).

    Each caseworker's reply shows its delivery state; the viewer's own replies show
    as typed while that text exists (``typed``: the one just sent, from the form)."""
    try:
        item = inbox.get(escalation_id)
        thread = inbox.thread(escalation_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    window = inbox.window(escalation_id)
    refused = inbox.may_reply(item, user.id, user.can("admin"))
    blocked = refused or (None if window.open else window.reason)
    accounts.audit(user, "read", _target(escalation_id))
    if done is None:  # after a redirect; "replied" and "queued" only answer the form
        done = request.query_params.get("done", "")
        done = "" if done in POSTED else done
    can_send = delivery.sender is not None
    states = {e.reply_id: state(e.sending, can_send) for e in thread
              if e.reply_id is not None and e.sending is not None}
    return render(
        request, "conversation.html", status, title=item.label, item=item, thread=thread,
        window=window, blocked=blocked, reasons=REASONS, levels=LEVELS, error=error,
        notice=DONE.get(done), notice_warn=done == "queued", nonce=uuid.uuid4().hex,
        now=utcnow(), states=states,
        typed=as_typed(thread, user.id, typed or {}),
        can_claim=item.status == "open" or (
            item.status == "claimed" and item.claimed_by_id != user.id and user.can("admin")),
        can_close=item.status != "closed" and not refused,
        mine=item.claimed_by_id == user.id,
    )


def _back(escalation_id: int, done: str) -> Response:
    return RedirectResponse(f"/inbox/{escalation_id}?done={done}", status_code=303)


def _refused(request: Request, user: Account, accounts: AccountsDep, inbox: Inbox,
             delivery: Delivery, escalation_id: int, exc: InboxError) -> Response:
    if isinstance(exc, NotFound):
        raise HTTPException(404, str(exc))
    return _page(request, user, accounts, inbox, delivery, escalation_id, exc.status,
                 error=str(exc))


@router.get("/{escalation_id}")
def conversation(request: Request, escalation_id: EscalationId, user: CaseworkerDep,
                 accounts: AccountsDep, inbox: InboxDep, delivery: DeliveryDep) -> Response:
    return _page(request, user, accounts, inbox, delivery, escalation_id)


@router.post("/{escalation_id}/claim")
def claim(request: Request, escalation_id: EscalationId, user: CaseworkerDep,
          accounts: AccountsDep, inbox: InboxDep, delivery: DeliveryDep) -> Response:
    try:
        changed = inbox.claim(escalation_id, user.id, take_over=user.can("admin"))
    except InboxError as exc:
        return _refused(request, user, accounts, inbox, delivery, escalation_id, exc)
    if not changed:
        return _back(escalation_id, "yours")
    accounts.audit(user, "claimed", _target(escalation_id))
    return _back(escalation_id, "claimed")


@router.post("/{escalation_id}/reply")
def reply(
    request: Request,
    escalation_id: EscalationId,
    user: CaseworkerDep,
    accounts: AccountsDep,
    inbox: InboxDep,
    delivery: DeliveryDep,
    text: Annotated[str, Form(max_length=MAX_FORM_TEXT)] = "",
    nonce: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if not NONCE.match(nonce):
        nonce = uuid.uuid4().hex  # a form without its id: still sent, but only this once
    try:
        result = delivery.caseworker_reply(inbox, escalation_id, user.id, text, nonce=nonce,
                                           is_admin=user.can("admin"))
    except InboxError as exc:
        return _refused(request, user, accounts, inbox, delivery, escalation_id, exc)
    if result.claimed:
        accounts.audit(user, "claimed", _target(escalation_id))
    if not result.queued:
        return _back(escalation_id, "again")
    accounts.audit(user, "replied", _target(escalation_id))
    # The page itself, not a redirect: it shows the reply as typed (from this form,
    # never stored unredacted), and what is true of it now.
    typed = {result.reply_id: result.body} if result.reply_id is not None else {}
    return _page(request, user, accounts, inbox, delivery, escalation_id,
                 done="replied" if result.sendable else "queued", typed=typed)


@router.post("/{escalation_id}/close")
def close(request: Request, escalation_id: EscalationId, user: CaseworkerDep,
          accounts: AccountsDep, inbox: InboxDep, delivery: DeliveryDep) -> Response:
    try:
        closed = inbox.close(escalation_id, user.id, is_admin=user.can("admin"))
        sender_id = inbox.get(escalation_id).sender_id
    except InboxError as exc:
        return _refused(request, user, accounts, inbox, delivery, escalation_id, exc)
    if closed:
        accounts.audit(user, "closed", _target(escalation_id))
    waiting = delivery.outbox.waiting(sender_id)  # they keep the address until sent
    return _back(escalation_id, "closed_waiting" if waiting else "closed")

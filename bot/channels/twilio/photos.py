"""Photos of papers sent on WhatsApp or by MMS: fetched, read and answered off the webhook.

    webhook -> take: stored as "[photo] caption" (status "reading"), answered with an ack
    photo thread, one photo at a time: fetch from Twilio (media.py)
      -> runtime.papers.answer (read, recognise, cite) -> record, flag when urgent
      -> render once -> the outbox -> the worker sends it

Reading takes about a second of CPU, so it never runs inside the webhook request,
and only one runs at a time. Every photo gets a reply, never silence: a photo
Twilio would not give us gets "I could not open the photo, please send it again",
a type we do not read says which types we do, and a photo whose reader died with
its process (left "reading") gets the same "send it again" from the next sweep.
Neither the image nor its text is stored or logged: the message keeps
``answer.placeholder`` ("[photo: military_contract]") and the caption, redacted.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from bot.advisor.language import guess_language
from bot.advisor.models import Question
from bot.advisor.paper_answer import DocumentAnswer
from bot.advisor.runtime import Runtime
from bot.advisor.strings import Strings, load_strings
from bot.channels.context import ChannelContext
from bot.channels.render import Reply, render_answer, render_reply
from bot.channels.twilio.country import located
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.fallback import fallback_reply
from bot.channels.twilio.media import Media, MediaFetcher, NotFetched, readable
from bot.channels.twilio.webhook import Inbound
from bot.config import prompts_dir
from bot.documents.tesseract import OcrUnavailable, Tesseract
from bot.store import Conversations, SenderPrefs
from bot.store.models import utcnow
from bot.store.records import Records

log = logging.getLogger(__name__)

READING = "reading"  # the status of a photo's message until its reply is queued
RUNTIME_WAIT_S = 120.0  # a photo sent while the assistant loads waits this long for it
STALE_AFTER = timedelta(minutes=3)  # a photo "reading" this long lost its reader
SWEEP_EVERY_S = 60.0
MAX_QUEUED = 30  # photos waiting or being read (about a second each); more are turned away
NOT_FETCHED = {"too_large": "document_too_large", "unsupported_type": "document_unsupported"}


def photo_of(msg: Inbound) -> Media | None:
    """The attachment to read as a paper: the first, when it is an image or a PDF."""
    if not msg.media:
        return None
    first = msg.media[0]
    return first if first.kind.startswith("image/") or readable(first.kind) else None


def stored_text(placeholder: str, caption: str) -> str:
    """What the store keeps of a photo message: its placeholder and the caption."""
    return f"{placeholder} {caption}".strip()


@dataclass(frozen=True)
class PhotoJob:
    sid: str
    sender: str
    channel: str
    our_address: str
    sealed: bytes
    media: Media
    count: int  # attachments sent; only the first is read
    caption: str
    lang: str | None
    country: str | None


class Photos:
    def __init__(self, ctx: ChannelContext, store: Conversations, records: Records,
                 delivery: Delivery, fetcher: MediaFetcher) -> None:
        self.ctx = ctx
        self.store = store
        self.records = records
        self.delivery = delivery
        self.fetcher = fetcher
        self.words: Strings = load_strings(prompts_dir(ctx.settings) / "documents")
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twilio-photo")
        self._inflight: set[str] = set()  # sids of this process's photos, queued or reading
        self.max_queued = MAX_QUEUED
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    # The webhook's side.

    def say(self, key: str, lang: str | None, channel: str, **values: object) -> list[str]:
        """One of the texts about papers (prompts/documents), as the bodies to send."""
        text = self.words.get(key, lang).format(**values)
        return render_reply(Reply(text, lang), self.ctx.profile(channel), self.ctx.strings).parts

    def take(self, msg: Inbound, media: Media, sender: str, prefs: SenderPrefs,
             caption: str) -> list[str]:
        """Accept a photo: the replies to send now (none while it is read)."""
        lang = prefs.lang or guess_language(caption)
        if not readable(media.kind):  # an image we do not read (GIF, HEIC): say which we do
            self.store.set_inbound_body(msg.sid, stored_text("[photo: refused]", caption))
            self.store.finish_inbound(msg.sid)
            return self.say("document_unsupported", lang, msg.channel)
        job = PhotoJob(msg.sid, sender, msg.channel, msg.to, self.delivery.identity.seal(
            msg.from_), media, len(msg.media), caption, prefs.lang, located(prefs.country))
        with self._lock:
            busy = len(self._inflight) >= self.max_queued
            if not busy:
                self._inflight.add(msg.sid)
        if busy:  # a flood of photos must not queue hours of reading: "send it again"
            log.warning("a photo was turned away: %d photos are waiting to be read",
                        self.max_queued)
            self.store.set_inbound_body(msg.sid, stored_text("[photo: busy]", caption))
            self.store.finish_inbound(msg.sid)
            return self.say("document_unreadable", lang, msg.channel)
        self._pool.submit(self._run, job)
        return []

    # The photo thread.

    def _run(self, job: PhotoJob) -> None:
        try:
            parts = self._answer(job)
        except Exception as exc:  # noqa: BLE001 - the user still gets a reply
            log.error("a photo could not be answered: %s", type(exc).__name__,
                      exc_info=log.isEnabledFor(logging.DEBUG))
            parts = self.say("document_unreadable", self._lang(job), job.channel)
        try:
            self._queue(job, parts)
        except Exception as exc:  # noqa: BLE001 - left "reading": the sweep replies
            log.error("could not queue the reply to a photo: %s", type(exc).__name__)
        finally:
            with self._lock:
                self._inflight.discard(job.sid)

    def _answer(self, job: PhotoJob) -> list[str]:
        fetched = self.fetcher.fetch(job.media.url)
        if isinstance(fetched, NotFetched):
            log.warning("a photo was not fetched: %s (%s)", fetched.reason, fetched.detail)
            self.store.set_inbound_body(job.sid, stored_text("[photo: not_fetched]",
                                                             job.caption))
            return self.say(NOT_FETCHED.get(fetched.reason, "document_unreadable"),
                            self._lang(job), job.channel)
        runtime = self._runtime()
        if runtime is None:
            log.error("a photo waited %.0f s for the assistant to load", RUNTIME_WAIT_S)
            return fallback_reply(self.ctx, job.channel, self._lang(job), job.country)
        unavailable = runtime.papers.unavailable()
        if unavailable:
            log.error("a photo could not be read: %s", unavailable)
            return self.say("document_no_ocr", self._lang(job), job.channel)
        p = self.ctx.profile(job.channel)
        question = Question(text=job.caption, lang=job.lang, country=job.country)
        answer = runtime.papers.answer(fetched.data, question, p.budget)
        del fetched  # the photo goes no further than the reader
        if not self.store.known(job.sender):
            log.info("an answer about a photo was dropped: its sender erased their data")
            return []
        self.store.set_inbound_body(job.sid, stored_text(answer.placeholder, job.caption))
        self._record(job, answer)
        if answer.urgent:
            self.store.escalate(job.sender, job.channel, "urgent", job.sealed, job.our_address)
        if job.count > 1:
            more = self.words.get("document_first_only", answer.language).format(
                count=job.count)
            answer = answer.model_copy(update={"intro": f"{answer.intro}\n\n{more}"})
        hint = self.ctx.commands.reply("more_hint", answer.language)
        rendered = render_answer(answer, p, self.ctx.strings, more_hint=hint)
        self.store.set_pending_more(job.sender, rendered.rest)
        return rendered.parts

    def _queue(self, job: PhotoJob, parts: list[str]) -> None:
        if parts and self.store.known(job.sender):
            if self.delivery.outbox.enqueue(job.sid, job.sender, job.channel, job.our_address,
                                            job.sealed, parts):
                self.delivery.record_reply(job.sender, job.channel, parts)
        self.store.finish_inbound(job.sid)
        self.delivery.wake()

    def _record(self, job: PhotoJob, answer: DocumentAnswer) -> None:
        try:
            self.records.record_question(
                job.channel, stored_text(answer.placeholder, job.caption),
                sender_id=job.sender, lang=answer.language, country=job.country,
                status=answer.status, reason=answer.reason, urgent=answer.urgent,
                doc_ids=[c.doc_id for c in answer.citations])
        except Exception as exc:  # noqa: BLE001 - the answer still goes out
            log.error("could not record a photo's question: %s", type(exc).__name__)

    def _runtime(self) -> Runtime | None:
        deadline = time.monotonic() + RUNTIME_WAIT_S
        while not self._stop.is_set():
            runtime = self.ctx.runtime.current()
            if runtime is not None or time.monotonic() > deadline:
                return runtime
            self._stop.wait(0.5)
        return None

    def _lang(self, job: PhotoJob) -> str | None:
        return job.lang or guess_language(job.caption)

    # Photos whose reader died: a reply all the same.

    def start(self) -> None:
        try:
            Tesseract().check()
        except OcrUnavailable as exc:
            log.error("photos of papers cannot be read: %s; users are asked to write instead",
                      exc)
        self._sweeper = threading.Thread(target=self._sweep_loop, name="twilio-photo-sweep",
                                         daemon=True)
        self._sweeper.start()

    def _sweep_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep()
            except Exception as exc:  # noqa: BLE001 - tried again at the next round
                log.error("photo sweep failed: %s", type(exc).__name__)
            self._stop.wait(SWEEP_EVERY_S)

    def sweep(self, older_than: timedelta = STALE_AFTER) -> int:
        """Answer "send it again" to photos left unread (their process stopped); how many."""
        answered = 0
        for row in self.store.stale_inbound(READING, utcnow() - older_than):
            with self._lock:
                ours = row.sid in self._inflight
            if ours or not self.store.claim_inbound(row.sid, READING):
                continue
            if row.sealed_address is None or self.delivery.identity.unseal(
                    row.sealed_address) is None:
                self.store.finish_inbound(row.sid, "undeliverable")
                continue
            prefs = self.store.touch(row.sender_id)
            job = PhotoJob(row.sid, row.sender_id, row.channel, row.our_address,
                           row.sealed_address, Media("", ""), 1, "", prefs.lang, prefs.country)
            self._queue(job, self.say("document_unreadable", prefs.lang, row.channel))
            answered += 1
        if answered:
            log.warning("%d photo(s) left unread by a stopped process: asked to send again",
                        answered)
        return answered

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

"""The conversation's own replies on WhatsApp and SMS: commands, the welcome menu, contacts,
first contact, apologies.

Commands (HELP, CONTACTS, LANG xx, MORE, AGENT, DELETE, STOP/START) are parsed
by ``bot.channels.commands``; here each gets its reply, rendered once through
``bot.channels.render`` like an answer, in the user's language: the one they
chose (LANG), else the one they have been writing in, else the keyword's
(Spanish and Portuguese share CONTACTOS: then the number's country decides).
The first reply to a new sender says how to delete the chat, in the words of
its channel (discretion: phones are checked). When something failed, the reply
is an apology and the general contacts (``fallback.py``).
"""

from __future__ import annotations

from bot.advisor.places import HOME  # the country the service is about
from bot.advisor.strings import load_strings
from bot.channels.commands import Command
from bot.channels.context import ChannelContext
from bot.channels.conversation.session import Session
from bot.channels.conversation.welcome import Opening, welcome_text
from bot.channels.conversation.words import RELATIVE
from bot.channels.render import Reply, render_reply
from bot.channels.render.limits import utf16_units
from bot.channels.twilio.country import country_of, language_of
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.erasure import confirmation
from bot.channels.twilio.more import Continuation
from bot.channels.twilio.webhook import Inbound
from bot.config import prompts_dir
from bot.store import Conversations, SenderPrefs
from bot.text.languages import SERVED


def whereabouts(session: Session, address: str) -> tuple[str | None, str | None]:
    """(where the user is, whose citizen): what they wrote, else their number's country
    (a +7 number is someone in Russia; another country's, probably its citizen, but not
    at home: most who write are in Russia and keep their number. A mother who writes
    "I am his mother in Kumasi" says where she is: ``reading._location``).

    Someone writing from a foreign number about a relative ("my brother went to Russia,
    no answer for 4 weeks") is the family at home, not the one in Russia: they are in
    the country they named ("who can I call for Nigeria"), else their number's. Taken
    for someone in Russia, a sister in Nigeria got UNHCR's Moscow numbers (user test 2,
    d19, d13, d05, d33)."""
    number = country_of(address)
    foreign = number not in (None, HOME)
    location = session.location or (number if number == HOME else None)
    nationality = session.nationality or (number if foreign else None)
    if location is None and session.situation == RELATIVE and foreign:
        location = nationality
    return location, nationality


class Dialogue:
    def __init__(self, ctx: ChannelContext, store: Conversations, delivery: Delivery,
                 continuation: Continuation) -> None:
        self.ctx = ctx
        self.store = store
        self.delivery = delivery
        self.erasure = load_strings(prompts_dir(ctx.settings) / "erasure")
        self.continuation = continuation

    def text(self, key: str, lang: str | None, **values: object) -> str:
        return self.ctx.commands.reply(key, lang, **values)

    def say(self, key: str, lang: str | None, channel: str, **values: object) -> list[str]:
        """One of the conversation's texts (prompts/commands) as the bodies to send."""
        return self.send(Reply(self.text(key, lang, **values), lang), channel)

    def send(self, reply: Reply, channel: str) -> list[str]:
        """A reply as one message within Twilio's limit."""
        return render_reply(reply, self.ctx.profile(channel), self.ctx.strings).parts

    def _with_more(self, reply: Reply, channel: str, sender: str, replace: bool) -> list[str]:
        """A reply long enough for MORE: the parts now, the rest kept for MORE (``replace``:
        even when there is none, so MORE does not send an older rest)."""
        rendered = render_reply(reply, self.ctx.profile(channel), self.ctx.strings,
                                more_hint=self.text("more_hint", reply.lang))
        if rendered.rest is not None or replace:
            self.store.set_pending_more(sender, rendered.rest)
        return rendered.parts

    def privacy_note(self, lang: str | None, channel: str) -> str:
        """How to delete the chat, for the channel it came by (no WhatsApp steps by SMS)."""
        if channel == "sms":
            return self.ctx.profile(channel).sent(self.ctx.dialogue.text("privacy_note_sms", lang))
        return self.text("privacy_note", lang)

    def first_contact(self, prefs: SenderPrefs, channel: str, replies: list[str],
                      lang: str | None) -> list[str]:
        """Discretion: the first reply to a new sender says how to delete the chat."""
        note = self.privacy_note(lang, channel)
        if not prefs.new or any(note in r for r in replies):
            return replies
        joined = f"{replies[-1]}\n\n{note}" if replies else ""
        if replies and utf16_units(joined) <= self.ctx.profile(channel).max_units:
            return [*replies[:-1], joined]
        return [*replies, *self.send(Reply(note, lang), channel)]

    def language(self, cmd: Command, prefs: SenderPrefs, address: str) -> str:
        """The language to answer a command in (see the module's docstring)."""
        session_lang = Session.of(prefs.session).lang
        if prefs.lang or session_lang:
            return str(prefs.lang or session_lang)
        if len(cmd.langs) > 1:
            by_number = language_of(address)
            if by_number in cmd.langs:
                return by_number
            if "en" in cmd.langs:
                return "en"
        return cmd.lang

    # Replies that are not answers.

    def welcome(self, lang: str | None, channel: str, prefs: SenderPrefs,
                opening: Opening = "welcome") -> list[str]:
        """The welcome and the menu (compact by SMS); on first contact with the note on
        deleting the chat (which names DELETE: the welcome then does not repeat it)."""
        text = welcome_text(self.ctx.dialogue, lang, opening, erase_line=not prefs.new,
                            compact=channel == "sms")
        if prefs.new:
            text += "\n\n" + self.privacy_note(lang, channel)
        return self.send(Reply(text, lang), channel)

    def closing(self, lang: str | None, channel: str, prefs: SenderPrefs) -> list[str]:
        """After thanks or "ok": a short warm line that they can write again, no menu."""
        text = self.ctx.dialogue.text("thanks_reply", lang)
        if prefs.new:
            text += "\n\n" + self.privacy_note(lang, channel)
        return self.send(Reply(text, lang), channel)

    def ask_sentence(self, lang: str | None, channel: str) -> list[str]:
        return self.send(Reply(self.ctx.dialogue.text("ask_sentence", lang), lang), channel)

    def contacts(self, msg: Inbound, sender: str, prefs: SenderPrefs,
                 lang: str | None, session: Session | None = None) -> list[str]:
        """CONTACTS: for the user's last situation, where they are and whose citizen
        (``session``: with what the asking message itself named, "whom do I call here
        in Kenya"; else as stored)."""
        session = session or Session.of(prefs.session)
        location, nationality = whereabouts(session, msg.from_)
        refs = self.ctx.contacts.for_person(location=location, nationality=nationality,
                                            related=session.referrals, lang=lang)
        if not refs:
            return self.say("contacts_none", lang, msg.channel)
        return self._with_more(Reply(self.text("contacts_intro", lang), lang, refs),
                               msg.channel, sender, replace=False)

    def command(self, cmd: Command, msg: Inbound, sender: str, prefs: SenderPrefs) -> list[str]:
        lang, channel = self.language(cmd, prefs, msg.from_), msg.channel
        if cmd.kind == "help":
            text = welcome_text(self.ctx.dialogue, lang, "welcome", erase_line=False,
                                commands=True, compact=channel == "sms")
            text += "\n\n" + self.privacy_note(lang, channel)
            return self.send(Reply(text, lang), channel)
        if cmd.kind == "contacts":
            return self.contacts(msg, sender, prefs, lang)
        if cmd.kind == "lang":
            if cmd.arg is None:  # "LANG uz": say it is not served, and name those that are
                served = ", ".join(f"{code} ({self.ctx.commands.language_name(code)})"
                                   for code in SERVED)
                if cmd.asked:
                    return self.say("lang_unsupported", lang, channel, languages=served,
                                    code=cmd.asked)
                return self.say("lang_unknown", lang, channel, languages=served)
            self.store.set_lang(sender, cmd.arg)
            return self.say("lang_set", cmd.arg, channel)  # a whole sentence per language
        if cmd.kind == "more":
            rest = self.store.take_pending_more(sender)
            if rest:
                return self._with_more(Reply(rest, lang), channel, sender, replace=True)
            more = self.continuation.next(msg, sender, prefs)
            return more or self.say("more_none", lang, channel)
        if cmd.kind == "agent":
            self.store.escalate(sender, channel, "agent",
                                self.delivery.identity.seal(msg.from_), msg.to)
            return self.say("agent_ok", lang, channel)
        if cmd.kind == "delete":  # the confirmation says only what happened (erasure.py)
            erasure = self.delivery.erase(sender, msg.from_)
            return self.send(Reply(confirmation(self.erasure, erasure, lang), lang), channel)
        if cmd.kind == "stop":
            self.store.opt_out(sender, channel)
            self.delivery.outbox.cancel(sender, channel)
            # On SMS Twilio confirms STOP itself and blocks our messages (21610).
            return self.say("stopped", lang, channel) if channel == "whatsapp" else []
        self.store.opt_in(sender, channel)
        return self.say("started", lang, channel)

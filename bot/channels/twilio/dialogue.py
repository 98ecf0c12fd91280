"""The conversation's own replies on WhatsApp and SMS: commands, first contact, apologies.

Commands (HELP, CONTACTS, LANG xx, MORE, AGENT, DELETE, STOP/START) are parsed
by ``bot.channels.commands``; here each gets its reply, rendered once through
``bot.channels.render`` like an answer. The first reply to a new sender says
how to delete the chat (discretion: phones are checked). When something
failed, the reply is an apology and the general contacts (``fallback.py``).
"""

from __future__ import annotations

from bot.advisor.strings import load_strings
from bot.channels.commands import Command
from bot.channels.context import ChannelContext
from bot.channels.render import Reply, profile, render_reply
from bot.channels.render.limits import utf16_units
from bot.channels.twilio.delivery import Delivery
from bot.channels.twilio.erasure import confirmation
from bot.channels.twilio.webhook import Inbound
from bot.config import prompts_dir
from bot.store import Conversations, SenderPrefs
from bot.text.languages import SERVED


class Dialogue:
    def __init__(self, ctx: ChannelContext, store: Conversations, delivery: Delivery) -> None:
        self.ctx = ctx
        self.store = store
        self.delivery = delivery
        self.erasure = load_strings(prompts_dir(ctx.settings) / "erasure")

    def text(self, key: str, lang: str | None, **values: object) -> str:
        return self.ctx.commands.reply(key, lang, **values)

    def say(self, key: str, lang: str | None, channel: str, **values: object) -> list[str]:
        """One of the conversation's texts (prompts/commands) as the bodies to send."""
        return self.send(Reply(self.text(key, lang, **values), lang), channel)

    def send(self, reply: Reply, channel: str) -> list[str]:
        """A reply as one message within Twilio's limit."""
        return render_reply(reply, profile(channel), self.ctx.strings).parts

    def _with_more(self, reply: Reply, channel: str, sender: str, replace: bool) -> list[str]:
        """A reply long enough for MORE: the parts now, the rest kept for MORE (``replace``:
        even when there is none, so MORE does not send an older rest)."""
        rendered = render_reply(reply, profile(channel), self.ctx.strings,
                                more_hint=self.text("more_hint", reply.lang))
        if rendered.rest is not None or replace:
            self.store.set_pending_more(sender, rendered.rest)
        return rendered.parts

    def first_contact(self, prefs: SenderPrefs, channel: str, replies: list[str],
                      lang: str | None) -> list[str]:
        """Discretion: the first reply to a new sender says how to delete the chat."""
        if not prefs.new:
            return replies
        note = self.text("privacy_note", lang)
        joined = f"{replies[-1]}\n\n{note}" if replies else ""
        if replies and utf16_units(joined) <= profile(channel).max_units:
            return [*replies[:-1], joined]
        return [*replies, *self.send(Reply(note, lang), channel)]

    def command(self, cmd: Command, msg: Inbound, sender: str, prefs: SenderPrefs) -> list[str]:
        lang, channel = prefs.lang or cmd.lang, msg.channel
        if cmd.kind == "help":
            help_text = self.text("help_text", lang) + "\n\n" + self.text("privacy_note", lang)
            return self.send(Reply(help_text, lang), channel)
        if cmd.kind == "contacts":
            refs = self.ctx.contacts.for_country(prefs.country)
            if not refs:
                return self.say("contacts_none", lang, channel)
            return self._with_more(Reply(self.text("contacts_intro", lang), lang, refs),
                                   channel, sender, replace=False)
        if cmd.kind == "lang":
            if cmd.arg is None:
                return self.say("lang_unknown", lang, channel, languages=", ".join(SERVED))
            self.store.set_lang(sender, cmd.arg)
            return self.say("lang_set", cmd.arg, channel,
                            language=self.ctx.commands.language_name(cmd.arg))
        if cmd.kind == "more":
            rest = self.store.take_pending_more(sender)
            if not rest:
                return self.say("more_none", lang, channel)
            return self._with_more(Reply(rest, lang), channel, sender, replace=True)
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

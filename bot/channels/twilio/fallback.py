"""The reply when something failed: an apology and the general contacts, in one message."""

from __future__ import annotations

from bot.channels.context import ChannelContext
from bot.channels.render import Reply, render_reply


def fallback_reply(ctx: ChannelContext, channel: str, lang: str | None,
                   country: str | None = None) -> list[str]:
    """When something failed: an apology and the general contacts, in one message.

    Needs neither the database nor the runtime: the contacts come from the
    registry itself when the index is not loaded.
    """
    reply = Reply(ctx.commands.reply("error_fallback", lang), lang,
                  ctx.contacts.for_country(country, 2, lang))
    return render_reply(reply, ctx.profile(channel), ctx.strings).parts
